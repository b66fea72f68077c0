#include "mt/store/filter.hpp"

#include <algorithm>

#include "mt/core/ids.hpp"
#include "mt/core/json.hpp"
#include "mt/types/identifier.hpp"
#include "mt/types/value.hpp"

namespace mt::store {
namespace {

/// What a filter key names: a column of the table, or the row id.
struct Field {
    std::string name;
    types::ColumnType type = types::ColumnType::kText;
    bool is_id = false;
};

const types::Column* FindColumn(const std::vector<types::Column>& columns, std::string_view name) {
    for (const auto& c : columns)
        if (c.name == name) return &c;
    return nullptr;
}

class Compiler {
public:
    Compiler(const std::vector<types::Column>& columns, pg::Params& params, const FilterLimits& limits)
        : columns_(columns), params_(params), limits_(limits), first_param_(params.size()) {}

    /// A filter object: column conditions and $and/$or/$nor, all ANDed.
    Result<std::string> Filter(const rapidjson::Value& v, const std::string& path, std::size_t depth) {
        if (depth > limits_.max_depth) return QuerySyntax(path, "nesting deeper than " + Num(limits_.max_depth));
        if (!v.IsObject()) return QuerySyntax(path, "must be an object");
        std::vector<std::string> parts;
        for (const auto& m : v.GetObject()) {
            std::string_view key = json::Text(m.name);
            std::string sub = path + "." + PathKey(key);
            MT_TRY(Count(sub));
            if (key == "$and" || key == "$or" || key == "$nor") {
                MT_ASSIGN_OR_RETURN(auto sql, Logical(key, m.value, sub, depth));
                parts.push_back(std::move(sql));
            } else if (!key.empty() && key.front() == '$') {
                return QuerySyntax(sub, "unknown operator");
            } else {
                MT_ASSIGN_OR_RETURN(auto field, Resolve(key, sub));
                MT_ASSIGN_OR_RETURN(auto sql, FieldCondition(field, m.value, sub, depth));
                parts.push_back(std::move(sql));
            }
        }
        return Join(parts, " AND ", "TRUE");
    }

private:
    static std::string Num(std::size_t n) { return std::to_string(n); }

    static std::string Join(const std::vector<std::string>& parts, std::string_view op, std::string_view empty) {
        if (parts.empty()) return std::string(empty);
        if (parts.size() == 1) return parts.front();
        std::string out = "(";
        for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? std::string(op) : "") + parts[i];
        return out + ")";
    }

    Status Count(const std::string& path) {
        if (++nodes_ > limits_.max_nodes)
            return QuerySyntax(path, "more than " + Num(limits_.max_nodes) + " conditions");
        return Ok();
    }

    Result<Field> Resolve(std::string_view key, const std::string& path) {
        if (key == types::kRowIdColumn) return Field{"id", types::ColumnType::kText, true};
        const types::Column* c = FindColumn(columns_, key);
        if (!c) return QuerySyntax(path, "unknown column");
        return Field{c->name, c->type, false};
    }

    Result<std::string> Logical(std::string_view op, const rapidjson::Value& v, const std::string& path,
                                std::size_t depth) {
        if (!v.IsArray() || v.Empty()) return QuerySyntax(path, "must be a non-empty array of filters");
        std::vector<std::string> parts;
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
            MT_ASSIGN_OR_RETURN(auto sql, Filter(v[i], path + "[" + Num(i) + "]", depth + 1));
            parts.push_back(std::move(sql));
        }
        if (op == "$and") return Join(parts, " AND ", "TRUE");
        std::string any = Join(parts, " OR ", "FALSE");
        return op == "$or" ? any : "(NOT coalesce(" + any + ", false))";
    }

    /// `{col: v}` ($eq) or `{col: {$op: v, …}}`.
    Result<std::string> FieldCondition(const Field& f, const rapidjson::Value& v, const std::string& path,
                                       std::size_t depth) {
        if (!v.IsObject()) return Compare(f, "$eq", v, path);
        if (v.ObjectEmpty()) return QuerySyntax(path, "must name at least one operator");
        return Operators(f, v, path, depth);
    }

