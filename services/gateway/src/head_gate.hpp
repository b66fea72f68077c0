#pragma once
/// The head gate: the bytes of a request head in, the parsed head or the refusal out.
///
/// Bounded and linear: the request line may hold at most `max_request_line` bytes (414 above), the whole head
/// at most `max_head` bytes (431 above), and the gate refuses as soon as a bound is crossed, before the head is
/// complete. Each byte is examined once. When the head is complete its framing is checked (one numeric
/// Content-Length at most, no Transfer-Encoding, no obs-fold, CRLF line ends, token header names, at most one
/// Authorization, at most one x-api-key): a head that could be read two ways is refused (400) rather than guessed at.
/// Pure (no I/O); not thread-safe; one per connection, `Reset` between requests.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "body_spool.hpp"

namespace mt::gateway {

struct HeadLimits {
    std::size_t max_request_line = 8u << 10;  // bytes, CRLF excluded
    std::size_t max_head = 32u << 10;         // bytes of the whole head, blank line included
};

/// Why a head was refused: the HTTP status and the SPEC §5 error_code and message.
struct HeadError {
    int status = 400;
    std::string code = "BAD_REQUEST";
    std::string message;
};

class HeadGate {
public:
    enum class State { kNeedMore, kDone, kError };

    explicit HeadGate(HeadLimits limits = {}) : limits_(limits) {}

    /// Takes the bytes of `data` that belong to the head; returns how many it took (all of them unless the head
    /// ended inside `data`: the rest is the body or the next request). After kDone or kError it takes nothing.
    std::size_t Push(std::string_view data);
    [[nodiscard]] State state() const { return state_; }
    /// Whether any byte of a head has arrived (a request has started).
    [[nodiscard]] bool started() const { return head_bytes_ > 0; }
    /// The head, once state() is kDone.
    [[nodiscard]] const RequestHead& head() const { return head_; }
    /// The refusal, once state() is kError.
    [[nodiscard]] const HeadError& error() const { return error_; }
    /// The declared body length (0 without Content-Length), once state() is kDone.
    [[nodiscard]] std::size_t content_length() const { return content_length_; }
    /// Bytes examined so far over the gate's life (proves linear parsing in tests).
    [[nodiscard]] std::size_t examined() const { return examined_; }
    /// Ready for the next request of the connection.
    void Reset();

private:
    void Fail(int status, std::string code, std::string message);
    /// One line without its CRLF; false when the gate failed on it.
    bool TakeLine(std::string_view line);
    bool TakeRequestLine(std::string_view line);
    bool TakeField(std::string_view line);
    void Finish();

    HeadLimits limits_;
    State state_ = State::kNeedMore;
    std::string buffer_;          // the bytes of the current line (at most the limits)
    std::size_t head_bytes_ = 0;  // bytes of the head taken so far
    bool have_request_line_ = false;
    RequestHead head_;
    HeadError error_;
    std::size_t content_length_ = 0;
    std::size_t examined_ = 0;
};

}  // namespace mt::gateway
