#include "handlers.hpp"
#include "mt/store/provisioning.hpp"

namespace mt::gateway {
namespace {

HttpResponse StatusBody(const std::optional<store::ConnectionRecord>& connection) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    bool ready = connection && connection->status == "ready";
    w.StartObject();
    w.Key("provisioned");
    w.Bool(ready);
    w.Key("connection_id");
    if (ready)
        json::WriteString(w, connection->id);
    else
        w.Null();
    w.EndObject();
    return JsonResponse(200, sb);
}

}  // namespace

void RegisterProvisioningRoutes(Router& router, ApiServices& s) {
    router.Add("GET", "/status", auth::Permission::kList, [&s](RequestContext& ctx) -> Result<HttpResponse> {
        MT_ASSIGN_OR_RETURN(auto found, store::FindConnection(s.databases, ctx.principal.company_id));
        return StatusBody(found);
    });
    router.Add("POST", "/provision", auth::Permission::kCreate, [&s](RequestContext& ctx) -> Result<HttpResponse> {
        MT_ASSIGN_OR_RETURN(auto connection, store::Provision(s.databases, ctx.principal.company_id, Who(ctx)));
        return StatusBody(connection);
    });
}

}  // namespace mt::gateway
