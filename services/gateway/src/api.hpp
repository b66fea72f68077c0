#pragma once
/// The HTTP API of SPEC §4 without the transport: `Handle` takes a parsed request and returns a response.
///
/// One guard turns every failure into the SPEC §5 error body: `Error` values map to their status, anything
/// thrown becomes a logged 500 with the request id and no internals. Thread-safe: `Handle` is called from all of
/// the HTTP server's threads; the Api holds only references to thread-safe services.
#include <chrono>
#include <functional>
#include <variant>

#include "api_key_auth.hpp"
#include "cors.hpp"
#include "http_types.hpp"
#include "mt/auth/principal_cache.hpp"
#include "mt/ops/metrics.hpp"
#include "mt/store/databases.hpp"
#include "mt/store/quotas.hpp"
#include "publisher.hpp"
#include "rate_limiter.hpp"
#include "router.hpp"

namespace mt::gateway {

struct ApiLimits {
    std::size_t max_json_bytes = 64u << 20;
    std::size_t max_upload_bytes = 100u * 1000 * 1000;  // all files of one upload together (SPEC: 100 MB)
    std::size_t max_upload_files = 10;
    store::Quotas quotas;  // per company: tables, concurrent jobs, stored upload bytes (429 QUOTA_EXCEEDED)
};

/// What a handler module needs; passed by reference into each Register* function.
struct ApiServices {
    store::Databases& databases;
    const auth::Verifier& verifier;
    Publisher& publisher;
    ops::Metrics& metrics;
    ApiLimits limits;
    std::function<std::int64_t()> now_unix = [] {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    CorsPolicy cors = {};
    /// Set by Api (it owns the authenticator): the key routes forget a revoked key through it.
    ApiKeyAuthenticator* api_keys = nullptr;
    /// Null: requests are not rate-limited (MT_RATE_LIMIT_ENABLED=false).
    RateLimiter* rate_limiter = nullptr;
};

/// A request let in from its head: who sends it and the RateLimit-* headers its answer carries.
struct Admission {
    auth::Principal principal;
    std::vector<std::pair<std::string, std::string>> rate_limit_headers;
};

class Api {
public:
    explicit Api(ApiServices services);
    /// Routes under /api/v1/managed-tables and its alias /v1/managed-tables.
    HttpResponse Handle(const HttpRequest& request) const;
    /// Whether a request may go on, from its head alone (`request` without its body, before any body byte is
    /// read): its route exists (404, or 405 for a known path), its credentials (`Authorization: Bearer` or
    /// `x-api-key`, not both: 400) are valid (401), the company is within its rate limit (429) and the credentials
    /// grant the route's permission (403). Counts the request against the rate limit. A CORS preflight under the
    /// API prefix is admitted without credentials (an empty principal; Handle answers it) when its origin is
    /// allowed, refused (403) otherwise. The admission, or the error response to send (with CORS headers, and the
    /// RateLimit-* headers once the caller is known).
    [[nodiscard]] std::variant<Admission, HttpResponse> Admit(const HttpRequest& request) const;
    /// Adds the CORS headers `request`'s origin gets (none when it is not allowed) to `response`: for answers the
    /// transport makes itself (413, 503 …).
    void AddCorsHeaders(const HttpRequest& request, HttpResponse& response) const;
    /// The matched route template (for metrics); "unmatched" when none.
    [[nodiscard]] std::string RouteTemplate(const HttpRequest& request) const;
    Router& router() { return router_; }

private:
    HttpResponse Dispatch(const HttpRequest& request) const;
    /// Admit's checks, also giving the matched route (set whenever a request that is not a preflight is
    /// admitted). The rate limit is counted only when `count_rate` (a request admitted from its head was counted
    /// then).
    std::variant<Admission, HttpResponse> AdmitRoute(const HttpRequest& request, Router::Match& match,
                                                     bool count_rate) const;
    /// The caller: by `x-api-key` (ApiKeyAuthenticator) or by the bearer token, reusing an earlier verification of
    /// the same token while it is within its validity window (signature checks and claim parsing are the
    /// gateway's largest per-request CPU cost). Both at once → 400.
    Result<auth::Principal> Authenticate(const HttpRequest& request) const;
    /// A preflight this gateway answers: CORS on, OPTIONS with Origin, a path under the API prefix.
    [[nodiscard]] bool IsPreflight(const HttpRequest& request) const;
    ApiServices services_;
    Router router_;
    mutable auth::PrincipalCache verified_tokens_;
    std::unique_ptr<ApiKeyAuthenticator> api_keys_;
};

/// The SPEC §5 error body for `error`, with the request id.
HttpResponse ErrorResponse(const Error& error, const std::string& request_id);

/// The path below the API prefix ("/api/v1/managed-tables/x" → "/x"), or nullopt when outside the API.
std::optional<std::string> StripApiPrefix(std::string_view path);

}  // namespace mt::gateway
