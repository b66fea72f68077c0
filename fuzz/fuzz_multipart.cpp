// Fuzz target: the gateway's multipart/form-data parser (services/gateway/src/multipart.hpp).
//
// Input: the Content-Type header value on the first line, then the body, as the gateway receives them:
//   multipart/form-data; boundary=XyZ\n--XyZ\r\nContent-Disposition: form-data; name="files"; ...
// The body is parsed in place, as the gateway parses its memory-mapped upload, so a read past its end is caught.
#include <string_view>

#include "fuzz_check.hpp"
#include "multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t eol = input.find('\n');
    const std::string_view content_type = input.substr(0, eol);
    const std::string_view body = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);

    auto boundary = mt::gateway::MultipartBoundary(content_type);
    if (!boundary) return 0;
    MT_FUZZ_CHECK(!boundary->empty() && boundary->size() <= 200);
    auto parts = mt::gateway::ParseMultipart(body, *boundary);
    if (!parts) return 0;
    const char* previous_end = body.data();
    for (const mt::gateway::FormPart& part : *parts) {
        // Each part's data is a view into the body, after the previous part's, never overlapping a delimiter.
        MT_FUZZ_CHECK(part.data.data() >= previous_end);
        MT_FUZZ_CHECK(part.data.data() + part.data.size() <= body.data() + body.size());
        MT_FUZZ_CHECK(part.has_filename || part.filename.empty());
        previous_end = part.data.data() + part.data.size();
    }
    return 0;
}