    Result<std::string> Operators(const Field& f, const rapidjson::Value& v, const std::string& path,
                                  std::size_t depth) {
        if (depth > limits_.max_depth) return QuerySyntax(path, "nesting deeper than " + Num(limits_.max_depth));
        std::vector<std::string> parts;
        const rapidjson::Value* options = nullptr;
        bool has_regex = false;
        for (const auto& m : v.GetObject()) {
            std::string_view op = json::Text(m.name);
            std::string sub = path + "." + PathKey(op);
            if (op == "$options") {
                options = &m.value;
                continue;
            }
            MT_TRY(Count(sub));
            if (op == "$not") {
                if (!m.value.IsObject() || m.value.ObjectEmpty()) {
                    return QuerySyntax(sub, "must be an object of operators");
                }
                MT_ASSIGN_OR_RETURN(auto inner, Operators(f, m.value, sub, depth + 1));
                parts.push_back("(NOT coalesce(" + inner + ", false))");
            } else if (op == "$regex") {
                has_regex = true;
                MT_ASSIGN_OR_RETURN(auto sql, Regex(f, m.value, v, sub, path));
                parts.push_back(std::move(sql));
            } else if (op == "$in" || op == "$nin") {
                MT_ASSIGN_OR_RETURN(auto sql, InList(f, op == "$nin", m.value, sub));
                parts.push_back(std::move(sql));
            } else if (op == "$exists") {
                if (json::KindOf(m.value) != json::Kind::kBool) return QuerySyntax(sub, "must be true or false");
                parts.push_back("(" + Column(f) + (m.value.GetBool() ? " IS NOT NULL)" : " IS NULL)"));
            } else if (op == "$eq" || op == "$ne" || op == "$gt" || op == "$gte" || op == "$lt" || op == "$lte") {
                MT_ASSIGN_OR_RETURN(auto sql, Compare(f, op, m.value, sub));
                parts.push_back(std::move(sql));
            } else if (!op.empty() && op.front() == '$') {
                return QuerySyntax(sub, "unknown operator");
            } else {
                return QuerySyntax(sub, "operators start with $; a column holds no nested fields");
            }
        }
        if (options && !has_regex) return QuerySyntax(path + ".$options", "only allowed with $regex");
        return Join(parts, " AND ", "TRUE");
    }

    std::string Column(const Field& f) const { return f.is_id ? "id" : types::QuoteIdentifier(f.name); }

    /// Append one value as a parameter; "$n::type".
    Result<std::string> Value(const Field& f, const rapidjson::Value& v, const std::string& path) {
        pg::Param value;
        if (f.is_id) {
            if (json::KindOf(v) != json::Kind::kString || !IsUuid(json::Text(v))) {
                return QuerySyntax(path, "expected a row id (uuid)");
            }
            value = std::string(json::Text(v));
        } else {
            auto parsed = types::FromJson(f.type, v);
            if (!parsed) return QuerySyntax(path, parsed.error().message);
            value = std::move(*parsed);
        }
        if (params_.size() - first_param_ >= limits_.max_params) {
            return QuerySyntax(path, "more than " + Num(limits_.max_params) + " values in the filter");
        }
        params_.push_back(std::move(value));
        return "$" + Num(params_.size()) + "::" + (f.is_id ? std::string("uuid") : std::string(types::PgType(f.type)));
    }

    Result<std::string> Compare(const Field& f, std::string_view op, const rapidjson::Value& v,
                                const std::string& path) {
        bool null = json::KindOf(v) == json::Kind::kNull;
        if (op == "$eq" && null) return "(" + Column(f) + " IS NULL)";
        if (op == "$ne" && null) return "(" + Column(f) + " IS NOT NULL)";
        if (null) return QuerySyntax(path, "cannot compare with null");
        if (json::KindOf(v) == json::Kind::kObject || json::KindOf(v) == json::Kind::kArray) {
            return QuerySyntax(path, std::string("expected a value, got ") + json::KindName(json::KindOf(v)));
        }
        MT_ASSIGN_OR_RETURN(auto p, Value(f, v, path));
        std::string_view sql_op = op == "$eq"    ? " = "
                                  : op == "$ne"  ? " IS DISTINCT FROM "
                                  : op == "$gt"  ? " > "
                                  : op == "$gte" ? " >= "
                                  : op == "$lt"  ? " < "
                                                 : " <= ";
        return "(" + Column(f) + std::string(sql_op) + p + ")";
    }

