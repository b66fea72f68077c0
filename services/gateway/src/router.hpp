#pragma once
/// Maps (method, path) to a handler. Patterns are `/`-separated segments; `:name` matches one segment.
/// Literal segments win over parameters, so `/upload-jobs/active` is never taken for `/:id`. Built once at
/// start-up, then read-only and thread-safe.
#include <optional>
#include <string>
#include <vector>

#include "http_types.hpp"

namespace mt::gateway {

struct Route {
    std::string method;
    std::string pattern;  // the route template, e.g. "/:id/data/:rowId" (also the metrics label)
    std::optional<auth::Permission> permission;
    Handler handler;
    std::vector<std::string> segments;
};

class Router {
public:
    void Add(std::string method, std::string pattern, std::optional<auth::Permission> permission, Handler handler);

    struct Match {
        const Route* route = nullptr;
        std::vector<std::string> params;
        bool path_known = false;  // some route has this path with another method (→ 405)
    };
    [[nodiscard]] Match Find(std::string_view method, std::string_view path) const;

private:
    std::vector<Route> routes_;
};

std::vector<std::string> SplitPath(std::string_view path);

}  // namespace mt::gateway
