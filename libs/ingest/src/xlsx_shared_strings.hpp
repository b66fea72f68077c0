#pragma once
/// The shared string table of an .xlsx file, streamed from sharedStrings.xml with expat (private).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mt/core/result.hpp"
#include "mt/ingest/row_reader.hpp"
#include "xlsx_package.hpp"

namespace mt::ingest::detail {

/// The strings cells refer to by index. Cells may point at any entry at any time, so the table is held in
/// memory: one arena of text plus one offset per string. This is the one part of an XLSX file whose size
/// bounds the reader's memory; `memory_bytes()` is capped by ReaderLimits::max_shared_strings_bytes so a
/// crafted file fails instead. Immutable after loading; safe to share between threads for reading.
class SharedStrings {
public:
    [[nodiscard]] std::size_t size() const { return ends_.size(); }
    /// String `index` (< size()). Strings longer than the cell limit are kept truncated to limit + 1 bytes:
    /// enough for a cell that uses one to fail with the size error, without holding the rest.
    [[nodiscard]] std::string_view Get(std::size_t index) const {
        const std::uint64_t begin = index == 0 ? 0 : ends_[index - 1];
        return std::string_view(arena_).substr(begin, ends_[index] - begin);
    }

    void Add(std::string_view text) {
        arena_ += text;
        ends_.push_back(arena_.size());
    }
    /// What the table holds: its text plus one offset per string.
    [[nodiscard]] std::size_t memory_bytes() const { return arena_.size() + ends_.size() * sizeof(std::uint64_t); }

private:
    std::string arena_;
    std::vector<std::uint64_t> ends_;
};

/// Streams `stream` (a sharedStrings.xml part): plain <si><t> and rich-text runs <si><r><t> are concatenated,
/// phonetic guides (<rPh>) left out, _xHHHH_ escapes decoded. Strings over `limits.max_cell_bytes` are kept
/// truncated (see Get). A table over `limits.max_shared_strings_bytes` fails with kValidation
/// `file "x.xlsx": the shared strings of this workbook are larger than 64 MiB`.
Result<SharedStrings> LoadSharedStrings(PartStream stream, std::string_view display_name, const ReaderLimits& limits);

}  // namespace mt::ingest::detail
