#include "xlsx_package.hpp"

#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "limit_checks.hpp"

namespace mt::ingest::detail {
namespace {

/// A ZIP package listing more parts than this is not a spreadsheet someone saved.
constexpr std::size_t kMaxPackageMembers = 100'000;

struct FileClose {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

/// Checks the first bytes before libarchive sees the file, to say what the file is when it is no XLSX.
Status CheckSignature(const std::string& path, std::string_view display_name) {
    std::unique_ptr<std::FILE, FileClose> file(std::fopen(path.c_str(), "rb"));
    if (!file) return Internal("cannot open uploaded file \"" + std::string(display_name) + "\"");
    std::array<unsigned char, 8> magic{};
    const std::size_t n = std::fread(magic.data(), 1, magic.size(), file.get());
    if (n == 0) return InvalidXlsx(display_name, "the file is empty");
    static constexpr std::array<unsigned char, 8> kCompoundFile = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    if (n == magic.size() && magic == kCompoundFile) {
        // Excel saves password-protected workbooks as an encrypted package inside an OLE compound file.
        return InvalidXlsx(display_name, "it is password-protected or an old-format .xls workbook");
    }
    if (n < 4 || std::memcmp(magic.data(), "PK\x03\x04", 4) != 0) {
        return InvalidXlsx(display_name, "it is not a ZIP package");
    }
    return Ok();
}

}  // namespace

Error InvalidXlsx(std::string_view display_name, std::string_view why) {
    return Validation("file \"" + std::string(display_name) + "\" is not a valid XLSX file: " + std::string(why));
}

std::string NormalizePartName(std::string_view name) {
    while (!name.empty() && name.front() == '/') name.remove_prefix(1);
    std::string out(name);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string ResolveTarget(std::string_view source_dir, std::string_view target) {
    std::string joined = !target.empty() && target.front() == '/' ? std::string(target.substr(1))
                                                                  : std::string(source_dir) + std::string(target);
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (start <= joined.size()) {
        const std::size_t end = std::min(joined.find('/', start), joined.size());
        const std::string segment = joined.substr(start, end - start);
        if (segment == "..") {
            if (!segments.empty()) segments.pop_back();
        } else if (!segment.empty() && segment != ".") {
            segments.push_back(segment);
        }
        start = end + 1;
    }
    std::string out;
    for (const std::string& segment : segments) out += (out.empty() ? "" : "/") + segment;
    return out;
}

PartStream::PartStream(ArchiveReadPtr archive, std::string display_name, std::string part)
    : archive_(std::move(archive)), display_name_(std::move(display_name)), part_(std::move(part)) {
    raw_start_ = RawBytesConsumed(archive_.get());
}

Result<std::size_t> PartStream::Read(char* buffer, std::size_t size) {
    const la_ssize_t n = archive_read_data(archive_.get(), buffer, size);
    if (n < 0) return InvalidXlsx(display_name_, part_ + ": " + ArchiveMessage(archive_.get()));
    produced_ += static_cast<std::uint64_t>(n);
    const std::uint64_t consumed = RawBytesConsumed(archive_.get()) - raw_start_;
    if (ExpandsTooMuch(produced_, consumed, kMaxPartRatio, kRatioGraceBytes)) {
        return InvalidXlsx(display_name_, part_ + " expands more than " + std::to_string(kMaxPartRatio) +
                                              " times its compressed size (a zip bomb?)");
    }
    return static_cast<std::size_t>(n);
}

XlsxPackage::XlsxPackage(std::string path, std::string display_name)
    : path_(std::move(path)), display_name_(std::move(display_name)) {}

Error XlsxPackage::Invalid(std::string_view why) const { return InvalidXlsx(display_name_, why); }

Result<ArchiveReadPtr> XlsxPackage::OpenArchive() const {
    ArchiveReadPtr a = NewZipReader();
    if (!a) return Internal("libarchive: out of memory");
    if (archive_read_open_filename(a.get(), path_.c_str(), 64 * 1024) != ARCHIVE_OK) {
        // The signature said ZIP, so the central directory at the end is missing or damaged.
        return Invalid("the file is truncated or its ZIP structure is damaged (" + ArchiveMessage(a.get()) + ")");
    }
    return a;
}

Result<XlsxPackage> XlsxPackage::Open(const std::string& path, std::string display_name) {
    MT_TRY(CheckSignature(path, display_name));
    XlsxPackage package(path, std::move(display_name));
    const Utf8NamesScope utf8_names;
    MT_ASSIGN_OR_RETURN(ArchiveReadPtr a, package.OpenArchive());
    archive_entry* entry = nullptr;
    int rc = ARCHIVE_OK;
    while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
        if (package.members_.size() >= kMaxPackageMembers) return package.Invalid("too many parts");
        std::string name = EntryName(entry);
        package.members_.emplace(NormalizePartName(name), std::move(name));  // first one wins on duplicates
    }
    if (rc != ARCHIVE_EOF) return package.Invalid(ArchiveMessage(a.get()));
    return package;
}

bool XlsxPackage::Has(std::string_view part) const { return members_.count(NormalizePartName(part)) != 0; }

Result<PartStream> XlsxPackage::OpenPart(std::string_view part) const {
    const auto it = members_.find(NormalizePartName(part));
    if (it == members_.end()) return Invalid("missing " + std::string(part));
    const Utf8NamesScope utf8_names;
    MT_ASSIGN_OR_RETURN(ArchiveReadPtr a, OpenArchive());
    archive_entry* entry = nullptr;
    int rc = ARCHIVE_OK;
    while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
        if (EntryName(entry) != it->second) continue;
        if (archive_entry_is_encrypted(entry)) return Invalid(std::string(part) + " is encrypted");
        return PartStream(std::move(a), display_name_, it->second);
    }
    return Invalid(std::string(part) + ": " + ArchiveMessage(a.get(), "missing"));
}

Result<std::optional<std::string>> XlsxPackage::ReadSmallPart(std::string_view part) const {
    if (!Has(part)) return std::optional<std::string>();
    MT_ASSIGN_OR_RETURN(PartStream stream, OpenPart(part));
    std::string content;
    std::array<char, 64 * 1024> buffer;
    while (true) {
        MT_ASSIGN_OR_RETURN(const std::size_t n, stream.Read(buffer.data(), buffer.size()));
        if (n == 0) break;
        if (content.size() + n > kMaxSmallPartBytes) return Invalid(std::string(part) + " is too large");
        content.append(buffer.data(), n);
    }
    return std::optional<std::string>(std::move(content));
}

}  // namespace mt::ingest::detail