    Result<std::string> InList(const Field& f, bool negate, const rapidjson::Value& v, const std::string& path) {
        if (!v.IsArray()) return QuerySyntax(path, "must be an array");
        if (v.Size() > limits_.max_in_values) {
            return QuerySyntax(path, "more than " + Num(limits_.max_in_values) + " values");
        }
        bool has_null = false;
        std::string list;
        for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
            std::string sub = path + "[" + Num(i) + "]";
            auto kind = json::KindOf(v[i]);
            if (kind == json::Kind::kNull) {
                has_null = true;
                continue;
            }
            if (kind == json::Kind::kObject || kind == json::Kind::kArray) {
                return QuerySyntax(sub, std::string("expected a value, got ") + json::KindName(kind));
            }
            MT_ASSIGN_OR_RETURN(auto p, Value(f, v[i], sub));
            list += (list.empty() ? "" : ", ") + p;
        }
        std::string col = Column(f);
        std::string in = list.empty() ? "" : col + " IN (" + list + ")";
        if (!negate) {
            if (list.empty()) return has_null ? "(" + col + " IS NULL)" : std::string("FALSE");
            return has_null ? "(" + in + " OR " + col + " IS NULL)" : "(" + in + ")";
        }
        if (list.empty()) return has_null ? "(" + col + " IS NOT NULL)" : std::string("TRUE");
        return has_null ? "(" + col + " IS NOT NULL AND NOT " + in + ")" : "(" + col + " IS NULL OR NOT " + in + ")";
    }

    Result<std::string> Regex(const Field& f, const rapidjson::Value& pattern, const rapidjson::Value& ops,
                              const std::string& path, const std::string& field_path) {
        if (f.is_id || f.type != types::ColumnType::kText) return QuerySyntax(path, "only text columns match a $regex");
        if (json::KindOf(pattern) != json::Kind::kString) return QuerySyntax(path, "must be a string");
        if (json::Text(pattern).size() > limits_.max_regex_bytes) {
            return QuerySyntax(path, "longer than " + Num(limits_.max_regex_bytes) + " bytes");
        }
        bool insensitive = false;
        if (const rapidjson::Value* o = json::Find(ops, "$options")) {
            if (json::KindOf(*o) != json::Kind::kString || (json::Text(*o) != "i" && !json::Text(*o).empty())) {
                return QuerySyntax(field_path + ".$options", "only \"i\" (case-insensitive) is supported");
            }
            insensitive = json::Text(*o) == "i";
        }
        MT_ASSIGN_OR_RETURN(auto p, Value(f, pattern, path));
        return "(" + Column(f) + (insensitive ? " ~* " : " ~ ") + p + ")";
    }

    const std::vector<types::Column>& columns_;
    pg::Params& params_;
    const FilterLimits& limits_;
    std::size_t first_param_;
    std::size_t nodes_ = 0;
};

/// 1/true → 1, 0/false → 0, -1 → -1 (sort only); anything else → nullopt.
std::optional<int> Flag(const rapidjson::Value& v) {
    auto kind = json::KindOf(v);
    if (kind == json::Kind::kBool) return v.GetBool() ? 1 : 0;
    if (kind != json::Kind::kNumber) return std::nullopt;
    std::string_view t = json::Text(v);
    if (t == "1") return 1;
    if (t == "0") return 0;
    if (t == "-1") return -1;
    return std::nullopt;
}

}  // namespace

std::string PathKey(std::string_view key) {
    std::string q = Quoted(key, 100);  // "text" or "text"... when cut
    const bool cut = q.back() != '"';
    return q.substr(1, q.rfind('"') - 1) + (cut ? "..." : "");
}

bool IsEmptyFilter(const rapidjson::Value& filter) { return filter.IsObject() && filter.ObjectEmpty(); }

