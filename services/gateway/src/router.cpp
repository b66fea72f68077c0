#include "router.hpp"

namespace mt::gateway {

std::vector<std::string> SplitPath(std::string_view path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/') ++i;
        std::size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        if (j > i) out.emplace_back(path.substr(i, j - i));
        i = j;
    }
    return out;
}

void Router::Add(std::string method, std::string pattern, std::optional<auth::Permission> permission, Handler handler) {
    Route r{std::move(method), pattern, permission, std::move(handler), SplitPath(pattern)};
    routes_.push_back(std::move(r));
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
    auto segments = SplitPath(path);
    Match best;
    int best_literals = -1;
    for (const auto& r : routes_) {
        if (r.segments.size() != segments.size()) continue;
        std::vector<std::string> params;
        int literals = 0;
        bool ok = true;
        for (std::size_t i = 0; i < segments.size() && ok; ++i) {
            if (!r.segments[i].empty() && r.segments[i][0] == ':') {
                params.push_back(segments[i]);
            } else if (r.segments[i] == segments[i]) {
                ++literals;
            } else {
                ok = false;
            }
        }
        if (!ok) continue;
        if (r.method != method) {
            best.path_known = true;
            continue;
        }
        if (literals > best_literals) {
            best_literals = literals;
            best.route = &r;
            best.params = std::move(params);
        }
    }
    // A literal route of another method (POST /upload) must not lose to a parameter route (GET /:id).
    if (best.route) {
        for (const auto& r : routes_) {
            if (r.segments.size() != segments.size() || r.method == method) continue;
            int literals = 0;
            bool ok = true;
            for (std::size_t i = 0; i < segments.size() && ok; ++i) {
                if (!r.segments[i].empty() && r.segments[i][0] == ':') continue;
                if (r.segments[i] == segments[i])
                    ++literals;
                else
                    ok = false;
            }
            if (ok && literals > best_literals) {
                best.route = nullptr;
                best.params.clear();
                break;
            }
        }
    }
    return best;
}

}  // namespace mt::gateway
