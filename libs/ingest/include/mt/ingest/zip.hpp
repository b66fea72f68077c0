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
    // Bytes written over all members: the data one upload may hold (a caller passes what is left of its job's
    // byte budget).
    std::uint64_t max_total_uncompressed = 2ull << 30;
    // Over the whole archive, from the first byte: bytes written may not pass max_ratio × the compressed bytes
    // consumed to produce them, plus ratio_grace_bytes. A sparse CSV of mostly empty cells reaches ~200:1;
    // deflate tops out near 1032:1, which only a bomb (or a tiny file) approaches.
    std::uint64_t max_ratio = 400;
    std::uint64_t ratio_grace_bytes = 4u << 20;  // a small file may compress extremely well
    std::size_t max_members = 1000;              // entries of any kind in the archive
};

/// Extracts the members of `zip_path` with a supported extension (.csv .tsv .txt .xlsx .xls, case-insensitive)
/// from any folder into `scratch_dir` (which must exist), under generated names that keep the extension.
/// Skipped: directories, `__MACOSX/` resource forks, names starting with "." (including "._" AppleDouble
/// files), nested .zip files and any other extension.
///
/// Refused — kValidation naming `display_name`, and nothing is left in scratch_dir: not a ZIP file; an
/// entry with an absolute path or a ".." component; a symbolic link; an encrypted entry; more than
/// `max_members` entries; more than `max_total_uncompressed` bytes written in total
/// (`zip "x.zip" expands to more than 2 GiB, the limit for one upload`); more bytes written so far than
/// `max_ratio` × the compressed bytes consumed so far + `ratio_grace_bytes`, over all extracted members
/// (`zip "x.zip" member "a.csv" expands more than 400 times its compressed size; refusing a possible zip bomb`,
/// or `zip "x.zip" expands more than 400 times its compressed size (members up to "b.csv"); …` when the members
/// before it share the blame); no supported member at all (`zip "x.zip" contains no .csv, .xlsx or .xls file`).
/// Every byte is counted while extracting: sizes in the headers are never trusted, and expansion stops at the
/// first chunk over a limit.
///
/// Members come back in archive order. A pure function of its inputs apart from the files it writes; it
/// reads the archive with its own libarchive handle, so concurrent calls on different scratch dirs are safe.
Result<std::vector<ZipMember>> ExpandZip(const std::string& zip_path, const std::string& scratch_dir,
                                         std::string display_name, ZipLimits limits = {});

}  // namespace mt::ingest
