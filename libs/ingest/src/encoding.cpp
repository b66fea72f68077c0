// Encoding detection (one fast pass over the whole file) and Windows-1252 → UTF-8 conversion.
//
// The decision is made on the whole file, not a sample: a Windows-1252 byte in the last line of a 50 MB
// export is common (one customer name with an accent), and deciding "UTF-8" from the first megabyte would
// fail the job at the very end, or worse, store mojibake.
#include "encoding.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace mt::ingest {

std::string_view Name(Encoding encoding) {
    switch (encoding) {
        case Encoding::kUtf8: return "utf-8";
        case Encoding::kWindows1252: return "windows-1252";
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
        // ASCII fast path, 32 bytes per step: this loop is what makes the pass run at memory speed.
        while (i + 32 <= n) {
            std::uint64_t w[4];
            std::memcpy(w, s + i, sizeof w);
            if (((w[0] | w[1] | w[2] | w[3]) & kHighBits) != 0) break;
            i += 32;
        }
        const std::size_t run_end = std::min(n, i + 32);
        while (i < run_end && s[i] < 0x80) ++i;
        if (i == run_end) continue;
        const std::size_t len = SequenceLength(s + i, n - i, incomplete);
        if (len == 0) return i;
        i += len;
    }
    return n;
}

namespace {

// The decision once a byte sequence is known to be invalid at file offset `offset`.
Result<EncodingGuess> InvalidUtf8At(EncodingGuess guess, const std::string& path, std::string_view display_name,
                                    std::uint64_t offset) {
    if (!guess.has_bom) {
        guess.encoding = Encoding::kWindows1252;
        return guess;
    }
    MT_ASSIGN_OR_RETURN(std::int64_t line, LineAtOffset(path, display_name, offset));
    return Validation("file " + Quoted(display_name) + " starts with a UTF-8 byte order mark but line " +
                      std::to_string(line) + " is not valid UTF-8");
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

    std::size_t start = guess.has_bom ? 3 : 0;  // where validation starts within the buffer
    std::uint64_t buffer_offset = 0;            // file offset of buf[0]
    while (true) {
        bool incomplete = false;
        const std::size_t valid = ValidUtf8Prefix(std::string_view(buf.data() + start, n - start), incomplete);
        const std::size_t end = start + valid;
        if (end < n && !incomplete) return InvalidUtf8At(guess, path, display_name, buffer_offset + end);
        // Keep an incomplete trailing sequence (at most 3 bytes) in front of the next chunk.
        const std::size_t carry = n - end;
        std::memmove(buf.data(), buf.data() + end, carry);
        buffer_offset += end;
        MT_ASSIGN_OR_RETURN(std::size_t got, file.Read(buf.data() + carry, kChunk));
        guess.size += got;
        if (got == 0) {
            // Ending in the middle of a multi-byte sequence is invalid UTF-8 too.
            if (carry == 0) return guess;
            return InvalidUtf8At(guess, path, display_name, buffer_offset);
        }
        n = carry + got;
        start = 0;
    }
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
