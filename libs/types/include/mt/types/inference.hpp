#pragma once
/// Full-scan type inference of file columns and lenient conversion of file cells (SPEC §7).
///
/// The analyzer feeds every cell of a column to a `ColumnInference`, which keeps an ordered set of candidate
/// types and drops a candidate the first time a value does not parse as it (DuckDB-sniffer style). The
/// surviving candidate plus the detected `CellFormat` describe the column; the inserter later converts each
/// cell with `ConvertCell` using that same format, so analyzer and inserter can never disagree.
/// `ColumnInference` is a plain value: not thread-safe, cheap to copy, mergeable across files.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mt/core/result.hpp"
#include "mt/types/column_type.hpp"

namespace mt::types {

/// Empty (after trimming spaces), NULL, null, N/A, n/a, NA: a missing value in a column of any type.
bool IsNullToken(std::string_view raw);
/// A null marker of exports and spreadsheets: "-", "--", "—", "–", and in any case "n/a", "n/d", "s/d", "#n/a",
/// "#n/d", "nan", "(null)", "null". NULL in a typed column; kept as written in a text column.
bool IsNullMarker(std::string_view raw);

enum class DecimalSeparator { kPoint, kComma };   // kPoint: "1,234.56"; kComma: "1.234,56" and "89,90"
enum class DateOrder { kDayFirst, kMonthFirst };  // dd/mm/yyyy (default) or mm/dd/yyyy

/// How a column's raw text is to be read. Serialized into job records, so names are stable.
struct CellFormat {
    DecimalSeparator decimal_separator = DecimalSeparator::kPoint;
    DateOrder date_order = DateOrder::kDayFirst;
};
std::string_view Name(DecimalSeparator s);  // "point" | "comma"
std::string_view Name(DateOrder o);         // "dmy" | "mdy"
std::optional<DecimalSeparator> ParseDecimalSeparator(std::string_view s);
std::optional<DateOrder> ParseDateOrder(std::string_view s);

/// Options the file reader knows about the file as a whole.
struct InferenceHints {
    /// When a column's numbers are ambiguous between both separators ("1.234"), prefer comma (true for
    /// semicolon-delimited CSV, as Brazilian spreadsheet exports are).
    bool prefer_decimal_comma = false;
};

struct InferredColumn {
    ColumnType type = ColumnType::kText;
    bool nullable = false;
    CellFormat format;
};

class ColumnInference {
public:
    explicit ColumnInference(InferenceHints hints = {});

    /// Observe one raw cell (already decoded to UTF-8). Recognized, per SPEC §7:
    ///  integer: [+-]?digits without leading zeros ("0" ok; "00123" is text), int64 range (beyond → decimal),
    ///    also grouped: "1.234.567", "1,234,567", "1 234 567" (space, no-break or narrow no-break space);
    ///  decimal: "89.90", "89,90", "1.234,56", "1,234.56", "-0.5", "1234.5", "1 234,5";
    ///  numbers may carry a currency symbol (R$, US$, $, €, £, before or after), parentheses for a negative,
    ///    a trailing minus, a percent sign ("12,5%" is 12.5, the number as written);
    ///  the decimal separator is decided by the whole column ("1.234" alone reads both ways: see Result);
    ///  boolean: true/false, sim/não/nao, yes/no (case-insensitive), and the letter pairs S/N, V/F, Y/N, or X
    ///    beside empty cells (X true, empty NULL) when every value of the column is of the same pair;
    ///  date: dd/mm/yyyy (d/m/yyyy too), mm/dd/yyyy when no day-first reading fits, yyyy-mm-dd;
    ///  datetime: ISO 8601 with T or space, optional seconds/fraction/offset; dd/mm/yyyy HH:MM[:SS].
    ///  Null tokens and, in a column still typed, null markers only make the column nullable. A column with no
    ///  other value is text.
    void Observe(std::string_view raw);
    /// Merge a column of another file with the same name (widest type wins, nullable if either is).
    void Merge(const ColumnInference& other);

    [[nodiscard]] InferredColumn Result() const;
    [[nodiscard]] std::int64_t non_null_count() const { return non_null_; }
    /// Null markers seen while the column was still typed (they are values, not NULL, if it ends text).
    [[nodiscard]] std::int64_t marker_count() const { return markers_; }
    /// True when every value so far reads with either decimal separator ("1.234", "12"): Result() then follows
    /// the hint, which PreferDecimalComma may change once the whole file has been seen.
    [[nodiscard]] bool separator_ambiguous() const;
    void PreferDecimalComma(bool prefer) { hints_.prefer_decimal_comma = prefer; }

private:
    InferenceHints hints_;
    std::uint32_t candidates_;  // bit set of internal candidate readings still alive
    bool nullable_ = false;
    std::int64_t non_null_ = 0;
    std::int64_t markers_ = 0;
    /// Which boolean spellings the column used: kTrueLetter (S, Y, V), kFalseLetter (N, F), kWord (sim, false …).
    /// A column of letters is boolean only with both letters of its pair: a lone "y" or "S" proves nothing.
    std::uint8_t boolean_spellings_ = 0;
    friend struct ColumnInferenceAccess;
};

/// Lenient conversion of a file cell to the canonical PostgreSQL text of `type`, reading it with `format`.
/// Null tokens → std::nullopt, and null markers too for every type but text. For text, the raw value is kept
/// exactly (no trimming). For other types,
/// surrounding spaces are ignored; everything ColumnInference recognizes for that type is accepted; a date
/// converts to datetime at 00:00 UTC; an integer or decimal converts to decimal.
/// Errors are kValidation with message `cannot convert "<value>" to <type>`.
Result<std::optional<std::string>> ConvertCell(ColumnType type, std::string_view raw, const CellFormat& format);
/// ConvertCell for bulk loads, without an allocation per cell: the value is returned as a view of `raw` (text is
/// stored as written), of a literal, or of `scratch` (whose capacity is reused); nullopt for NULL. The view is
/// valid until `scratch` or `raw` change. Same rules and errors as ConvertCell, which is built on it.
Result<std::optional<std::string_view>> ConvertCellView(ColumnType type, std::string_view raw, const CellFormat& format,
                                                        std::string& scratch);

}  // namespace mt::types
