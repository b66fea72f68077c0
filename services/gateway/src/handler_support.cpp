#include <charconv>

#include "handlers.hpp"
#include "mt/types/identifier.hpp"

namespace mt::gateway {

store::AuditContext Who(const RequestContext& ctx) { return {ctx.principal.Actor(), ctx.request.request_id}; }

Result<rapidjson::Document> ParseJsonObject(const HttpRequest& request, const ApiLimits& limits) {
    if (request.Body().size() > limits.max_json_bytes) {
        return PayloadTooLarge("JSON body over " + std::to_string(limits.max_json_bytes) + " bytes");
    }
    MT_ASSIGN_OR_RETURN(auto doc, json::ParseJson(request.Body()));
    if (!doc.IsObject()) return BadRequest("Request body must be a JSON object");
    return doc;
}

Result<int> QueryInt(const HttpRequest& request, std::string_view name, int default_value, int min, int max) {
    auto it = request.query.find(name);
    if (it == request.query.end() || it->second.empty()) return default_value;
    const std::string& raw = it->second;
    long long value = 0;
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
    if (ec == std::errc::result_out_of_range && !raw.empty() && raw[0] != '-') return max;
    if (ec != std::errc() || end != raw.data() + raw.size() || value < min) {
        return BadRequest("Invalid query parameter " + std::string(name) +
                          ": must be an integer >= " + std::to_string(min));
    }
    return static_cast<int>(std::min<long long>(value, max));
}

std::optional<std::string> StringMember(const rapidjson::Value& obj, std::string_view name,
                                        std::vector<FieldError>& details, bool required) {
    const rapidjson::Value* v = json::Find(obj, name);
    if (!v) {
        if (required) details.push_back({std::string(name), "is required"});
        return std::nullopt;
    }
    if (json::KindOf(*v) != json::Kind::kString) {
        details.push_back(
            {std::string(name), std::string("must be a string, got ") + json::KindName(json::KindOf(*v))});
        return std::nullopt;
    }
    return std::string(json::Text(*v));
}

Result<std::vector<types::Column>> ParseColumns(const rapidjson::Value* columns) {
    if (!columns) return Validation("Invalid schema", {{"columns", "is required"}});
    if (!columns->IsArray()) return Validation("Invalid schema", {{"columns", "must be an array"}});
    std::vector<types::Column> out;
    std::vector<FieldError> details;
    for (rapidjson::SizeType i = 0; i < columns->Size(); ++i) {
        const auto& c = (*columns)[i];
        std::string at = "columns[" + std::to_string(i) + "]";
        if (!c.IsObject()) {
            details.push_back({at, "must be an object"});
            continue;
        }
        std::vector<FieldError> own;
        auto name = StringMember(c, "name", own, true);
        auto display = StringMember(c, "display_name", own, false);
        auto type = StringMember(c, "type", own, true);
        const rapidjson::Value* nullable = json::Find(c, "nullable");
        if (nullable && json::KindOf(*nullable) != json::Kind::kBool) own.push_back({"nullable", "must be a boolean"});
        std::optional<types::ColumnType> parsed;
        if (type) {
            parsed = types::ParseColumnType(*type);
            if (!parsed) {
                own.push_back({"type", "unknown type \"" + type->substr(0, 50) +
                                           "\" (text, integer, decimal, boolean, date, datetime)"});
            }
        }
        for (auto& d : own) details.push_back({at + "." + d.field, d.message});
        if (!own.empty()) continue;
        out.push_back({*name, display.value_or(*name), *parsed, nullable ? nullable->GetBool() : true});
    }
    if (!details.empty()) return Validation("Invalid schema", std::move(details));
    return out;
}

Result<std::vector<store::IndexSpec>> ParseIndexes(const rapidjson::Value& indexes) {
    auto invalid = [](std::string field, std::string message) {
        return Validation("Invalid indexes", {{std::move(field), std::move(message)}});
    };
    if (!indexes.IsArray()) return invalid("indexes", "must be an array");
    if (indexes.Size() > store::kMaxIndexesPerTable) {  // bounded before any work on the entries
        return invalid("indexes", "at most " + std::to_string(store::kMaxIndexesPerTable) + " indexes per table");
    }
    std::vector<store::IndexSpec> out;
    std::vector<FieldError> details;
    for (rapidjson::SizeType i = 0; i < indexes.Size(); ++i) {
        const auto& ix = indexes[i];
        const std::string at = "indexes[" + std::to_string(i) + "]";
        if (!ix.IsObject()) {
            details.push_back({at, "must be an object"});
            continue;
        }
        std::vector<FieldError> own;
        auto name = StringMember(ix, "name", own, true);
        store::IndexSpec spec{name.value_or(""), {}, false};
        const rapidjson::Value* columns = json::Find(ix, "columns");
        if (!columns || !columns->IsArray() || columns->Empty() || columns->Size() > store::kMaxColumnsPerIndex) {
            own.push_back({"columns",
                           "must be an array of 1 to " + std::to_string(store::kMaxColumnsPerIndex) + " column names"});
        } else {
            for (const auto& c : columns->GetArray()) {
                if (json::KindOf(c) != json::Kind::kString) {
                    own.push_back({"columns", "must hold column names (strings)"});
                    break;
                }
                spec.columns.emplace_back(json::Text(c));
            }
        }
        if (const rapidjson::Value* unique = json::Find(ix, "unique")) {
            if (json::KindOf(*unique) != json::Kind::kBool) {
                own.push_back({"unique", "must be a boolean"});
            } else {
                spec.unique = unique->GetBool();
            }
        }
        for (auto& d : own) details.push_back({at + "." + d.field, d.message});
        if (own.empty()) out.push_back(std::move(spec));
    }
    if (!details.empty()) return Validation("Invalid indexes", std::move(details));
    return out;
}

namespace {

/// Whether a string or object key anywhere in `v` holds a NUL, which PostgreSQL's jsonb cannot store.
bool HoldsNul(const rapidjson::Value& v) {
    switch (json::KindOf(v)) {
        case json::Kind::kString: return json::Text(v).find('\0') != std::string_view::npos;
        case json::Kind::kArray:
            for (const auto& item : v.GetArray())
                if (HoldsNul(item)) return true;
            return false;
        case json::Kind::kObject:
            for (const auto& m : v.GetObject()) {
                if (std::string_view(m.name.GetString(), m.name.GetStringLength()).find('\0') != std::string_view::npos)
                    return true;
                if (HoldsNul(m.value)) return true;
            }
            return false;
        default: return false;
    }
}

std::size_t Utf8Chars(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

}  // namespace

std::optional<std::optional<std::string>> DescriptionMember(const rapidjson::Value& body,
                                                            std::vector<FieldError>& details) {
    const rapidjson::Value* v = json::Find(body, "description");
    if (!v) return std::nullopt;
    if (json::KindOf(*v) == json::Kind::kNull) return std::optional<std::string>();
    if (json::KindOf(*v) != json::Kind::kString) {
        details.push_back(
            {"description", std::string("must be a string or null, got ") + json::KindName(json::KindOf(*v))});
        return std::nullopt;
    }
    std::string_view text = json::Text(*v);
    if (Utf8Chars(text) > store::kMaxDescriptionChars) {
        details.push_back(
            {"description", "must be at most " + std::to_string(store::kMaxDescriptionChars) + " characters"});
        return std::nullopt;
    }
    if (text.find('\0') != std::string_view::npos) {
        details.push_back({"description", "must not contain NUL characters"});
        return std::nullopt;
    }
    return std::optional<std::string>(std::string(text));
}

std::optional<std::string> MetadataMember(const rapidjson::Value& body, std::vector<FieldError>& details) {
    const rapidjson::Value* v = json::Find(body, "metadata");
    if (!v) return std::nullopt;
    if (json::KindOf(*v) != json::Kind::kObject) {
        details.push_back({"metadata", std::string("must be a JSON object, got ") + json::KindName(json::KindOf(*v))});
        return std::nullopt;
    }
    std::string text = json::Serialize(*v);
    if (text.size() > store::kMaxMetadataBytes) {
        details.push_back({"metadata", "must be at most " + std::to_string(store::kMaxMetadataBytes) +
                                           " bytes as compact JSON, got " + std::to_string(text.size())});
        return std::nullopt;
    }
    if (HoldsNul(*v)) {
        details.push_back({"metadata", "must not contain NUL characters"});
        return std::nullopt;
    }
    return text;
}

HttpResponse JsonResponse(int status, const rapidjson::StringBuffer& buffer) {
    return {status, std::string(buffer.GetString(), buffer.GetSize()), "application/json"};
}

std::string ETagOf(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }

Result<store::VersionCondition> ParseIfMatch(const HttpRequest& request) {
    store::VersionCondition condition;
    if (!request.if_match) return condition;
    auto invalid = [](const std::string& why) { return BadRequest("Invalid If-Match header: " + why); };
    std::string_view rest = *request.if_match;
    auto skip_space = [&rest] {
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t' || rest.front() == ',')) {
            rest.remove_prefix(1);
        }
    };
    skip_space();
    if (rest.empty()) return invalid("empty");
    if (rest.front() == '*') {
        if (rest.find_first_not_of(" \t", 1) != std::string_view::npos) return invalid("* stands alone");
        return condition;
    }
    condition.any = false;
    std::size_t tags = 0;
    while (!rest.empty()) {
        if (++tags > kMaxIfMatchTags) return invalid("at most " + std::to_string(kMaxIfMatchTags) + " entity-tags");
        bool weak = rest.substr(0, 2) == "W/";
        if (weak) rest.remove_prefix(2);
        if (rest.empty() || rest.front() != '"') return invalid("entity-tags are quoted, like \"7\" (or use *)");
        auto close = rest.find('"', 1);
        if (close == std::string_view::npos) return invalid("unterminated entity-tag");
        std::string_view tag = rest.substr(1, close - 1);
        rest.remove_prefix(close + 1);
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
        if (!rest.empty() && rest.front() != ',') return invalid("entity-tags are separated by commas");
        skip_space();
        bool digits = !tag.empty() && tag.size() <= 18 && tag.find_first_not_of("0123456789") == std::string_view::npos;
        std::int64_t version = 0;
        if (!weak && digits) {
            std::from_chars(tag.data(), tag.data() + tag.size(), version);  // at most 18 digits: fits
            condition.versions.push_back(version);
        }
    }
    return condition;
}

void WriteTable(json::Writer& w, const store::TableRecord& t) {
    w.StartObject();
    auto field = [&](const char* key, const std::string& value) {
        w.Key(key);
        json::WriteString(w, value);
    };
    field("_id", t.id);
    field("company_id", t.company_id);
    field("connection_id", t.connection_id);
    field("display_name", t.display_name);
    w.Key("columns");
    store::WriteColumns(w, t.columns);
    field("source", t.source);
    field("status", t.status);
    w.Key("row_count");
    w.Int64(t.row_count);
    w.Key("version");
    w.Int64(t.version);
    w.Key("max_rows");
    if (t.max_rows)
        w.Int64(*t.max_rows);
    else
        w.Null();
    w.Key("indexes");
    store::WriteIndexes(w, t.indexes);
    w.Key("description");
    if (t.description)
        json::WriteString(w, *t.description);
    else
        w.Null();
    w.Key("metadata");
    w.RawValue(t.metadata.data(), t.metadata.size(), rapidjson::kObjectType);  // jsonb's own text: valid JSON
    field("created_by_user_id", t.created_by_user_id);
    field("created_at", t.created_at);
    field("updated_at", t.updated_at);
    w.EndObject();
}

}  // namespace mt::gateway
