// PUT/PATCH of a managed table: rename, schema change as real DDL, archive.
#include <map>

#include "mt/store/provisioning.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"

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

}  // namespace

Result<TableRecord> UpdateTable(Databases& dbs, const std::string& company_id, const std::string& table_id,
                                const TableChanges& changes) {
    if (changes.status && *changes.status != "active" && *changes.status != "archived") {
        return Validation("Invalid status", {{"status", "must be \"active\" or \"archived\""}});
    }
    MT_ASSIGN_OR_RETURN(auto current, GetTableMetadata(dbs, company_id, table_id));
    std::string new_name = changes.display_name.value_or(current.display_name);
    const auto& new_columns = changes.columns ? *changes.columns : current.columns;
    bool renamed = new_name != current.display_name;
    MT_TRY(ValidateSchema(new_name, new_columns, /*legacy_name=*/!renamed));

    MT_ASSIGN_OR_RETURN(auto connection, RequireConnection(dbs, company_id));
    MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
    dbs.ForgetTable(table_id);
    Status status = pg::InTransaction(*control, [&]() -> Status {
        MT_ASSIGN_OR_RETURN(
            auto rows,
            control->Exec(
                "UPDATE mt_tables SET display_name = $3, physical_name = $3, columns = $4::jsonb, updated_at = now() "
                "WHERE id = $1 AND company_id = $2 AND status = 'active' RETURNING physical_name",
                {table_id, company_id, new_name, ColumnsToJson(new_columns)}));
        if (rows.empty()) return NotFound("TABLE_NOT_FOUND", "Tabela não encontrada");
        MT_ASSIGN_OR_RETURN(auto company, dbs.Company(connection));
        return pg::InTransaction(*company, [&]() -> Status {
            std::string table = QualifiedName(current.physical_name);
            for (const auto& step : ColumnDdl(table, current.columns, new_columns)) {
                auto ran = company->Run(step.sql);
                if (!ran) {
                    Error e = MapDdlError(std::move(ran).error());
                    if (e.kind == ErrorKind::kValidation && e.details.empty())
                        e.details.push_back({step.field, e.message});
                    return e;
                }
            }
            if (renamed) {
                MT_TRY(company->Run("DROP TABLE IF EXISTS " + QualifiedName(new_name)));  // orphan of a crash, if any
                MT_TRY(company->Run("ALTER TABLE " + table + " RENAME TO " + types::QuoteIdentifier(new_name)));
            }
            return Ok();
        });
    });
    dbs.ForgetTable(table_id);  // again after commit: a concurrent read may have cached the old metadata meanwhile
    if (!status) {
        if (status.error().code == "23505")
            return BadRequest("Já existe uma tabela ativa com este nome", "MANAGED_TABLE_DUPLICATE_NAME");
        return std::move(status).error();
    }
    if (changes.status && *changes.status == "archived") {
        MT_TRY(ArchiveTable(dbs, company_id, table_id));
        auto archived = current;
        archived.status = "archived";
        archived.display_name = new_name;
        archived.columns = new_columns;
        return archived;
    }
    return GetTable(dbs, company_id, table_id);
}

}  // namespace mt::store
