#include "mt/store/records.hpp"

#include "mt/core/json.hpp"

namespace mt::store {

std::string ColumnsToJson(const std::vector<types::Column>& columns) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    WriteColumns(w, columns);
    return {sb.GetString(), sb.GetSize()};
}

void WriteColumns(json::Writer& w, const std::vector<types::Column>& columns) {
    w.StartArray();
    for (const auto& c : columns) {
        w.StartObject();
        w.Key("name");
        json::WriteString(w, c.name);
        w.Key("display_name");
        json::WriteString(w, c.display_name);
        w.Key("type");
        json::WriteString(w, types::Name(c.type));
        w.Key("nullable");
        w.Bool(c.nullable);
        w.EndObject();
    }
    w.EndArray();
}

void WriteIndexes(json::Writer& w, const std::vector<IndexSpec>& indexes) {
    w.StartArray();
    for (const auto& ix : indexes) {
        w.StartObject();
        w.Key("name");
        json::WriteString(w, ix.name);
        w.Key("columns");
        w.StartArray();
        for (const auto& c : ix.columns) json::WriteString(w, c);
        w.EndArray();
        w.Key("unique");
        w.Bool(ix.unique);
        w.EndObject();
    }
    w.EndArray();
}

std::string IndexesToJson(const std::vector<IndexSpec>& indexes) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    WriteIndexes(w, indexes);
    return {sb.GetString(), sb.GetSize()};
}

Result<std::vector<IndexSpec>> IndexesFromJson(std::string_view text) {
    MT_ASSIGN_OR_RETURN(auto doc, json::ParseJson(text));
    if (!doc.IsArray()) return Internal("stored indexes are not an array");
    std::vector<IndexSpec> out;
    for (const auto& v : doc.GetArray()) {
        const auto* name = json::Find(v, "name");
        const auto* columns = json::Find(v, "columns");
        const auto* unique = json::Find(v, "unique");
        if (!name || !columns || !columns->IsArray() || !unique || json::KindOf(*unique) != json::Kind::kBool)
            return Internal("stored index is incomplete");
        IndexSpec ix{std::string(json::Text(*name)), {}, unique->GetBool()};
        for (const auto& c : columns->GetArray()) ix.columns.emplace_back(json::Text(c));
        out.push_back(std::move(ix));
    }
    return out;
}

Result<std::vector<types::Column>> ColumnsFromJson(std::string_view text) {
    MT_ASSIGN_OR_RETURN(auto doc, json::ParseJson(text));
    if (!doc.IsArray()) return Internal("stored columns are not an array");
    std::vector<types::Column> out;
    for (const auto& v : doc.GetArray()) {
        const auto* name = json::Find(v, "name");
        const auto* display = json::Find(v, "display_name");
        const auto* type = json::Find(v, "type");
        const auto* nullable = json::Find(v, "nullable");
        if (!name || !display || !type || !nullable || json::KindOf(*nullable) != json::Kind::kBool)
            return Internal("stored column is incomplete");
        auto parsed = types::ParseColumnType(json::Text(*type));
        if (!parsed) return Internal("stored column has an unknown type");
        out.push_back(
            {std::string(json::Text(*name)), std::string(json::Text(*display)), *parsed, nullable->GetBool()});
    }
    return out;
}

}  // namespace mt::store
