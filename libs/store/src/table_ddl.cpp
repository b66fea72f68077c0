// Physical DDL of managed tables in the company database.
#include <set>

#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"

namespace mt::store {

std::string QualifiedName(const std::string& physical_name, const std::string& schema) {
    return schema + "." + types::QuoteIdentifier(physical_name);
}

Status ValidateSchema(std::string_view display_name, const std::vector<types::Column>& columns, bool legacy_name) {
    std::vector<FieldError> details;
    if (!legacy_name) {
        auto name_ok = types::ValidateIdentifier(display_name, "display_name");
        if (!name_ok)
            for (auto& d : name_ok.error().details) details.push_back(d);
    } else if (display_name.empty()) {
        details.push_back({"display_name", "must not be empty"});
    }
    if (columns.empty()) details.push_back({"columns", "must have at least one column"});
    if (columns.size() > kMaxUserColumns) {
        details.push_back({"columns", "at most " + std::to_string(kMaxUserColumns) +
                                          " columns (PostgreSQL allows 1600 per table, one is the row id)"});
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        std::string field = "columns[" + std::to_string(i) + "].name";
        auto ok = types::ValidateColumnName(columns[i].name, field);
        if (!ok) {
            for (auto& d : ok.error().details) details.push_back(d);
        } else if (!seen.insert(columns[i].name).second) {
            details.push_back({field, "duplicate column name \"" + columns[i].name + "\""});
        }
    }
    if (!details.empty()) return Validation("Invalid schema", std::move(details));
    return Ok();
}

Status CreateBareTable(pg::Connection& company, const std::string& table, const std::vector<types::Column>& columns) {
    std::string ddl = "CREATE TABLE " + table + " (id uuid PRIMARY KEY DEFAULT mt_internal.uuid_v7()";
    for (const auto& c : columns) {
        ddl += ", " + types::QuoteIdentifier(c.name) + " " + std::string(types::PgType(c.type));
        if (!c.nullable) ddl += " NOT NULL";
    }
    ddl += ")";
    return company.Run(ddl);
}

Result<CounterState> ReadCounters(pg::Connection& company, const std::string& table) {
    MT_ASSIGN_OR_RETURN(auto rows, company.Exec("SELECT version, max_rows FROM mt_internal.row_counts "
                                                "WHERE table_oid = $1::regclass",
                                                {table}));
    if (rows.empty()) return Internal("table " + table + " has no row counter");
    CounterState state;
    state.version = std::stoll(std::string(rows.Get(0, 0)));
    if (!rows.IsNull(0, 1)) state.max_rows = std::stoll(std::string(rows.Get(0, 1)));
    return state;
}

Status AttachCounters(pg::Connection& company, const std::string& table, std::int64_t initial_count,
                      const CounterState& state) {
    pg::Param cap;
    if (state.max_rows) cap = std::to_string(*state.max_rows);
    MT_TRY(company.Exec(
        "INSERT INTO mt_internal.row_counts (table_oid, row_count, version, max_rows) VALUES ($1::regclass, $2, $3, "
        "$4::bigint) ON CONFLICT (table_oid) DO UPDATE SET row_count = EXCLUDED.row_count, version = "
        "EXCLUDED.version, max_rows = EXCLUDED.max_rows",
        {table, std::to_string(initial_count), std::to_string(state.version), cap}));
    MT_TRY(company.Exec("SELECT mt_internal.check_row_cap($1, $2::bigint)", {std::to_string(initial_count), cap}));
    return company.Run("CREATE TRIGGER mt_count_inserted AFTER INSERT ON " + table +
                       " REFERENCING NEW TABLE AS mt_new_rows FOR EACH STATEMENT"
                       " EXECUTE FUNCTION mt_internal.count_inserted();"
                       "CREATE TRIGGER mt_count_deleted AFTER DELETE ON " +
                       table +
                       " REFERENCING OLD TABLE AS mt_old_rows FOR EACH STATEMENT"
                       " EXECUTE FUNCTION mt_internal.count_deleted();"
                       "CREATE TRIGGER mt_count_updated AFTER UPDATE ON " +
                       table +
                       " REFERENCING NEW TABLE AS mt_new_rows FOR EACH STATEMENT"
                       " EXECUTE FUNCTION mt_internal.count_updated();"
                       "CREATE TRIGGER mt_count_truncated AFTER TRUNCATE ON " +
                       table + " FOR EACH STATEMENT EXECUTE FUNCTION mt_internal.count_truncated()");
}

Status CreatePhysicalTable(pg::Connection& company, const std::string& physical_name,
                           const std::vector<types::Column>& columns, const std::string& schema,
                           std::optional<std::int64_t> max_rows) {
    std::string table = QualifiedName(physical_name, schema);
    MT_TRY(CreateBareTable(company, table, columns));
    return AttachCounters(company, table, 0, CounterState{1, max_rows});
}

std::string VersionSql(int param) {
    return "(SELECT version FROM mt_internal.row_counts WHERE table_oid = $" + std::to_string(param) + "::regclass)";
}

Result<std::int64_t> ReadVersion(pg::Connection& company, const TableRecord& table) {
    MT_ASSIGN_OR_RETURN(auto rows, company.Exec("SELECT " + VersionSql(1), {QualifiedName(table.physical_name)}));
    if (rows.empty() || rows.IsNull(0, 0)) return Internal("table " + table.id + " has no row counter");
    return std::stoll(std::string(rows.Get(0, 0)));
}

Status CheckVersion(pg::Connection& company, const TableRecord& table, const VersionCondition& expected) {
    if (expected.any) return Ok();
    MT_ASSIGN_OR_RETURN(auto rows, company.Exec("SELECT version FROM mt_internal.row_counts WHERE table_oid = "
                                                "$1::regclass FOR UPDATE",
                                                {QualifiedName(table.physical_name)}));
    if (rows.empty()) return Internal("table " + table.id + " has no row counter");
    const std::int64_t current = std::stoll(std::string(rows.Get(0, 0)));
    for (std::int64_t v : expected.versions)
        if (v == current) return Ok();
    return PreconditionFailed("The table has changed: If-Match does not match its current ETag \"" +
                              std::to_string(current) + "\"");
}

Status RaiseVersion(pg::Connection& company, const std::string& qualified_name) {
    MT_TRY(company.Exec("UPDATE mt_internal.row_counts SET version = version + 1 WHERE table_oid = $1::regclass",
                        {qualified_name}));
    return Ok();
}

Status CheckVersion(pg::Connection& company, const TableRecord& table, std::int64_t expected) {
    return CheckVersion(company, table, VersionCondition{false, {expected}});
}

namespace {

/// What a data exception (SQLSTATE class 22) says about the value, in our words.
std::string DataProblem(const std::string& sqlstate) {
    if (sqlstate == "22001") return "a value is too long for the column's type";
    if (sqlstate == "22003") return "a value is out of range for the column's type";
    if (sqlstate == "22P02" || sqlstate == "22007" || sqlstate == "22008") {
        return "a value is not valid for the column's type";
    }
    return "a value cannot be stored in the column's type";
}

}  // namespace

Error MapDdlError(Error error) {
    // The server's text names our physical tables and may quote SQL: it goes to the log (Error::internal), and
    // the client gets the problem in our words. Callers that know the column add it as a detail.
    const std::string& s = error.code;
    Error mapped;
    if (s == "MT001") {
        // Raised by mt_internal.check_row_cap with the documented message (the cap is the only value in it).
        mapped = BadRequest(error.message, "MANAGED_TABLE_ROW_LIMIT");
    } else if (s == "23505") {
        mapped = Validation("A unique index of the table already has this key (or the rows repeat it)");
    } else if (s == "23502") {
        mapped = Validation("Column cannot be NOT NULL: the table has rows without a value");
    } else if (s.size() == 5 && s.substr(0, 2) == "22") {
        mapped = Validation("Values do not fit the column's type: " + DataProblem(s));
    } else if (s == "42701") {
        mapped = Validation("Duplicate column name");
    } else if (s == "54011") {
        mapped = Validation("Too many columns (PostgreSQL allows at most 1600 per table)");
    } else {
        return error;
    }
    mapped.internal = "SQLSTATE " + s + ": " + error.message;
    return mapped;
}

}  // namespace mt::store
