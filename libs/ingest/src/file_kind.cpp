// File kind by name, and a magic-byte check that the content agrees (SPEC §7a: a file lying about its extension).
#include "mt/ingest/file_kind.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "encoding.hpp"

namespace mt::ingest {
namespace {

constexpr std::size_t kProbeBytes = 64 * 1024;

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool IsZip(std::string_view head) {
    // Local file header; or the end-of-central-directory record that alone makes an empty archive.
    return StartsWith(head, std::string_view("PK\x03\x04", 4)) || StartsWith(head, std::string_view("PK\x05\x06", 4));
}

bool IsOle2(std::string_view head) { return StartsWith(head, std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)); }

bool IsUtf16Bom(std::string_view head) {
    return StartsWith(head, std::string_view("\xFF\xFE", 2)) || StartsWith(head, std::string_view("\xFE\xFF", 2));
}

// What the first bytes look like, for the message when they do not match the extension.
std::string_view Describe(std::string_view head) {
    struct Magic {
        std::string_view bytes;
        std::string_view what;
    };
    static constexpr std::array<Magic, 8> kMagics = {{
        {std::string_view("\x89PNG", 4), "a PNG image"},
        {std::string_view("\xFF\xD8\xFF", 3), "a JPEG image"},
        {"GIF8", "a GIF image"},
        {"%PDF", "a PDF document"},
        {std::string_view("\x1F\x8B", 2), "a gzip archive"},
        {"Rar!", "a RAR archive"},
        {std::string_view("7z\xBC\xAF", 4), "a 7-Zip archive"},
        {"BZh", "a bzip2 archive"},
    }};
    if (IsZip(head)) return "a ZIP archive or XLSX workbook";
    if (IsOle2(head)) return "an XLS workbook or other OLE2 document";
    for (const Magic& magic : kMagics) {
        if (StartsWith(head, magic.bytes)) return magic.what;
    }
    if (!IsUtf16Bom(head) && head.find('\0') != std::string_view::npos) return "binary data";
    return "text";
}

bool Matches(std::string_view head, FileKind kind) {
    switch (kind) {
        case FileKind::kCsv: return Describe(head) == "text";
        case FileKind::kXlsx:
        case FileKind::kZip: return IsZip(head);
        case FileKind::kXls: return IsOle2(head);
    }
    return false;
}

}  // namespace

std::optional<FileKind> KindFromName(std::string_view original_name) {
    const std::size_t dot = original_name.rfind('.');
    if (dot == std::string_view::npos) return std::nullopt;
    std::string ext(original_name.substr(dot + 1));
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == "csv" || ext == "tsv" || ext == "txt") return FileKind::kCsv;
    if (ext == "xlsx") return FileKind::kXlsx;
    if (ext == "xls") return FileKind::kXls;
    if (ext == "zip") return FileKind::kZip;
    return std::nullopt;  // includes "dir.csv/file": the extension contains a '/'
}

std::string_view Name(FileKind kind) {
    switch (kind) {
        case FileKind::kCsv: return "CSV";
        case FileKind::kXlsx: return "XLSX";
        case FileKind::kXls: return "XLS";
        case FileKind::kZip: return "ZIP";
    }
    return "unknown";
}

Status CheckContentMatchesKind(const std::string& path, FileKind kind, std::string_view display_name) {
    MT_ASSIGN_OR_RETURN(detail::InputFile file, detail::InputFile::Open(path, display_name));
    std::string head(kProbeBytes, '\0');
    MT_ASSIGN_OR_RETURN(std::size_t n, file.Read(head.data(), head.size()));
    head.resize(n);
    const std::string quoted_name = "\"" + std::string(display_name) + "\"";
    if (n == 0) return Validation("file " + quoted_name + " is empty");
    if (Matches(head, kind)) return Ok();
    return Validation("file " + quoted_name + " is not a valid " + std::string(Name(kind)) +
                      " file (content looks like " + std::string(Describe(head)) + ")");
}

}  // namespace mt::ingest
