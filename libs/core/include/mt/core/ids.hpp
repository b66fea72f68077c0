#pragma once
/// Identifier generation and checks. Thread-safe. Every random bit comes from the kernel CSPRNG (getrandom(2)):
/// ids are shown to clients and RandomHex makes secrets, so none may be predictable from others.
#include <cstdint>
#include <string>
#include <string_view>

namespace mt {

/// A new 24-hex-digit id (tables, jobs, connections): 4 bytes of seconds since the epoch, then 8 random bytes,
/// so ids sort roughly by creation time like the ObjectIds of the examples.
std::string NewObjectId();
/// A new random (version 4) UUID in canonical lowercase form.
std::string NewUuid();
/// A new time-ordered (version 7, RFC 9562) UUID: 48-bit Unix milliseconds, then a 12-bit counter that keeps ids
/// from one process strictly increasing within a millisecond, then random bits. Sorting by it is creation order.
std::string NewUuidV7();
/// A version 7 UUID for row `sequence` of a bulk load that started at `unix_ms`: the 74 bits after the timestamp
/// hold the sequence (high 34 bits) and random bits (low 40), so the ids of one load sort in file order whichever
/// process generates them, and loads never collide in practice.
std::string UuidV7At(std::uint64_t unix_ms, std::uint64_t sequence);

bool IsObjectId(std::string_view s);
bool IsUuid(std::string_view s);

/// `n` random bytes from the kernel CSPRNG as lowercase hex (for secrets and suffixes).
std::string RandomHex(std::size_t n_bytes);

}  // namespace mt
