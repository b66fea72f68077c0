#include "cors.hpp"

#include <algorithm>

namespace mt::gateway {
namespace {

bool ValidOrigin(std::string_view o) {
    std::string_view rest;
    if (o.substr(0, 7) == "http://") {
        rest = o.substr(7);
    } else if (o.substr(0, 8) == "https://") {
        rest = o.substr(8);
    } else {
        return false;
    }
    if (rest.empty() || rest.front() == ':') return false;
    for (char c : rest) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' ||
                        c == '[' || c == ']';
        if (!ok) return false;  // upper case (browsers send lower case), '/', '*', '@', '?', spaces …
    }
    return true;
}

}  // namespace

Result<CorsPolicy> CorsPolicy::Create(const std::vector<std::string>& origins) {
    CorsPolicy p;
    for (const auto& o : origins) {
        if (!ValidOrigin(o)) {
            return Validation("MT_CORS_ALLOWED_ORIGINS: \"" + o.substr(0, 200) +
                              "\" is not an origin like https://console.example.com or http://localhost:3000 "
                              "(lower case, no path, no trailing slash, no wildcard)");
        }
        if (std::find(p.origins_.begin(), p.origins_.end(), o) == p.origins_.end()) p.origins_.push_back(o);
    }
    return p;
}

Result<CorsPolicy> CorsPolicy::FromList(std::string_view list) {
    std::vector<std::string> origins;
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (!item.empty()) origins.emplace_back(item);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return Create(origins);
}

bool CorsPolicy::Allowed(std::string_view origin) const {
    return !origin.empty() && std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

bool CorsPolicy::IsPreflight(std::string_view method, std::string_view origin) const {
    return enabled() && method == "OPTIONS" && !origin.empty();
}

HeaderList CorsPolicy::PreflightHeaders(std::string_view origin) const {
    if (!Allowed(origin)) return {};
    return {{"Access-Control-Allow-Origin", std::string(origin)},
            {"Access-Control-Allow-Methods", std::string(kCorsAllowMethods)},
            {"Access-Control-Allow-Headers", std::string(kCorsAllowHeaders)},
            {"Access-Control-Max-Age", std::to_string(kCorsMaxAgeSeconds)},
            {"Vary", "Origin"}};
}

HeaderList CorsPolicy::ResponseHeaders(std::string_view origin) const {
    if (!Allowed(origin)) return {};
    return {{"Access-Control-Allow-Origin", std::string(origin)},
            {"Access-Control-Expose-Headers", std::string(kCorsExposeHeaders)},
            {"Vary", "Origin"}};
}

}  // namespace mt::gateway
