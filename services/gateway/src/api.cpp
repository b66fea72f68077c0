#include "api.hpp"

#include <exception>

#include "handlers.hpp"
#include "mt/core/json.hpp"
#include "mt/core/log.hpp"

namespace mt::gateway {

std::optional<std::string> StripApiPrefix(std::string_view path) {
    for (std::string_view prefix : {"/api/v1/managed-tables", "/v1/managed-tables"}) {
        if (path.substr(0, prefix.size()) != prefix) continue;
        std::string_view rest = path.substr(prefix.size());
        if (rest.empty() || rest.front() == '/') return std::string(rest.empty() ? "/" : rest);
    }
    return std::nullopt;
}

namespace {

/// What a 503 says: our own words, never a database server's (its message and SQLSTATE go to the log). The pg
/// layer words the two bounds a client can meet (statement and lock timeouts) itself; any other database failure
/// gets one generic sentence.
std::string UnavailableMessage(const Error& error) {
    const bool ours = error.code == "SERVICE_UNAVAILABLE" && error.message.rfind("PostgreSQL", 0) != 0;
    if (ours || error.code == "57014" || error.code == "55P03") return error.message;
    return "A database is temporarily unavailable; try again shortly";
}

}  // namespace

HttpResponse ErrorResponse(const Error& error, const std::string& request_id) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("error");
    // Internal errors never leak their message (it may hold SQL or server details): it goes to the log only.
    const bool unavailable = error.kind == ErrorKind::kUnavailable;
    json::WriteString(w, error.kind == ErrorKind::kInternal ? std::string("Internal server error")
                         : unavailable                      ? UnavailableMessage(error)
                                                            : error.message);
    w.Key("error_code");
    json::WriteString(w, error.kind == ErrorKind::kInternal ? std::string("INTERNAL_ERROR")
                         : unavailable                      ? std::string("SERVICE_UNAVAILABLE")
                                                            : error.code);
    w.Key("request_id");
    json::WriteString(w, request_id);
    // 422s always list their details; a 400 QUERY_SYNTAX_ERROR lists the path it names.
    if (error.kind == ErrorKind::kValidation || (error.kind == ErrorKind::kBadRequest && !error.details.empty())) {
        w.Key("details");
        w.StartArray();
        for (const auto& d : error.details) {
            w.StartObject();
            w.Key("field");
            json::WriteString(w, d.field);
            w.Key("message");
            json::WriteString(w, d.message);
            w.EndObject();
        }
        w.EndArray();
    }
    w.EndObject();
    return {HttpStatus(error.kind), std::string(sb.GetString(), sb.GetSize()), "application/json", unavailable ? 1 : 0};
}

Api::Api(ApiServices services) : services_(std::move(services)) {
    api_keys_ = std::make_unique<ApiKeyAuthenticator>(
        [&dbs = services_.databases](const std::string& prefix) -> Result<std::optional<store::StoredApiKey>> {
            MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
            return store::FindApiKeyByPrefix(*control, prefix);
        });
    services_.api_keys = api_keys_.get();
    RegisterProvisioningRoutes(router_, services_);
    RegisterTableRoutes(router_, services_);
    RegisterRowRoutes(router_, services_);
    RegisterUploadRoutes(router_, services_);
    RegisterAuditRoutes(router_, services_);
    RegisterApiKeyRoutes(router_, services_);
}

std::string Api::RouteTemplate(const HttpRequest& request) const {
    auto sub = StripApiPrefix(request.path);
    if (!sub) return "unmatched";
    auto match = router_.Find(request.method, *sub);
    return match.route ? match.route->pattern : "unmatched";
}

bool Api::IsPreflight(const HttpRequest& request) const {
    return services_.cors.IsPreflight(request.method, request.origin) && StripApiPrefix(request.path).has_value();
}

