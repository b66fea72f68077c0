#include "mt/types/identifier.hpp"

#include <unordered_map>
#include <unordered_set>

#include "scan.hpp"

namespace mt::types {
namespace {

using detail::IsDigit;

// ASCII spelling of U+00A0..U+017F (Latin-1 Supplement and Latin Extended-A), lowercase; "" for characters
// that are not letters or digits there (×, ÷, ¿ …), which become separators like any other symbol.
constexpr char32_t kFoldFirst = 0xA0;
constexpr std::string_view kFold[] = {
    "",  "",  "",   "",   "",  "",  "",   "",    // U+00A0
    "",  "",  "a",  "",   "",  "",  "",   "",    // U+00A8 (ª)
    "",  "",  "2",  "3",  "",  "",  "",   "",    // U+00B0 (² ³)
    "",  "1", "o",  "",   "",  "",  "",   "",    // U+00B8 (¹ º)
    "a", "a", "a",  "a",  "a", "a", "ae", "c",   // U+00C0
    "e", "e", "e",  "e",  "i", "i", "i",  "i",   // U+00C8
    "d", "n", "o",  "o",  "o", "o", "o",  "",    // U+00D0 (× at D7)
    "o", "u", "u",  "u",  "u", "y", "th", "ss",  // U+00D8
    "a", "a", "a",  "a",  "a", "a", "ae", "c",   // U+00E0
    "e", "e", "e",  "e",  "i", "i", "i",  "i",   // U+00E8
    "d", "n", "o",  "o",  "o", "o", "o",  "",    // U+00F0 (÷ at F7)
    "o", "u", "u",  "u",  "u", "y", "th", "y",   // U+00F8
    "a", "a", "a",  "a",  "a", "a", "c",  "c",   // U+0100
    "c", "c", "c",  "c",  "c", "c", "d",  "d",   // U+0108
    "d", "d", "e",  "e",  "e", "e", "e",  "e",   // U+0110
    "e", "e", "e",  "e",  "g", "g", "g",  "g",   // U+0118
    "g", "g", "g",  "g",  "h", "h", "h",  "h",   // U+0120
    "i", "i", "i",  "i",  "i", "i", "i",  "i",   // U+0128
    "i", "i", "ij", "ij", "j", "j", "k",  "k",   // U+0130
    "k", "l", "l",  "l",  "l", "l", "l",  "l",   // U+0138
    "l", "l", "l",  "n",  "n", "n", "n",  "n",   // U+0140
    "n", "n", "n",  "n",  "o", "o", "o",  "o",   // U+0148
    "o", "o", "oe", "oe", "r", "r", "r",  "r",   // U+0150
    "r", "r", "s",  "s",  "s", "s", "s",  "s",   // U+0158
    "s", "s", "t",  "t",  "t", "t", "t",  "t",   // U+0160
    "u", "u", "u",  "u",  "u", "u", "u",  "u",   // U+0168
    "u", "u", "u",  "u",  "w", "w", "y",  "y",   // U+0170
    "y", "z", "z",  "z",  "z", "z", "z",  "s",   // U+0178
};
constexpr char32_t kFoldEnd = kFoldFirst + sizeof(kFold) / sizeof(kFold[0]);

constexpr char32_t kCombiningFirst = 0x300;
constexpr char32_t kCombiningLast = 0x36F;

constexpr bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

/// What one input character contributes to a normalized header.
struct Folded {
    enum Kind { kLetters, kSeparator, kIgnored } kind;
    std::string_view letters;  // ASCII letters/digits when kind is kLetters
};

/// The character at `s[i]` folded to ASCII; advances `i` past it. `ascii` backs a one-letter result.
Folded NextFolded(std::string_view s, std::size_t& i, char& ascii) {
    const auto c = static_cast<unsigned char>(s[i++]);
    if (c < 0x80) {
        ascii = detail::ToLowerAscii(static_cast<char>(c));
        if (detail::IsLowerAscii(ascii) || IsDigit(ascii)) return {Folded::kLetters, std::string_view(&ascii, 1)};
        return {Folded::kSeparator, {}};
    }
    if (c >= 0xC2 && c <= 0xCD && i < s.size() && IsContinuation(static_cast<unsigned char>(s[i]))) {
        const char32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i++]) & 0x3Fu);
        // Combining accents (U+0300..U+036F) follow their letter in decomposed text (NFD, as macOS writes and
        // some exports do): dropping them makes "e" + U+0301 read like "é".
        if (cp >= kCombiningFirst && cp <= kCombiningLast) return {Folded::kIgnored, {}};
        if (cp >= kFoldFirst && cp < kFoldEnd && !kFold[cp - kFoldFirst].empty()) {
            return {Folded::kLetters, kFold[cp - kFoldFirst]};
        }
        return {Folded::kSeparator, {}};
    }
    // Any other character (or a stray byte of invalid UTF-8) is one separator, whatever its length.
    if (c >= 0xC0) {
        while (i < s.size() && IsContinuation(static_cast<unsigned char>(s[i]))) ++i;
    }
    return {Folded::kSeparator, {}};
}

