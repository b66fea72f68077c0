#include "cell.hpp"

#include "readings.hpp"
#include "scan.hpp"

namespace mt::types::detail {
namespace {

/// `s` equals the lowercase ASCII word `word`, ignoring ASCII case. Only letters are folded: '|' 0x20 would
/// also map '@' to '`', which is why ToLowerAscii is used instead of a bit trick.
bool EqualsFolded(std::string_view s, std::string_view word) {
    if (s.size() != word.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (ToLowerAscii(s[i]) != word[i]) return false;
    }
    return true;
}

/// "não" in any case: n, ã (C3 A3) or Ã (C3 83), o.
bool IsNaoWithTilde(std::string_view s) {
    return s.size() == 4 && ToLowerAscii(s[0]) == 'n' && s[1] == '\xC3' && (s[2] == '\xA3' || s[2] == '\x83') &&
           ToLowerAscii(s[3]) == 'o';
}

}  // namespace

bool IsNullTokenTrimmed(std::string_view s) {
    switch (s.size()) {
        case 0: return true;
        case 2: return s == "NA";
        case 3: return s == "N/A" || s == "n/a";
        case 4: return s == "NULL" || s == "null";
        default: return false;
    }
}

bool IsNullMarkerTrimmed(std::string_view s) {
    switch (s.size()) {
        case 1: return s[0] == '-';
        case 2: return s == "--";
        case 3:
            // "—" em dash U+2014 and "–" en dash U+2013.
            if (s == "\xE2\x80\x94" || s == "\xE2\x80\x93") return true;
            return EqualsFolded(s, "n/a") || EqualsFolded(s, "n/d") || EqualsFolded(s, "s/d") || EqualsFolded(s, "nan");
        case 4: return EqualsFolded(s, "null") || EqualsFolded(s, "#n/a") || EqualsFolded(s, "#n/d");
        case 6: return EqualsFolded(s, "(null)");
        default: return false;
    }
}

int BooleanValue(std::string_view s) {
    switch (s.size()) {
        case 1:
            switch (ToLowerAscii(s[0])) {
                case 's':
                case 'y':
                case 'v':
                case 'x': return 1;
                case 'n':
                case 'f': return 0;
                default: return -1;
            }
        case 2: return EqualsFolded(s, "no") ? 0 : -1;
        case 3:
            if (EqualsFolded(s, "yes") || EqualsFolded(s, "sim")) return 1;
            return EqualsFolded(s, "nao") ? 0 : -1;
        case 4:
            if (EqualsFolded(s, "true")) return 1;
            return IsNaoWithTilde(s) ? 0 : -1;
        case 5: return EqualsFolded(s, "false") ? 0 : -1;
        default: return -1;
    }
}

std::uint32_t BooleanReadings(std::string_view s) {
    if (s.size() == 1) {
        switch (ToLowerAscii(s[0])) {
            case 's': return kReadBoolSN;
            case 'n': return kReadBoolSN | kReadBoolYN;
            case 'y': return kReadBoolYN;
            case 'v':
            case 'f': return kReadBoolVF;
            case 'x': return kReadBoolX;
            default: return 0;
        }
    }
    return BooleanValue(s) >= 0 ? (kReadBoolSN | kReadBoolVF | kReadBoolYN) : 0;
}

}  // namespace mt::types::detail
