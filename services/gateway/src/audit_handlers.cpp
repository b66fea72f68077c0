// GET /audit-logs (SPEC §9): the caller's company's audit events, newest first, with filters and a cursor.
#include "handlers.hpp"
#include "mt/store/audit.hpp"

namespace mt::gateway {
namespace {

std::optional<std::string> Query(const HttpRequest& request, std::string_view name) {
    auto it = request.query.find(name);
    if (it == request.query.end()) return std::nullopt;
    return it->second;
}

void WriteRecord(json::Writer& w, const store::AuditRecord& r) {
    w.StartObject();
    for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"id", &r.id},
                                     {"action", &r.action},
                                     {"actor", &r.actor},
                                     {"resource_type", &r.resource_type},
                                     {"resource_id", &r.resource_id},
                                     {"request_id", &r.request_id},
                                     {"at", &r.at}}) {
        w.Key(key);
        json::WriteString(w, *value);
    }
    w.Key("details");
    w.RawValue(r.details.data(), r.details.size(), rapidjson::kObjectType);
    w.EndObject();
}

Result<HttpResponse> ListAuditLogs(ApiServices& s, RequestContext& ctx) {
    const HttpRequest& q = ctx.request;
    MT_ASSIGN_OR_RETURN(auto query,
                        store::ParseAuditQuery(Query(q, "action"), Query(q, "resource_id"), Query(q, "from"),
                                               Query(q, "to"), Query(q, "cursor"), Query(q, "limit")));
    MT_ASSIGN_OR_RETURN(auto page, store::ListAuditEvents(s.databases, ctx.principal.company_id, query));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("records");
    w.StartArray();
    for (const auto& r : page.records) WriteRecord(w, r);
    w.EndArray();
    w.Key("next_cursor");
    if (page.next_cursor)
        json::WriteString(w, *page.next_cursor);
    else
        w.Null();
    w.EndObject();
    return JsonResponse(200, sb);
}

}  // namespace

void RegisterAuditRoutes(Router& router, ApiServices& s) {
    router.Add("GET", "/audit-logs", auth::Permission::kList,
               [&s](RequestContext& ctx) { return ListAuditLogs(s, ctx); });
}

}  // namespace mt::gateway
