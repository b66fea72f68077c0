#include "mt/core/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mt {

std::string Quoted(std::string_view user_text, std::size_t max_bytes) {
    std::size_t cut = std::min(max_bytes, user_text.size());
    if (cut < user_text.size()) {
        // Back up to the first byte of the character that straddles the limit.
        while (cut > 0 && (static_cast<unsigned char>(user_text[cut]) & 0xC0) == 0x80) --cut;
    }
    std::string out = "\"";
    out.append(user_text.substr(0, cut));
    out += '"';
    if (cut < user_text.size()) out += "...";
    return out;
}

Error BadRequest(std::string message, std::string code) {
    return Error{ErrorKind::kBadRequest, std::move(code), std::move(message), {}, std::nullopt, {}};
}
Error Unauthorized(std::string message) {
    return Error{ErrorKind::kUnauthorized, "UNAUTHORIZED", std::move(message), {}, std::nullopt, {}};
}
Error Forbidden(std::string message) {
    return Error{ErrorKind::kForbidden, "FORBIDDEN", std::move(message), {}, std::nullopt, {}};
}
Error NotFound(std::string code, std::string message) {
    return Error{ErrorKind::kNotFound, std::move(code), std::move(message), {}, std::nullopt, {}};
}
Error Conflict(std::string code, std::string message) {
    return Error{ErrorKind::kConflict, std::move(code), std::move(message), {}, std::nullopt, {}};
}
Error RateLimited(std::string message) {
    return Error{ErrorKind::kTooManyRequests, "RATE_LIMITED", std::move(message), {}, std::nullopt, {}};
}
Error QuotaExceeded(std::string message) {
    return Error{ErrorKind::kTooManyRequests, "QUOTA_EXCEEDED", std::move(message), {}, std::nullopt, {}};
}
Error PayloadTooLarge(std::string message) {
    return Error{ErrorKind::kPayloadTooLarge, "PAYLOAD_TOO_LARGE", std::move(message), {}, std::nullopt, {}};
}
Error PreconditionFailed(std::string message) {
    return Error{ErrorKind::kPrecondition, "PRECONDITION_FAILED", std::move(message), {}, std::nullopt, {}};
}
Error Validation(std::string message, std::vector<FieldError> details) {
    return Error{ErrorKind::kValidation, "VALIDATION_ERROR", std::move(message), std::move(details), std::nullopt, {}};
}
Error QuerySyntax(std::string field, std::string message) {
    Error e = BadRequest("Invalid query: " + field + ": " + message, "QUERY_SYNTAX_ERROR");
    e.details.push_back({std::move(field), std::move(message)});
    return e;
}
Error Unavailable(std::string message) {
    return Error{ErrorKind::kUnavailable, "SERVICE_UNAVAILABLE", std::move(message), {}, std::nullopt, {}};
}
Error Internal(std::string message) {
    return Error{ErrorKind::kInternal, "INTERNAL_ERROR", std::move(message), {}, std::nullopt, {}};
}

int HttpStatus(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::kBadRequest: return 400;
        case ErrorKind::kUnauthorized: return 401;
        case ErrorKind::kForbidden: return 403;
        case ErrorKind::kNotFound: return 404;
        case ErrorKind::kConflict: return 409;
        case ErrorKind::kPayloadTooLarge: return 413;
        case ErrorKind::kPrecondition: return 412;
        case ErrorKind::kValidation: return 422;
        case ErrorKind::kTooManyRequests: return 429;
        case ErrorKind::kUnavailable: return 503;
        case ErrorKind::kInternal: return 500;
    }
    return 500;
}

Error DiskWriteError(std::string_view path, int errno_value) {
    if (errno_value == ENOSPC || errno_value == EDQUOT) {
        Error e = Internal(
            "The service's scratch space is full, so the files could not be read; upload them again "
            "later");
        e.code = "SCRATCH_FULL";
        return e;
    }
    return Internal("cannot write " + std::string(path) + ": " + std::strerror(errno_value));
}

}  // namespace mt
