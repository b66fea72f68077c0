// mt-token: prints a signed development token.
//   mt-token --secret-file F [--alg HS256|RS256] [--ttl SECONDS] [--sub USER] COMPANY_ID [PERMISSION_OR_ROLE ...]
// With no permission or role, the token carries all seven permissions. For RS256, F is a PEM private key.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mt/auth/key_file.hpp"
#include "mt/auth/permission.hpp"
#include "mt/auth/signer.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: mt-token --secret-file F [--alg HS256|RS256] [--ttl SECONDS] [--sub USER] COMPANY_ID "
    "[PERMISSION_OR_ROLE ...]";

mt::auth::Claims DefaultClaims() {
    mt::auth::Claims claims;
    claims.sub = "dev-user";
    return claims;
}

struct Options {
    std::string secret_file;
    mt::auth::Algorithm alg = mt::auth::Algorithm::kHS256;
    std::int64_t ttl_seconds = 24 * 3600;
    mt::auth::Claims claims = DefaultClaims();
};

/// Prints `message` to stderr; returns nullopt so a parser can `return Fail(...)`.
std::nullopt_t Fail(std::string_view message) {
    std::cerr << "mt-token: " << message << '\n';
    return std::nullopt;
}

std::optional<std::int64_t> ParseTtl(std::string_view s) {
    try {
        std::size_t used = 0;
        const long long v = std::stoll(std::string(s), &used);
        if (used != s.size() || v <= 0) return std::nullopt;
        return v;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

/// Parses argv into Options; nullopt (after printing why) on a usage error.
std::optional<Options> ParseArgs(int argc, char** argv) {
    Options o;
    std::vector<std::string_view> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--secret-file" && has_value) {
            o.secret_file = argv[++i];
        } else if (arg == "--alg" && has_value) {
            const auto alg = mt::auth::ParseAlgorithm(argv[++i]);
            if (!alg) return Fail("--alg must be HS256 or RS256");
            o.alg = *alg;
        } else if (arg == "--ttl" && has_value) {
            const auto ttl = ParseTtl(argv[++i]);
            if (!ttl) return Fail("--ttl must be a positive number of seconds");
            o.ttl_seconds = *ttl;
        } else if (arg == "--sub" && has_value) {
            o.claims.sub = argv[++i];
        } else if (arg.starts_with("--")) {
            return Fail(kUsage);
        } else {
            positional.push_back(arg);
        }
    }
    if (o.secret_file.empty() || positional.empty()) return Fail(kUsage);
    o.claims.company_id = std::string(positional.front());
    for (std::size_t i = 1; i < positional.size(); ++i) {
        const bool is_role = positional[i] == "ConnectionManager" || positional[i] == "DataEngineer";
        (is_role ? o.claims.roles : o.claims.permissions).emplace_back(positional[i]);
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    auto options = ParseArgs(argc, argv);
    if (!options) return 2;
    auto& claims = options->claims;
    if (claims.permissions.empty() && claims.roles.empty()) {
        for (int p = 0; p < mt::auth::kPermissionCount; ++p) {
            claims.permissions.emplace_back(mt::auth::Name(static_cast<mt::auth::Permission>(p)));
        }
    }
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    claims.exp = now.count() + options->ttl_seconds;

    auto key = mt::auth::ReadKeyFile(options->secret_file);
    if (!key) {
        Fail(key.error().message);
        return 1;
    }
    auto token = mt::auth::Sign(claims, options->alg, *key);
    if (!token) {
        Fail(token.error().message);
        return 1;
    }
    std::cout << *token << '\n';
    return 0;
}
