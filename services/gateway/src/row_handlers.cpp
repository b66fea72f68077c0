#include "handlers.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/store/rows.hpp"
#include "mt/store/tables.hpp"

namespace mt::gateway {
namespace {

struct Target {
    store::ConnectionRecord connection;
    store::TableRecord table;
};

/// The table addressed by the path, after the tenant check (another company's id is a plain 404).
Result<Target> LoadTarget(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto table, store::GetTableMetadata(s.databases, ctx.principal.company_id, ctx.params[0]));
    MT_ASSIGN_OR_RETURN(auto connection, store::RequireConnection(s.databases, ctx.principal.company_id));
    return Target{std::move(connection), std::move(table)};
}

Result<HttpResponse> ListRows(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(int page, QueryInt(ctx.request, "page", 1, 1, 100'000'000));
    MT_ASSIGN_OR_RETURN(int per_page, QueryInt(ctx.request, "per_page", 50, 1, 1000));
    MT_ASSIGN_OR_RETURN(auto target, LoadTarget(s, ctx));
    auto it = ctx.request.query.find("sort_by");
    MT_ASSIGN_OR_RETURN(auto sort, store::ParseSort(it == ctx.request.query.end() ? "" : it->second, target.table));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    MT_TRY(store::ListRows(s.databases, target.connection, target.table, page, per_page, sort, w));
    return JsonResponse(200, sb);
}

Result<HttpResponse> InsertRows(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto body, ParseJsonObject(ctx.request, s.limits));
    MT_ASSIGN_OR_RETURN(auto target, LoadTarget(s, ctx));
    const rapidjson::Value* rows = json::Find(body, "rows");
    if (!rows) return Validation("rows is required", {{"rows", "is required"}});
    MT_ASSIGN_OR_RETURN(auto inserted, store::InsertRows(s.databases, target.connection, target.table, *rows));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("inserted");
    w.Int64(inserted);
    w.EndObject();
    return JsonResponse(201, sb);
}

Result<HttpResponse> UpdateRow(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto body, ParseJsonObject(ctx.request, s.limits));
    MT_ASSIGN_OR_RETURN(auto target, LoadTarget(s, ctx));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    MT_TRY(store::UpdateRow(s.databases, target.connection, target.table, ctx.params[1], body, w));
    return JsonResponse(200, sb);
}

}  // namespace

void RegisterRowRoutes(Router& router, ApiServices& s) {
    using P = auth::Permission;
    router.Add("GET", "/:id/data", P::kDataRead, [&s](RequestContext& ctx) { return ListRows(s, ctx); });
    router.Add("POST", "/:id/data", P::kDataWrite, [&s](RequestContext& ctx) { return InsertRows(s, ctx); });
    router.Add("PUT", "/:id/data/:rowId", P::kDataWrite, [&s](RequestContext& ctx) { return UpdateRow(s, ctx); });
    router.Add("PATCH", "/:id/data/:rowId", P::kDataWrite, [&s](RequestContext& ctx) { return UpdateRow(s, ctx); });
    router.Add("DELETE", "/:id/data/:rowId", P::kDataWrite, [&s](RequestContext& ctx) -> Result<HttpResponse> {
        MT_ASSIGN_OR_RETURN(auto target, LoadTarget(s, ctx));
        MT_TRY(store::DeleteRow(s.databases, target.connection, target.table, ctx.params[1]));
        return HttpResponse{204, "", ""};
    });
}

}  // namespace mt::gateway
