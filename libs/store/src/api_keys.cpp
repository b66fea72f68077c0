// API keys in the control database (api_keys.hpp).
#include "mt/store/api_keys.hpp"

#include "mt/core/ids.hpp"

namespace mt::store {
namespace {

constexpr const char* kIso = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";

std::string KeyColumns() {
    return std::string("id, company_id, name, prefix, array_to_string(permissions, ','), created_by, ") +
           "to_char(created_at AT TIME ZONE 'UTC', " + kIso + "), to_char(expires_at AT TIME ZONE 'UTC', " + kIso + ")";
}

/// Permission names joined by ',' (they hold no commas) → the list.
std::vector<std::string> SplitNames(std::string_view joined) {
    std::vector<std::string> out;
    while (!joined.empty()) {
        const std::size_t comma = joined.find(',');
        out.emplace_back(joined.substr(0, comma));
        if (comma == std::string_view::npos) break;
        joined.remove_prefix(comma + 1);
    }
    return out;
}

std::string JoinNames(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
}

ApiKeyRecord FromRow(const pg::Rows& rows, int r) {
    ApiKeyRecord k;
    k.id = rows.Get(r, 0);
    k.company_id = rows.Get(r, 1);
    k.name = rows.Get(r, 2);
    k.prefix = rows.Get(r, 3);
    k.permissions = SplitNames(rows.Get(r, 4));
    k.created_by = rows.Get(r, 5);
    k.created_at = rows.Get(r, 6);
    k.expires_at = rows.GetOptional(r, 7);
    return k;
}

}  // namespace

Error ApiKeyNotFound() { return NotFound("API_KEY_NOT_FOUND", "API key not found"); }

Result<ApiKeyRecord> CreateApiKey(pg::Connection& control, const NewApiKey& key) {
    if (key.expires_at) {
        MT_ASSIGN_OR_RETURN(auto future, control.Exec("SELECT $1::timestamptz > now()", {*key.expires_at}));
        if (future.Get(0, 0) != "t") {
            return Validation("Invalid API key", {{"expires_at", "must be in the future"}});
        }
    }
    // Orders concurrent creators of one company, so the count below cannot be passed by two at once.
    MT_TRY(control.Exec("SELECT pg_advisory_xact_lock(7301007, hashtext($1))", {key.company_id}));
    MT_ASSIGN_OR_RETURN(auto count,
                        control.Exec("SELECT count(*) FROM mt_api_keys WHERE company_id = $1 AND revoked_at IS NULL",
                                     {key.company_id}));
    if (std::stoll(std::string(count.Get(0, 0))) >= kMaxApiKeysPerCompany) {
        return BadRequest(
            "A company holds at most " + std::to_string(kMaxApiKeysPerCompany) + " active API keys; revoke one first",
            "API_KEY_LIMIT");
    }
    MT_ASSIGN_OR_RETURN(
        auto rows,
        control.Exec("INSERT INTO mt_api_keys (id, company_id, name, prefix, secret_hash, permissions, created_by, "
                     "expires_at) VALUES ($1, $2, $3, $4, $5, string_to_array($6, ','), $7, $8::timestamptz) "
                     "RETURNING " +
                         KeyColumns(),
                     {NewObjectId(), key.company_id, key.name, key.prefix, key.secret_hash, JoinNames(key.permissions),
                      key.created_by, key.expires_at}));
    return FromRow(rows, 0);
}

Result<std::vector<ApiKeyRecord>> ListApiKeys(pg::Connection& control, const std::string& company_id) {
    MT_ASSIGN_OR_RETURN(auto rows, control.Exec("SELECT " + KeyColumns() +
                                                    " FROM mt_api_keys WHERE company_id = $1 AND revoked_at IS NULL "
                                                    "ORDER BY created_at DESC, id DESC LIMIT $2",
                                                {company_id, std::to_string(kMaxApiKeysPerCompany)}));
    std::vector<ApiKeyRecord> out;
    for (int r = 0; r < rows.size(); ++r) out.push_back(FromRow(rows, r));
    return out;
}

Status RevokeApiKey(pg::Connection& control, const std::string& company_id, const std::string& id) {
    if (!IsObjectId(id)) return ApiKeyNotFound();
    MT_ASSIGN_OR_RETURN(auto rows, control.Exec("UPDATE mt_api_keys SET revoked_at = now() WHERE id = $1 AND "
                                                "company_id = $2 AND revoked_at IS NULL RETURNING id",
                                                {id, company_id}));
    if (rows.empty()) return ApiKeyNotFound();
    return Ok();
}

Result<std::optional<StoredApiKey>> FindApiKeyByPrefix(pg::Connection& control, const std::string& prefix) {
    MT_ASSIGN_OR_RETURN(auto rows, control.Exec("SELECT id, company_id, secret_hash, array_to_string(permissions, "
                                                "','), created_by, floor(extract(epoch FROM expires_at))::bigint, "
                                                "revoked_at IS NOT NULL FROM mt_api_keys WHERE prefix = $1",
                                                {prefix}));
    if (rows.empty()) return std::optional<StoredApiKey>();
    StoredApiKey k;
    k.id = rows.Get(0, 0);
    k.company_id = rows.Get(0, 1);
    k.secret_hash = rows.Get(0, 2);
    k.permissions = SplitNames(rows.Get(0, 3));
    k.created_by = rows.Get(0, 4);
    if (!rows.IsNull(0, 5)) k.expires_at_unix = std::stoll(std::string(rows.Get(0, 5)));
    k.revoked = rows.Get(0, 6) == "t";
    return std::optional<StoredApiKey>(std::move(k));
}

}  // namespace mt::store
