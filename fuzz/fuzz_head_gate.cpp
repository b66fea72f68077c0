// Fuzz target: the head gate that reads every request head the gateway serves (services/gateway/src/head_gate.hpp).
// Input: one byte choosing where the stream is cut in two, then the bytes a client sends (head and possibly part of
// the body), pushed in two pieces as two reads of a socket would deliver them.
#include <string_view>

#include "fuzz_check.hpp"
#include "head_gate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::size_t cut = input.empty() ? 0 : data[0] % (input.size() + 1);
    mt::gateway::HeadLimits limits;
    limits.max_request_line = 256;  // small bounds, so the fuzzer reaches the refusals as well
    limits.max_head = 1024;
    mt::gateway::HeadGate gate(limits);
    std::size_t taken = gate.Push(input.substr(0, cut));
    if (taken == cut) taken += gate.Push(input.substr(cut));
    MT_FUZZ_CHECK(taken <= input.size());
    // Linear: no byte is looked at twice, and no byte past the head is looked at.
    MT_FUZZ_CHECK(gate.examined() <= taken);
    switch (gate.state()) {
        case mt::gateway::HeadGate::State::kNeedMore:
            MT_FUZZ_CHECK(taken == input.size());
            MT_FUZZ_CHECK(taken <= limits.max_head);
            break;
        case mt::gateway::HeadGate::State::kError: {
            const int status = gate.error().status;
            MT_FUZZ_CHECK(status == 400 || status == 411 || status == 414 || status == 431);
            MT_FUZZ_CHECK(!gate.error().message.empty());
            break;
        }
        case mt::gateway::HeadGate::State::kDone: {
            const mt::gateway::RequestHead& head = gate.head();
            MT_FUZZ_CHECK(head.size == taken);
            MT_FUZZ_CHECK(head.size <= limits.max_head);
            MT_FUZZ_CHECK(input.substr(0, head.size).size() >= 4);
            MT_FUZZ_CHECK(input.substr(head.size - 4, 4) == "\r\n\r\n");
            // Empty lines before the request line are skipped (RFC 9112 §2.2) but count as head.
            std::size_t lead = 0;
            while (input.substr(lead, 2) == "\r\n") lead += 2;
            MT_FUZZ_CHECK(input.find("\r\n\r\n", lead) == head.size - 4);
            MT_FUZZ_CHECK(input.find("\r\n", lead) - lead <= limits.max_request_line);
            MT_FUZZ_CHECK(!head.method.empty() && !head.target.empty());
            int lengths = 0, authorizations = 0;
            for (const auto& [name, value] : head.fields) {
                MT_FUZZ_CHECK(!name.empty());
                for (const char c : name) MT_FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
                MT_FUZZ_CHECK(name != "transfer-encoding");
                lengths += name == "content-length";
                authorizations += name == "authorization";
            }
            MT_FUZZ_CHECK(lengths <= 1 && authorizations <= 1);
            if (lengths == 0) MT_FUZZ_CHECK(gate.content_length() == 0);
            break;
        }
    }
    // After a verdict the gate takes nothing more until Reset.
    if (gate.state() != mt::gateway::HeadGate::State::kNeedMore) MT_FUZZ_CHECK(gate.Push("GET / HTTP/1.1\r\n") == 0);
    return 0;
}
