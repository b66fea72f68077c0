// ExpandZip: walk a ZIP's central directory, refuse tricks and bombs, extract supported members under
// generated names.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>

#include "archive_holder.hpp"
#include "limit_checks.hpp"
#include "mt/core/json.hpp"
#include "mt/ingest/file_kind.hpp"
#include "mt/ingest/zip.hpp"

namespace mt::ingest {
namespace {

using detail::ArchiveReadPtr;

/// An archive with no entries is only its end-of-central-directory record ("PK\5\6"), which libarchive does not
/// recognize as a ZIP.
bool IsEmptyZip(const std::string& path) {
    char magic[4] = {};
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    const std::size_t n = std::fread(magic, 1, sizeof magic, f);
    std::fclose(f);
    return n == 4 && std::memcmp(magic, "PK\x05\x06", 4) == 0;
}

Error ZipError(const std::string& display_name, const std::string& why) {
    return Validation("zip " + Quoted(display_name, 255) + " " + why);
}

/// Absolute ("/x", "\\x", "C:x") or climbing ("a/../../x") paths: whatever we do with names, refuse archives
/// built to escape a directory.
bool IsUnsafePath(std::string_view name) {
    if (name.empty() || name.front() == '/' || name.front() == '\\') return true;
    if (name.size() >= 2 && name[1] == ':' && std::isalpha(static_cast<unsigned char>(name[0]))) return true;
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t end = std::min(name.find_first_of("/\\", start), name.size());
        if (name.substr(start, end - start) == "..") return true;
        start = end + 1;
    }
    return false;
}

/// Kind of a member worth extracting; nullopt for junk (macOS resource forks, hidden files), nested zips and
/// other extensions.
std::optional<FileKind> ExtractableKind(std::string_view name) {
    if (name.substr(0, 9) == "__MACOSX/" || name.find("/__MACOSX/") != std::string_view::npos) return std::nullopt;
    const std::size_t slash = name.find_last_of("/\\");
    const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
    if (base.empty() || base.front() == '.') return std::nullopt;  // ".DS_Store", "._data.csv" (AppleDouble)
    const std::optional<FileKind> kind = KindFromName(base);
    if (kind == FileKind::kZip) return std::nullopt;
    return kind;
}

std::string_view Extension(std::string_view name) {
    const std::size_t dot = name.rfind('.');
    return dot == std::string_view::npos ? std::string_view() : name.substr(dot);
}

/// Files written so far; removed unless the whole expansion succeeds, so a refusal leaves nothing behind.
class WrittenFiles {
public:
    WrittenFiles() = default;
    WrittenFiles(const WrittenFiles&) = delete;
    WrittenFiles& operator=(const WrittenFiles&) = delete;
    ~WrittenFiles() {
        if (committed_) return;
        for (const std::string& path : paths_) ::unlink(path.c_str());
    }
    void Add(std::string path) { paths_.push_back(std::move(path)); }
    void Commit() { committed_ = true; }

private:
    std::vector<std::string> paths_;
    bool committed_ = false;
};

/// Closes a file descriptor on scope exit.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

/// Creates a new file "<scratch_dir>/zip-member-NNNN<ext>" (O_EXCL: never reuses an existing name).
Result<std::string> CreateScratchFile(const std::string& scratch_dir, std::string_view extension, int& counter,
                                      Fd& out) {
    while (true) {
        char name[32];
        std::snprintf(name, sizeof name, "zip-member-%04d", ++counter);
        std::string path = scratch_dir + "/" + name;
        for (const char c : extension) path += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (out.fd >= 0) return path;
        if (errno != EEXIST) return Internal("cannot create " + path + ": " + std::strerror(errno));
    }
}

Status WriteAll(int fd, const char* data, std::size_t size, const std::string& path) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return DiskWriteError(path, errno);
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return Ok();
}

/// What the members extracted so far add up to: the ratio rule and the total apply to the whole archive.
struct Expansion {
    const std::string& display_name;
    const ZipLimits& limits;
    std::uint64_t total_written = 0;
    std::uint64_t total_consumed = 0;  // compressed bytes the extracted members' data took up
};

/// The ratio refusal. It names the member when that member alone passes the ratio (a bomb in one member, the
/// usual case); otherwise the members before it share the blame, and the message says so.
Error RatioError(const Expansion& expansion, const std::string& member, std::uint64_t written, std::uint64_t consumed) {
    const std::string ratio = std::to_string(expansion.limits.max_ratio);
    if (detail::ExpandsTooMuch(written, consumed, expansion.limits.max_ratio, 0)) {
        return ZipError(expansion.display_name, "member " + Quoted(member) + " expands more than " + ratio +
                                                    " times its compressed size; refusing a possible zip bomb");
    }
    return ZipError(expansion.display_name, "expands more than " + ratio +
                                                " times its compressed size (members up to " + Quoted(member) +
                                                "); refusing a possible zip bomb");
}

