// Where a file's table ends and what shape its rows take; the rules are documented in table_shape.hpp.
#include "table_shape.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "analysis.hpp"

namespace mt::analyzer {
namespace {

std::string_view TrimView(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == ':')) s.remove_suffix(1);
    return s;
}

bool Filled(std::string_view cell) { return !TrimView(cell).empty(); }

/// How many cells hold something, counting no further than `stop`.
std::size_t FilledCells(const std::vector<std::string>& cells, std::size_t stop) {
    std::size_t n = 0;
    for (const auto& c : cells) {
        if (Filled(c) && ++n == stop) break;
    }
    return n;
}

/// "Total", "TOTAIS", "Soma:", "Total geral" … as the first filled cell of a row.
bool IsTotalRow(const std::vector<std::string>& cells) {
    const auto first = std::find_if(cells.begin(), cells.end(), [](const std::string& c) { return Filled(c); });
    if (first == cells.end()) return false;
    const std::string_view value = TrimView(*first);
    // Compared in place, without a copy: this runs on every row.
    static constexpr std::array<std::string_view, 7> kLabels = {"total",  "totais",      "totals",     "soma",
                                                                "totale", "total geral", "grand total"};
    return std::any_of(kLabels.begin(), kLabels.end(), [value](std::string_view label) {
        if (value.size() != label.size()) return false;
        for (std::size_t i = 0; i < label.size(); ++i) {
            const char c = value[i];
            if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != label[i]) return false;
        }
        return true;
    });
}

std::string Quoted(std::string_view value) { return "\"" + CutText(TrimView(value), 80) + "\""; }

}  // namespace

void FileWarnings::Add(const std::string& file, std::int64_t line, std::string message) {
    if (items.size() < jobs::kMaxJobWarnings) items.push_back({file, line, std::move(message)});
    ++count;
}

TableShaper::TableShaper(std::string file, std::size_t width, std::size_t fields, bool csv, ColumnTypes columns,
                         FileWarnings& warnings)
    : file_(std::move(file)),
      width_(width),
      fields_(fields),
      csv_(csv),
      columns_(std::move(columns)),
      warnings_(warnings) {}

// One filled cell, and proof that it is not a sparse data row: a CSV line of one field in a table of several,
// a value its column's type rejects ("Fonte: IBGE" in a column of numbers), or a total row held before it.
bool TableShaper::IsNote(const std::vector<std::string>& cells) const {
    if (width_ < 2 || FilledCells(cells, 2) != 1) return false;
    if (csv_ && cells.size() == 1) return true;
    if (held_total_) return true;
    const std::size_t i = static_cast<std::size_t>(
        std::find_if(cells.begin(), cells.end(), [](const std::string& c) { return Filled(c); }) - cells.begin());
    return i < width_ && columns_.type(i) != types::ColumnType::kText && columns_.breaks(i, cells[i]);
}

// After a blank line: a row of distinct names, none a number, that has another shape than the table's rows (another
// field count) or that the table's typed columns reject.
bool TableShaper::StartsSecondTable(const std::vector<std::string>& cells) const {
    if (FilledCells(cells, 2) < 2) return false;
    std::set<std::string_view> names;
    bool rejected = false;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (!Filled(cells[i])) continue;
        if (!names.insert(cells[i]).second) return false;
        types::ColumnInference probe;
        probe.Observe(cells[i]);
        const types::ColumnType type = probe.Result().type;
        if (type == types::ColumnType::kInteger || type == types::ColumnType::kDecimal) return false;
        rejected =
            rejected || (i < width_ && columns_.type(i) != types::ColumnType::kText && columns_.breaks(i, cells[i]));
    }
    std::size_t used = cells.size();
    while (used > 0 && !Filled(cells[used - 1])) --used;
    return rejected || (csv_ && cells.size() != fields_ && used != fields_);
}

void TableShaper::Add(const std::vector<std::string>& cells, std::int64_t line, bool after_gap,
                      const jobs::Checkpoint& after, const Emit& emit) {
    if (second_table_line_ > 0) {
        ++second_table_rows_;
        last_line_ = line;
        return;
    }
    gap_since_data_ = gap_since_data_ || after_gap;
    if (gap_since_data_ && StartsSecondTable(cells)) {
        second_table_line_ = line;
        second_table_rows_ = 1;
        last_line_ = line;
        return;
    }
    const bool total = IsTotalRow(cells);
    if ((total || IsNote(cells)) && held_.size() < kMaxPendingRows && held_bytes_ < kMaxPendingBytes) {
        for (const auto& c : cells) held_bytes_ += c.size() + sizeof(std::string);
        held_.push_back({cells, line, after, total});
        held_total_ = held_total_ || total;
        return;
    }
    Release(emit);
    EmitData(cells, line, after, emit);
}

// Held rows followed by a data row were inside the table: they are data.
void TableShaper::Release(const Emit& emit) {
    for (const Held& h : held_) {
        if (h.total) {
            warnings_.Add(file_, h.line,
                          "a total row (" + Quoted(h.cells.front()) + ") inside the table, loaded as a data row");
        }
        EmitData(h.cells, h.line, h.after, emit);
    }
    held_.clear();
    held_bytes_ = 0;
    held_total_ = false;
}

void TableShaper::EmitData(const std::vector<std::string>& cells, std::int64_t line, const jobs::Checkpoint& after,
                           const Emit& emit) {
    gap_since_data_ = false;
    if (cells.size() > width_) {
        std::vector<std::string> extra;
        for (std::size_t i = width_; i < cells.size(); ++i) {
            if (Filled(cells[i]) && extra.size() < 3) extra.push_back(Quoted(cells[i]));
        }
        if (!extra.empty()) {
            std::string list;
            for (const auto& e : extra) list += (list.empty() ? "" : ", ") + e;
            warnings_.Add(file_, line,
                          std::to_string(cells.size()) + " fields where the table has " + std::to_string(width_) +
                              ": the extra fields were not loaded (" + list + ")");
        }
        narrowed_.assign(cells.begin(), cells.begin() + static_cast<std::ptrdiff_t>(width_));
        emit(narrowed_, line, after);
        return;
    }
    if (csv_ && cells.size() < width_ && cells.size() < fields_) {
        warnings_.Add(file_, line,
                      std::to_string(cells.size()) + " fields where the table has " + std::to_string(width_) +
                          ": the missing cells were loaded empty (null)");
    }
    emit(cells, line, after);
}

void TableShaper::Finish() {
    for (const Held& h : held_) {
        const auto first = std::find_if(h.cells.begin(), h.cells.end(), [](const std::string& c) { return Filled(c); });
        if (h.total) {
            warnings_.Add(file_, h.line,
                          "the closing total row (" + Quoted(*first) +
                              ") was not loaded: loaded, it would count the table's figures twice");
        } else {
            warnings_.Add(file_, h.line, "a note after the table was not loaded: " + Quoted(*first));
        }
    }
    held_.clear();
    if (second_table_line_ > 0) {
        warnings_.Add(file_, second_table_line_,
                      "a second table starts here (" + std::to_string(second_table_rows_) + " rows, to line " +
                          std::to_string(last_line_) +
                          ") and was not loaded: only the first table of a file is read; upload the second as a "
                          "file of its own");
    }
}

}  // namespace mt::analyzer