void TrimTrailingUnderscores(std::string& s) {
    while (!s.empty() && s.back() == '_') s.pop_back();
}

/// `base` with `_k`, the base shortened so that the whole stays within 63 bytes.
std::string WithSuffix(const std::string& base, int k) {
    const std::string suffix = "_" + std::to_string(k);
    std::string out = base.substr(0, kMaxIdentifierBytes - suffix.size());
    TrimTrailingUnderscores(out);
    return out + suffix;
}

Status Invalid(std::string_view field, std::string message) {
    std::string summary = field.empty() ? message : std::string(field) + ": " + message;
    return Validation(std::move(summary), {FieldError{std::string(field), std::move(message)}});
}

}  // namespace

Status ValidateIdentifier(std::string_view name, std::string_view field) {
    if (name.empty()) return Invalid(field, "must not be empty");
    if (name.size() > kMaxIdentifierBytes) {
        return Invalid(field, detail::QuotedValue(name) + " is " + std::to_string(name.size()) +
                                  " bytes long; at most 63 bytes are allowed");
    }
    bool valid = detail::IsLowerAscii(name[0]) || name[0] == '_';
    for (char c : name) valid = valid && (detail::IsLowerAscii(c) || IsDigit(c) || c == '_');
    if (!valid) {
        return Invalid(field, detail::QuotedValue(name) +
                                  " must match ^[a-z_][a-z0-9_]*$ (lowercase ASCII letters, digits and underscores, "
                                  "not starting with a digit)");
    }
    return Ok();
}

Status ValidateColumnName(std::string_view name, std::string_view field) {
    MT_TRY(ValidateIdentifier(name, field));
    if (name == kRowIdColumn) return Invalid(field, "\"id\" is reserved for the row id column");
    return Ok();
}

std::string QuoteIdentifier(std::string_view name) {
    std::string out;
    out.reserve(name.size() + 2);
    out += '"';
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string NormalizeHeader(std::string_view header) {
    std::string out;
    bool pending_separator = false;
    char ascii = 0;
    // Stop once there is more than fits: a 1 MB header cell costs no more than a short one.
    for (std::size_t i = 0; i < header.size() && out.size() <= kMaxIdentifierBytes;) {
        const Folded piece = NextFolded(header, i, ascii);
        if (piece.kind != Folded::kLetters) {
            pending_separator = pending_separator || piece.kind == Folded::kSeparator;
            continue;
        }
        if (pending_separator && !out.empty()) out += '_';  // leading separators are dropped
        pending_separator = false;
        out.append(piece.letters);
    }
    if (!out.empty() && IsDigit(out[0])) out.insert(out.begin(), '_');
    if (out.size() > kMaxIdentifierBytes) out.resize(kMaxIdentifierBytes);
    TrimTrailingUnderscores(out);
    return out;
}

std::vector<std::string> NormalizeHeaders(const std::vector<std::string>& headers) {
    std::vector<std::string> names;
    names.reserve(headers.size());
    for (std::size_t i = 0; i < headers.size(); ++i) {
        std::string name = NormalizeHeader(headers[i]);
        if (name.empty()) name = "column_" + std::to_string(i + 1);
        if (name == kRowIdColumn) name = "source_id";
        names.push_back(std::move(name));
    }
    // Every name as normalized stays with its first holder; later duplicates take the first free suffix, so a
    // header literally named "a_2" keeps its name even when it comes after two "a" columns.
    std::unordered_set<std::string> taken(names.begin(), names.end());
    std::unordered_set<std::string> first_seen;
    std::unordered_map<std::string, int> next_suffix;
    for (std::string& name : names) {
        if (first_seen.insert(name).second) continue;
        int& k = next_suffix.try_emplace(name, 2).first->second;
        std::string candidate = WithSuffix(name, k++);
        while (!taken.insert(candidate).second) candidate = WithSuffix(name, k++);
        name = std::move(candidate);
    }
    return names;
}

}  // namespace mt::types