/// Copies the current entry's data to `fd`, counting real bytes against the limits as they come: a chunk over
/// a limit is never written.
Result<std::uint64_t> CopyMember(archive* a, int fd, const std::string& path, const std::string& member,
                                 Expansion& expansion) {
    const ZipLimits& limits = expansion.limits;
    // libarchive's position in the file advances by the compressed bytes the decompressor consumed (the
    // member's header was consumed before this point).
    const std::uint64_t raw_start = detail::RawBytesConsumed(a);
    const std::uint64_t consumed_before = expansion.total_consumed;
    std::uint64_t written = 0;
    std::array<char, 64 * 1024> buffer;
    while (true) {
        const la_ssize_t n = archive_read_data(a, buffer.data(), buffer.size());
        if (n == 0) return written;
        if (n < 0) {
            return ZipError(expansion.display_name,
                            "is not a valid ZIP file: member " + Quoted(member) + ": " + detail::ArchiveMessage(a));
        }
        written += static_cast<std::uint64_t>(n);
        expansion.total_written += static_cast<std::uint64_t>(n);
        const std::uint64_t consumed = detail::RawBytesConsumed(a) - raw_start;
        expansion.total_consumed = consumed_before + consumed;
        if (expansion.total_written > limits.max_total_uncompressed) {
            return ZipError(expansion.display_name, "expands to more than " +
                                                        detail::FormatBytes(limits.max_total_uncompressed) +
                                                        ", the limit for one upload");
        }
        if (detail::ExpandsTooMuch(expansion.total_written, expansion.total_consumed, limits.max_ratio,
                                   limits.ratio_grace_bytes)) {
            return RatioError(expansion, member, written, consumed);
        }
        MT_TRY(WriteAll(fd, buffer.data(), static_cast<std::size_t>(n), path));
    }
}

/// Refuses entries no legitimate upload needs; returns the kind to extract the entry as, or nullopt to skip it.
Result<std::optional<FileKind>> Screen(archive_entry* entry, const std::string& name, const std::string& display) {
    if (name.empty()) return ZipError(display, "contains a member whose name cannot be read");
    if (IsUnsafePath(name)) return ZipError(display, "contains an unsafe path " + Quoted(name));
    if (archive_entry_filetype(entry) == AE_IFLNK) {
        return ZipError(display, "contains a symbolic link " + Quoted(name) + "; links are not accepted");
    }
    if (archive_entry_is_encrypted(entry)) {
        return ZipError(display,
                        "contains an encrypted member " + Quoted(name) + "; password-protected zips are not supported");
    }
    if (archive_entry_filetype(entry) != AE_IFREG || name.back() == '/') return std::optional<FileKind>();
    return ExtractableKind(name);
}

}  // namespace

Result<std::vector<ZipMember>> ExpandZip(const std::string& zip_path, const std::string& scratch_dir,
                                         std::string display_name, ZipLimits limits) {
    const detail::Utf8NamesScope utf8_names;
    if (IsEmptyZip(zip_path)) return ZipError(display_name, "contains no .csv, .xlsx or .xls file");
    ArchiveReadPtr a = detail::NewZipReader();
    if (!a) return Internal("libarchive: out of memory");
    if (archive_read_open_filename(a.get(), zip_path.c_str(), 64 * 1024) != ARCHIVE_OK) {
        return ZipError(display_name, "is not a valid ZIP file: " + detail::ArchiveMessage(a.get()));
    }
    WrittenFiles written;
    std::vector<ZipMember> members;
    Expansion expansion{display_name, limits};
    int counter = 0;
    std::size_t entries = 0;
    archive_entry* entry = nullptr;
    int rc = ARCHIVE_OK;
    while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
        if (++entries > limits.max_members) {
            return ZipError(display_name, "has more than " + std::to_string(limits.max_members) + " members");
        }
        // Names without ZIP's UTF-8 flag are in whatever code page the zipping machine used (often CP437):
        // they only ever appear in messages, so make them valid UTF-8 rather than guess.
        const std::string name = json::SanitizeUtf8(detail::EntryName(entry));
        MT_ASSIGN_OR_RETURN(const std::optional<FileKind> kind, Screen(entry, name, display_name));
        if (!kind) continue;  // libarchive skips the data of entries we do not read
        Fd fd;
        MT_ASSIGN_OR_RETURN(std::string path, CreateScratchFile(scratch_dir, Extension(name), counter, fd));
        written.Add(path);
        MT_ASSIGN_OR_RETURN(const std::uint64_t size, CopyMember(a.get(), fd.fd, path, name, expansion));
        if (::close(std::exchange(fd.fd, -1)) != 0) {
            return DiskWriteError(path, errno);
        }
        members.push_back(ZipMember{name, std::move(path), *kind, size});
    }
    if (rc != ARCHIVE_EOF) {
        return ZipError(display_name, "is not a valid ZIP file: " + detail::ArchiveMessage(a.get()));
    }
    if (members.empty()) return ZipError(display_name, "contains no .csv, .xlsx or .xls file");
    written.Commit();
    return members;
}

}  // namespace mt::ingest
