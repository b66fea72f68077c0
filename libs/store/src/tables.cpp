// Managed tables CRUD across the control and company databases (see tables.hpp for the consistency rule).
#include "mt/store/tables.hpp"

#include <map>

#include "mt/core/ids.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/types/identifier.hpp"
#include "table_change.hpp"

namespace mt::store {
namespace {

constexpr const char* kTableColumns =
    "id, company_id, connection_id, display_name, physical_name, columns::text, source, status, created_by_user_id, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), indexes::text, description, "
    "metadata::text";

Result<TableRecord> FromRow(const pg::Rows& rows, int r) {
    TableRecord t;
    t.id = rows.Get(r, 0);
    t.company_id = rows.Get(r, 1);
    t.connection_id = rows.Get(r, 2);
    t.display_name = rows.Get(r, 3);
    t.physical_name = rows.Get(r, 4);
    MT_ASSIGN_OR_RETURN(t.columns, ColumnsFromJson(rows.Get(r, 5)));
    t.source = rows.Get(r, 6);
    t.status = rows.Get(r, 7);
    t.created_by_user_id = rows.Get(r, 8);
    t.created_at = rows.Get(r, 9);
    t.updated_at = rows.Get(r, 10);
    MT_ASSIGN_OR_RETURN(t.indexes, IndexesFromJson(rows.Get(r, 11)));
    t.description = rows.GetOptional(r, 12);
    t.metadata = rows.Get(r, 13);
    return t;
}

Error DuplicateName() { return BadRequest("Já existe uma tabela ativa com este nome", "MANAGED_TABLE_DUPLICATE_NAME"); }

Error TableNotFound() { return NotFound("TABLE_NOT_FOUND", "Tabela não encontrada"); }

/// Exact row counts, versions and row caps of the given physical tables, from the company database's counters.
Status FillRowCounts(Databases& dbs, const std::string& company_id, std::vector<TableRecord>& tables) {
    if (tables.empty()) return Ok();
    MT_ASSIGN_OR_RETURN(auto connection, RequireConnection(dbs, company_id));
    MT_ASSIGN_OR_RETURN(auto conn, dbs.Company(connection));
    MT_ASSIGN_OR_RETURN(auto rows, conn->Exec("SELECT c.relname, r.row_count, r.version, r.max_rows "
                                              "FROM mt_internal.row_counts r "
                                              "JOIN pg_class c ON c.oid = r.table_oid "
                                              "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                              "WHERE n.nspname = 'public'"));
    std::map<std::string, int, std::less<>> by_name;
    for (int r = 0; r < rows.size(); ++r) by_name[std::string(rows.Get(r, 0))] = r;
    for (auto& t : tables) {
        auto it = by_name.find(t.physical_name);
        if (it == by_name.end()) continue;
        t.row_count = std::stoll(std::string(rows.Get(it->second, 1)));
        t.version = std::stoll(std::string(rows.Get(it->second, 2)));
        if (!rows.IsNull(it->second, 3)) t.max_rows = std::stoll(std::string(rows.Get(it->second, 3)));
    }
    return Ok();
}

}  // namespace

Result<TableRecord> LoadActive(pg::Connection& control, const std::string& company_id, const std::string& id,
                               bool for_update) {
    if (!IsObjectId(id)) return TableNotFound();
    std::string sql = std::string("SELECT ") + kTableColumns +
                      " FROM mt_tables WHERE id = $1 AND company_id = $2 AND status = 'active'";
    if (for_update) sql += " FOR UPDATE";
    MT_ASSIGN_OR_RETURN(auto rows, control.Exec(sql, {id, company_id}));
    if (rows.empty()) return TableNotFound();
    return FromRow(rows, 0);
}

namespace {

Status CreateTableLocked(Databases& dbs, const ConnectionRecord& connection, const NewTable& table,
                         const std::string& id, const AuditContext& who) {
    MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
    MT_ASSIGN_OR_RETURN(auto company, dbs.Company(connection));
    Status status = pg::InTransaction(*control, [&]() -> Status {
        if (table.quotas) MT_TRY(ReserveQuota(*control, connection.company_id, *table.quotas, {.tables = 1}));
        auto inserted = control->Exec(
            "INSERT INTO mt_tables (id, company_id, connection_id, display_name, physical_name, columns, source,"
            " status, created_by_user_id, indexes, description, metadata) VALUES ($1, $2, $3, $4, $4, $5::jsonb, $6,"
            " 'active', $7, $8::jsonb, $9, $10::jsonb)",
            {id, connection.company_id, connection.id, table.display_name, ColumnsToJson(table.columns), table.source,
             table.created_by_user_id, IndexesToJson(table.indexes), table.description, table.metadata});
        if (!inserted) return inserted.error().code == "23505" ? DuplicateName() : std::move(inserted).error();
        // After the insert: a rename that frees this name waits (the unique index) until its intent is visible.
        MT_TRY(CheckNameFree(*control, connection.company_id, table.display_name));
        // We hold the name now; a physical table of that name is owned by no metadata (the orphan of a crash, or
        // made by a SQL client): its rows are kept aside, never dropped.
        MT_TRY(pg::InTransaction(*company, [&]() -> Status {
            MT_TRY(MoveStrayTableAside(*company, table.display_name));
            auto created = CreatePhysicalTable(*company, table.display_name, table.columns, "public", table.max_rows);
            if (!created) return MapDdlError(std::move(created).error());
            // The table is new and empty, and nobody sees it before COMMIT: plain builds, in this transaction.
            return CreateIndexes(*company, id, QualifiedName(table.display_name), table.indexes);
        }));
        // The metadata is the change (a physical table without it is an orphan, moved aside when its name is
        // taken again): the event commits with it.
        return AppendAuditEvent(*control,
                                {connection.company_id, "table.created", who.actor, "table", id, who.request_id,
                                 AuditDetails({{"display_name", AuditJsonString(table.display_name)},
                                               {"columns", std::to_string(table.columns.size())}})});
    });
    return status;
}

}  // namespace

Result<TableRecord> CreateTable(Databases& dbs, const ConnectionRecord& connection, const NewTable& table,
                                const AuditContext& who) {
    MT_TRY(ValidateIndexes(table.indexes, table.columns));
    std::string id = NewObjectId();
    MT_TRY(CreateTableLocked(dbs, connection, table, id, who));
    // Both leases are back in their pools here: GetTable takes its own, so 8 concurrent creates on a pool of 8
    // cannot wait on each other.
    return GetTable(dbs, connection.company_id, id);
}

Result<TableRecord> GetTableMetadata(Databases& dbs, const std::string& company_id, const std::string& table_id) {
    MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
    return LoadActive(*control, company_id, table_id, false);
}

Result<TableRecord> GetTable(Databases& dbs, const std::string& company_id, const std::string& table_id) {
    MT_ASSIGN_OR_RETURN(auto table, GetTableMetadata(dbs, company_id, table_id));
    std::vector<TableRecord> one{std::move(table)};
    MT_TRY(FillRowCounts(dbs, company_id, one));
    return std::move(one.front());
}

static Status ListMetadata(Databases& dbs, const std::string& company_id, const std::string& search, int page,
                           int per_page, Page<TableRecord>& out);

Result<Page<TableRecord>> ListTables(Databases& dbs, const std::string& company_id, const std::string& search, int page,
                                     int per_page) {
    Page<TableRecord> out;
    MT_TRY(ListMetadata(dbs, company_id, search, page, per_page, out));
    MT_TRY(FillRowCounts(dbs, company_id, out.records));  // after the control lease went back (no nested leases)
    return out;
}

static Status ListMetadata(Databases& dbs, const std::string& company_id, const std::string& search, int page,
                           int per_page, Page<TableRecord>& out) {
    MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
    // strpos over lower() instead of ILIKE: the search text is data, with no wildcard characters to escape.
    std::string where =
        "company_id = $1 AND status = 'active' AND ($2 = '' OR strpos(lower(display_name), lower($2)) > 0)";
    MT_ASSIGN_OR_RETURN(auto count,
                        control->Exec("SELECT count(*) FROM mt_tables WHERE " + where, {company_id, search}));
    MT_ASSIGN_OR_RETURN(auto rows, control->Exec(std::string("SELECT ") + kTableColumns + " FROM mt_tables WHERE " +
                                                     where + " ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
                                                 {company_id, search, std::to_string(per_page),
                                                  std::to_string(static_cast<std::int64_t>(page - 1) * per_page)}));
    out.total = std::stoll(std::string(count.Get(0, 0)));
    for (int r = 0; r < rows.size(); ++r) {
        MT_ASSIGN_OR_RETURN(auto t, FromRow(rows, r));
        out.records.push_back(std::move(t));
    }
    return Ok();
}

Status ArchiveTable(Databases& dbs, const std::string& company_id, const std::string& table_id, const AuditContext& who,
                    const VersionCondition& condition, const std::string& details) {
    // Both resolved before taking the control lease: a lease must never wait for another lease of the same pool.
    // The table first, so another company's (or a missing) table is a 404 whatever this company's state.
    MT_ASSIGN_OR_RETURN(auto current, GetTableMetadata(dbs, company_id, table_id));
    MT_ASSIGN_OR_RETURN(auto connection, RequireConnection(dbs, company_id));
    MT_TRY(PrecheckVersion(dbs, connection, current, condition));
    MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
    // Kept, out of sight, for support-assisted restores; the public name is free again once the change is in.
    const std::string archived = "t_" + table_id;
    MT_ASSIGN_OR_RETURN(auto intent, BeginChange(dbs, *control, company_id, table_id, "archive",
                                                 [&](const TableRecord&, Intent& i, pg::Connection&) -> Status {
                                                     i.schema_after = "mt_archive";
                                                     i.physical_after = archived;
                                                     i.audit =
                                                         AuditEvent{company_id, "table.deleted", who.actor, "table",
                                                                    table_id,   who.request_id,  details};
                                                     return Ok();
                                                 }));
    return ApplyChange(dbs, *control, connection, intent, [&](pg::Connection& company) -> Status {
        TableRecord before;
        before.id = table_id;
        before.physical_name = intent.physical_before;
        MT_TRY(CheckVersion(company, before, condition));
        MT_TRY(company.Run("ALTER TABLE IF EXISTS " + QualifiedName(intent.physical_before) + " RENAME TO " +
                           types::QuoteIdentifier(archived)));
        return company.Run("ALTER TABLE IF EXISTS " + QualifiedName(archived) + " SET SCHEMA mt_archive");
    });
}

}  // namespace mt::store
