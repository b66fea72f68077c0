#pragma once
/// Route registration per resource, and the small helpers every handler shares.
/// Handlers are thin: parse → call the store → serialize.
#include <rapidjson/document.h>

#include "api.hpp"
#include "mt/core/json.hpp"
#include "mt/store/records.hpp"

namespace mt::gateway {

void RegisterProvisioningRoutes(Router& router, ApiServices& services);
void RegisterTableRoutes(Router& router, ApiServices& services);
void RegisterRowRoutes(Router& router, ApiServices& services);
void RegisterUploadRoutes(Router& router, ApiServices& services);

/// The body as a JSON object (400 BAD_REQUEST when it is not JSON or not an object; 413 over the limit).
Result<rapidjson::Document> ParseJsonObject(const HttpRequest& request, const ApiLimits& limits);

/// Integer query parameter in [min, ∞) with a default; values above `max` are clamped. 400 when malformed.
Result<int> QueryInt(const HttpRequest& request, std::string_view name, int default_value, int min, int max);

/// Parse `columns` of a create/update/confirm body; problems become details of one 422.
Result<std::vector<types::Column>> ParseColumns(const rapidjson::Value* columns);
/// A string member, or a detail in `details` when present with another type (absent → nullopt, no detail).
std::optional<std::string> StringMember(const rapidjson::Value& obj, std::string_view name,
                                        std::vector<FieldError>& details, bool required);

HttpResponse JsonResponse(int status, const rapidjson::StringBuffer& buffer);
void WriteTable(json::Writer& w, const store::TableRecord& table);

}  // namespace mt::gateway
