// Header detection: does the first row read like names or like data? The rule is documented in
// header_detection.hpp; types come from mt::types::ColumnInference so this file parses nothing itself.
#include "mt/ingest/header_detection.hpp"

#include <algorithm>
#include <set>
#include <string_view>

#include "mt/types/inference.hpp"

namespace mt::ingest {
namespace {

using mt::types::ColumnInference;
using mt::types::ColumnType;

std::string_view CellAt(const std::vector<std::string>& row, std::size_t column) {
    return column < row.size() ? std::string_view(row[column]) : std::string_view();
}

bool LooksNumeric(std::string_view value) {
    ColumnInference inference;
    inference.Observe(value);
    const ColumnType type = inference.Result().type;
    return type == ColumnType::kInteger || type == ColumnType::kDecimal;
}

enum class Verdict { kHeader, kData, kUndecided };

// Rule 3: compare the first-row value of each column with the type its later values infer to.
Verdict JudgeByTypes(const std::vector<std::vector<std::string>>& rows, std::size_t last) {
    const std::vector<std::string>& first = rows.front();
    bool any_typed = false;
    for (std::size_t column = 0; column < first.size(); ++column) {
        ColumnInference body;
        for (std::size_t r = 1; r < last; ++r) body.Observe(CellAt(rows[r], column));
        const ColumnType type = body.Result().type;
        if (type == ColumnType::kText) continue;
        any_typed = true;
        // The first-row value fits unless it turns the column into text; widening within a family ("10.5" over
        // integers, a date-time over dates) is data.
        ColumnInference with_first = body;
        with_first.Observe(first[column]);
        if (with_first.Result().type == ColumnType::kText) return Verdict::kHeader;
    }
    return any_typed ? Verdict::kData : Verdict::kUndecided;
}

// A year-like label: four digits from 1900 to 2100 ("2024"), as a column of a yearly report is named.
bool IsYearLabel(std::string_view value) {
    if (value.size() != 4 || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    return value >= "1900" && value <= "2100";
}

// Years as column names ("Produto;2024;2025" over the figures of each year): a row of labels and years, no blank,
// where each year heads a numeric column whose values are not years themselves. It is a header when a year heads
// a decimal column (an integer name over decimals is not one of them) or when two or more distinct years do.
// `distinct`: the labels must differ (a second header row under a group row may repeat "2024" per group).
bool YearsHeader(const std::vector<std::vector<std::string>>& rows, std::size_t last, bool distinct) {
    const std::vector<std::string>& first = rows.front();
    std::set<std::string_view> seen;
    std::size_t years = 0;
    bool over_decimal = false;
    for (std::size_t column = 0; column < first.size(); ++column) {
        const std::string& value = first[column];
        if (mt::types::IsNullToken(value)) return false;
        if (distinct && !seen.insert(value).second) return false;
        if (!IsYearLabel(value)) {
            if (LooksNumeric(value)) return false;
            continue;
        }
        ColumnInference body;
        bool any_other = false;
        for (std::size_t r = 1; r < last; ++r) {
            const std::string_view cell = CellAt(rows[r], column);
            body.Observe(cell);
            any_other = any_other || (!mt::types::IsNullToken(cell) && !IsYearLabel(cell));
        }
        const ColumnType type = body.Result().type;
        if (!any_other || (type != ColumnType::kInteger && type != ColumnType::kDecimal)) return false;
        ++years;
        over_decimal = over_decimal || type == ColumnType::kDecimal;
    }
    return over_decimal || years >= 2;
}

// Rule 4: all columns are text; names are distinct and not numbers.
bool LooksLikeNames(const std::vector<std::string>& first) {
    std::set<std::string_view> seen;
    for (const std::string& value : first) {
        if (!seen.insert(value).second) return false;
        if (LooksNumeric(value)) return false;
    }
    return true;
}

std::size_t NonEmptyCells(const std::vector<std::string>& row) {
    return static_cast<std::size_t>(
        std::count_if(row.begin(), row.end(), [](const std::string& v) { return !mt::types::IsNullToken(v); }));
}

const std::string& FirstNonEmpty(const std::vector<std::string>& row) {
    return *std::find_if(row.begin(), row.end(), [](const std::string& v) { return !mt::types::IsNullToken(v); });
}

// A group row above the names: some cells blank or repeated (what merged cells export as), fewer filled cells
// than the names below it.
bool LooksLikeGroupRow(const std::vector<std::string>& row, const std::vector<std::string>& names) {
    const std::size_t filled = NonEmptyCells(row);
    if (filled == 0 || filled >= NonEmptyCells(names)) return false;
    return filled < names.size() || std::set<std::string>(row.begin(), row.end()).size() < row.size();
}

// Two header rows from `start`: a group row, then names that typed columns below prove a header (a name does not
// fit its column's type, or years head numeric columns). The names must all be present.
bool TwoHeaderRows(const std::vector<std::vector<std::string>>& rows, std::size_t start) {
    if (start + 3 > rows.size()) return false;
    const std::vector<std::string>& names = rows[start + 1];
    if (names.empty() || NonEmptyCells(names) != names.size() || !LooksLikeGroupRow(rows[start], names)) return false;
    const std::vector<std::vector<std::string>> below(rows.begin() + static_cast<std::ptrdiff_t>(start + 1),
                                                      rows.end());
    const std::size_t last = std::min(below.size(), kHeaderDetectionRows);
    return JudgeByTypes(below, last) == Verdict::kHeader || YearsHeader(below, last, false);
}

// Titles, then one header row or none (DetectLayout then looks for a second header row).
TableLayout TitlesAndHeader(const std::vector<std::vector<std::string>>& first_rows) {
    constexpr std::size_t kMaxTitleRows = 10;
    std::size_t titles = 0;
    while (titles < kMaxTitleRows && titles + 2 < first_rows.size() && NonEmptyCells(first_rows[titles]) == 1 &&
           !LooksNumeric(FirstNonEmpty(first_rows[titles]))) {
        ++titles;
    }
    if (titles > 0 && NonEmptyCells(first_rows[titles]) >= 2) {
        std::vector<std::vector<std::string>> table(first_rows.begin() + static_cast<std::ptrdiff_t>(titles),
                                                    first_rows.end());
        const std::size_t last = std::min(table.size(), kHeaderDetectionRows);
        if (JudgeByTypes(table, last) == Verdict::kHeader || YearsHeader(table, last, true) ||
            TwoHeaderRows(table, 0)) {
            return {titles, true};
        }
    }
    return {0, DetectHeader(first_rows)};
}

}  // namespace

std::vector<std::string> CombineHeaderRows(const std::vector<std::string>& group,
                                           const std::vector<std::string>& names) {
    std::vector<std::string> out(std::max(group.size(), names.size()));
    std::string current;  // a merged group cell spans the blanks after it
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::string g = i < group.size() ? group[i] : std::string();
        if (!mt::types::IsNullToken(g)) current = g;
        const std::string n = i < names.size() ? names[i] : std::string();
        if (current.empty() || current == n) {
            out[i] = n;
        } else if (n.empty()) {
            out[i] = current;
        } else {
            out[i] = current + " " + n;
        }
    }
    return out;
}

TableLayout DetectLayout(const std::vector<std::vector<std::string>>& first_rows) {
    TableLayout layout = TitlesAndHeader(first_rows);
    if (TwoHeaderRows(first_rows, layout.title_rows)) {
        layout.has_header = true;
        layout.two_header_rows = true;
    }
    return layout;
}

bool DetectHeader(const std::vector<std::vector<std::string>>& first_rows) {
    if (first_rows.empty()) return false;
    const std::vector<std::string>& first = first_rows.front();
    if (first.empty()) return false;
    if (first_rows.size() == 1) return true;
    const bool all_named =
        std::none_of(first.begin(), first.end(), [](const std::string& v) { return mt::types::IsNullToken(v); });
    const std::size_t last = std::min(first_rows.size(), kHeaderDetectionRows);
    if (YearsHeader(first_rows, last, true)) return true;
    switch (JudgeByTypes(first_rows, last)) {
        // Type evidence wins even when some header cells are blank ("nome,,valor" over text, text, integers):
        // spreadsheets often leave a column unnamed.
        case Verdict::kHeader: return true;
        case Verdict::kData: return false;
        case Verdict::kUndecided: break;
    }
    // All text: without type evidence, a first row with blanks reads as data, one with distinct names as a header.
    return all_named && LooksLikeNames(first);
}

}  // namespace mt::ingest