std::variant<Admission, HttpResponse> Api::AdmitRoute(const HttpRequest& request, Router::Match& match,
                                                      bool count_rate) const {
    const std::string& method = request.method;
    const std::string& request_id = request.request_id;
    if (IsPreflight(request)) {
        // Decided before any credential is looked at: browsers send preflights without them.
        if (services_.cors.Allowed(request.origin)) return Admission{};
        return ErrorResponse(Forbidden("Origin " + Quoted(request.origin) + " may not call this API"), request_id);
    }
    auto sub = StripApiPrefix(request.path);
    if (sub) match = router_.Find(method, *sub);
    if (!match.route) {
        if (match.path_known) {
            Error e = BadRequest("Method " + method + " is not allowed here", "METHOD_NOT_ALLOWED");
            auto resp = ErrorResponse(e, request_id);
            resp.status = 405;
            return resp;
        }
        return ErrorResponse(NotFound("NOT_FOUND", "Rota não encontrada"), request_id);
    }
    auto principal = Authenticate(request);
    if (!principal) return ErrorResponse(principal.error(), request_id);
    Admission admission{std::move(*principal), {}};
    // Counted once the caller is known and before the permission check: a refused request is a request too.
    if (count_rate && services_.rate_limiter) {
        const Bucket bucket = BucketOf(method, match.route->pattern);
        const RateVerdict verdict =
            services_.rate_limiter->Check(admission.principal.company_id, admission.principal.api_key_id, bucket);
        admission.rate_limit_headers = RateLimitHeaders(verdict);
        if (!verdict.allowed) {
            auto resp = ErrorResponse(
                RateLimited("Rate limit exceeded: " + std::to_string(verdict.limit) + " " + std::string(Name(bucket)) +
                            " requests per minute; retry in " + std::to_string(verdict.reset_seconds) + " s"),
                request_id);
            resp.retry_after_seconds = static_cast<int>(verdict.reset_seconds);
            resp.headers = std::move(admission.rate_limit_headers);
            return resp;
        }
    }
    if (match.route->permission && !admission.principal.Has(*match.route->permission)) {
        auto resp = ErrorResponse(Forbidden("Missing permission " + std::string(auth::Name(*match.route->permission))),
                                  request_id);
        resp.headers = std::move(admission.rate_limit_headers);
        return resp;
    }
    return admission;
}

std::variant<Admission, HttpResponse> Api::Admit(const HttpRequest& request) const {
    Router::Match match;
    auto admitted = AdmitRoute(request, match, true);
    if (auto* refusal = std::get_if<HttpResponse>(&admitted)) AddCorsHeaders(request, *refusal);
    return admitted;
}

void Api::AddCorsHeaders(const HttpRequest& request, HttpResponse& response) const {
    for (auto& header : services_.cors.ResponseHeaders(request.origin)) response.headers.push_back(std::move(header));
}

HttpResponse Api::Dispatch(const HttpRequest& request) const {
    Router::Match match;
    auto admitted = AdmitRoute(request, match, !request.admitted);
    if (auto* refusal = std::get_if<HttpResponse>(&admitted)) return std::move(*refusal);
    if (IsPreflight(request)) {  // admitted: its origin is allowed
        HttpResponse preflight{204, "", "", 0};
        preflight.headers = services_.cors.PreflightHeaders(request.origin);
        return preflight;
    }
    auto admission = std::get<Admission>(std::move(admitted));
    const auto& rate_headers = request.admitted ? request.rate_limit_headers : admission.rate_limit_headers;
    RequestContext ctx{request, std::move(admission.principal), std::move(match.params)};
    auto result = match.route->handler(ctx);
    if (result) result->headers.insert(result->headers.end(), rate_headers.begin(), rate_headers.end());
    if (!result) {
        const Error& e = result.error();
        if (e.kind == ErrorKind::kInternal || e.kind == ErrorKind::kUnavailable) {
            log::Error("request failed", {{"request_id", request.request_id},
                                          {"route", match.route->pattern},
                                          {"code", e.code},
                                          {"error", e.message}});
        } else if (!e.internal.empty()) {
            log::Warn("request refused", {{"request_id", request.request_id},
                                          {"route", match.route->pattern},
                                          {"code", e.code},
                                          {"error", e.message},
                                          {"internal", e.internal}});
        }
        auto resp = ErrorResponse(e, request.request_id);
        resp.headers = rate_headers;
        return resp;
    }
    return std::move(*result);
}

Result<auth::Principal> Api::Authenticate(const HttpRequest& request) const {
    const std::string& authorization = request.authorization;
    std::int64_t now = services_.now_unix();
    if (!request.api_key.empty()) {
        if (!authorization.empty()) {
            return BadRequest("Send one credential: either Authorization or x-api-key, not both");
        }
        return api_keys_->Authenticate(request.api_key, now);
    }
    const std::optional<std::string> key = auth::PrincipalCache::KeyOf(authorization);
    if (key) {
        if (auto cached = verified_tokens_.Find(*key, now)) return std::move(*cached);
    }
    auto principal = services_.verifier.Verify(authorization, now);  // failures are never cached
    if (principal && key) verified_tokens_.Insert(*key, *principal);
    return principal;
}

HttpResponse Api::Handle(const HttpRequest& request) const {
    try {
        HttpResponse response = Dispatch(request);
        if (!IsPreflight(request)) AddCorsHeaders(request, response);
        return response;
    } catch (const std::exception& e) {
        log::Error("unhandled exception", {{"request_id", request.request_id}, {"error", e.what()}});
    } catch (...) {
        log::Error("unhandled exception", {{"request_id", request.request_id}});
    }
    HttpResponse response = ErrorResponse(Internal("unhandled exception"), request.request_id);
    AddCorsHeaders(request, response);
    return response;
}

}  // namespace mt::gateway
