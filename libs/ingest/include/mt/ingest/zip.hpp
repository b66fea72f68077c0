#pragma once
/// ZIP uploads (SPEC §7): unpack the spreadsheets and CSV files of an archive, refusing bombs and path tricks.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mt/core/result.hpp"
#include "mt/ingest/row_reader.hpp"

namespace mt::ingest {

/// One extracted member: a plain value.
struct ZipMember {
    std::string name;        // path inside the zip, for messages ("reports/2024/jan.csv")
    std::string local_path;  // where it was written: a generated name under scratch_dir
    FileKind kind;           // kCsv, kXlsx or kXls (by the member's extension)
    std::uint64_t size;      // decompressed bytes actually written
};

/// Refusal thresholds; the defaults are the service's.
struct ZipLimits {
    std::uint64_t max_total_uncompressed = 2ull << 30;  // bytes written over all members
    std::uint64_t max_ratio = 200;                      // per member, once it is past 64 MiB
    std::size_t max_members = 1000;                     // entries of any kind in the archive
};

/// Extracts the members of `zip_path` with a supported extension (.csv .tsv .txt .xlsx .xls, case-insensitive)
/// from any folder into `scratch_dir` (which must exist), under generated names that keep the extension.
/// Skipped: directories, `__MACOSX/` resource forks, names starting with "." (including "._" AppleDouble
/// files), nested .zip files and any other extension.
///
/// Refused — kValidation naming `display_name`, and nothing is left in scratch_dir: not a ZIP file; an
/// entry with an absolute path or a ".." component; a symbolic link; an encrypted entry; more than
/// `max_members` entries; more than `max_total_uncompressed` bytes written in total; a member whose
/// decompressed bytes exceed `max_ratio` times the compressed bytes read for it once past 64 MiB (counted
/// while extracting: sizes in the headers are never trusted); no supported member at all
/// (`zip "x.zip" contains no .csv, .xlsx or .xls file`).
///
/// Members come back in archive order. A pure function of its inputs apart from the files it writes; it
/// reads the archive with its own libarchive handle, so concurrent calls on different scratch dirs are safe.
Result<std::vector<ZipMember>> ExpandZip(const std::string& zip_path, const std::string& scratch_dir,
                                         std::string display_name, ZipLimits limits = {});

}  // namespace mt::ingest
