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

/// How long a read may use table metadata this process fetched before (see Databases::CachedTable).
constexpr std::chrono::milliseconds kReadMetadataMaxAge{1000};

/// Reads use cached metadata when it is fresh enough; the result says whether it came from the cache.
Result<std::pair<Target, bool>> LoadReadTarget(ApiServices& s, RequestContext& ctx) {
    if (auto cached = s.databases.CachedTable(ctx.principal.company_id, ctx.params[0], kReadMetadataMaxAge)) {
        if (auto connection = s.databases.CachedConnection(ctx.principal.company_id)) {
            return std::make_pair(Target{std::move(*connection), std::move(*cached)}, true);
        }
    }
    MT_ASSIGN_OR_RETURN(auto target, LoadTarget(s, ctx));
    s.databases.CacheTable(target.table);
    return std::make_pair(std::move(target), false);
}

bool MetadataMismatch(const Error& e) { return e.code == "42P01" || e.code == "42703"; }  // undefined table/column

Result<HttpResponse> ListRows(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(int page, QueryInt(ctx.request, "page", 1, 1, 100'000'000));
    MT_ASSIGN_OR_RETURN(int per_page, QueryInt(ctx.request, "per_page", 50, 1, 1000));
    auto it = ctx.request.query.find("sort_by");
    std::string sort_by = it == ctx.request.query.end() ? "" : it->second;
    for (int attempt = 0;; ++attempt) {
        MT_ASSIGN_OR_RETURN(auto loaded, LoadReadTarget(s, ctx));
        auto& [target, from_cache] = loaded;
        auto sort = store::ParseSort(sort_by, target.table);
        if (!sort && from_cache && attempt == 0) {  // maybe a column added since the metadata was cached
            s.databases.ForgetTable(target.table.id);
            continue;
        }
        if (!sort) return std::move(sort).error();
        rapidjson::StringBuffer sb;
        json::Writer w(sb);
        std::int64_t version = 0;
        Status listed =
            store::ListRows(s.databases, target.connection, target.table, page, per_page, *sort, w, &version);
        if (listed) {
            HttpResponse resp = JsonResponse(200, sb);
            resp.etag = ETagOf(version);
            return resp;
        }
        // The table changed under cached metadata (renamed, archived, columns dropped): forget it, read it again.
        if (from_cache && attempt == 0 && MetadataMismatch(listed.error())) {
            s.databases.ForgetTable(target.table.id);
            continue;
        }
        return std::move(listed).error();
    }
}

Result<HttpResponse> InsertRows(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto condition, ParseIfMatch(ctx.request));
    MT_ASSIGN_OR_RETURN(auto body, ParseJsonObject(ctx.request, s.limits));
    MT_ASSIGN_OR_RETURN(auto target, LoadTarget(s, ctx));
    const rapidjson::Value* rows = json::Find(body, "rows");
    if (!rows) return Validation("rows is required", {{"rows", "is required"}});
    MT_ASSIGN_OR_RETURN(auto on_conflict, store::ParseOnConflict(body, target.table));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    if (on_conflict) {  // {inserted, updated}; a plain insert keeps its {inserted} (SPEC §4)
        MT_ASSIGN_OR_RETURN(auto counts, store::UpsertRows(s.databases, target.connection, target.table, *rows,
                                                           *on_conflict, condition));
        w.Key("inserted");
        w.Int64(counts.inserted);
        w.Key("updated");
        w.Int64(counts.updated);
    } else {
        MT_ASSIGN_OR_RETURN(auto inserted,
                            store::InsertRows(s.databases, target.connection, target.table, *rows, condition));
        w.Key("inserted");
        w.Int64(inserted);
    }
    w.EndObject();
    return JsonResponse(201, sb);
}

Result<HttpResponse> UpdateRow(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto condition, ParseIfMatch(ctx.request));
    MT_ASSIGN_OR_RETURN(auto body, ParseJsonObject(ctx.request, s.limits));
    MT_ASSIGN_OR_RETURN(auto target, LoadTarget(s, ctx));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    MT_TRY(store::UpdateRow(s.databases, target.connection, target.table, ctx.params[1], body, w, condition));
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
        MT_ASSIGN_OR_RETURN(auto condition, ParseIfMatch(ctx.request));
        MT_ASSIGN_OR_RETURN(auto target, LoadTarget(s, ctx));
        MT_TRY(store::DeleteRow(s.databases, target.connection, target.table, ctx.params[1], condition));
        return HttpResponse{204, "", "", 0};
    });
}

}  // namespace mt::gateway
