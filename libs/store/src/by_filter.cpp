// Writing rows by filter (SPEC §8): PATCH /:id/data and DELETE /:id/data, each one statement.
#include <algorithm>

#include "mt/core/ids.hpp"
#include "mt/store/audit.hpp"
#include "mt/store/query.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"
#include "mt/types/value.hpp"

namespace mt::store {
namespace {

constexpr std::int64_t kMaxWriteLimit = 1'000'000'000;

const types::Column* FindColumn(const std::vector<types::Column>& columns, std::string_view name) {
    for (const auto& c : columns)
        if (c.name == name) return &c;
    return nullptr;
}

/// The parts every by-filter body shares.
struct Target {
    const rapidjson::Value* filter = nullptr;
    std::optional<std::int64_t> limit;
    bool all = false;
};

Result<std::optional<std::int64_t>> ParseLimit(const rapidjson::Value& v) {
    if (json::KindOf(v) == json::Kind::kNull) return std::optional<std::int64_t>();
    std::string_view t = json::KindOf(v) == json::Kind::kNumber ? json::Text(v) : "";
    if (t.empty() || t.size() > 10 || t.find_first_not_of("0123456789") != std::string_view::npos) {
        return QuerySyntax("limit", "must be a positive integer of at most " + std::to_string(kMaxWriteLimit));
    }
    std::int64_t n = std::stoll(std::string(t));
    if (n < 1 || n > kMaxWriteLimit) {
        return QuerySyntax("limit", "must be a positive integer of at most " + std::to_string(kMaxWriteLimit));
    }
    return std::optional<std::int64_t>(n);
}

/// `filter` (required; `{}` only with `all: true`), `limit`, `all`; `extra` names the other keys allowed.
Result<Target> ParseTarget(const rapidjson::Value& body, std::initializer_list<std::string_view> extra) {
    Target t;
    for (const auto& m : body.GetObject()) {
        std::string_view key = json::Text(m.name);
        if (key == "filter") {
            t.filter = &m.value;
        } else if (key == "limit") {
            MT_ASSIGN_OR_RETURN(t.limit, ParseLimit(m.value));
        } else if (key == "all") {
            if (json::KindOf(m.value) != json::Kind::kBool) return QuerySyntax("all", "must be true or false");
            t.all = m.value.GetBool();
        } else if (std::find(extra.begin(), extra.end(), key) == extra.end()) {
            return QuerySyntax(PathKey(key), "unknown field");
        }
    }
    if (!t.filter) return QuerySyntax("filter", "is required (send {} with \"all\": true to touch every row)");
    if (IsEmptyFilter(*t.filter) && !t.all) {
        return QuerySyntax("filter", "an empty filter matches every row; send \"all\": true to mean it");
    }
    return t;
}

/// `SELECT id … FOR UPDATE` of the rows a by-filter write touches: the lowest ids first when limited, and always in
/// id order so that concurrent writers lock in one order.
std::string MatchedIds(const std::string& table_name, const std::string& where, const Target& t, pg::Params& params) {
    std::string sql = "SELECT id FROM " + table_name + " WHERE " + where + " ORDER BY id";
    if (t.limit) {
        params.push_back(std::to_string(*t.limit));
        sql += " LIMIT $" + std::to_string(params.size()) + "::bigint";
    }
    return sql + " FOR UPDATE";
}

/// Runs `sql` on `conn`; with an If-Match, in a transaction that first checks (and locks) the table's version.
/// The write in one transaction with its If-Match check before it and its audit event (`record`, given the
/// statement's result) after it: a write that fails records nothing, one that commits commits its event.
Result<pg::Rows> ExecConditionally(pg::Connection& conn, const TableRecord& table, const VersionCondition& condition,
                                   const std::string& sql, const pg::Params& params,
                                   const std::function<AuditEvent(const pg::Rows&)>& record) {
    std::optional<pg::Rows> out;
    MT_TRY(pg::InTransaction(conn, [&]() -> Status {
        MT_TRY(CheckVersion(conn, table, condition));
        MT_ASSIGN_OR_RETURN(auto rows, conn.Exec(sql, params));
        MT_TRY(AppendCompanyAuditEvent(conn, record(rows)));
        out = std::move(rows);
        return Ok();
    }));
    return std::move(*out);
}

/// The details every by-filter event shares: the filter as sent (cut at kMaxAuditJsonBytes: then a string),
/// the limit, the table's name.
std::vector<std::pair<std::string, std::string>> FilterDetails(const TableRecord& table, const Target& target) {
    std::string filter = json::Serialize(*target.filter);
    std::vector<std::pair<std::string, std::string>> members{
        {"table_name", AuditJsonString(table.display_name)},
        {"filter", filter.size() <= kMaxAuditJsonBytes ? filter : AuditJsonString(filter)}};
    if (filter.size() > kMaxAuditJsonBytes) members.emplace_back("filter_truncated", "true");
    if (target.limit) members.emplace_back("limit", std::to_string(*target.limit));
    return members;
}

Error MapWriteError(Error e) {
    if (e.code == "2201B") return QuerySyntax("filter", "invalid regular expression");
    return MapDdlError(std::move(e));
}

struct Assignment {
    const types::Column* column = nullptr;
    std::string expr;  // the new value, over the row alias r
    pg::Param value;   // for an upsert's row: what the column gets
};

/// `update: {$set, $inc, $unset}` → one assignment per column (a column in two operators is refused).
Result<std::vector<Assignment>> ParseUpdate(const rapidjson::Value* update, const std::vector<types::Column>& columns,
                                            pg::Params& params) {
    if (!update || !update->IsObject()) return QuerySyntax("update", "must be an object with $set, $inc or $unset");
    std::vector<Assignment> out;
    for (const auto& op : update->GetObject()) {
        std::string_view name = json::Text(op.name);
        std::string path = "update." + PathKey(name);
        if (name != "$set" && name != "$inc" && name != "$unset") return QuerySyntax(path, "unknown operator");
        if (!op.value.IsObject()) return QuerySyntax(path, "must be an object of columns");
        for (const auto& m : op.value.GetObject()) {
            std::string_view key = json::Text(m.name);
            std::string sub = path + "." + PathKey(key);
            if (key == types::kRowIdColumn) return QuerySyntax(sub, "id cannot be changed");
            const types::Column* c = FindColumn(columns, key);
            if (!c) return QuerySyntax(sub, "unknown column");
            for (const auto& a : out)
                if (a.column == c) return QuerySyntax(sub, "the column is named by two operators");
            std::string col = "r." + types::QuoteIdentifier(c->name);
            std::string type(types::PgType(c->type));
            if (name == "$unset") {
                if (!c->nullable) return Validation("Invalid update", {{sub, "the column does not accept null"}});
                out.push_back({c, "NULL::" + type, std::nullopt});
                continue;
            }
            if (name == "$inc" && c->type != types::ColumnType::kInteger && c->type != types::ColumnType::kDecimal) {
                return QuerySyntax(sub, "only integer and decimal columns can be incremented");
            }
            auto value = types::FromJson(c->type, m.value);
            if (!value) return QuerySyntax(sub, value.error().message);
            if (!*value && name == "$inc") return QuerySyntax(sub, "cannot increment by null");
            if (!*value && !c->nullable) return Validation("Invalid update", {{sub, "must not be null"}});
            params.push_back(*value);
            std::string ref = "$" + std::to_string(params.size()) + "::" + type;
            out.push_back({c, name == "$inc" ? "coalesce(" + col + ", 0) + " + ref : ref, std::move(*value)});
        }
    }
    if (out.empty()) return QuerySyntax("update", "must set, increment or unset at least one column");
    return out;
}

/// The `i` CTE of an upsert: one row made of the filter's top-level equalities, then $set, then $inc values, inserted
/// when `m` matched nothing. `missing` gets the NOT NULL columns that row lacks (to word a 23502).
std::string UpsertCte(const TableRecord& table, const std::string& table_name, const rapidjson::Value& filter,
                      const std::vector<Assignment>& sets, pg::Params& params, std::vector<std::string>& missing) {
    // The row: the filter's top-level equalities, then $set, then $inc values.
    std::vector<std::pair<std::string, pg::Param>> row = TopLevelEqualities(filter, table.columns);
    for (const auto& a : sets) {
        auto at = std::find_if(row.begin(), row.end(), [&](const auto& p) { return p.first == a.column->name; });
        if (at != row.end())
            at->second = a.value;
        else
            row.emplace_back(a.column->name, a.value);
    }
    auto id = std::find_if(row.begin(), row.end(), [](const auto& p) { return p.first == "id"; });
    if (id == row.end()) row.emplace_back("id", NewUuidV7());
    std::string names, values;
    for (const auto& [name, value] : row) {
        const types::Column* c = FindColumn(table.columns, name);
        params.push_back(value);
        names += (names.empty() ? "" : ", ") + (c ? types::QuoteIdentifier(name) : std::string("id"));
        values += std::string(values.empty() ? "" : ", ") + "$" + std::to_string(params.size()) +
                  "::" + (c ? std::string(types::PgType(c->type)) : std::string("uuid"));
    }
    for (const auto& c : table.columns) {
        auto at = std::find_if(row.begin(), row.end(), [&](const auto& p) { return p.first == c.name; });
        if (!c.nullable && (at == row.end() || !at->second)) missing.push_back(c.name);
    }
    return ", i AS (INSERT INTO " + table_name + " (" + names + ") SELECT " + values +
           " WHERE NOT EXISTS (SELECT 1 FROM m) RETURNING id)";
}

}  // namespace

Result<UpdateByFilterResult> UpdateByFilter(Databases& dbs, const ConnectionRecord& connection,
                                            const TableRecord& table, const rapidjson::Value& body,
                                            const AuditContext& who, const VersionCondition& condition) {
    MT_ASSIGN_OR_RETURN(auto target, ParseTarget(body, {"update", "upsert"}));
    bool upsert = false;
    if (const rapidjson::Value* u = json::Find(body, "upsert")) {
        if (json::KindOf(*u) != json::Kind::kBool) return QuerySyntax("upsert", "must be true or false");
        upsert = u->GetBool();
    }
    pg::Params params;
    MT_ASSIGN_OR_RETURN(std::string where, CompileFilter(*target.filter, table.columns, params));
    MT_ASSIGN_OR_RETURN(auto sets, ParseUpdate(json::Find(body, "update"), table.columns, params));
    std::string table_name = QualifiedName(table.physical_name);
    std::string set_sql, changed;
    for (const auto& a : sets) {
        std::string col = types::QuoteIdentifier(a.column->name);
        set_sql += (set_sql.empty() ? "" : ", ") + col + " = " + a.expr;
        changed += (changed.empty() ? "" : " OR ") + ("(" + a.expr + ") IS DISTINCT FROM r." + col);
    }
    std::string sql = "WITH m AS (" + MatchedIds(table_name, where, target, params) + "), u AS (UPDATE " + table_name +
                      " AS r SET " + set_sql + " FROM m WHERE r.id = m.id AND (" + changed + ") RETURNING 1)";
    std::vector<std::string> missing;  // NOT NULL columns an upserted row would lack
    if (upsert) sql += UpsertCte(table, table_name, *target.filter, sets, params, missing);
    sql += " SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM u)";
    sql += upsert ? ", (SELECT id FROM i)" : ", NULL::uuid";
    std::vector<std::string> fields;  // the columns written, names only
    for (const auto& a : sets) fields.push_back(AuditJsonString(a.column->name));
    auto record = [&](const pg::Rows& r) {
        auto members = FilterDetails(table, target);
        std::string list;
        for (const auto& f : fields) list += (list.empty() ? "" : ",") + f;
        members.emplace_back("columns", "[" + list + "]");
        members.emplace_back("matched_count", std::string(r.Get(0, 0)));
        members.emplace_back("modified_count", std::string(r.Get(0, 1)));
        members.emplace_back("upserted", r.IsNull(0, 2) ? "false" : "true");
        return AuditEvent{table.company_id, "rows.updated_by_filter", who.actor, "table", table.id,
                          who.request_id,   AuditDetails(members)};
    };
    MT_ASSIGN_OR_RETURN(auto conn, dbs.Company(connection));
    auto rows = ExecConditionally(*conn, table, condition, sql, params, record);
    if (!rows && rows.error().code == "23502" && upsert && !missing.empty()) {
        std::vector<FieldError> details;
        for (const auto& name : missing) details.push_back({"update.$set." + name, "is required for the upserted row"});
        Error e = Validation("No row matched and the row to insert lacks a required column", std::move(details));
        e.internal = rows.error().message;
        return e;
    }
    if (!rows) return MapWriteError(std::move(rows).error());
    UpdateByFilterResult result;
    result.matched = std::stoll(std::string(rows->Get(0, 0)));
    result.modified = std::stoll(std::string(rows->Get(0, 1)));
    result.upserted_id = rows->GetOptional(0, 2);
    return result;
}

Result<std::int64_t> DeleteByFilter(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                                    const rapidjson::Value& body, const AuditContext& who,
                                    const VersionCondition& condition) {
    MT_ASSIGN_OR_RETURN(auto target, ParseTarget(body, {}));
    pg::Params params;
    MT_ASSIGN_OR_RETURN(std::string where, CompileFilter(*target.filter, table.columns, params));
    std::string table_name = QualifiedName(table.physical_name);
    std::string sql = target.limit ? "WITH m AS (" + MatchedIds(table_name, where, target, params) + ") DELETE FROM " +
                                         table_name + " AS r USING m WHERE r.id = m.id"
                                   : "DELETE FROM " + table_name + " WHERE " + where;
    auto record = [&](const pg::Rows& r) {
        auto members = FilterDetails(table, target);
        members.emplace_back("deleted_count", std::to_string(r.affected()));
        return AuditEvent{table.company_id, "rows.deleted_by_filter", who.actor, "table", table.id,
                          who.request_id,   AuditDetails(members)};
    };
    MT_ASSIGN_OR_RETURN(auto conn, dbs.Company(connection));
    auto rows = ExecConditionally(*conn, table, condition, sql, params, record);
    if (!rows) return MapWriteError(std::move(rows).error());
    return rows->affected();
}

}  // namespace mt::store
