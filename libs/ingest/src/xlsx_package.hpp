#pragma once
/// The ZIP package of an .xlsx file: member lookup and reading of parts (private).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "archive_holder.hpp"
#include "mt/core/result.hpp"

namespace mt::ingest::detail {

/// Streams one decompressed part. Owns its own libarchive handle (opened on the package file), so several
/// parts can be read independently. The ZIP rule of ExpandZip's defaults holds for each part from its first
/// byte: the bytes it has produced may not pass kMaxPartRatio × the compressed bytes consumed for them plus
/// kRatioGraceBytes (a small part, such as one long shared string, may compress extremely well). Real sheet
/// XML stays far below that ratio, a zip bomb does not. Move-only; one thread at a time.
class PartStream {
public:
    static constexpr std::uint64_t kMaxPartRatio = 400;
    static constexpr std::uint64_t kRatioGraceBytes = 4u << 20;

    PartStream(ArchiveReadPtr archive, std::string display_name, std::string part);

    /// Reads up to `size` decompressed bytes into `buffer`; 0 at the end of the part.
    Result<std::size_t> Read(char* buffer, std::size_t size);
    /// Compressed bytes of the package file consumed so far (progress of the whole file, not of this part).
    [[nodiscard]] std::uint64_t raw_bytes() const { return RawBytesConsumed(archive_.get()); }
    [[nodiscard]] const std::string& part() const { return part_; }

private:
    ArchiveReadPtr archive_;
    std::string display_name_;
    std::string part_;
    std::uint64_t raw_start_ = 0;
    std::uint64_t produced_ = 0;
};

/// An opened .xlsx package: the file was checked to be a ZIP and its member names were listed once.
/// Immutable after Open; parts are read through fresh libarchive handles, so the package holds no open
/// file. Part names are matched as OPC prescribes: case-insensitively, with or without the leading '/'.
class XlsxPackage {
public:
    /// Largest part read whole into memory (workbook.xml, styles.xml, rels): these are small in real files.
    static constexpr std::size_t kMaxSmallPartBytes = 64u << 20;

    static Result<XlsxPackage> Open(const std::string& path, std::string display_name);

    [[nodiscard]] bool Has(std::string_view part) const;
    /// The whole part, or nullopt when the package has no such member.
    [[nodiscard]] Result<std::optional<std::string>> ReadSmallPart(std::string_view part) const;
    [[nodiscard]] Result<PartStream> OpenPart(std::string_view part) const;

    /// `file "<display name>" is not a valid XLSX file: <why>`.
    [[nodiscard]] Error Invalid(std::string_view why) const;
    [[nodiscard]] const std::string& display_name() const { return display_name_; }

private:
    XlsxPackage(std::string path, std::string display_name);
    Result<ArchiveReadPtr> OpenArchive() const;

    std::string path_;
    std::string display_name_;
    std::unordered_map<std::string, std::string> members_;  // normalized name -> name as stored
};

/// `file "<display name>" is not a valid XLSX file: <why>` (for code without a package at hand).
Error InvalidXlsx(std::string_view display_name, std::string_view why);

/// Normalized part name: no leading '/', ASCII lower case.
std::string NormalizePartName(std::string_view name);

/// Resolves a relationship target against the folder of its source part ("xl/"): absolute targets
/// ("/xl/worksheets/sheet1.xml") are taken from the package root, "." and ".." segments are resolved.
std::string ResolveTarget(std::string_view source_dir, std::string_view target);

}  // namespace mt::ingest::detail
