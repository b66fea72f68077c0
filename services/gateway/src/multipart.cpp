#include "multipart.hpp"

#include "http_text.hpp"

namespace mt::gateway {
namespace {

/// Value of `key=` in a header's `; key=value` parameters, unquoting "…" with backslash escapes.
std::optional<std::string> HeaderParam(std::string_view header, std::string_view key) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        std::size_t semi = header.find(';', pos);
        if (semi == std::string_view::npos) return std::nullopt;
        std::size_t start = semi + 1;
        while (start < header.size() && header[start] == ' ') ++start;
        std::size_t eq = header.find('=', start);
        if (eq == std::string_view::npos) return std::nullopt;
        std::string name = AsciiLower(TrimSpaces(header.substr(start, eq - start)));
        std::size_t v = eq + 1;
        std::string value;
        if (v < header.size() && header[v] == '"') {
            ++v;
            while (v < header.size() && header[v] != '"') {
                if (header[v] == '\\' && v + 1 < header.size()) ++v;
                value.push_back(header[v++]);
            }
            pos = v + 1;
        } else {
            std::size_t end = header.find(';', v);
            value = TrimSpaces(header.substr(v, end == std::string_view::npos ? std::string_view::npos : end - v));
            pos = end == std::string_view::npos ? header.size() : end;
        }
        if (name == key) return value;
    }
    return std::nullopt;
}

Error Malformed(std::string_view why) { return BadRequest("Malformed multipart body: " + std::string(why)); }

Status ParsePartHeaders(std::string_view headers, FormPart& part) {
    bool disposition = false;
    while (!headers.empty()) {
        std::size_t eol = headers.find("\r\n");
        std::string_view line = headers.substr(0, eol);
        headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return Malformed("part header without ':'");
        std::string name = AsciiLower(TrimSpaces(line.substr(0, colon)));
        std::string_view value = TrimSpaces(line.substr(colon + 1));
        if (name == "content-disposition") {
            if (AsciiLower(value.substr(0, 9)) != "form-data") return Malformed("part is not form-data");
            disposition = true;
            part.name = HeaderParam(value, "name").value_or("");
            if (auto f = HeaderParam(value, "filename")) {
                part.filename = *f;
                part.has_filename = true;
            }
        } else if (name == "content-type") {
            part.content_type = value;
        }
    }
    if (!disposition) return Malformed("part without Content-Disposition");
    return Ok();
}

}  // namespace

Result<std::string> MultipartBoundary(std::string_view content_type) {
    if (AsciiLower(TrimSpaces(content_type.substr(0, content_type.find(';')))) != "multipart/form-data") {
        return BadRequest("Expected Content-Type multipart/form-data");
    }
    auto boundary = HeaderParam(content_type, "boundary");
    if (!boundary || boundary->empty() || boundary->size() > 200) return BadRequest("Multipart boundary missing");
    return *boundary;
}

Result<std::vector<FormPart>> ParseMultipart(std::string_view body, std::string_view boundary) {
    std::string delimiter = "--" + std::string(boundary);
    std::size_t pos = body.find(delimiter);
    if (pos == std::string_view::npos) return Malformed("no boundary found");
    std::vector<FormPart> parts;
    std::string next_delimiter = "\r\n" + delimiter;
    while (true) {
        pos += delimiter.size();
        if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
        if (body.substr(pos, 2) != "\r\n") return Malformed("truncated or invalid delimiter line");
        pos += 2;
        std::size_t header_end = body.find("\r\n\r\n", pos);
        FormPart part;
        if (header_end == std::string_view::npos) {
            // A part without headers ("\r\n" right away) is not form-data; anything else here is a cut-off body.
            return Malformed("truncated part headers");
        }
        MT_TRY(ParsePartHeaders(body.substr(pos, header_end - pos), part));
        std::size_t data_start = header_end + 4;
        std::size_t data_end = body.find(next_delimiter, data_start);
        if (data_end == std::string_view::npos) return Malformed("truncated body (closing boundary missing)");
        part.data = body.substr(data_start, data_end - data_start);
        parts.push_back(std::move(part));
        pos = data_end + 2;
    }
}

}  // namespace mt::gateway
