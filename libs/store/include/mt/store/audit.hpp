#pragma once
/// The audit log of SPEC §9: one event per change, written in the change's own transaction.
///
/// Where events live. A change of the control database (a table's metadata, an upload job, an API key, a
/// provisioning) writes its event into mt_audit_log in the same control transaction (AppendAuditEvent). A change
/// that lives only in a company database (rows by filter) writes it into that database's mt_internal.audit_log in
/// the same company transaction (AppendCompanyAuditEvent). A change that spans both (a table's update or delete)
/// records its event in its intent (mt_table_intents.audit), and the transaction that finishes the intent inserts
/// it; an intent that is undone takes its event with it. ListAuditEvents merges both places, newest first.
/// Plain functions over a caller's connection; thread-safety is the connection's.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mt/pg/connection.hpp"
#include "mt/store/databases.hpp"

namespace mt::store {

/// Who asked for a change, as the audit log records it: `Principal::Actor()` and the request's id.
struct AuditContext {
    std::string actor;
    std::string request_id;
};

/// One event to append. `details` is JSON text (an object), `{}` when empty.
struct AuditEvent {
    std::string company_id;
    std::string action;  // one of kAuditActions
    std::string actor;
    std::string resource_type;  // "table" | "upload" | "api_key" | "connection"
    std::string resource_id;
    std::string request_id;
    std::string details = "{}";
};

/// The actions of SPEC §9.
inline constexpr std::string_view kAuditActions[] = {
    "table.created",          "table.updated",   "table.deleted",   "upload.created",
    "upload.confirmed",       "upload.done",     "upload.failed",   "rows.updated_by_filter",
    "rows.deleted_by_filter", "api_key.created", "api_key.revoked", "provisioned"};
bool IsAuditAction(std::string_view action);

/// Most bytes of a request's JSON kept in an event's details (a filter): longer text is cut there.
inline constexpr std::size_t kMaxAuditJsonBytes = 4096;

/// Inside the caller's control-database transaction: inserts `event` into mt_audit_log (new 24-hex id, `at` the
/// transaction's time). Call it after the change's statements, so that a refused change writes nothing.
Status AppendAuditEvent(pg::Connection& control_tx, const AuditEvent& event);
/// Inside the caller's company-database transaction: the same into mt_internal.audit_log (company_id not kept).
Status AppendCompanyAuditEvent(pg::Connection& company_tx, const AuditEvent& event);

/// What GET /audit-logs asks for; every field already validated (ParseAuditQuery).
struct AuditQuery {
    std::optional<std::string> action;
    std::optional<std::string> resource_id;
    std::optional<std::string> from, to;  // ISO 8601 instants, inclusive
    std::optional<std::string> cursor;    // opaque, from a previous page
    int limit = 50;
};
inline constexpr int kDefaultAuditLimit = 50;
inline constexpr int kMaxAuditLimit = 200;

struct AuditRecord {
    std::string id, action, actor, resource_type, resource_id, request_id;
    std::string at;       // ISO 8601 UTC with milliseconds
    std::string details;  // JSON text
};
struct AuditPage {
    std::vector<AuditRecord> records;
    std::optional<std::string> next_cursor;
};

/// 400 BAD_REQUEST for an unknown action, a `from`/`to` that is not an ISO 8601 instant, a bad cursor, a
/// resource_id over 200 bytes; `limit` clamped to [1, kMaxAuditLimit].
Result<AuditQuery> ParseAuditQuery(std::optional<std::string> action, std::optional<std::string> resource_id,
                                   std::optional<std::string> from, std::optional<std::string> to,
                                   std::optional<std::string> cursor, std::optional<std::string> limit);
/// The company's events, newest first (at desc, id desc) from the control database and, when the company is
/// provisioned, its company database; `next_cursor` null on the last page.
Result<AuditPage> ListAuditEvents(Databases& dbs, const std::string& company_id, const AuditQuery& query);

/// Deletes events older than `retention` (in batches of `batch`, at most `max_batches` per database per call)
/// from the control database and every ready company database. Returns the number deleted. A company database
/// that cannot be reached is skipped (logged) for the next pass.
Result<std::int64_t> PurgeAuditEvents(Databases& dbs, std::chrono::hours retention, int batch = 5000,
                                      int max_batches = 20);

/// `text` cut to at most kMaxAuditJsonBytes bytes (at a UTF-8 boundary) and stored as a JSON string when cut.
/// Helpers to build details: `{"k":"v",...}` from pairs of key and already-encoded JSON values.
std::string AuditJsonString(std::string_view text);
std::string AuditDetails(const std::vector<std::pair<std::string, std::string>>& members);

}  // namespace mt::store
