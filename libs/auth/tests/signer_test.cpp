#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "mt/auth/key_file.hpp"
#include "test_tokens.hpp"

using namespace mt::auth;
using namespace mt::auth::test;

namespace {

/// A uniquely named file in the temp dir (mkstemp: ctest runs test cases in parallel processes), removed at
/// the end of the test.
class TempFile {
public:
    explicit TempFile(const std::string& contents) {
        std::string pattern = std::string(P_tmpdir) + "/mt_auth_key_XXXXXX";
        const int fd = mkstemp(pattern.data());
        REQUIRE(fd >= 0);
        close(fd);
        path_ = pattern;
        std::ofstream(path_, std::ios::binary) << contents;
    }
    ~TempFile() { std::remove(path_.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace

TEST_CASE("Sign writes the claims Verify reads, arrays included") {
    Claims c = ValidClaims();
    c.permissions = {"managed-tables:create", "managed-tables:update"};
    c.roles = {"Viewer"};
    const auto r = Hs256Verifier().Verify(Bearer(SignOrThrow(c, Algorithm::kHS256, kSecret)), kNow);
    REQUIRE(r.ok());
    CHECK(r->permissions == (Bit(Permission::kCreate) | Bit(Permission::kUpdate)));
}

TEST_CASE("Sign fails on an empty key or an unusable RS256 key") {
    CHECK_FALSE(Sign(ValidClaims(), Algorithm::kHS256, "").ok());
    CHECK_FALSE(Sign(ValidClaims(), Algorithm::kRS256, "not a pem").ok());
    CHECK_FALSE(Sign(ValidClaims(), Algorithm::kRS256, TestRsaKeys().public_pem).ok());
}

TEST_CASE("ReadKeyFile drops trailing newlines so echo-written secrets match") {
    const TempFile file(std::string(kSecret) + "\r\n");
    const auto key = ReadKeyFile(file.path());
    REQUIRE(key.ok());
    CHECK(*key == kSecret);
}

TEST_CASE("a PEM read through ReadKeyFile still configures RS256") {
    const TempFile pub(TestRsaKeys().public_pem);
    const TempFile priv(TestRsaKeys().private_pem);
    const auto pub_key = ReadKeyFile(pub.path());
    const auto priv_key = ReadKeyFile(priv.path());
    REQUIRE(pub_key.ok());
    REQUIRE(priv_key.ok());
    auto v = Verifier::Create({Algorithm::kRS256, *pub_key, 30, {}, {}});
    REQUIRE(v.ok());
    const std::string token = SignOrThrow(ValidClaims(), Algorithm::kRS256, *priv_key);
    CHECK(v->Verify(Bearer(token), kNow).ok());
}

TEST_CASE("ReadKeyFile fails on a missing or empty file") {
    CHECK_FALSE(ReadKeyFile("/nonexistent/mt-auth-key").ok());
    const TempFile empty("\n");
    CHECK_FALSE(ReadKeyFile(empty.path()).ok());
}
