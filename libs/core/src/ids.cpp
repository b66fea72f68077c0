#include "mt/core/ids.hpp"

#include <pthread.h>
#include <sys/random.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace mt {
namespace {

// Every id and secret comes from the kernel's CSPRNG (getrandom(2)). Small requests (ids, one per row in bulk
// loads) are served from a per-thread buffer so that they cost no system call each; a fork invalidates every
// buffer (the child would otherwise repeat the parent's bytes).
std::atomic<std::uint64_t> fork_generation{0};

void OnFork() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

void KernelRandom(std::uint8_t* out, std::size_t n) {
    while (n > 0) {
        ssize_t got = ::getrandom(out, n, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            // No entropy source at all: nothing safe to hand out ids or passwords from.
            std::fprintf(stderr, "getrandom failed: %s\n", std::strerror(errno));
            std::abort();
        }
        out += got;
        n -= static_cast<std::size_t>(got);
    }
}

struct RandomBuffer {
    static constexpr std::size_t kSize = 512;
    std::array<std::uint8_t, kSize> bytes{};
    std::size_t used = kSize;
    std::uint64_t generation = 0;
};

void FillRandom(std::uint8_t* out, std::size_t n) {
    static const int registered = ::pthread_atfork(nullptr, nullptr, &OnFork);
    (void)registered;
    if (n >= 64) {  // secrets and large requests: straight from the kernel, never kept in a buffer
        KernelRandom(out, n);
        return;
    }
    thread_local RandomBuffer buffer;
    std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
    if (buffer.generation != generation) {
        buffer.used = RandomBuffer::kSize;
        buffer.generation = generation;
    }
    while (n > 0) {
        if (buffer.used == RandomBuffer::kSize) {
            KernelRandom(buffer.bytes.data(), RandomBuffer::kSize);
            buffer.used = 0;
        }
        std::size_t take = std::min(n, RandomBuffer::kSize - buffer.used);
        std::memcpy(out, buffer.bytes.data() + buffer.used, take);
        std::memset(buffer.bytes.data() + buffer.used, 0, take);  // handed-out bytes do not linger
        buffer.used += take;
        out += take;
        n -= take;
    }
}

std::uint64_t Random64() {
    std::uint8_t b[8];
    FillRandom(b, sizeof b);
    std::uint64_t r = 0;
    for (std::uint8_t x : b) r = (r << 8) | x;
    return r;
}

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(std::string& out, std::uint8_t byte) {
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0xF]);
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

std::string RandomHex(std::size_t n_bytes) {
    std::vector<std::uint8_t> bytes(n_bytes);
    FillRandom(bytes.data(), bytes.size());
    std::string out;
    out.reserve(n_bytes * 2);
    for (std::uint8_t b : bytes) AppendHex(out, b);
    std::fill(bytes.begin(), bytes.end(), std::uint8_t{0});
    return out;
}

std::string NewObjectId() {
    auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::string out;
    out.reserve(24);
    for (int shift = 24; shift >= 0; shift -= 8) AppendHex(out, static_cast<std::uint8_t>((seconds >> shift) & 0xFF));
    out += RandomHex(8);
    return out;
}

std::string NewUuid() {
    std::array<std::uint8_t, 16> b{};
    FillRandom(b.data(), b.size());
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        AppendHex(out, b[i]);
    }
    return out;
}

namespace {

std::string FormatUuid(const std::array<std::uint8_t, 16>& b) {
    std::string out(36, '-');  // one allocation-free fill: bulk loads format one per row
    std::size_t o = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) ++o;
        out[o++] = kHex[b[i] >> 4];
        out[o++] = kHex[b[i] & 0xF];
    }
    return out;
}

}  // namespace

std::string NewUuidV7() {
    static std::mutex mu;
    static std::uint64_t last_ms = 0;
    static std::uint32_t counter = 0;
    auto now_ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    std::uint64_t ms;
    std::uint32_t seq;
    {
        std::lock_guard lock(mu);
        if (now_ms > last_ms) {
            last_ms = now_ms;
            counter = 0;
        } else if (++counter > 0xFFF) {  // counter exhausted: borrow the next millisecond (RFC 9562 §6.2)
            ++last_ms;
            counter = 0;
        }
        ms = last_ms;
        seq = counter;
    }
    std::array<std::uint8_t, 16> b{};
    std::uint64_t r = Random64();
    for (int i = 0; i < 6; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
    b[6] = static_cast<std::uint8_t>(0x70 | ((seq >> 8) & 0x0F));
    b[7] = static_cast<std::uint8_t>(seq & 0xFF);
    for (int i = 8; i < 16; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(r >> (8 * (i - 8)));
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
    return FormatUuid(b);
}

std::string UuidV7At(std::uint64_t unix_ms, std::uint64_t sequence) {
    std::array<std::uint8_t, 16> b{};
    std::uint64_t r = Random64();
    for (int i = 0; i < 6; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(unix_ms >> (40 - 8 * i));
    // 12 bits rand_a + 62 bits rand_b = 74 bits: sequence in the top 34, randomness in the low 40.
    std::uint64_t seq = sequence & ((1ull << 34) - 1);
    b[6] = static_cast<std::uint8_t>(0x70 | ((seq >> 30) & 0x0F));
    b[7] = static_cast<std::uint8_t>(seq >> 22);
    b[8] = static_cast<std::uint8_t>(0x80 | ((seq >> 16) & 0x3F));
    b[9] = static_cast<std::uint8_t>(seq >> 8);
    b[10] = static_cast<std::uint8_t>(seq);
    for (int i = 11; i < 16; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(r >> (8 * (i - 11)));
    return FormatUuid(b);
}

bool IsObjectId(std::string_view s) {
    if (s.size() != 24) return false;
    for (char c : s)
        if (!IsLowerHex(c)) return false;
    return true;
}

bool IsUuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !(IsLowerHex(s[i]) || (s[i] >= 'A' && s[i] <= 'F'))) return false;
    }
    return true;
}

}  // namespace mt
