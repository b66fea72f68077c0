// Fuzz target: the request-head parser that decides, from the first bytes of a connection, whether the
// gateway spools a request body to a file (services/gateway/src/body_spool.hpp: ParseRequestHead,
// SpooledBodyLength). Input: the bytes a client sends, head and possibly part of the body.
#include <string_view>

#include "body_spool.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto head = mt::gateway::ParseRequestHead(input);
    if (!head) return 0;
    // The head ends at the first blank line, which it includes.
    MT_FUZZ_CHECK(head->size >= 4 && head->size <= input.size());
    MT_FUZZ_CHECK(input.substr(head->size - 4, 4) == "\r\n\r\n");
    MT_FUZZ_CHECK(input.find("\r\n\r\n") == head->size - 4);
    MT_FUZZ_CHECK(!head->target.empty() && head->target.front() == '/');
    for (const auto& [name, value] : head->fields) {
        MT_FUZZ_CHECK(!name.empty());
        MT_FUZZ_CHECK(head->Find(name) != nullptr);
        for (const char c : name) MT_FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
    }
    if (auto length = mt::gateway::SpooledBodyLength(*head)) {
        MT_FUZZ_CHECK(head->method == "POST");
        MT_FUZZ_CHECK(head->Find("content-length") != nullptr);
        MT_FUZZ_CHECK(head->Find("transfer-encoding") == nullptr);
    }
    return 0;
}
