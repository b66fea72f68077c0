#include "handlers.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/store/query.hpp"
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

std::string QueryParam(const RequestContext& ctx, const std::string& name) {
    auto it = ctx.request.query.find(name);
    return it == ctx.request.query.end() ? "" : it->second;
}

/// Reads one page (GET /:id/data or POST /:id/query) with cached metadata, reading the metadata again once when the
/// table changed under it. `make_spec` parses the request against the table's columns.
template <typename MakeSpec>
Result<HttpResponse> ReadPage(ApiServices& s, RequestContext& ctx, MakeSpec make_spec) {
    for (int attempt = 0;; ++attempt) {
        MT_ASSIGN_OR_RETURN(auto loaded, LoadReadTarget(s, ctx));
        auto& [target, from_cache] = loaded;
        auto spec = make_spec(target.table);
        if (!spec && from_cache && attempt == 0) {  // maybe a column added since the metadata was cached
            s.databases.ForgetTable(target.table.id);
            continue;
        }
        if (!spec) return std::move(spec).error();
        rapidjson::StringBuffer sb;
        json::Writer w(sb);
        std::int64_t version = 0;
        Status listed = store::QueryRows(s.databases, target.connection, target.table, *spec, w, &version);
        if (listed) {
            HttpResponse resp = JsonResponse(200, sb);
            resp.etag = ETagOf(version);
            return resp;
        }
        // The table changed under cached metadata (renamed, archived, columns dropped or added — a filter naming a
        // new column): forget it, read it again.
        if (from_cache && attempt == 0 &&
            (MetadataMismatch(listed.error()) || listed.error().code == "QUERY_SYNTAX_ERROR")) {
            s.databases.ForgetTable(target.table.id);
            continue;
        }
        return std::move(listed).error();
    }
}

Result<HttpResponse> ListRows(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(int page, QueryInt(ctx.request, "page", 1, 1, 100'000'000));
    MT_ASSIGN_OR_RETURN(int per_page, QueryInt(ctx.request, "per_page", 50, 1, 1000));
    std::string sort_by = QueryParam(ctx, "sort_by");
    std::string cursor = QueryParam(ctx, "cursor");
    std::string filter_text = QueryParam(ctx, "filter");
    if (!cursor.empty() && page != 1) return QuerySyntax("cursor", "cannot be combined with page");
    rapidjson::Document filter(rapidjson::kObjectType);
    if (!filter_text.empty()) {
        auto parsed = json::ParseJson(filter_text);
        if (!parsed) return QuerySyntax("filter", "is not valid JSON");
        filter = std::move(*parsed);
    }
    return ReadPage(s, ctx, [&](const store::TableRecord& table) -> Result<store::QuerySpec> {
        MT_ASSIGN_OR_RETURN(auto sort, store::ParseSort(sort_by, table));
        store::QuerySpec spec;
        spec.filter = &filter;
        spec.sort = std::move(sort);
        spec.limit = per_page;
        spec.offset = static_cast<std::int64_t>(page - 1) * per_page;
        spec.cursor = cursor;
        return spec;
    });
}

Result<HttpResponse> QueryRows(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto body, ParseJsonObject(ctx.request, s.limits));
    return ReadPage(s, ctx,
                    [&](const store::TableRecord& table) { return store::ParseQueryBody(body, table.columns); });
}

Result<HttpResponse> UpdateByFilter(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto condition, ParseIfMatch(ctx.request));
    MT_ASSIGN_OR_RETURN(auto body, ParseJsonObject(ctx.request, s.limits));
    MT_ASSIGN_OR_RETURN(auto target, LoadTarget(s, ctx));
    MT_ASSIGN_OR_RETURN(auto result,
                        store::UpdateByFilter(s.databases, target.connection, target.table, body, Who(ctx), condition));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("matched_count");
    w.Int64(result.matched);
    w.Key("modified_count");
    w.Int64(result.modified);
    w.Key("upserted_id");
    if (result.upserted_id)
        json::WriteString(w, *result.upserted_id);
    else
        w.Null();
    w.EndObject();
    return JsonResponse(200, sb);
}

Result<HttpResponse> DeleteByFilter(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto condition, ParseIfMatch(ctx.request));
    MT_ASSIGN_OR_RETURN(auto body, ParseJsonObject(ctx.request, s.limits));
    MT_ASSIGN_OR_RETURN(auto target, LoadTarget(s, ctx));
    MT_ASSIGN_OR_RETURN(auto deleted,
                        store::DeleteByFilter(s.databases, target.connection, target.table, body, Who(ctx), condition));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("deleted_count");
    w.Int64(deleted);
    w.EndObject();
    return JsonResponse(200, sb);
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
    router.Add("PATCH", "/:id/data", P::kDataWrite, [&s](RequestContext& ctx) { return UpdateByFilter(s, ctx); });
    router.Add("DELETE", "/:id/data", P::kDataWrite, [&s](RequestContext& ctx) { return DeleteByFilter(s, ctx); });
    router.Add("POST", "/:id/query", P::kDataRead, [&s](RequestContext& ctx) { return QueryRows(s, ctx); });
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
