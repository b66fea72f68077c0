#include <charconv>

#include "handlers.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"

namespace mt::gateway {
namespace {

HttpResponse TableResponse(int status, const store::TableRecord& table) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    WriteTable(w, table);
    HttpResponse resp = JsonResponse(status, sb);
    if (table.status == "active") resp.etag = ETagOf(table.version);
    return resp;
}

/// `max_rows`: absent → nullopt; null → remove the cap; a non-negative integer → the cap; else a detail.
std::optional<std::optional<std::int64_t>> MaxRowsMember(const rapidjson::Value& body,
                                                         std::vector<FieldError>& details) {
    const rapidjson::Value* v = json::Find(body, "max_rows");
    if (!v) return std::nullopt;
    if (json::KindOf(*v) == json::Kind::kNull) return std::optional<std::int64_t>();
    // Numbers are exact text (json::ParseJson): a cap is digits only, at most 18 of them (fits int64).
    std::string_view text = json::KindOf(*v) == json::Kind::kNumber ? json::Text(*v) : std::string_view();
    std::int64_t cap = 0;
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string_view::npos) {
        details.push_back({"max_rows", "must be null or a non-negative integer (at most 18 digits)"});
        return std::nullopt;
    }
    std::from_chars(text.data(), text.data() + text.size(), cap);
    return std::optional<std::int64_t>(cap);
}

Result<HttpResponse> ListTables(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(int page, QueryInt(ctx.request, "page", 1, 1, 1'000'000));
    MT_ASSIGN_OR_RETURN(int per_page, QueryInt(ctx.request, "per_page", 20, 1, 100));
    auto it = ctx.request.query.find("search");
    std::string search = it == ctx.request.query.end() ? "" : it->second;
    if (search.size() > 200) return BadRequest("Invalid query parameter search: at most 200 bytes");
    MT_ASSIGN_OR_RETURN(auto result, store::ListTables(s.databases, ctx.principal.company_id, search, page, per_page));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("total");
    w.Int64(result.total);
    w.Key("quantity");
    w.Uint64(result.records.size());
    w.Key("records");
    w.StartArray();
    for (const auto& t : result.records) WriteTable(w, t);
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, sb);
}

Result<HttpResponse> CreateTable(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto body, ParseJsonObject(ctx.request, s.limits));
    std::vector<FieldError> details;
    auto name = StringMember(body, "display_name", details, true);
    auto columns = ParseColumns(json::Find(body, "columns"));
    if (name) {  // one 422 names every problem: the table name's too when the columns are malformed
        if (auto name_ok = types::ValidateIdentifier(*name, "display_name"); !name_ok && !columns) {
            for (auto& d : name_ok.error().details) details.push_back(d);
        }
    }
    if (!columns) {
        for (auto& d : columns.error().details) details.push_back(d);
        return Validation("Invalid schema", std::move(details));
    }
    auto max_rows = MaxRowsMember(body, details);
    auto description = DescriptionMember(body, details);
    auto metadata = MetadataMember(body, details);
    if (!details.empty()) return Validation("Invalid schema", std::move(details));
    MT_TRY(store::ValidateSchema(*name, *columns, false));
    std::vector<store::IndexSpec> indexes;
    if (const rapidjson::Value* v = json::Find(body, "indexes")) {
        MT_ASSIGN_OR_RETURN(indexes, ParseIndexes(*v));
    }
    MT_ASSIGN_OR_RETURN(auto connection, store::RequireConnection(s.databases, ctx.principal.company_id));
    store::NewTable table{*name,
                          std::move(*columns),
                          "manual",
                          ctx.principal.user_id,
                          max_rows ? *max_rows : std::nullopt,
                          std::move(indexes),
                          description ? *description : std::nullopt,
                          metadata.value_or("{}")};
    table.quotas = s.limits.quotas;
    MT_ASSIGN_OR_RETURN(auto created, store::CreateTable(s.databases, connection, table, Who(ctx)));
    return TableResponse(201, created);
}

Result<HttpResponse> UpdateTable(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto body, ParseJsonObject(ctx.request, s.limits));
    std::vector<FieldError> details;
    store::TableChanges changes;
    MT_ASSIGN_OR_RETURN(changes.condition, ParseIfMatch(ctx.request));
    changes.display_name = StringMember(body, "display_name", details, false);
    changes.status = StringMember(body, "status", details, false);
    changes.max_rows = MaxRowsMember(body, details);
    changes.description = DescriptionMember(body, details);
    changes.metadata = MetadataMember(body, details);
    if (!details.empty()) return Validation("Invalid table update", std::move(details));
    if (json::Find(body, "columns")) {
        MT_ASSIGN_OR_RETURN(auto columns, ParseColumns(json::Find(body, "columns")));
        changes.columns = std::move(columns);
    }
    if (const rapidjson::Value* v = json::Find(body, "indexes")) {
        MT_ASSIGN_OR_RETURN(auto indexes, ParseIndexes(*v));
        changes.indexes = std::move(indexes);
    }
    MT_ASSIGN_OR_RETURN(auto updated,
                        store::UpdateTable(s.databases, ctx.principal.company_id, ctx.params[0], changes, Who(ctx)));
    return TableResponse(200, updated);
}

}  // namespace

void RegisterTableRoutes(Router& router, ApiServices& s) {
    using P = auth::Permission;
    router.Add("GET", "/", P::kList, [&s](RequestContext& ctx) { return ListTables(s, ctx); });
    router.Add("POST", "/", P::kCreate, [&s](RequestContext& ctx) { return CreateTable(s, ctx); });
    router.Add("GET", "/:id", P::kList, [&s](RequestContext& ctx) -> Result<HttpResponse> {
        MT_ASSIGN_OR_RETURN(auto table, store::GetTable(s.databases, ctx.principal.company_id, ctx.params[0]));
        return TableResponse(200, table);
    });
    router.Add("PUT", "/:id", P::kUpdate, [&s](RequestContext& ctx) { return UpdateTable(s, ctx); });
    router.Add("PATCH", "/:id", P::kUpdate, [&s](RequestContext& ctx) { return UpdateTable(s, ctx); });
    router.Add("DELETE", "/:id", P::kDelete, [&s](RequestContext& ctx) -> Result<HttpResponse> {
        MT_ASSIGN_OR_RETURN(auto condition, ParseIfMatch(ctx.request));
        MT_TRY(store::ArchiveTable(s.databases, ctx.principal.company_id, ctx.params[0], Who(ctx), condition));
        return HttpResponse{204, "", "", 0};
    });
}

}  // namespace mt::gateway
