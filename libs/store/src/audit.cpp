// The audit log (SPEC §9): appending events in a change's transaction, listing both places of a company's
// events newest first with a keyset cursor, and the retention purge.
#include "mt/store/audit.hpp"

#include <algorithm>
#include <cctype>

#include "base64url.hpp"
#include "mt/core/ids.hpp"
#include "mt/core/json.hpp"
#include "mt/core/log.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/types/value.hpp"

namespace mt::store {
namespace {

constexpr const char* kInsertColumns = "(id, action, actor, resource_type, resource_id, request_id, details";
constexpr const char* kSelectColumns =
    "id, action, actor, resource_type, resource_id, request_id, "
    "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), details::text, "
    "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
constexpr std::size_t kMaxResourceIdBytes = 200;

Error BadParameter(std::string_view name, std::string_view why) {
    return BadRequest("Invalid query parameter " + std::string(name) + ": " + std::string(why));
}

/// `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), the cursor's instant: exact to the microsecond PostgreSQL keeps.
bool IsCursorInstant(std::string_view s) {
    static constexpr std::string_view kShape = "dddd-dd-dd dd:dd:dd.dddddd";
    if (s.size() != kShape.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (kShape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != kShape[i]) return false;
    }
    return true;
}

std::string EncodeAuditCursor(const std::string& instant, const std::string& id) {
    return Base64UrlEncode("a1|" + instant + "|" + id);
}

struct CursorKey {
    std::string instant, id;
};

std::optional<CursorKey> DecodeAuditCursor(std::string_view cursor) {
    if (cursor.empty() || cursor.size() > 200) return std::nullopt;
    auto text = Base64UrlDecode(cursor);
    if (!text || text->rfind("a1|", 0) != 0) return std::nullopt;
    std::string_view rest = std::string_view(*text).substr(3);
    auto bar = rest.find('|');
    if (bar == std::string_view::npos) return std::nullopt;
    CursorKey key{std::string(rest.substr(0, bar)), std::string(rest.substr(bar + 1))};
    if (!IsCursorInstant(key.instant) || !IsObjectId(key.id)) return std::nullopt;
    return key;
}

/// An ISO 8601 instant as the type library reads a datetime value (one parser of dates in the codebase).
Result<std::string> ParseInstant(std::string_view name, const std::string& text) {
    rapidjson::Value v(rapidjson::StringRef(text.data(), text.size()));
    auto parsed = types::FromJson(types::ColumnType::kDatetime, v);
    if (!parsed || !*parsed) return BadParameter(name, "must be an ISO 8601 date and time, e.g. 2026-01-15T10:30:00Z");
    return **parsed;
}

struct Row {
    AuditRecord record;
    std::string instant;  // microseconds, for the order and the cursor
};

/// One page (limit + 1 rows) of one place: `table` with the company filter `company_sql` (empty in a company
/// database, whose events are all the company's).
Result<std::vector<Row>> ReadPlace(pg::Connection& conn, const std::string& table, const std::string& company_id,
                                   const AuditQuery& q, const std::optional<CursorKey>& after) {
    pg::Params params;
    std::string where = "TRUE";
    auto add = [&](const std::string& sql_with_placeholder, std::string value) {
        params.emplace_back(std::move(value));
        std::string sql = sql_with_placeholder;
        sql.replace(sql.find('?'), 1, "$" + std::to_string(params.size()));
        where += " AND " + sql;
    };
    if (!company_id.empty()) add("company_id = ?", company_id);
    if (q.action) add("action = ?", *q.action);
    if (q.resource_id) add("resource_id = ?", *q.resource_id);
    if (q.from) add("at >= ?::timestamptz", *q.from);
    if (q.to) add("at <= ?::timestamptz", *q.to);
    if (after) {
        params.emplace_back(after->instant);
        std::string at = "($" + std::to_string(params.size()) + "::timestamp AT TIME ZONE 'UTC')";
        params.emplace_back(after->id);
        std::string id = "$" + std::to_string(params.size());
        where += " AND (at < " + at + " OR (at = " + at + " AND id < " + id + "))";
    }
    MT_ASSIGN_OR_RETURN(auto rows,
                        conn.Exec(std::string("SELECT ") + kSelectColumns + " FROM " + table + " WHERE " + where +
                                      " ORDER BY at DESC, id DESC LIMIT " + std::to_string(q.limit + 1),
                                  params));
    std::vector<Row> out;
    for (int r = 0; r < rows.size(); ++r) {
        Row row;
        row.record = {std::string(rows.Get(r, 0)), std::string(rows.Get(r, 1)), std::string(rows.Get(r, 2)),
                      std::string(rows.Get(r, 3)), std::string(rows.Get(r, 4)), std::string(rows.Get(r, 5)),
                      std::string(rows.Get(r, 6)), std::string(rows.Get(r, 7))};
        row.instant = std::string(rows.Get(r, 8));
        out.push_back(std::move(row));
    }
    return out;
}

Status Append(pg::Connection& tx, const std::string& table, bool with_company, const AuditEvent& e) {
    if (!IsAuditAction(e.action)) return Internal("unknown audit action " + e.action);
    pg::Params params{NewObjectId(), e.action, e.actor, e.resource_type, e.resource_id, e.request_id, e.details};
    std::string sql = "INSERT INTO " + table + " " + kInsertColumns;
    if (with_company) {
        sql += ", company_id) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)";
        params.emplace_back(e.company_id);
    } else {
        sql += ") VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)";
    }
    MT_TRY(tx.Exec(sql, params));
    return Ok();
}

}  // namespace

bool IsAuditAction(std::string_view action) {
    return std::find(std::begin(kAuditActions), std::end(kAuditActions), action) != std::end(kAuditActions);
}

Status AppendAuditEvent(pg::Connection& control_tx, const AuditEvent& event) {
    return Append(control_tx, "mt_audit_log", true, event);
}

Status AppendCompanyAuditEvent(pg::Connection& company_tx, const AuditEvent& event) {
    return Append(company_tx, "mt_internal.audit_log", false, event);
}

std::string AuditJsonString(std::string_view text) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    if (text.size() <= kMaxAuditJsonBytes) {
        json::WriteString(w, text);
    } else {
        std::size_t cut = kMaxAuditJsonBytes;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
        json::WriteString(w, text.substr(0, cut));
    }
    return std::string(sb.GetString(), sb.GetSize());
}