Result<std::string> CompileFilter(const rapidjson::Value& filter, const std::vector<types::Column>& columns,
                                  pg::Params& params, const FilterLimits& limits) {
    if (!filter.IsObject()) return QuerySyntax("filter", "must be an object");
    // Bounds before work: the size first (its serialization is bounded by the body limit).
    if (json::Serialize(filter).size() > limits.max_filter_bytes) {
        return QuerySyntax("filter", "larger than " + std::to_string(limits.max_filter_bytes) + " bytes");
    }
    std::size_t entry = params.size();
    auto sql = Compiler(columns, params, limits).Filter(filter, "filter", 0);
    if (!sql) params.resize(entry);
    return sql;
}

Result<Projection> ParseProjection(const rapidjson::Value& projection, const std::vector<types::Column>& columns) {
    Projection out;
    if (!projection.IsObject()) return QuerySyntax("projection", "must be an object");
    if (projection.MemberCount() > columns.size() + 1) return QuerySyntax("projection", "too many keys");
    int mode = -1;  // 1 include, 0 exclude, -1 not decided yet
    bool id_only = false;
    std::vector<std::string> named;
    for (const auto& m : projection.GetObject()) {
        std::string_view key = json::Text(m.name);
        std::string path = "projection." + PathKey(key);
        auto flag = Flag(m.value);
        if (!flag || *flag < 0) return QuerySyntax(path, "must be 1 (include) or 0 (exclude)");
        if (key == types::kRowIdColumn) {
            out.include_id = *flag == 1;
            id_only = *flag == 1;  // `{id: 1}` alone returns only the id
            continue;
        }
        if (!FindColumn(columns, key)) return QuerySyntax(path, "unknown column");
        for (const auto& n : named)
            if (n == key) return QuerySyntax(path, "named twice");
        if (mode != -1 && mode != *flag) return QuerySyntax(path, "cannot mix included and excluded columns");
        mode = *flag;
        named.emplace_back(key);
    }
    if (mode == -1 && id_only) return out;
    for (const auto& c : columns) {
        bool listed = std::find(named.begin(), named.end(), c.name) != named.end();
        if (mode == -1 || (mode == 1) == listed) out.columns.push_back(c);
    }
    return out;
}

Result<std::vector<SortKey>> ParseSortObject(const rapidjson::Value& sort, const std::vector<types::Column>& columns) {
    constexpr std::size_t kMaxSortKeys = 16;
    if (!sort.IsObject()) return QuerySyntax("sort", "must be an object");
    if (sort.MemberCount() > kMaxSortKeys) return QuerySyntax("sort", "more than 16 keys");
    std::vector<SortKey> keys;
    for (const auto& m : sort.GetObject()) {
        std::string_view key = json::Text(m.name);
        std::string path = "sort." + PathKey(key);
        if (key != types::kRowIdColumn && !FindColumn(columns, key)) return QuerySyntax(path, "unknown column");
        auto flag = Flag(m.value);
        if (json::KindOf(m.value) != json::Kind::kNumber || !flag || *flag == 0) {
            return QuerySyntax(path, "must be 1 (ascending) or -1 (descending)");
        }
        for (const auto& k : keys)
            if (k.column == key) return QuerySyntax(path, "named twice");
        keys.push_back({std::string(key), *flag < 0});
    }
    return keys;
}

std::vector<std::pair<std::string, pg::Param>> TopLevelEqualities(const rapidjson::Value& filter,
                                                                  const std::vector<types::Column>& columns) {
    std::vector<std::pair<std::string, pg::Param>> out;
    if (!filter.IsObject()) return out;
    for (const auto& m : filter.GetObject()) {
        std::string_view key = json::Text(m.name);
        const rapidjson::Value* v = &m.value;
        if (v->IsObject()) {
            if (v->MemberCount() != 1 || !(v = json::Find(*v, "$eq"))) continue;
        }
        if (key == types::kRowIdColumn) {
            if (json::KindOf(*v) == json::Kind::kString && IsUuid(json::Text(*v))) {
                out.emplace_back("id", std::string(json::Text(*v)));
            }
            continue;
        }
        const types::Column* c = FindColumn(columns, key);
        if (!c) continue;
        if (auto parsed = types::FromJson(c->type, *v)) out.emplace_back(c->name, std::move(*parsed));
    }
    return out;
}

}  // namespace mt::store
