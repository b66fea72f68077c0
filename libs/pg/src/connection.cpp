#include "mt/pg/connection.hpp"

#include <array>

#include <poll.h>

#include <cstdlib>
#include <cstring>

namespace mt::pg {
namespace {

/// Session settings the type library relies on (see header); sent as the libpq `options` startup parameter.
constexpr const char* kSessionOptions = "-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3";

/// The words shown for a statement the server cut short; the SQLSTATE stays in `code` for callers.
std::optional<std::string> PlainMessage(std::string_view sqlstate) {
    if (sqlstate == "57014") return "The database did not finish this request in time; try again";
    if (sqlstate == "55P03") return "The data is busy with another change; try again shortly";
    return std::nullopt;
}

std::string Trimmed(const char* s) {
    std::string out = s ? s : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

}  // namespace

bool IsRetryableSqlState(std::string_view s) {
    if (s.size() != 5) return false;
    return s.substr(0, 2) == "08" || s == "40001" || s == "40P01" || s == "57P01" || s == "57P02" || s == "57P03" ||
           s == "53300" || s == "57014" || s == "55P03";
}

std::string SessionOptions(const SessionSettings& session) {
    std::string out = kSessionOptions;
    // Always sent, 0 included (0: no bound): a session's own setting overrides the role's default (a company
    // role has one, provisioning.hpp RoleSettings), so a worker's long COPY is not cut by the role's bound.
    auto bound = [&out](const char* name, int ms) {
        out.append(" -c ").append(name).append("=").append(std::to_string(ms));
    };
    bound("statement_timeout", session.statement_timeout_ms);
    bound("lock_timeout", session.lock_timeout_ms);
    bound("idle_in_transaction_session_timeout", session.idle_in_transaction_ms);
    return out;
}

std::int64_t Rows::affected() const {
    const char* n = PQcmdTuples(result_.get());
    return (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
}

Result<Connection> Connection::Open(const std::string& conninfo, int connect_timeout_seconds) {
    return Open(conninfo, SessionSettings{}, connect_timeout_seconds);
}

Result<Connection> Connection::Open(const std::string& conninfo, const SessionSettings& session,
                                    int connect_timeout_seconds) {
    std::string timeout = std::to_string(connect_timeout_seconds);
    std::string options = SessionOptions(session);
    // expand_dbname=1 lets `dbname` carry a full URL/conninfo; later keywords override it.
    const char* keys[] = {"dbname", "options", "connect_timeout", "application_name", nullptr};
    const char* values[] = {conninfo.c_str(), options.c_str(), timeout.c_str(), session.application_name.c_str(),
                            nullptr};
    Connection conn(PQconnectdbParams(keys, values, 1));
    if (!conn.conn_) return Unavailable("PostgreSQL: out of memory creating a connection");
    if (PQstatus(conn.conn_.get()) != CONNECTION_OK) {
        return Unavailable("PostgreSQL connection failed: " + Trimmed(PQerrorMessage(conn.conn_.get())));
    }
    // Server NOTICEs ("relation already exists, skipping") would go to stderr as unstructured text; drop them.
    PQsetNoticeProcessor(
        conn.conn_.get(), [](void*, const char*) {}, nullptr);
    return conn;
}

Error Connection::ErrorFrom(const PGresult* result) const {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state ? state : "";
    // The primary message ("invalid input syntax for type bigint: \"x\"") without libpq's "ERROR:" framing.
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string message = Trimmed(primary ? primary : (result ? PQresultErrorMessage(result) : ""));
    if (message.empty()) message = Trimmed(PQerrorMessage(conn_.get()));
    bool broken = PQstatus(conn_.get()) != CONNECTION_OK;
    if (sqlstate.empty() && broken) sqlstate = "08006";
    if (auto plain = PlainMessage(sqlstate)) message = *plain;
    Error error = (broken || IsRetryableSqlState(sqlstate)) ? Unavailable(message) : Internal(message);
    error.code = sqlstate.empty() ? "XX000" : sqlstate;
    return error;
}

Result<Rows> Connection::Exec(std::string_view sql, const Params& params) { return ExecFormats(sql, params, {}, 0); }

Result<Rows> Connection::ExecFormats(std::string_view sql, const Params& params, const std::vector<int>& formats,
                                     int result_format) {
    std::string query(sql);
    std::vector<const char*> values;
    std::vector<int> lengths;
    values.reserve(params.size());
    lengths.reserve(params.size());
    for (const auto& p : params) {
        values.push_back(p ? p->c_str() : nullptr);
        lengths.push_back(p ? static_cast<int>(p->size()) : 0);
    }
    PGresult* raw = PQexecParams(conn_.get(), query.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                                 lengths.data(), formats.empty() ? nullptr : formats.data(), result_format);
    Rows rows(raw);
    ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ErrorFrom(raw);
    return rows;
}

Status Connection::Run(std::string_view sql) {
    std::string query(sql);
    PGresult* raw = PQexec(conn_.get(), query.c_str());
    Rows rows(raw);
    ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ErrorFrom(raw);
    return Ok();
}

Result<std::int64_t> Connection::CopyIn(std::string_view copy_sql, const CopySource& source) {
    std::string query(copy_sql);
    {
        PGresult* raw = PQexec(conn_.get(), query.c_str());
        Rows rows(raw);
        if (!raw || PQresultStatus(raw) != PGRES_COPY_IN) return ErrorFrom(raw);
    }
    std::string chunk;
    std::optional<Error> source_error;
    while (true) {
        chunk.clear();
        auto more = source(chunk);
        if (!more) {
            source_error = std::move(more).error();
            break;
        }
        if (!chunk.empty() && PQputCopyData(conn_.get(), chunk.data(), static_cast<int>(chunk.size())) != 1) break;
        if (!*more) break;
    }
    // Ending with an error message makes the server abort the COPY, so nothing of it is kept.
    PQputCopyEnd(conn_.get(), source_error ? source_error->message.c_str() : nullptr);
    std::int64_t copied = 0;
    std::optional<Error> server_error;
    while (PGresult* raw = PQgetResult(conn_.get())) {
        Rows rows(raw);
        if (PQresultStatus(raw) == PGRES_COMMAND_OK) {
            copied = rows.affected();
        } else if (!server_error) {
            server_error = ErrorFrom(raw);
        }
    }
    if (source_error) return std::move(*source_error);
    if (server_error) return std::move(*server_error);
    return copied;
}

bool Connection::healthy() const { return conn_ && PQstatus(conn_.get()) == CONNECTION_OK; }

bool Connection::IdleAndAlive() const {
    if (!healthy()) return false;
    pollfd p{PQsocket(conn_.get()), POLLIN, 0};
    // Readable while idle: a termination notice and/or end of file. Either way the session is over.
    return ::poll(&p, 1, 0) == 0;
}

bool Connection::in_transaction() const { return conn_ && PQtransactionStatus(conn_.get()) != PQTRANS_IDLE; }

Status InTransaction(Connection& conn, const std::function<Status()>& body, std::string_view begin_sql) {
    MT_TRY(conn.Run(begin_sql));
    Status status = body();
    if (!status) {
        (void)conn.Run("ROLLBACK");  // the original error is what matters; a failed rollback drops the conn
        return status;
    }
    Status commit = conn.Run("COMMIT");
    if (!commit) (void)conn.Run("ROLLBACK");
    return commit;
}

Result<std::string> WithOverrides(const std::string& base,
                                  const std::vector<std::pair<std::string, std::string>>& overrides) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(base.c_str(), &err);
    if (!opts) {
        std::string message = err ? Trimmed(err) : "invalid conninfo";
        if (err) PQfreemem(err);
        return Internal("Invalid PostgreSQL connection string: " + message);
    }
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> holder(opts, &PQconninfoFree);
    std::string out;
    auto append = [&out](std::string_view key, std::string_view value) {
        out.append(key).append("='");
        for (char c : value) {
            if (c == '\'' || c == '\\') out.push_back('\\');
            out.push_back(c);
        }
        out.append("' ");
    };
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
        bool overridden = false;
        for (const auto& [k, v] : overrides) overridden = overridden || k == o->keyword;
        if (!overridden && o->val && *o->val) append(o->keyword, o->val);
    }
    for (const auto& [k, v] : overrides) append(k, v);
    return out;
}

namespace {

/// The characters COPY's text format escapes, as a table: one load per byte in the scan.
constexpr std::array<bool, 256> CopySpecials() {
    std::array<bool, 256> t{};
    t[static_cast<unsigned char>('\\')] = t[static_cast<unsigned char>('\t')] = true;
    t[static_cast<unsigned char>('\n')] = t[static_cast<unsigned char>('\r')] = true;
    return t;
}
constexpr std::array<bool, 256> kCopySpecial = CopySpecials();

}  // namespace

void AppendCopyField(std::string& out, std::optional<std::string_view> value) {
    if (!value) {
        out.append("\\N");
        return;
    }
    // Runs without a character to escape (nearly every value) are appended in one piece.
    const char* p = value->data();
    const char* const end = p + value->size();
    while (true) {
        const char* q = p;
        while (q < end && !kCopySpecial[static_cast<unsigned char>(*q)]) ++q;
        out.append(p, q);
        if (q == end) return;
        const char c = *q;
        out.push_back('\\');
        out.push_back(c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
        p = q + 1;
    }
}

std::string QuoteLiteral(std::string_view value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'') out.push_back('\'');
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

}  // namespace mt::pg
