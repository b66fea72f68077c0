// /api-keys (SPEC §9): create (the key shown once), list (never a secret), revoke. All need
// managed-tables:api-keys; a caller authenticated by a key has it only when its key carries it.
#include "handlers.hpp"
#include "mt/auth/api_key.hpp"
#include "mt/pg/connection.hpp"
#include "mt/store/api_keys.hpp"
#include "mt/store/audit.hpp"
#include "mt/types/value.hpp"

namespace mt::gateway {
namespace {

/// More entries than permissions exist is a malformed request, not a list to walk.
constexpr rapidjson::SizeType kMaxPermissionEntries = 2 * auth::kPermissionCount;

std::size_t Utf8Chars(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

void CheckName(const std::optional<std::string>& name, std::vector<FieldError>& details) {
    if (!name) return;
    const std::size_t chars = Utf8Chars(*name);
    if (chars == 0 || chars > store::kMaxApiKeyNameChars) {
        details.push_back({"name", "must be 1 to " + std::to_string(store::kMaxApiKeyNameChars) + " characters"});
        return;
    }
    for (unsigned char c : *name) {
        if (c < 0x20 || c == 0x7F) {
            details.push_back({"name", "must not contain control characters"});
            return;
        }
    }
}

/// `permissions`: a non-empty array of SPEC §3 names → their bits (duplicates allowed, counted once).
std::uint32_t PermissionsMember(const rapidjson::Value& body, std::vector<FieldError>& details) {
    const rapidjson::Value* v = json::Find(body, "permissions");
    if (!v) {
        details.push_back({"permissions", "is required"});
        return 0;
    }
    if (!v->IsArray() || v->Empty() || v->Size() > kMaxPermissionEntries) {
        details.push_back(
            {"permissions", "must be an array of 1 to " + std::to_string(kMaxPermissionEntries) + " permission names"});
        return 0;
    }
    std::uint32_t bits = 0;
    for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
        const auto& item = (*v)[i];
        const std::string at = "permissions[" + std::to_string(i) + "]";
        if (json::KindOf(item) != json::Kind::kString) {
            details.push_back({at, "must be a permission name (a string)"});
        } else if (const auto p = auth::ParsePermission(json::Text(item))) {
            bits |= auth::Bit(*p);
        } else {
            details.push_back({at, "unknown permission " + Quoted(json::Text(item))});
        }
    }
    return bits;
}

/// `expires_at`: absent or null → never; an ISO 8601 datetime (the type library's rules) → its canonical UTC text.
std::optional<std::string> ExpiresMember(const rapidjson::Value& body, std::vector<FieldError>& details) {
    const rapidjson::Value* v = json::Find(body, "expires_at");
    if (!v || json::KindOf(*v) == json::Kind::kNull) return std::nullopt;
    auto parsed = json::KindOf(*v) == json::Kind::kString ? types::FromJson(types::ColumnType::kDatetime, *v)
                                                          : Result<std::optional<std::string>>(Validation(""));
    if (!parsed || !*parsed) {
        details.push_back({"expires_at", "must be null or an ISO 8601 date-time such as 2026-01-15T10:30:00Z"});
        return std::nullopt;
    }
    return **parsed;
}

std::vector<std::string> Names(std::uint32_t bits) {
    std::vector<std::string> out;
    for (int i = 0; i < auth::kPermissionCount; ++i) {
        const auto p = static_cast<auth::Permission>(i);
        if (bits & auth::Bit(p)) out.emplace_back(auth::Name(p));
    }
    return out;
}

void WriteKeyFields(json::Writer& w, const store::ApiKeyRecord& k) {
    w.Key("id");
    json::WriteString(w, k.id);
    w.Key("name");
    json::WriteString(w, k.name);
    w.Key("prefix");
    json::WriteString(w, k.prefix);
    w.Key("permissions");
    w.StartArray();
    for (const auto& p : k.permissions) json::WriteString(w, p);
    w.EndArray();
    w.Key("created_at");
    json::WriteString(w, k.created_at);
    w.Key("expires_at");
    if (k.expires_at)
        json::WriteString(w, *k.expires_at);
    else
        w.Null();
}

Result<HttpResponse> CreateKey(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto body, ParseJsonObject(ctx.request, s.limits));
    std::vector<FieldError> details;
    auto name = StringMember(body, "name", details, true);
    CheckName(name, details);
    const std::uint32_t bits = PermissionsMember(body, details);
    auto expires_at = ExpiresMember(body, details);
    if (!details.empty()) return Validation("Invalid API key", std::move(details));
    // A key never holds more than its creator: otherwise a key could mint a stronger one.
    if (const std::uint32_t beyond = bits & ~ctx.principal.permissions; beyond != 0) {
        std::string names;
        for (const auto& n : Names(beyond)) names += (names.empty() ? "" : ", ") + n;
        return Forbidden("A key can only get permissions its creator holds; missing: " + names);
    }
    const auth::NewApiKeyText text = auth::GenerateApiKey();
    store::NewApiKey key{
        ctx.principal.company_id, *name,     text.prefix, auth::HashApiKeySecret(text.secret), Names(bits),
        ctx.principal.Actor(),    expires_at};
    MT_ASSIGN_OR_RETURN(auto control, s.databases.control().Acquire());
    store::ApiKeyRecord created;
    MT_TRY(pg::InTransaction(*control, [&]() -> Status {
        MT_ASSIGN_OR_RETURN(created, store::CreateApiKey(*control, key));
        std::string permissions = "[";
        for (const auto& p : created.permissions)
            permissions += (permissions.size() > 1 ? "," : "") + store::AuditJsonString(p);
        permissions += "]";
        const auto who = Who(ctx);
        return store::AppendAuditEvent(
            *control,
            {created.company_id, "api_key.created", who.actor, "api_key", created.id, who.request_id,
             store::AuditDetails(
                 {{"name", store::AuditJsonString(created.name)},
                  {"prefix", store::AuditJsonString(created.prefix)},
                  {"permissions", permissions},
                  {"expires_at", created.expires_at ? store::AuditJsonString(*created.expires_at) : "null"}})});
    }));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    WriteKeyFields(w, created);
    w.Key("key");  // the only time the secret leaves the gateway
    json::WriteString(w, text.key);
    w.EndObject();
    return JsonResponse(201, sb);
}

Result<HttpResponse> ListKeys(ApiServices& s, RequestContext& ctx) {
    MT_ASSIGN_OR_RETURN(auto control, s.databases.control().Acquire());
    MT_ASSIGN_OR_RETURN(auto keys, store::ListApiKeys(*control, ctx.principal.company_id));
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("records");
    w.StartArray();
    for (const auto& k : keys) {
        w.StartObject();
        WriteKeyFields(w, k);
        w.Key("created_by");
        json::WriteString(w, k.created_by);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, sb);
}

Result<HttpResponse> RevokeKey(ApiServices& s, RequestContext& ctx) {
    const std::string& id = ctx.params[0];
    {
        MT_ASSIGN_OR_RETURN(auto control, s.databases.control().Acquire());
        const auto who = Who(ctx);
        MT_TRY(pg::InTransaction(*control, [&]() -> Status {
            MT_TRY(store::RevokeApiKey(*control, ctx.principal.company_id, id));  // 404 unless it revoked a key
            return store::AppendAuditEvent(*control, {ctx.principal.company_id, "api_key.revoked", who.actor, "api_key",
                                                      id, who.request_id, "{}"});
        }));
    }
    s.api_keys->Forget(id);  // this gateway refuses it at once; the others within their cache's bound
    return HttpResponse{204, "", "", 0};
}

}  // namespace

void RegisterApiKeyRoutes(Router& router, ApiServices& s) {
    using P = auth::Permission;
    router.Add("POST", "/api-keys", P::kApiKeys, [&s](RequestContext& ctx) { return CreateKey(s, ctx); });
    router.Add("GET", "/api-keys", P::kApiKeys, [&s](RequestContext& ctx) { return ListKeys(s, ctx); });
    router.Add("DELETE", "/api-keys/:id", P::kApiKeys, [&s](RequestContext& ctx) { return RevokeKey(s, ctx); });
}

}  // namespace mt::gateway
