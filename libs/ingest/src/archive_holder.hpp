#pragma once
/// RAII over libarchive read handles, shared by the XLSX reader and the ZIP expander (private header).
#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <cstdint>
#include <memory>
#include <string>

namespace mt::ingest::detail {

struct ArchiveReadFree {
    // archive_read_free also closes the archive (and the file libarchive opened for us).
    void operator()(archive* a) const noexcept { archive_read_free(a); }
};

/// Owns one `archive*` opened for reading; moves, never copies. One thread at a time, like libarchive itself.
using ArchiveReadPtr = std::unique_ptr<archive, ArchiveReadFree>;

/// libarchive's message for the last failure on `a`, or `fallback` when it has none.
inline std::string ArchiveMessage(archive* a, const char* fallback = "unreadable archive") {
    const char* message = a != nullptr ? archive_error_string(a) : nullptr;
    return message != nullptr ? message : fallback;
}

/// libarchive converts member names to the charset of the *current locale* and drops the names it cannot
/// convert (ARCHIVE_WARN, null pathname). A service runs in the "C" locale (ASCII), so every UTF-8 name with
/// an accent would vanish. While alive, this switches the calling thread only (uselocale) to C.UTF-8, which
/// glibc always provides, so names come through as UTF-8. Hold one around archive_read_next_header calls.
class Utf8NamesScope {
public:
    Utf8NamesScope() {
        // One locale object for the process, shared by threads (allowed for uselocale), never freed.
        static const locale_t kUtf8 = newlocale(LC_ALL_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
        if (kUtf8 != static_cast<locale_t>(nullptr)) previous_ = uselocale(kUtf8);
    }
    Utf8NamesScope(const Utf8NamesScope&) = delete;
    Utf8NamesScope& operator=(const Utf8NamesScope&) = delete;
    ~Utf8NamesScope() {
        if (previous_ != static_cast<locale_t>(nullptr)) uselocale(previous_);
    }

private:
    locale_t previous_ = static_cast<locale_t>(nullptr);
};

/// A reader for ZIP files only, using the central directory (the seekable reader): that is the index every
/// unzip tool trusts, and it lets us walk member names without decompressing anything. Returns null only
/// when libarchive cannot allocate; open errors are reported by archive_read_open_filename on the result.
inline ArchiveReadPtr NewZipReader() {
    ArchiveReadPtr a(archive_read_new());
    if (a) archive_read_support_format_zip_seekable(a.get());
    return a;
}

/// Bytes of the underlying file libarchive has consumed so far (compressed input, not member bytes).
inline std::uint64_t RawBytesConsumed(archive* a) {
    const la_int64_t n = archive_filter_bytes(a, -1);
    return n > 0 ? static_cast<std::uint64_t>(n) : 0;
}

/// A member's path in the archive as UTF-8 when libarchive can give it, else its raw bytes; "" if neither.
inline std::string EntryName(archive_entry* entry) {
    const char* name = archive_entry_pathname_utf8(entry);
    if (name == nullptr) name = archive_entry_pathname(entry);
    return name != nullptr ? name : "";
}

}  // namespace mt::ingest::detail
