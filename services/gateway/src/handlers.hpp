#pragma once
/// Route registration per resource, and the small helpers every handler shares.
/// Handlers are thin: parse → call the store → serialize.
#include <rapidjson/document.h>

#include "api.hpp"
#include "mt/core/json.hpp"
#include "mt/store/audit.hpp"
#include "mt/store/records.hpp"
#include "mt/store/tables.hpp"

namespace mt::gateway {

void RegisterProvisioningRoutes(Router& router, ApiServices& services);
void RegisterTableRoutes(Router& router, ApiServices& services);
void RegisterRowRoutes(Router& router, ApiServices& services);
void RegisterUploadRoutes(Router& router, ApiServices& services);
void RegisterAuditRoutes(Router& router, ApiServices& services);
void RegisterApiKeyRoutes(Router& router, ApiServices& services);

/// The caller and request as the audit log records them (SPEC §9).
store::AuditContext Who(const RequestContext& ctx);

/// The body as a JSON object (400 BAD_REQUEST when it is not JSON or not an object; 413 over the limit).
Result<rapidjson::Document> ParseJsonObject(const HttpRequest& request, const ApiLimits& limits);

/// Integer query parameter in [min, ∞) with a default; values above `max` are clamped. 400 when malformed.
Result<int> QueryInt(const HttpRequest& request, std::string_view name, int default_value, int min, int max);

/// Parse `columns` of a create/update/confirm body; problems become details of one 422.
Result<std::vector<types::Column>> ParseColumns(const rapidjson::Value* columns);
/// Parse `indexes` of a create/update body ([{name, columns, unique}], unique defaulting to false); structural
/// problems become details of one 422 (store::ValidateIndexes checks names and columns against the table).
Result<std::vector<store::IndexSpec>> ParseIndexes(const rapidjson::Value& indexes);
/// A string member, or a detail in `details` when present with another type (absent → nullopt, no detail).
std::optional<std::string> StringMember(const rapidjson::Value& obj, std::string_view name,
                                        std::vector<FieldError>& details, bool required);

/// `description` of a create/update body: absent → nullopt; null → none; a string of at most
/// store::kMaxDescriptionChars characters; anything else a detail.
std::optional<std::optional<std::string>> DescriptionMember(const rapidjson::Value& body,
                                                            std::vector<FieldError>& details);
/// `metadata` of a create/update body: absent → nullopt; a JSON object of at most store::kMaxMetadataBytes (its
/// compact serialization) → that text; anything else (an array, null, a string …) a detail.
std::optional<std::string> MetadataMember(const rapidjson::Value& body, std::vector<FieldError>& details);

HttpResponse JsonResponse(int status, const rapidjson::StringBuffer& buffer);

/// Most entity-tags one If-Match may list.
inline constexpr std::size_t kMaxIfMatchTags = 16;
/// The request's If-Match as a store::VersionCondition, for every write to a table (pass it to the store
/// function, which checks it in the write's transaction: store::CheckVersion). Absent or `*`: any version.
/// A list of entity-tags matches when the table's version is one of its strong tags `"<n>"`; weak tags (`W/"n"`)
/// never match (If-Match compares strongly, RFC 9110 §13.1.1), nor do tags that are not a version: both end in
/// 412 when nothing else in the list matches. Malformed syntax (`5` unquoted, an unterminated quote, `*` in a
/// list, an empty value, more than kMaxIfMatchTags tags) → 400 BAD_REQUEST.
Result<store::VersionCondition> ParseIfMatch(const HttpRequest& request);
/// `"<version>"`: the ETag of a table at that version.
std::string ETagOf(std::int64_t version);
void WriteTable(json::Writer& w, const store::TableRecord& table);

}  // namespace mt::gateway