std::string AuditDetails(const std::vector<std::pair<std::string, std::string>>& members) {
    std::string out = "{";
    for (const auto& [key, value] : members) {
        if (out.size() > 1) out += ",";
        rapidjson::StringBuffer sb;
        json::Writer w(sb);
        json::WriteString(w, key);
        out += std::string(sb.GetString(), sb.GetSize()) + ":" + value;
    }
    return out + "}";
}

Result<AuditQuery> ParseAuditQuery(std::optional<std::string> action, std::optional<std::string> resource_id,
                                   std::optional<std::string> from, std::optional<std::string> to,
                                   std::optional<std::string> cursor, std::optional<std::string> limit) {
    AuditQuery q;
    if (action) {
        if (!IsAuditAction(*action)) return BadParameter("action", "unknown action " + Quoted(*action));
        q.action = std::move(action);
    }
    if (resource_id) {
        if (resource_id->empty() || resource_id->size() > kMaxResourceIdBytes)
            return BadParameter("resource_id", "1 to 200 bytes");
        q.resource_id = std::move(resource_id);
    }
    if (from) {
        MT_ASSIGN_OR_RETURN(q.from, ParseInstant("from", *from));
    }
    if (to) {
        MT_ASSIGN_OR_RETURN(q.to, ParseInstant("to", *to));
    }
    if (cursor) {
        if (!DecodeAuditCursor(*cursor)) return BadParameter("cursor", "not a cursor of this list");
        q.cursor = std::move(cursor);
    }
    if (limit) {
        const std::string& t = *limit;
        if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos || std::stoi(t) < 1)
            return BadParameter("limit", "must be a positive integer");
        q.limit = std::min(std::stoi(t), kMaxAuditLimit);
    }
    return q;
}

