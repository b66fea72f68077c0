#include "head_gate.hpp"

#include <charconv>

#include "http_text.hpp"

namespace mt::gateway {
namespace {

/// RFC 9110 tchar: what a method or a header field name may hold.
bool IsTokenChar(unsigned char c) {
    if (c >= '0' && c <= '9') return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!IsTokenChar(c)) return false;
    return true;
}

}  // namespace

void HeadGate::Reset() {
    state_ = State::kNeedMore;
    buffer_.clear();
    head_bytes_ = 0;
    have_request_line_ = false;
    head_ = RequestHead();
    error_ = HeadError();
    content_length_ = 0;
}

void HeadGate::Fail(int status, std::string code, std::string message) {
    state_ = State::kError;
    error_ = HeadError{status, std::move(code), std::move(message)};
    buffer_.clear();
}

std::size_t HeadGate::Push(std::string_view data) {
    std::size_t i = 0;
    while (i < data.size() && state_ == State::kNeedMore) {
        const char c = data[i++];
        ++examined_;
        ++head_bytes_;
        // Checked before the byte is used: the byte that ends the head must be within the bound as well.
        if (head_bytes_ > limits_.max_head) {
            Fail(431, "HEADERS_TOO_LARGE",
                 "Request head over the limit of " + std::to_string(limits_.max_head) + " bytes");
            break;
        }
        if (c == '\n') {
            if (buffer_.empty() || buffer_.back() != '\r') {
                Fail(400, "BAD_REQUEST", "Malformed HTTP request: a line ends in a bare LF");
                break;
            }
            buffer_.pop_back();
            if (buffer_.empty()) {
                if (have_request_line_) {
                    Finish();
                    break;
                }
                // An empty line before the request line is ignored (RFC 9112 §2.2); it still counts as head.
            } else if (!TakeLine(buffer_)) {
                break;
            }
            buffer_.clear();
        } else {
            if (!buffer_.empty() && buffer_.back() == '\r') {
                Fail(400, "BAD_REQUEST", "Malformed HTTP request: a bare CR inside a line");
                break;
            }
            buffer_.push_back(c);
        }
        // The bounds are checked as bytes arrive, not once the head is complete: a client cannot make the gateway
        // hold more than the limits whatever it sends. The trailing CR of the request line is not counted.
        if (!have_request_line_ && !buffer_.empty() &&
            buffer_.size() > limits_.max_request_line + (buffer_.back() == '\r' ? 1 : 0)) {
            Fail(414, "URI_TOO_LONG",
                 "Request line over the limit of " + std::to_string(limits_.max_request_line) + " bytes");
            break;
        }
    }
    if (state_ == State::kDone) head_.size = head_bytes_;
    return i;
}

bool HeadGate::TakeLine(std::string_view line) {
    if (!have_request_line_) {
        have_request_line_ = true;
        return TakeRequestLine(line);
    }
    return TakeField(line);
}

bool HeadGate::TakeRequestLine(std::string_view line) {
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
        Fail(400, "BAD_REQUEST", "Malformed HTTP request line");
        return false;
    }
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    bool target_ok = !target.empty() && target.front() == '/';
    for (unsigned char c : target) target_ok = target_ok && c > 32 && c != 127;
    if (!IsToken(method) || !target_ok || (version != "HTTP/1.1" && version != "HTTP/1.0")) {
        Fail(400, "BAD_REQUEST", "Malformed HTTP request line");
        return false;
    }
    head_.method = std::string(method);
    head_.target = std::string(target);
    head_.version = std::string(version);
    return true;
}

bool HeadGate::TakeField(std::string_view line) {
    if (line.front() == ' ' || line.front() == '\t') {
        Fail(400, "BAD_REQUEST", "Malformed HTTP request: folded header lines are not accepted");
        return false;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
        Fail(400, "BAD_REQUEST", "Malformed HTTP request: invalid header field name");
        return false;
    }
    std::string_view value = TrimSpaces(line.substr(colon + 1));
    for (unsigned char c : value) {
        if ((c < 32 && c != '\t') || c == 127) {
            Fail(400, "BAD_REQUEST", "Malformed HTTP request: control character in a header value");
            return false;
        }
    }
    head_.fields.emplace_back(AsciiLower(line.substr(0, colon)), std::string(value));
    return true;
}

/// The framing checks: only a head that every reader would split into the same requests is let through.
void HeadGate::Finish() {
    int lengths = 0;
    int encodings = 0;
    int authorizations = 0;
    int api_keys = 0;
    const std::string* length = nullptr;
    const std::string* encoding = nullptr;
    for (const auto& [name, value] : head_.fields) {
        if (name == "content-length") ++lengths, length = &value;
        if (name == "transfer-encoding") ++encodings, encoding = &value;
        if (name == "authorization") ++authorizations;
        if (name == "x-api-key") ++api_keys;
    }
    if (lengths > 1) return Fail(400, "BAD_REQUEST", "More than one Content-Length header");
    if (authorizations > 1) return Fail(400, "BAD_REQUEST", "More than one Authorization header");
    if (api_keys > 1) return Fail(400, "BAD_REQUEST", "More than one x-api-key header");
    if (encodings > 0 && lengths > 0) {
        return Fail(400, "BAD_REQUEST", "Content-Length together with Transfer-Encoding");
    }
    if (encodings > 0) {
        // Bodies must declare their length: chunked bodies are not read (a client can always send the length).
        if (encodings == 1 && AsciiLower(*encoding) == "chunked") {
            return Fail(411, "LENGTH_REQUIRED", "Chunked bodies are not accepted; send Content-Length");
        }
        return Fail(400, "BAD_REQUEST", "Unsupported Transfer-Encoding");
    }
    if (length) {
        const char* end = length->data() + length->size();
        auto [ptr, ec] = std::from_chars(length->data(), end, content_length_);
        bool digits_only = !length->empty() && length->size() <= 18;
        for (char c : *length) digits_only = digits_only && c >= '0' && c <= '9';
        if (!digits_only || ec != std::errc() || ptr != end) {
            return Fail(400, "BAD_REQUEST", "Content-Length is not a number of bytes");
        }
    }
    state_ = State::kDone;
}

}  // namespace mt::gateway
