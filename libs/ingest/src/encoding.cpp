// Encoding detection (one fast pass over the whole file) and Windows-1252 → UTF-8 conversion.
//
// The decision is made on the whole file, not a sample: a Windows-1252 byte in the last line of a 50 MB
// export is common (one customer name with an accent), and deciding from the first megabyte would fail the
// job at the very end, or worse, store mojibake. Such a file is read as UTF-8 with its stray bytes as
// Windows-1252, so neither the UTF-8 rows nor the edited line turn into mojibake.
#include "encoding.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace mt::ingest {

std::string_view Name(Encoding encoding) {
    switch (encoding) {
        case Encoding::kUtf8: return "utf-8";
        case Encoding::kWindows1252: return "windows-1252";
        case Encoding::kUtf8WithWindows1252: return "utf-8+windows-1252";
        case Encoding::kUtf16Le: return "utf-16le";
        case Encoding::kUtf16Be: return "utf-16be";
    }
    return "unknown";
}

namespace detail {
namespace {

constexpr std::size_t kChunk = 1 << 20;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

std::string Quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// Decodes one multi-byte sequence starting at s[0] (a byte >= 0x80). Returns its length when valid, 0 when
// invalid, and sets `incomplete` (returning 0) when the bytes available are a valid prefix of a sequence.
std::size_t SequenceLength(const unsigned char* s, std::size_t available, bool& incomplete) {
    const unsigned char c = s[0];
    std::size_t len = 0;
    unsigned char lo = 0x80;  // bounds of the second byte; they exclude overlongs, surrogates, > U+10FFFF
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    for (std::size_t k = 1; k < len; ++k) {
        if (k >= available) {
            incomplete = true;
            return 0;
        }
        const unsigned char min = k == 1 ? lo : 0x80;
        const unsigned char max = k == 1 ? hi : 0xBF;
        if (s[k] < min || s[k] > max) return 0;
    }
    return len;
}

// The first non-ASCII byte at or after `i` (or `n`). 32 bytes per step: this loop is what makes the encoding pass
// run at memory speed.
std::size_t SkipAscii(const unsigned char* s, std::size_t i, std::size_t n) {
    while (i + 32 <= n) {
        std::uint64_t w[4];
        std::memcpy(w, s + i, sizeof w);
        if (((w[0] | w[1] | w[2] | w[3]) & kHighBits) != 0) break;
        i += 32;
    }
    while (i < n && s[i] < 0x80) ++i;
    return i;
}

// Counts line ends (LF, CRLF or a lone CR) before `offset`, to turn a byte offset into a line for messages.
Result<std::int64_t> LineAtOffset(const std::string& path, std::string_view display_name, std::uint64_t offset) {
    MT_ASSIGN_OR_RETURN(InputFile file, InputFile::Open(path, display_name));
    std::vector<char> buf(kChunk);
    std::int64_t line = 1;
    bool after_cr = false;
    std::uint64_t pos = 0;
    while (pos < offset) {
        MT_ASSIGN_OR_RETURN(std::size_t n, file.Read(buf.data(), buf.size()));
        if (n == 0) break;
        for (std::size_t i = 0; i < n && pos < offset; ++i, ++pos) {
            const char c = buf[i];
            if (c == '\n' && !after_cr) ++line;
            if (c == '\r') ++line;
            after_cr = c == '\r';
        }
    }
    return line;
}

}  // namespace

std::size_t ValidUtf8Prefix(std::string_view data, bool& incomplete) {
    incomplete = false;
    const auto* s = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t n = data.size();
    std::size_t i = 0;
    while (i < n) {
        i = SkipAscii(s, i, n);
        if (i == n) break;
        const std::size_t len = SequenceLength(s + i, n - i, incomplete);
        if (len == 0) return i;
        i += len;
    }
    return n;
}

namespace {

/// What a pass over the bytes found: valid multi-byte UTF-8 sequences, bytes that are not valid UTF-8.
struct Utf8Census {
    std::uint64_t multibyte = 0;
    std::uint64_t invalid = 0;
    std::uint64_t first_invalid = 0;  // file offset, meaningful when invalid > 0
};

/// Counts `data` (at file offset `offset`) into `census`; returns how many bytes it consumed. Unless `at_eof`, a
/// valid but truncated sequence at the end is left for the next call.
std::size_t CountUtf8(std::string_view data, std::uint64_t offset, bool at_eof, Utf8Census& census) {
    const auto* s = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t n = data.size();
    std::size_t i = 0;
    while (i < n) {
        i = SkipAscii(s, i, n);
        if (i == n) break;
        bool incomplete = false;
        if (const std::size_t len = SequenceLength(s + i, n - i, incomplete); len != 0) {
            ++census.multibyte;
            i += len;
            continue;
        }
        if (incomplete && !at_eof) return i;
        // s[i] starts an invalid sequence, or one the end of the file cuts: one invalid byte.
        if (census.invalid++ == 0) census.first_invalid = offset + i;
        ++i;
    }
    return n;
}

}  // namespace

Result<EncodingGuess> DetectEncoding(const std::string& path, std::string_view display_name) {
    MT_ASSIGN_OR_RETURN(InputFile file, InputFile::Open(path, display_name));
    std::vector<char> buf(kChunk + 4);
    MT_ASSIGN_OR_RETURN(std::size_t n, file.Read(buf.data(), kChunk));
    if (n == 0) return Validation("file " + Quoted(display_name) + " is empty");

    EncodingGuess guess;
    guess.size = n;
    const auto* u = reinterpret_cast<const unsigned char*>(buf.data());
    if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        guess.encoding = u[0] == 0xFF ? Encoding::kUtf16Le : Encoding::kUtf16Be;
        guess.has_bom = true;
        return guess;  // UTF-16 is declared by its BOM; nothing else to decide
    }
    guess.has_bom = n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF;

