#pragma once
/// Waiting on conditions with deadlines (never fixed sleeps), and free TCP ports.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

namespace mt::testing {

using namespace std::chrono_literals;

/// Polls `predicate` (first at once, then every few milliseconds, backing off to 50 ms) until it returns true.
/// Throws std::runtime_error "timed out after <timeout> waiting for <what>" when `timeout` passes first.
void WaitUntil(const std::function<bool()>& predicate, std::chrono::milliseconds timeout, std::string_view what);

/// A TCP port on 127.0.0.1 that nobody listened on a moment ago (bound to port 0 and released). Another process
/// may take it before the caller binds it, so starters retry on a bind failure (Stack does).
std::uint16_t FreePort();

}  // namespace mt::testing