Result<AuditPage> ListAuditEvents(Databases& dbs, const std::string& company_id, const AuditQuery& query) {
    std::optional<CursorKey> after;
    if (query.cursor) after = DecodeAuditCursor(*query.cursor);
    std::vector<Row> rows;
    {
        MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
        MT_ASSIGN_OR_RETURN(rows, ReadPlace(*control, "mt_audit_log", company_id, query, after));
    }
    // Only row writes by filter record their events in the company database: an action of another kind skips it.
    const bool company_side =
        !query.action || *query.action == "rows.updated_by_filter" || *query.action == "rows.deleted_by_filter";
    MT_ASSIGN_OR_RETURN(auto connection, FindConnection(dbs, company_id));
    if (company_side && connection && connection->status == "ready") {
        MT_ASSIGN_OR_RETURN(auto company, dbs.Company(*connection));
        MT_ASSIGN_OR_RETURN(auto more, ReadPlace(*company, "mt_internal.audit_log", "", query, after));
        for (auto& r : more) rows.push_back(std::move(r));
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        return a.instant != b.instant ? a.instant > b.instant : a.record.id > b.record.id;
    });
    AuditPage page;
    const auto limit = static_cast<std::size_t>(query.limit);
    for (std::size_t i = 0; i < rows.size() && i < limit; ++i) page.records.push_back(rows[i].record);
    if (rows.size() > limit) page.next_cursor = EncodeAuditCursor(rows[limit - 1].instant, rows[limit - 1].record.id);
    return page;
}

Result<std::int64_t> PurgeAuditEvents(Databases& dbs, std::chrono::hours retention, int batch, int max_batches) {
    const std::string hours = std::to_string(retention.count());
    const std::string size = std::to_string(batch);
    auto purge = [&](pg::Connection& conn, const std::string& table) -> Result<std::int64_t> {
        std::int64_t deleted = 0;
        for (int b = 0; b < max_batches; ++b) {
            MT_ASSIGN_OR_RETURN(auto rows,
                                conn.Exec("DELETE FROM " + table + " WHERE id IN (SELECT id FROM " + table +
                                              " WHERE at < now() - make_interval(hours => $1::int) LIMIT $2::int)",
                                          {hours, size}));
            deleted += rows.affected();
            if (rows.affected() < batch) break;
        }
        return deleted;
    };
    std::int64_t deleted = 0;
    std::vector<ConnectionRecord> companies;
    {
        MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
        MT_ASSIGN_OR_RETURN(auto n, purge(*control, "mt_audit_log"));
        deleted += n;
        MT_ASSIGN_OR_RETURN(auto rows, control->Exec("SELECT id, company_id, database_name, role_name FROM "
                                                     "mt_connections WHERE status = 'ready' ORDER BY company_id"));
        for (int r = 0; r < rows.size(); ++r) {
            companies.push_back({std::string(rows.Get(r, 0)), std::string(rows.Get(r, 1)), std::string(rows.Get(r, 2)),
                                 std::string(rows.Get(r, 3)), "ready"});
        }
    }
    for (const auto& c : companies) {
        auto n = [&]() -> Result<std::int64_t> {
            MT_ASSIGN_OR_RETURN(auto company, dbs.Company(c));
            return purge(*company, "mt_internal.audit_log");
        }();
        if (!n) {
            log::Warn("audit purge of a company database left for the next pass",
                      {{"company_id", c.company_id}, {"error", n.error().message}});
            continue;
        }
        deleted += *n;
    }
    return deleted;
}

}  // namespace mt::store
