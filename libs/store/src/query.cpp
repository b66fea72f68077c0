// Reading rows by query: POST /:id/query and GET /:id/data (SPEC §8).
#include "mt/store/query.hpp"

#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"
#include "mt/types/value.hpp"

namespace mt::store {
namespace {

const types::Column* FindColumn(const std::vector<types::Column>& columns, std::string_view name) {
    for (const auto& c : columns)
        if (c.name == name) return &c;
    return nullptr;
}

std::string Ref(const std::string& column) { return column == "id" ? "id" : types::QuoteIdentifier(column); }

/// The request's sort keys, then id ascending unless id is a key already: a total order.
std::vector<SortKey> EffectiveSort(const std::vector<SortKey>& sort) {
    std::vector<SortKey> keys;
    for (const auto& k : sort) {
        keys.push_back(k);
        if (k.column == "id") return keys;  // keys after a unique one never decide anything
    }
    keys.push_back({"id", false});
    return keys;
}

/// Rows strictly after the cursor's row in the order of `keys`. PostgreSQL sorts NULLs last ascending and first
/// descending, so "after v" is `col > v OR col IS NULL` ascending, `col < v` descending (and, from a NULL, nothing
/// ascending, `col IS NOT NULL` descending). The OR-chain handles mixed directions; when every key is NOT NULL and
/// all go one way, a row comparison says the same and lets an index on the keys serve it.
std::string KeysetPredicate(const std::vector<SortKey>& keys, const std::vector<pg::Param>& values,
                            const std::vector<types::Column>& columns, pg::Params& params) {
    std::vector<std::string> refs(keys.size());
    bool simple = true;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const types::Column* c = FindColumn(columns, keys[i].column);
        if (!values[i]) {
            simple = false;
            continue;
        }
        params.push_back(values[i]);
        refs[i] = "$" + std::to_string(params.size()) + "::" + (c ? std::string(types::PgType(c->type)) : "uuid");
        if ((c && c->nullable) || keys[i].descending != keys[0].descending) simple = false;
    }
    if (simple) {
        std::string l, r;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            l += (i ? ", " : "") + Ref(keys[i].column);
            r += (i ? ", " : "") + refs[i];
        }
        return "((" + l + ") " + (keys[0].descending ? "<" : ">") + " (" + r + "))";
    }
    std::string chain, equal_prefix;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        std::string col = Ref(keys[i].column);
        std::string after;
        if (values[i]) {
            after =
                keys[i].descending ? col + " < " + refs[i] : "(" + col + " > " + refs[i] + " OR " + col + " IS NULL)";
        } else {
            after = keys[i].descending ? col + " IS NOT NULL" : "FALSE";
        }
        chain += std::string(chain.empty() ? "" : " OR ") + "(" + equal_prefix + after + ")";
        equal_prefix += (values[i] ? col + " = " + refs[i] : col + " IS NULL") + " AND ";
    }
    return "(" + chain + ")";
}

Result<std::int64_t> PlannerEstimate(pg::Connection& conn, const std::string& from_where, const pg::Params& params) {
    MT_ASSIGN_OR_RETURN(auto rows, conn.Exec("EXPLAIN (FORMAT JSON) SELECT 1 FROM " + from_where, params));
    if (rows.empty()) return Internal("EXPLAIN returned no plan");
    auto plan = json::ParseJson(rows.Get(0, 0));
    if (!plan || !plan->IsArray() || plan->Empty()) return Internal("EXPLAIN returned an unexpected plan");
    const rapidjson::Value* top = json::Find((*plan)[0], "Plan");
    const rapidjson::Value* n = top ? json::Find(*top, "Plan Rows") : nullptr;
    if (!n || json::KindOf(*n) != json::Kind::kNumber) return Internal("EXPLAIN returned no row estimate");
    std::string_view text = json::Text(*n);
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') break;  // "Plan Rows" is an integer in practice; stop at any fraction
        value = value * 10 + (c - '0');
        if (value > (std::int64_t{1} << 52)) break;
    }
    return value;
}

Result<std::int64_t> IntMember(const rapidjson::Value& v, const std::string& path, std::int64_t min, std::int64_t max,
                               bool clamp) {
    if (json::KindOf(v) != json::Kind::kNumber) return QuerySyntax(path, "must be an integer");
    std::string_view t = json::Text(v);
    const bool negative = !t.empty() && t.front() == '-';
    if (negative) t.remove_prefix(1);
    if (t.empty() || t.find_first_not_of("0123456789") != std::string_view::npos) {
        return QuerySyntax(path, "must be an integer");
    }
    // Beyond 18 digits the value is past every bound: no conversion needed to say so.
    const std::int64_t n =
        t.size() > 18 ? (negative ? min - 1 : max + 1) : std::stoll(std::string(t)) * (negative ? -1 : 1);
    if (n < min) return QuerySyntax(path, "must be at least " + std::to_string(min));
    if (n > max) {
        if (clamp) return max;
        return QuerySyntax(path, "must be at most " + std::to_string(max));
    }
    return n;
}

