#pragma once
/// Errors as values across module boundaries.
///
/// An `Error` carries what a caller needs to act on it: a kind (what went wrong, which the gateway maps to an
/// HTTP status), the public `error_code` string of SPEC §5, a human message, per-field details for validation
/// failures, and — for values from files — where the value was found. Errors are plain values: copyable,
/// thread-agnostic.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mt {

enum class ErrorKind {
    kBadRequest,       // 400: malformed request or a state conflict documented as 400
    kUnauthorized,     // 401
    kForbidden,        // 403
    kNotFound,         // 404
    kConflict,         // 409: the resource is busy (e.g. a table being changed or loaded); retry later
    kPayloadTooLarge,  // 413
    kPrecondition,     // 412: an If-Match that no longer matches the resource's version
    kValidation,       // 422
    kTooManyRequests,  // 429: over a rate limit or a company quota (SPEC §9)
    kUnavailable,      // retryable infrastructure failure (DB connection lost, serialization failure)
    kInternal,         // 500: a bug or an unexpected state
};

/// One field that failed validation: `field` is a JSON-pointer-like path such as `rows[3].amount`.
struct FieldError {
    std::string field;
    std::string message;
};

/// Where a bad value came from in an uploaded file (1-based line, column name, raw value).
struct ValueLocation {
    std::string file;
    std::int64_t line = 0;
    std::string column;
    std::string value;
};

struct Error {
    ErrorKind kind = ErrorKind::kInternal;
    std::string code;     // SPEC §5 error_code, e.g. "VALIDATION_ERROR"
    std::string message;  // for humans; safe to show to the client unless kind is kInternal
    std::vector<FieldError> details;
    std::optional<ValueLocation> location;
    /// Context for the log only, never sent to a client: e.g. the database server's own message and SQLSTATE
    /// behind a client error worded in our terms.
    std::string internal;

    [[nodiscard]] bool Retryable() const { return kind == ErrorKind::kUnavailable; }
};

// Constructors for the common kinds; each sets the documented error_code.
Error BadRequest(std::string message, std::string code = "BAD_REQUEST");
Error Unauthorized(std::string message = "Unauthorized");
Error Forbidden(std::string message = "Forbidden");
Error NotFound(std::string code, std::string message);
Error Conflict(std::string code, std::string message);
Error PayloadTooLarge(std::string message);
/// 412 PRECONDITION_FAILED.
Error PreconditionFailed(std::string message);
Error Validation(std::string message, std::vector<FieldError> details = {});
/// 400 QUERY_SYNTAX_ERROR (SPEC §8): a bad filter, projection, sort, update or cursor. One detail names the JSON
/// path (`filter.$or[1].amount.$gte`); the message says both.
Error QuerySyntax(std::string field, std::string message);
Error Unavailable(std::string message);
/// 429 RATE_LIMITED: over a request rate limit (the gateway adds Retry-After).
Error RateLimited(std::string message);
/// 429 QUOTA_EXCEEDED: over a company quota; the message names it, e.g. `Quota exceeded: tables (1000)`.
Error QuotaExceeded(std::string message);
Error Internal(std::string message);
/// A failed write to local disk: when the disk is full (ENOSPC, EDQUOT) an error with code SCRATCH_FULL whose
/// message may be shown ("…scratch space is full…"), else kInternal naming `path` and the system's reason.
Error DiskWriteError(std::string_view path, int errno_value);

/// User input quoted in an error message: `"text"`, at most `max_bytes` of it (cut on a UTF-8 character boundary),
/// followed by `...` outside the quotes when cut. Error messages never echo unbounded input.
std::string Quoted(std::string_view user_text, std::size_t max_bytes = 100);

/// HTTP status for an error kind (kUnavailable maps to 503).
int HttpStatus(ErrorKind kind);

}  // namespace mt
