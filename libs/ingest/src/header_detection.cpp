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

}  // namespace

TableLayout DetectLayout(const std::vector<std::vector<std::string>>& first_rows) {
    constexpr std::size_t kMaxTitleRows = 10;
    std::size_t titles = 0;
    while (titles < kMaxTitleRows && titles + 2 < first_rows.size() && NonEmptyCells(first_rows[titles]) == 1 &&
           !LooksNumeric(FirstNonEmpty(first_rows[titles]))) {
        ++titles;
    }
    if (titles > 0 && NonEmptyCells(first_rows[titles]) >= 2) {
        std::vector<std::vector<std::string>> table(first_rows.begin() + static_cast<std::ptrdiff_t>(titles),
                                                    first_rows.end());
        if (JudgeByTypes(table, std::min(table.size(), kHeaderDetectionRows)) == Verdict::kHeader) {
            return {titles, true};
        }
    }
    return {0, DetectHeader(first_rows)};
}

bool DetectHeader(const std::vector<std::vector<std::string>>& first_rows) {
    if (first_rows.empty()) return false;
    const std::vector<std::string>& first = first_rows.front();
    if (first.empty()) return false;
    if (first_rows.size() == 1) return true;
    const bool all_named =
        std::none_of(first.begin(), first.end(), [](const std::string& v) { return mt::types::IsNullToken(v); });
    const std::size_t last = std::min(first_rows.size(), kHeaderDetectionRows);
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