/// The SQL of the total (NULL for none), appending what it uses to `params`; with an estimated count and a filter,
/// the planner's estimate goes to `estimate` instead (EXPLAIN gets only the filter's values).
Result<std::string> TotalSql(pg::Connection& conn, CountMode count, bool filtered, const std::string& table_name,
                             const std::string& where, const pg::Params& filter_params, pg::Params& params,
                             std::optional<std::int64_t>& estimate) {
    std::string total = "NULL::bigint";
    if (count != CountMode::kNone && !filtered) {
        // Every parameter must be referenced (PostgreSQL infers its type from the use): the name only here.
        params.push_back(table_name);
        std::string oid = "$" + std::to_string(params.size()) + "::regclass";
        std::string counter =
            "coalesce((SELECT row_count FROM mt_internal.row_counts WHERE table_oid = " + oid + "), 0)";
        // reltuples is -1 until the table was first vacuumed or analyzed: the counter is the better guess then.
        total = count == CountMode::kExact
                    ? counter
                    : "(SELECT CASE WHEN c.reltuples < 0 THEN " + counter +
                          " ELSE c.reltuples::bigint END FROM pg_class c WHERE c.oid = " + oid + ")";
    } else if (count != CountMode::kNone) {
        if (count == CountMode::kExact) {
            total = "(SELECT count(*) FROM " + table_name + " WHERE " + where + ")";
        } else {
            auto planned = PlannerEstimate(conn, table_name + " WHERE " + where, filter_params);
            if (!planned && planned.error().code == "2201B") return QuerySyntax("filter", "invalid regular expression");
            if (!planned) return std::move(planned).error();
            estimate = *planned;
        }
    }
    return total;
}

/// The response of QueryRows from its one statement's rows: id, the shown columns, the sort keys, the total last.
void WritePage(const pg::Rows& rows, const QuerySpec& spec, const std::vector<types::Column>& shown,
               const std::vector<SortKey>& keys, const std::vector<types::Column>& columns,
               std::optional<std::int64_t> estimate, json::Writer& out) {
    const int total_col = rows.columns() - 2;  // then the version
    const int key_col = total_col - static_cast<int>(keys.size());
    const bool empty_page = rows.size() == 1 && rows.IsNull(0, 0);  // id is never NULL in a real row
    const int quantity = empty_page ? 0 : std::min<int>(rows.size(), static_cast<int>(spec.limit));
    out.StartObject();
    if (spec.count != CountMode::kNone) {
        out.Key("total");
        out.Int64(estimate ? *estimate : std::stoll(std::string(rows.Get(0, total_col))));
    }
    out.Key("quantity");
    out.Int(quantity);
    out.Key("records");
    out.StartArray();
    for (int r = 0; r < quantity; ++r) {
        out.StartObject();
        if (!spec.projection || spec.projection->include_id) {
            out.Key("id");
            json::WriteString(out, rows.Get(r, 0));
        }
        for (std::size_t i = 0; i < shown.size(); ++i) {
            json::WriteKey(out, shown[i].name);
            int col = static_cast<int>(i) + 1;
            if (rows.IsNull(r, col))
                out.Null();
            else
                types::WriteJson(out, shown[i].type, rows.Get(r, col));
        }
        out.EndObject();
    }
    out.EndArray();
    out.Key("next_cursor");
    if (!empty_page && rows.size() > spec.limit) {
        std::vector<pg::Param> last;
        for (std::size_t i = 0; i < keys.size(); ++i) last.push_back(rows.GetOptional(quantity - 1, key_col + int(i)));
        json::WriteString(out, EncodeCursor(keys, last, columns));
    } else {
        out.Null();
    }
    out.EndObject();
}

}  // namespace

