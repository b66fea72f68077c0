// PUT/PATCH of a managed table: rename, schema change as real DDL, archive.
#include <map>

#include "mt/store/provisioning.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"
#include "table_change.hpp"

namespace mt::store {
namespace {

struct DdlStep {
    std::string sql;
    std::string field;  // the request field it comes from, e.g. "columns[1].type", for 422 details
};

/// ALTER statements turning `before` into `after` (columns matched by name).
std::vector<DdlStep> ColumnDdl(const std::string& table, const std::vector<types::Column>& before,
                               const std::vector<types::Column>& after) {
    std::map<std::string, const types::Column*> old_by_name, new_by_name;
    for (const auto& c : before) old_by_name[c.name] = &c;
    for (const auto& c : after) new_by_name[c.name] = &c;
    std::vector<DdlStep> ddl;
    for (const auto& c : before) {
        if (!new_by_name.count(c.name))
            ddl.push_back({"ALTER TABLE " + table + " DROP COLUMN " + types::QuoteIdentifier(c.name), "columns"});
    }
    for (std::size_t i = 0; i < after.size(); ++i) {
        const types::Column& c = after[i];
        std::string at = "columns[" + std::to_string(i) + "]";
        std::string col = types::QuoteIdentifier(c.name);
        std::string pg_type(types::PgType(c.type));
        auto it = old_by_name.find(c.name);
        if (it == old_by_name.end()) {
            ddl.push_back(
                {"ALTER TABLE " + table + " ADD COLUMN " + col + " " + pg_type + (c.nullable ? "" : " NOT NULL"),
                 at + (c.nullable ? ".name" : ".nullable")});
            continue;
        }
        const types::Column& old = *it->second;
        if (old.type != c.type) {
            // Through text: one rule for every pair of types, and the same parsing PostgreSQL applies to input.
            ddl.push_back({"ALTER TABLE " + table + " ALTER COLUMN " + col + " TYPE " + pg_type + " USING " + col +
                               "::text::" + pg_type,
                           at + ".type"});
        }
        if (old.nullable != c.nullable) {
            ddl.push_back(
                {"ALTER TABLE " + table + " ALTER COLUMN " + col + (c.nullable ? " DROP NOT NULL" : " SET NOT NULL"),
                 at + ".nullable"});
        }
    }
    return ddl;
}

/// table.updated details: the names of the fields that change (never data), and a rename's names.
std::string ChangedFields(const TableRecord& current, const Intent& intent, const TableChanges& changes) {
    std::string fields;
    auto add = [&](const char* name) { fields += std::string(fields.empty() ? "" : ",") + "\"" + name + "\""; };
    const bool renamed = intent.display_after != current.display_name;
    if (renamed) add("display_name");
    if (changes.columns && ColumnsToJson(*changes.columns) != ColumnsToJson(current.columns)) add("columns");
    if (changes.max_rows) add("max_rows");
    std::vector<std::pair<std::string, std::string>> members{{"fields", "[" + fields + "]"}};
    if (renamed) {
        members.emplace_back("display_name_before", AuditJsonString(current.display_name));
        members.emplace_back("display_name_after", AuditJsonString(intent.display_after));
    }
    return AuditDetails(members);
}

}  // namespace

Result<TableRecord> UpdateTable(Databases& dbs, const std::string& company_id, const std::string& table_id,
                                const TableChanges& changes, const AuditContext& who) {
    if (changes.status && *changes.status != "active" && *changes.status != "archived") {
        return Validation("Invalid status", {{"status", "must be \"active\" or \"archived\""}});
    }
    // The table first, so another company's (or a missing) table is a 404 whatever this company's state.
    MT_ASSIGN_OR_RETURN(auto current, GetTableMetadata(dbs, company_id, table_id));
    MT_ASSIGN_OR_RETURN(auto connection, RequireConnection(dbs, company_id));
    // A stale If-Match is refused before any intent exists; the change's own transaction checks it again.
    MT_TRY(PrecheckVersion(dbs, connection, current, changes.condition));
    const bool changed = changes.display_name || changes.columns || changes.max_rows;
    if (changed) {
        MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
        std::vector<DdlStep> steps;
        bool renamed = false;
        // The DDL is computed from the locked metadata row, which no other change can touch until this one ends.
        auto plan = [&](const TableRecord& current, Intent& intent, pg::Connection& locked) -> Status {
            intent.display_after = changes.display_name.value_or(current.display_name);
            if (changes.columns) intent.columns_after = *changes.columns;
            renamed = intent.display_after != current.display_name;
            MT_TRY(ValidateSchema(intent.display_after, intent.columns_after, /*legacy_name=*/!renamed));
            // Before any DDL: the new index list fits the new columns, and no kept index loses a column.
            if (changes.indexes) MT_TRY(ValidateIndexes(*changes.indexes, intent.columns_after));
            if (changes.columns) {
                MT_TRY(CheckIndexedColumnsKept(changes.indexes ? *changes.indexes : current.indexes,
                                               intent.columns_after));
            }
            steps = ColumnDdl(QualifiedName(current.physical_name), current.columns, intent.columns_after);
            intent.audit = AuditEvent{company_id,
                                      "table.updated",
                                      who.actor,
                                      "table",
                                      table_id,
                                      who.request_id,
                                      ChangedFields(current, intent, changes)};
            if (!renamed) return Ok();
            intent.physical_after = intent.display_after;
            // The new name is reserved now (unique index); the physical name and columns change with the DDL.
            auto reserved =
                locked.Exec("UPDATE mt_tables SET display_name = $2 WHERE id = $1", {table_id, intent.display_after});
            if (!reserved) {
                if (reserved.error().code == "23505")
                    return BadRequest("Já existe uma tabela ativa com este nome", "MANAGED_TABLE_DUPLICATE_NAME");
                return std::move(reserved).error();
            }
            // After the reservation: a name an active table holds is a 400 duplicate, not a busy change.
            return CheckNameFree(locked, company_id, intent.display_after);
        };
        MT_ASSIGN_OR_RETURN(auto intent, BeginChange(dbs, *control, company_id, table_id, "update", plan));
        MT_TRY(ApplyChange(dbs, *control, connection, intent, [&](pg::Connection& company) -> Status {
            const std::string before = QualifiedName(intent.physical_before);
            TableRecord locked;
            locked.id = table_id;
            locked.physical_name = intent.physical_before;
            MT_TRY(CheckVersion(company, locked, changes.condition));  // the counter row stays locked until COMMIT
            for (const auto& step : steps) {
                auto ran = company.Run(step.sql);
                if (!ran) {
                    Error e = MapDdlError(std::move(ran).error());
                    if (e.kind == ErrorKind::kValidation && e.details.empty())
                        e.details.push_back({step.field, e.message});
                    return e;
                }
            }
            if (changes.max_rows) {
                pg::Param cap;
                if (*changes.max_rows) cap = std::to_string(**changes.max_rows);
                MT_TRY(
                    company.Exec("UPDATE mt_internal.row_counts SET max_rows = $2::bigint WHERE table_oid = "
                                 "$1::regclass",
                                 {before, cap}));
            }
            if (!steps.empty() || renamed || changes.max_rows) {  // a schema or settings change: a new version
                MT_TRY(RaiseVersion(company, before));
            }
            if (renamed) {
                MT_TRY(MoveStrayTableAside(company, intent.physical_after));  // no metadata owns it: rows kept
                MT_TRY(company.Run("ALTER TABLE " + QualifiedName(intent.physical_before) + " RENAME TO " +
                                   types::QuoteIdentifier(intent.physical_after)));
            }
            return Ok();
        }));
    }
    if (changes.description || changes.metadata) {
        MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
        pg::Param description;
        if (changes.description) description = *changes.description;
        MT_ASSIGN_OR_RETURN(
            auto set, control->Exec("UPDATE mt_tables SET description = CASE WHEN $3 THEN $4 ELSE description END, "
                                    "metadata = coalesce($5::jsonb, metadata), updated_at = now() "
                                    "WHERE id = $1 AND company_id = $2 AND status = 'active' RETURNING id",
                                    {table_id, company_id, changes.description ? "true" : "false", description,
                                     changes.metadata}));
        if (set.empty()) return NotFound("TABLE_NOT_FOUND", "Tabela não encontrada");
        dbs.ForgetTable(table_id);
    }
    if (changes.indexes) {
        // After the other changes (a new column can be indexed in the same request); If-Match was this request's.
        MT_TRY(ChangeIndexes(dbs, connection, company_id, table_id, *changes.indexes,
                             changed ? VersionCondition{} : changes.condition, who));
    }
    const bool archive = changes.status && *changes.status == "archived";
    if (archive) {
        MT_ASSIGN_OR_RETURN(auto archived, GetTable(dbs, company_id, table_id));  // its last counts and version
        // The change above (if any) raised the version: it was this request's own write.
        MT_TRY(ArchiveTable(dbs, company_id, table_id, who,
                            changed || changes.indexes ? VersionCondition{} : changes.condition,
                            R"({"via":"status"})"));
        archived.status = "archived";
        return archived;
    }
    return GetTable(dbs, company_id, table_id);
}

}  // namespace mt::store
