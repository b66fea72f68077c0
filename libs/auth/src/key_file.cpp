#include "mt/auth/key_file.hpp"

#include <fstream>
#include <iterator>

namespace mt::auth {

Result<std::string> ReadKeyFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Validation("Cannot open key file " + path);
    std::string key{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return Validation("Cannot read key file " + path);
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.empty()) return Validation("Key file " + path + " is empty");
    return key;
}

}  // namespace mt::auth
