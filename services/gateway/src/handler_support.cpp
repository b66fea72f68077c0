#include <charconv>

#include "handlers.hpp"
#include "mt/types/identifier.hpp"

namespace mt::gateway {

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

HttpResponse JsonResponse(int status, const rapidjson::StringBuffer& buffer) {
    return {status, std::string(buffer.GetString(), buffer.GetSize()), "application/json"};
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
    field("created_by_user_id", t.created_by_user_id);
    field("created_at", t.created_at);
    field("updated_at", t.updated_at);
    w.EndObject();
}

}  // namespace mt::gateway
