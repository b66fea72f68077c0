#include "scan.hpp"

namespace mt::types::detail {

namespace {
constexpr std::size_t kMaxShownBytes = 100;

constexpr bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
}  // namespace

namespace {
/// The first bytes of `value` that fit the limit without splitting a character.
std::string_view Cut(std::string_view value) {
    if (value.size() <= kMaxShownBytes) return value;
    std::size_t cut = kMaxShownBytes;
    // Back up to the first byte of the character that straddles the limit.
    while (cut > 0 && IsUtf8Continuation(value[cut])) --cut;
    return value.substr(0, cut);
}
}  // namespace

std::string ShownValue(std::string_view value) {
    std::string out(Cut(value));
    if (out.size() < value.size()) out += "...";
    return out;
}

std::string QuotedValue(std::string_view value) {
    const std::string_view shown = Cut(value);
    std::string out = "\"";
    out.append(shown);
    out += '"';
    if (shown.size() < value.size()) out += "...";  // outside the quotes: the dots are not part of the value
    return out;
}

void AppendPadded(std::string& out, std::int64_t v, int width) {
    char buf[24];
    int n = 0;
    do {
        buf[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n < width) buf[n++] = '0';
    char digits[24];
    for (int i = 0; i < n; ++i) digits[i] = buf[n - 1 - i];
    out.append(digits, static_cast<std::size_t>(n));
}

}  // namespace mt::types::detail
