#pragma once
/// Plain TCP to a local server, for tests that need what an HTTP client library will not do: send half a
/// request and wait, or hang up in the middle of a body.
#include <chrono>
#include <string>
#include <string_view>

namespace mt::testing {

/// A connected socket to 127.0.0.1:`port` (receives time out after `receive_timeout`), or -1 with errno set.
int ConnectLoopback(int port, std::chrono::seconds receive_timeout = std::chrono::seconds(30));
/// Sends all of `data`; throws std::runtime_error when the connection fails.
void SendAll(int fd, std::string_view data);
/// Everything the server sends until it closes the connection or the receive timeout passes.
std::string ReceiveAll(int fd);
/// The port of a base URL such as "http://127.0.0.1:3100".
int PortOf(const std::string& base_url);

}  // namespace mt::testing
