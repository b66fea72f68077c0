#pragma once
/// CORS for the console (SPEC §9): which origins may call the API from a browser, the preflight answer, and the
/// headers of actual responses. Pure; built once from configuration, then read-only and thread-safe.
///
/// An origin is allowed when it equals one configured origin exactly (`scheme://host[:port]`, as browsers send
/// it). A preflight (`OPTIONS` with `Origin`) is answered before any authentication: 204 with the Allow headers for
/// an allowed origin, 403 FORBIDDEN without CORS headers for another one. Responses to actual requests from an
/// allowed origin (errors and refusals included) carry Allow-Origin, Expose-Headers and `Vary: Origin`; other
/// origins get no CORS headers. With no configured origin CORS is off: OPTIONS is an unknown method as before.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mt/core/result.hpp"

namespace mt::gateway {

inline constexpr std::string_view kCorsAllowMethods = "GET, POST, PUT, PATCH, DELETE";
inline constexpr std::string_view kCorsAllowHeaders = "Authorization, Content-Type, If-Match, x-api-key";
inline constexpr std::string_view kCorsExposeHeaders =
    "ETag, X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After";
inline constexpr int kCorsMaxAgeSeconds = 600;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class CorsPolicy {
public:
    CorsPolicy() = default;
    /// Fails (kValidation) on an entry that is not `http(s)://host[:port]` without path, query, user info,
    /// wildcard or trailing slash.
    static Result<CorsPolicy> Create(const std::vector<std::string>& origins);
    /// The comma list of MT_CORS_ALLOWED_ORIGINS (blanks around entries ignored; empty → CORS off).
    static Result<CorsPolicy> FromList(std::string_view comma_list);

    [[nodiscard]] bool enabled() const { return !origins_.empty(); }
    [[nodiscard]] bool Allowed(std::string_view origin) const;
    /// Whether a request is a preflight this policy answers: CORS on, `OPTIONS`, an `Origin` header.
    [[nodiscard]] bool IsPreflight(std::string_view method, std::string_view origin) const;
    /// The headers of a 204 preflight answer to an allowed origin.
    [[nodiscard]] HeaderList PreflightHeaders(std::string_view origin) const;
    /// The headers an actual response to `origin` carries (none for a disallowed or empty origin).
    [[nodiscard]] HeaderList ResponseHeaders(std::string_view origin) const;

private:
    std::vector<std::string> origins_;
};

}  // namespace mt::gateway
