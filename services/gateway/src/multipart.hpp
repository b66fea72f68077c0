#pragma once
/// A multipart/form-data parser (RFC 7578) over a fully buffered body. Parts are views into the body: no copies.
#include <string>
#include <string_view>
#include <vector>

#include "mt/core/result.hpp"

namespace mt::gateway {

struct FormPart {
    std::string name;      // form field name
    std::string filename;  // empty for plain fields
    bool has_filename = false;
    std::string content_type;  // of the part, if given
    std::string_view data;
};

/// The boundary of a `multipart/form-data; boundary=…` content type; 400 BAD_REQUEST otherwise.
Result<std::string> MultipartBoundary(std::string_view content_type);
/// Every part, in order. A body that ends before its closing delimiter (truncated upload) or has malformed part
/// headers is a 400 BAD_REQUEST.
Result<std::vector<FormPart>> ParseMultipart(std::string_view body, std::string_view boundary);

}  // namespace mt::gateway
