#pragma once
/// The shared string table of an .xlsx file, streamed from sharedStrings.xml with expat (private).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mt/core/result.hpp"
#include "xlsx_package.hpp"

namespace mt::ingest::detail {

/// The strings cells refer to by index. Cells may point at any entry at any time, so the table is held in
/// memory: one arena of text plus one offset per string. This is the one part of an XLSX file whose size
/// bounds the reader's memory; it is capped (kMaxBytes, kMaxStrings) so a crafted file fails instead.
/// Immutable after loading; safe to share between threads for reading.
class SharedStrings {
public:
    static constexpr std::size_t kMaxBytes = 512u << 20;
    static constexpr std::size_t kMaxStrings = 16u << 20;

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
    [[nodiscard]] std::size_t bytes() const { return arena_.size(); }

private:
    std::string arena_;
    std::vector<std::uint64_t> ends_;
};

/// Streams `stream` (a sharedStrings.xml part): plain <si><t> and rich-text runs <si><r><t> are concatenated,
/// phonetic guides (<rPh>) left out, _xHHHH_ escapes decoded.
Result<SharedStrings> LoadSharedStrings(PartStream stream, std::string_view display_name, std::size_t max_cell_bytes);

}  // namespace mt::ingest::detail