    Utf8Census census;
    std::size_t start = guess.has_bom ? 3 : 0;  // where counting starts within the buffer
    std::uint64_t buffer_offset = 0;            // file offset of buf[0]
    while (true) {
        const std::size_t used =
            start + CountUtf8(std::string_view(buf.data() + start, n - start), buffer_offset + start, false, census);
        if (guess.has_bom && census.invalid > 0) break;  // decided: an error
        // Keep an incomplete trailing sequence (at most 3 bytes) in front of the next chunk.
        const std::size_t carry = n - used;
        std::memmove(buf.data(), buf.data() + used, carry);
        buffer_offset += used;
        MT_ASSIGN_OR_RETURN(std::size_t more, file.Read(buf.data() + carry, kChunk));
        guess.size += more;
        n = carry + more;
        start = 0;
        if (more == 0) {
            CountUtf8(std::string_view(buf.data(), n), buffer_offset, true, census);  // a sequence cut by the end
            break;
        }
    }
    if (census.invalid == 0) return guess;
    if (guess.has_bom) {
        MT_ASSIGN_OR_RETURN(std::int64_t line, LineAtOffset(path, display_name, census.first_invalid));
        return Validation("file " + Quoted(display_name) + " starts with a UTF-8 byte order mark but line " +
                          std::to_string(line) + " is not valid UTF-8");
    }
    guess.encoding = census.multibyte * 4 >= census.invalid ? Encoding::kUtf8WithWindows1252 : Encoding::kWindows1252;
    return guess;
}

namespace {

// UTF-8 of each byte 0x80..0xFF read as Windows-1252; the five undefined bytes map to the C1 controls of the
// same value, as the WHATWG encoding standard does, so that no byte is ever lost.
constexpr std::array<char16_t, 32> kCp1252High = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                                  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                                  0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                                  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

struct Utf8Bytes {
    std::array<char, 3> bytes{};
    std::uint8_t size = 0;
};

constexpr Utf8Bytes EncodeBmp(char16_t cp) {
    Utf8Bytes out;
    if (cp < 0x800) {
        out.bytes = {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F)), 0};
        out.size = 2;
    } else {
        out.bytes = {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                     static_cast<char>(0x80 | (cp & 0x3F))};
        out.size = 3;
    }
    return out;
}

constexpr std::array<Utf8Bytes, 128> MakeCp1252Table() {
    std::array<Utf8Bytes, 128> table{};
    for (int b = 0x80; b <= 0xFF; ++b) {
        const char16_t cp = b < 0xA0 ? kCp1252High[b - 0x80] : static_cast<char16_t>(b);
        table[b - 0x80] = EncodeBmp(cp);
    }
    return table;
}

constexpr std::array<Utf8Bytes, 128> kCp1252Table = MakeCp1252Table();

}  // namespace

void AppendWindows1252AsUtf8(std::string_view in, std::string& out) {
    std::size_t i = 0;
    while (i < in.size()) {
        std::size_t j = i;
        while (j < in.size() && static_cast<unsigned char>(in[j]) < 0x80) ++j;
        out.append(in.data() + i, j - i);
        if (j == in.size()) break;
        const Utf8Bytes& enc = kCp1252Table[static_cast<unsigned char>(in[j]) - 0x80];
        out.append(enc.bytes.data(), enc.size);
        i = j + 1;
    }
}

}  // namespace detail
}  // namespace mt::ingest
