#include <catch2/catch.hpp>

#include "api_key_auth.hpp"
#include "mt/auth/api_key.hpp"

using namespace mt;
using namespace mt::gateway;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

/// A fake control database of one key, counting its lookups, on a hand-moved clock.
struct Fixture {
    auth::NewApiKeyText text = auth::GenerateApiKey();
    store::StoredApiKey stored;
    int lookups = 0;
    bool fail = false;
    Clock::time_point now = Clock::time_point(std::chrono::hours(1));
    ApiKeyCacheOptions options;
    std::unique_ptr<ApiKeyAuthenticator> auth;

    explicit Fixture(ApiKeyCacheOptions o = {}) : options(o) {
        stored.id = "0123456789abcdef01234567";
        stored.company_id = "acme";
        stored.secret_hash = auth::HashApiKeySecret(text.secret);
        stored.permissions = {"managed-tables:data-read"};
        stored.created_by = "user-1";
        auth = std::make_unique<ApiKeyAuthenticator>(
            [this](const std::string& prefix) -> Result<std::optional<store::StoredApiKey>> {
                ++lookups;
                if (fail) return Unavailable("PostgreSQL is down");
                if (prefix != text.prefix) return std::optional<store::StoredApiKey>();
                return std::optional<store::StoredApiKey>(stored);
            },
            options, [this] { return now; });
    }
};

}  // namespace

TEST_CASE("a valid key yields its company, permissions, id and creator") {
    Fixture f;
    auto p = f.auth->Authenticate(f.text.key, kNow);
    REQUIRE(p.ok());
    CHECK(p->company_id == "acme");
    CHECK(p->permissions == auth::Bit(auth::Permission::kDataRead));
    CHECK(p->api_key_id == f.stored.id);
    CHECK(p->user_id == "user-1");
    CHECK(p->Actor() == "apikey:" + f.stored.id);
}

TEST_CASE("a verified key is served from the cache within its bound and looked up again after it") {
    Fixture f;
    REQUIRE(f.auth->Authenticate(f.text.key, kNow).ok());
    REQUIRE(f.auth->Authenticate(f.text.key, kNow).ok());
    CHECK(f.lookups == 1);
    f.stored.revoked = true;  // revoked by another gateway
    f.now += f.options.positive_ttl - std::chrono::milliseconds(1);
    CHECK(f.auth->Authenticate(f.text.key, kNow).ok());  // still within the bound
    f.now += std::chrono::milliseconds(1);
    auto refused = f.auth->Authenticate(f.text.key, kNow);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().kind == ErrorKind::kUnauthorized);
    CHECK(refused.error().message == "API key revoked");
    CHECK(f.lookups == 2);
}

TEST_CASE("Forget drops a revoked key at once") {
    Fixture f;
    REQUIRE(f.auth->Authenticate(f.text.key, kNow).ok());
    f.stored.revoked = true;
    f.auth->Forget(f.stored.id);
    CHECK_FALSE(f.auth->Authenticate(f.text.key, kNow).ok());
    CHECK(f.lookups == 2);
}

TEST_CASE("a wrong secret under a real prefix and an unknown prefix are refused alike and remembered") {
    Fixture f;
    std::string wrong = f.text.key;
    wrong.back() = wrong.back() == '0' ? '1' : '0';
    auto a = f.auth->Authenticate(wrong, kNow);
    auto b = f.auth->Authenticate(auth::GenerateApiKey().key, kNow);
    REQUIRE_FALSE(a.ok());
    REQUIRE_FALSE(b.ok());
    CHECK(a.error().message == "Invalid API key");
    CHECK(b.error().message == "Invalid API key");
    CHECK(f.lookups == 2);
    CHECK_FALSE(f.auth->Authenticate(wrong, kNow).ok());
    CHECK(f.lookups == 2);                               // the negative entry answered
    CHECK(f.auth->Authenticate(f.text.key, kNow).ok());  // the real key is not affected by it
}

TEST_CASE("a malformed key costs no lookup") {
    Fixture f;
    CHECK_FALSE(f.auth->Authenticate("", kNow).ok());
    CHECK_FALSE(f.auth->Authenticate("not-a-key", kNow).ok());
    CHECK_FALSE(f.auth->Authenticate(f.text.key + "x", kNow).ok());
    CHECK(f.lookups == 0);
}

TEST_CASE("an expired key is refused, also from the cache") {
    Fixture f;
    f.stored.expires_at_unix = kNow + 10;
    REQUIRE(f.auth->Authenticate(f.text.key, kNow + 9).ok());
    auto cached = f.auth->Authenticate(f.text.key, kNow + 10);
    REQUIRE_FALSE(cached.ok());
    CHECK(cached.error().message == "API key expired");
    Fixture g;
    g.stored.expires_at_unix = kNow;
    auto fresh = g.auth->Authenticate(g.text.key, kNow);
    REQUIRE_FALSE(fresh.ok());
    CHECK(fresh.error().kind == ErrorKind::kUnauthorized);
}

TEST_CASE("lookups of uncached keys draw on a budget: beyond it 503 and no database query") {
    ApiKeyCacheOptions o;
    o.lookups_per_second = 3;
    Fixture f(o);
    for (int i = 0; i < 3; ++i) CHECK_FALSE(f.auth->Authenticate(auth::GenerateApiKey().key, kNow).ok());
    auto spent = f.auth->Authenticate(auth::GenerateApiKey().key, kNow);
    REQUIRE_FALSE(spent.ok());
    CHECK(spent.error().kind == ErrorKind::kUnavailable);
    CHECK(f.lookups == 3);
    f.now += std::chrono::seconds(1);  // refilled
    CHECK(f.auth->Authenticate(f.text.key, kNow).ok());
    CHECK(f.lookups == 4);
}

TEST_CASE("a failed lookup is not remembered") {
    Fixture f;
    f.fail = true;
    auto failed = f.auth->Authenticate(f.text.key, kNow);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().kind == ErrorKind::kUnavailable);
    f.fail = false;
    CHECK(f.auth->Authenticate(f.text.key, kNow).ok());
}

TEST_CASE("the cache stays within its capacity") {
    ApiKeyCacheOptions o;
    o.capacity = 4;
    Fixture f(o);
    for (int i = 0; i < 10; ++i) CHECK_FALSE(f.auth->Authenticate(auth::GenerateApiKey().key, kNow).ok());
    CHECK(f.auth->Authenticate(f.text.key, kNow).ok());
    CHECK(f.auth->Authenticate(f.text.key, kNow).ok());
    CHECK(f.lookups == 11);  // the valid key's entry survived the second call
}
