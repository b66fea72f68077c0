#pragma once
/// RAII access to PostgreSQL through libpq: one `Connection` per PGconn, results as `Rows`.
///
/// A Connection is used by one thread at a time (libpq connections are not thread-safe); pools hand them out.
/// Every session is set to TimeZone=UTC, DateStyle=ISO and extra_float_digits=3 at connect time, which the type
/// library's formatting relies on. Values always travel as text parameters ($1, $2 …); SQL text is never built
/// from request data except through validated, quoted identifiers.
///
/// Each session also gets the bounds of its `SessionSettings` (statement_timeout, lock_timeout,
/// idle_in_transaction_session_timeout) and an application_name, in the same startup parameter.
///
/// Errors: a failed statement yields an mt::Error whose `code` is the SQLSTATE (e.g. "23505"), `kind`
/// kUnavailable when retrying may help (class 08 connection exceptions, 40001, 40P01, 57P01-3, 53300, and a
/// statement ended by statement_timeout (57014) or lock_timeout (55P03), whose message then says so in plain
/// words) and kInternal otherwise; callers translate the SQLSTATEs they expect into domain errors.
#include <libpq-fe.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mt/core/result.hpp"

namespace mt::pg {

using Param = std::optional<std::string>;  // std::nullopt is SQL NULL
using Params = std::vector<Param>;

/// A query result (owns the PGresult). Cheap to move; read-only.
class Rows {
public:
    explicit Rows(PGresult* result) : result_(result, &PQclear) {}
    [[nodiscard]] int size() const { return PQntuples(result_.get()); }
    [[nodiscard]] bool empty() const { return size() == 0; }
    [[nodiscard]] int columns() const { return PQnfields(result_.get()); }
    [[nodiscard]] std::string_view column_name(int c) const { return PQfname(result_.get(), c); }
    [[nodiscard]] bool IsNull(int r, int c) const { return PQgetisnull(result_.get(), r, c) != 0; }
    [[nodiscard]] std::string_view Get(int r, int c) const {
        return {PQgetvalue(result_.get(), r, c), static_cast<std::size_t>(PQgetlength(result_.get(), r, c))};
    }
    [[nodiscard]] std::optional<std::string> GetOptional(int r, int c) const {
        if (IsNull(r, c)) return std::nullopt;
        return std::string(Get(r, c));
    }
    /// Rows affected by INSERT/UPDATE/DELETE/COPY.
    [[nodiscard]] std::int64_t affected() const;

private:
    std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

/// Bounds and name of a session, sent at connect time. A timeout of 0 leaves the server's (or the role's or
/// database's) default in place, which is what a session behind PgBouncer in transaction mode relies on: it does
/// not forward startup options, so there the bounds are set with ALTER ROLE … SET (README "Connections").
struct SessionSettings {
    std::string application_name = "managed-tables";  // shows in pg_stat_activity
    int statement_timeout_ms = 0;
    int lock_timeout_ms = 0;
    int idle_in_transaction_ms = 0;  // idle_in_transaction_session_timeout: the server ends such a session
};

/// The libpq `options` startup value for `session`: the fixed settings above plus its timeouts.
std::string SessionOptions(const SessionSettings& session);

/// Producer of COPY data: append the next chunk to `out` and return true, or return false when done.
using CopySource = std::function<Result<bool>(std::string& out)>;

class Connection {
public:
    /// Connect with a libpq conninfo string or URL. Fails with kUnavailable when the server is unreachable.
    static Result<Connection> Open(const std::string& conninfo, int connect_timeout_seconds = 10);
    /// The same, with the session's bounds and name.
    static Result<Connection> Open(const std::string& conninfo, const SessionSettings& session,
                                   int connect_timeout_seconds = 10);

    Connection(Connection&&) noexcept = default;
    Connection& operator=(Connection&&) noexcept = default;

    /// Run one statement with text parameters.
    Result<Rows> Exec(std::string_view sql, const Params& params = {});
    /// Like Exec, with per-parameter formats (1 = binary, e.g. bytea chunks sent as raw bytes) and the result
    /// format (1 = binary: a bytea column comes back as its raw bytes).
    Result<Rows> ExecFormats(std::string_view sql, const Params& params, const std::vector<int>& param_formats,
                             int result_format);
    /// Run one or more statements without parameters (DDL, BEGIN/COMMIT …).
    Status Run(std::string_view sql);
    /// COPY … FROM STDIN: stream chunks from `source` (text format). Returns rows copied.
    Result<std::int64_t> CopyIn(std::string_view copy_sql, const CopySource& source);

    /// False once the connection is broken (the pool then drops it).
    [[nodiscard]] bool healthy() const;
    /// For an idle connection (no query running): false when the server has closed it or sent anything since —
    /// an idle session only hears from the server when it is being terminated (restart, failover, idle timeout).
    /// One poll(2), no round trip.
    [[nodiscard]] bool IdleAndAlive() const;
    /// True while a transaction is open or failed (the pool rolls back before reuse).
    [[nodiscard]] bool in_transaction() const;
    PGconn* raw() { return conn_.get(); }

private:
    explicit Connection(PGconn* conn) : conn_(conn, &PQfinish) {}
    Error ErrorFrom(const PGresult* result) const;

    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

/// Run `body` inside BEGIN … COMMIT (ROLLBACK when it fails or the commit fails).
Status InTransaction(Connection& conn, const std::function<Status()>& body, std::string_view begin_sql = "BEGIN");

/// A conninfo that is `base` (URL or key=value form) with the given keywords replaced, e.g. {"dbname", "x"}.
Result<std::string> WithOverrides(const std::string& base,
                                  const std::vector<std::pair<std::string, std::string>>& overrides);

/// Append one field to a COPY text-format row: escapes \, tab, newline, CR; std::nullopt writes \N.
void AppendCopyField(std::string& out, std::optional<std::string_view> value);

/// PostgreSQL string literal ('…' with quotes doubled, E'' not used) for the few DDL statements that cannot take
/// parameters (CREATE ROLE … PASSWORD). Only for values we generated ourselves.
std::string QuoteLiteral(std::string_view value);

bool IsRetryableSqlState(std::string_view sqlstate);

}  // namespace mt::pg
