#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "mt/core/ids.hpp"

TEST_CASE("object ids are 24 lowercase hex digits and unique") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto id = mt::NewObjectId();
        REQUIRE(mt::IsObjectId(id));
        seen.insert(id);
    }
    CHECK(seen.size() == 1000);
    CHECK_FALSE(mt::IsObjectId("507f1f77bcf86cd79943901"));
    CHECK_FALSE(mt::IsObjectId("507f1f77bcf86cd79943901g"));
    CHECK_FALSE(mt::IsObjectId("507F1F77BCF86CD799439011"));
    CHECK(mt::IsObjectId("507f1f77bcf86cd799439011"));
}

TEST_CASE("uuids are version 4 and validated") {
    auto u = mt::NewUuid();
    REQUIRE(mt::IsUuid(u));
    CHECK(u[14] == '4');
    CHECK_FALSE(mt::IsUuid("not-a-uuid"));
    CHECK_FALSE(mt::IsUuid("123e4567-e89b-12d3-a456-42661417400"));
    CHECK_FALSE(mt::IsUuid("123e4567-e89b-12d3-a456-4266141740000"));
    CHECK(mt::IsUuid("123e4567-e89b-12d3-a456-426614174000"));
}

TEST_CASE("version 7 uuids are valid and strictly increasing") {
    std::string prev = mt::NewUuidV7();
    for (int i = 0; i < 20000; ++i) {
        auto u = mt::NewUuidV7();
        REQUIRE(mt::IsUuid(u));
        REQUIRE(u[14] == '7');
        REQUIRE(prev < u);
        prev = u;
    }
}

TEST_CASE("bulk-load uuids sort by sequence and carry the version and variant") {
    std::string prev = mt::UuidV7At(1700000000000ull, 0);
    for (std::uint64_t seq = 1; seq < 100000; seq += 7) {
        auto u = mt::UuidV7At(1700000000000ull, seq);
        REQUIRE(mt::IsUuid(u));
        REQUIRE(u[14] == '7');
        REQUIRE((u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b'));
        REQUIRE(prev < u);
        prev = u;
    }
    CHECK(mt::UuidV7At(1700000000001ull, 0) > mt::UuidV7At(1700000000000ull, (1ull << 34) - 1));
}

namespace {

/// Linear complexity (Berlekamp–Massey over GF(2)) of a bit sequence: the length of the shortest linear feedback
/// shift register that produces it. About n/2 for n truly random bits.
std::size_t LinearComplexity(const std::vector<std::uint8_t>& s) {
    std::size_t n = s.size();
    std::vector<std::uint8_t> c(n + 1, 0), b(n + 1, 0), t;
    c[0] = b[0] = 1;
    std::size_t l = 0, m = 1;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint8_t d = s[i];
        for (std::size_t j = 1; j <= l; ++j) d ^= static_cast<std::uint8_t>(c[j] & s[i - j]);
        if (d == 0) {
            ++m;
        } else if (2 * l <= i) {
            t = c;
            for (std::size_t j = 0; j + m <= n; ++j) c[j + m] ^= b[j];
            l = i + 1 - l;
            b = std::move(t);
            m = 1;
        } else {
            for (std::size_t j = 0; j + m <= n; ++j) c[j + m] ^= b[j];
            ++m;
        }
    }
    return l;
}

}  // namespace

// What this proves: the lowest bit of successive bytes of a GF(2)-linear generator (mt19937_64, the generator used
// before; any LFSR or xorshift) obeys a recurrence no longer than the generator's state (19,937 bits for the
// Mersenne Twister), so 42,000 of them have a linear complexity of at most 19,937; a CSPRNG's have about 21,000.
// It does not prove the source is cryptographic, only that it is not such a recoverable linear generator.
TEST_CASE("random bytes are not the output of a linear generator such as the Mersenne Twister") {
    constexpr std::size_t kBits = 42'000;
    std::string hex = mt::RandomHex(kBits);
    std::vector<std::uint8_t> bits(kBits);
    for (std::size_t i = 0; i < kBits; ++i) {
        char low = hex[2 * i + 1];
        int nibble = low <= '9' ? low - '0' : low - 'a' + 10;
        bits[i] = static_cast<std::uint8_t>(nibble & 1);
    }
    CHECK(LinearComplexity(bits) > 20'000);
}

TEST_CASE("a forked child never repeats its parent's ids or secrets") {
    // The parent has drawn random bytes already (so any per-process or per-thread state exists) before forking.
    (void)mt::RandomHex(4);
    (void)mt::NewObjectId();
    std::set<std::string> seen;
    for (int child = 0; child < 2; ++child) {
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(fds[0]);
            std::string out = mt::RandomHex(8) + mt::NewObjectId() + mt::NewUuid();
            ssize_t written = ::write(fds[1], out.data(), out.size());
            ::_exit(written == static_cast<ssize_t>(out.size()) ? 0 : 1);
        }
        ::close(fds[1]);
        char buf[256];
        std::string got;
        for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
        ::close(fds[0]);
        int status = 0;
        ::waitpid(pid, &status, 0);
        REQUIRE(got.size() == 16 + 24 + 36);
        seen.insert(got.substr(0, 16));
        seen.insert(got.substr(16 + 8, 16));  // the random part of the object id (after its 4-byte timestamp)
        seen.insert(got.substr(16 + 24));
    }
    std::string parent = mt::RandomHex(8) + mt::NewObjectId() + mt::NewUuid();
    seen.insert(parent.substr(0, 16));
    seen.insert(parent.substr(16 + 8, 16));
    seen.insert(parent.substr(16 + 24));
    CHECK(seen.size() == 9);
}
