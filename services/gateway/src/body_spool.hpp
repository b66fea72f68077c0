#pragma once
/// Streaming intake of upload bodies.
///
/// Pistache keeps a whole request body in memory, several copies of it at peak while parsing. An upload instead
/// goes to an anonymous file in the gateway's scratch directory as its bytes arrive, and the handler reads it
/// through a read-only memory map: gateway memory stays flat whatever the upload size, and the kernel drops the
/// file when the request is done. The front door (pistache_handler.cpp, body_intake.hpp) decides per request,
/// from its head, which way the body goes; other bodies are kept in memory.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mt/core/result.hpp"

namespace mt::gateway {

/// The request line and header fields of a request.
struct RequestHead {
    std::string method;                                       // "POST"
    std::string target;                                       // "/api/v1/managed-tables/upload?x=1"
    std::string version;                                      // "HTTP/1.1"
    std::vector<std::pair<std::string, std::string>> fields;  // names lowercased, values trimmed
    std::size_t size = 0;                                     // bytes of the head, the blank line included

    /// The value of a field by lowercase name, nullptr when absent.
    [[nodiscard]] const std::string* Find(std::string_view name) const;
};

/// The body length of a head whose body is spooled: a POST to an upload route (path ending in "/upload") with a
/// multipart body of a declared Content-Length and no Transfer-Encoding. nullopt for every other request.
std::optional<std::size_t> SpooledBodyLength(const RequestHead& head);

/// An anonymous file receiving one body, then mapped read-only. Not thread-safe; one per request.
class BodySpool {
public:
    /// Fails (kUnavailable) when no file can be created in `dir`.
    static Result<std::unique_ptr<BodySpool>> Create(const std::string& dir, std::size_t expected);
    ~BodySpool();
    BodySpool(const BodySpool&) = delete;
    BodySpool& operator=(const BodySpool&) = delete;

    /// Writes the bytes of `data` that the body still expects; returns how many it took.
    Result<std::size_t> Append(std::string_view data);
    [[nodiscard]] bool complete() const { return received_ == expected_; }
    /// The whole body (once complete); valid while the spool lives.
    Result<std::string_view> Map();

private:
    BodySpool(int fd, std::size_t expected) : fd_(fd), expected_(expected) {}
    int fd_ = -1;
    std::size_t expected_ = 0;
    std::size_t received_ = 0;
    void* map_ = nullptr;
};

/// Fails (kInternal, naming the directory) unless an anonymous file can be created in `dir`: checked at start-up.
Status CheckSpoolDirectory(const std::string& dir);

}  // namespace mt::gateway