Result<QuerySpec> ParseQueryBody(const rapidjson::Value& body, const std::vector<types::Column>& columns) {
    QuerySpec spec;
    for (const auto& m : body.GetObject()) {
        std::string_view key = json::Text(m.name);
        if (key == "filter") {
            if (!m.value.IsObject()) return QuerySyntax("filter", "must be an object");
            spec.filter = &m.value;
        } else if (key == "projection") {
            MT_ASSIGN_OR_RETURN(auto p, ParseProjection(m.value, columns));
            spec.projection = std::move(p);
        } else if (key == "sort") {
            MT_ASSIGN_OR_RETURN(auto s, ParseSortObject(m.value, columns));
            spec.sort = std::move(s);
        } else if (key == "limit") {
            MT_ASSIGN_OR_RETURN(spec.limit, IntMember(m.value, "limit", 1, kMaxQueryLimit, true));
        } else if (key == "offset") {
            MT_ASSIGN_OR_RETURN(spec.offset, IntMember(m.value, "offset", 0, kMaxQueryOffset, false));
        } else if (key == "cursor") {
            if (json::KindOf(m.value) == json::Kind::kNull) continue;
            if (json::KindOf(m.value) != json::Kind::kString) return QuerySyntax("cursor", "must be a string");
            spec.cursor = std::string(json::Text(m.value));
        } else if (key == "count") {
            std::string_view c = json::KindOf(m.value) == json::Kind::kString ? json::Text(m.value) : "";
            if (c == "exact")
                spec.count = CountMode::kExact;
            else if (c == "estimated")
                spec.count = CountMode::kEstimated;
            else if (c == "none")
                spec.count = CountMode::kNone;
            else
                return QuerySyntax("count", "must be \"exact\", \"estimated\" or \"none\"");
        } else {
            return QuerySyntax(PathKey(key), "unknown field");
        }
    }
    return spec;
}

Status QueryRows(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table, const QuerySpec& spec,
                 json::Writer& out, std::int64_t* version) {
    if (!spec.cursor.empty() && spec.offset != 0) return QuerySyntax("cursor", "cannot be combined with an offset");
    const auto& columns = table.columns;
    pg::Params params;
    rapidjson::Value empty(rapidjson::kObjectType);
    const rapidjson::Value& filter = spec.filter ? *spec.filter : empty;
    MT_ASSIGN_OR_RETURN(std::string where, CompileFilter(filter, columns, params));
    const bool filtered = !IsEmptyFilter(filter);
    const pg::Params filter_params = params;  // the filter's own values (EXPLAIN must not get the cursor's too)
    std::vector<SortKey> keys = EffectiveSort(spec.sort);
    std::string page_where = where;
    if (!spec.cursor.empty()) {
        MT_ASSIGN_OR_RETURN(auto after, DecodeCursor(spec.cursor, keys, columns));
        page_where = "(" + where + ") AND " + KeysetPredicate(keys, after, columns, params);
    }
    std::string table_name = QualifiedName(table.physical_name);
    const std::vector<types::Column>& shown = spec.projection ? spec.projection->columns : columns;
    std::string select = "id", order;
    for (const auto& c : shown) select += ", " + types::QuoteIdentifier(c.name);
    for (const auto& k : keys) {
        select += ", " + Ref(k.column);
        order += std::string(order.empty() ? "" : ", ") + Ref(k.column) + (k.descending ? " DESC" : " ASC");
    }

    MT_ASSIGN_OR_RETURN(auto conn, dbs.Company(connection));
    std::optional<std::int64_t> estimate;
    MT_ASSIGN_OR_RETURN(std::string total,
                        TotalSql(*conn, spec.count, filtered, table_name, where, filter_params, params, estimate));
    params.push_back(std::to_string(spec.limit + 1));  // one more row than asked says whether a next page exists
    std::string limit_ref = "$" + std::to_string(params.size());
    params.push_back(std::to_string(spec.offset));
    std::string offset_ref = "$" + std::to_string(params.size());
    params.push_back(table_name);
    const std::string version_sql = VersionSql(static_cast<int>(params.size()));
    // One round trip: the total and the version (the ETag of this page), then the page (a row of NULLs when the
    // page is empty).
    auto rows = conn->Exec("WITH c AS (SELECT " + total + " AS total, " + version_sql +
                               " AS version) SELECT p.*, c.total, c.version FROM c LEFT JOIN LATERAL (SELECT " +
                               select + " FROM " + table_name + " WHERE " + page_where + " ORDER BY " + order +
                               " LIMIT " + limit_ref + "::bigint OFFSET " + offset_ref + "::bigint) p ON true",
                           params);
    if (!rows && rows.error().code == "2201B") return QuerySyntax("filter", "invalid regular expression");
    if (!rows) return std::move(rows).error();
    if (version) {
        const int version_col = rows->columns() - 1;
        *version = rows->IsNull(0, version_col) ? 0 : std::stoll(std::string(rows->Get(0, version_col)));
    }
    WritePage(*rows, spec, shown, keys, columns, estimate, out);
    return Ok();
}

}  // namespace mt::store
