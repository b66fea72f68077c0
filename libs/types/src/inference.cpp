#include "mt/types/inference.hpp"

#include "cell.hpp"
#include "datetime.hpp"
#include "number.hpp"
#include "readings.hpp"
#include "scan.hpp"

namespace mt::types {

using detail::kAllReadings;
using detail::kBooleanReadings;
using detail::kCommaReadings;
using detail::kIntegerReadings;
using detail::kNumberReadings;
using detail::kPointReadings;
using detail::kReadDateDmy;
using detail::kReadDateMdy;
using detail::kReadDatetimeDmy;
using detail::kReadDatetimeMdy;
using detail::kReadDecimalComma;
using detail::kReadDecimalPoint;
using detail::kReadIntegerComma;
using detail::kReadIntegerPoint;
using detail::kTemporalReadings;

bool IsNullToken(std::string_view raw) { return detail::IsNullTokenTrimmed(detail::TrimSpaces(raw)); }
bool IsNullMarker(std::string_view raw) { return detail::IsNullMarkerTrimmed(detail::TrimSpaces(raw)); }

std::string_view Name(DecimalSeparator s) { return s == DecimalSeparator::kComma ? "comma" : "point"; }
std::string_view Name(DateOrder o) { return o == DateOrder::kMonthFirst ? "mdy" : "dmy"; }

std::optional<DecimalSeparator> ParseDecimalSeparator(std::string_view s) {
    if (s == "point") return DecimalSeparator::kPoint;
    if (s == "comma") return DecimalSeparator::kComma;
    return std::nullopt;
}

std::optional<DateOrder> ParseDateOrder(std::string_view s) {
    if (s == "dmy") return DateOrder::kDayFirst;
    if (s == "mdy") return DateOrder::kMonthFirst;
    return std::nullopt;
}

namespace {

constexpr std::uint8_t kTrueLetter = 1;
constexpr std::uint8_t kFalseLetter = 2;
constexpr std::uint8_t kWord = 4;

/// How a value that reads as a boolean spells it (see ColumnInference::boolean_spellings_); X counts as neither
/// letter: an X column has its own rule (ticked beside empty).
std::uint8_t BooleanSpelling(std::string_view s) {
    if (s.size() != 1) return kWord;
    switch (s[0]) {
        case 'n':
        case 'N':
        case 'f':
        case 'F': return kFalseLetter;
        case 'x':
        case 'X': return 0;
        default: return kTrueLetter;
    }
}

}  // namespace

ColumnInference::ColumnInference(InferenceHints hints) : hints_(hints), candidates_(kAllReadings) {}

void ColumnInference::Observe(std::string_view raw) {
    const std::string_view s = detail::TrimSpaces(raw);
    if (detail::IsNullTokenTrimmed(s)) {
        nullable_ = true;
        return;
    }
    const std::uint32_t alive = candidates_;
    if (alive == 0) {  // already text: the common case of a text column costs nothing more
        ++non_null_;
        return;
    }
    // Only the families still alive are scanned; each scanner rejects a foreign value on its first bytes.
    std::uint32_t fits = 0;
    if ((alive & kNumberReadings) != 0) fits |= detail::NumberReadings(s, alive);
    if ((alive & kBooleanReadings) != 0) fits |= detail::BooleanReadings(s);
    if ((alive & kTemporalReadings) != 0) fits |= detail::TemporalReadings(s);
    // A marker ("-", "n/d", "#N/A") only makes a typed column nullable. It is looked for only when the value fits
    // none of the readings alive, so a column of numbers pays nothing for it. A column of markers only is text.
    if ((alive & fits) == 0 && detail::IsNullMarkerTrimmed(s)) {
        nullable_ = true;
        ++markers_;
        return;
    }
    ++non_null_;
    candidates_ = alive & fits;
    if ((candidates_ & kBooleanReadings) != 0) boolean_spellings_ |= BooleanSpelling(s);
}

void ColumnInference::Merge(const ColumnInference& other) {
    // Readings are "every value so far admits it", so intersecting the sets is exactly observing both files in
    // one column. Only the separator tie-break is a preference: keep it from the side(s) that had values.
    if (non_null_ == 0) {
        hints_ = other.hints_;
    } else if (other.non_null_ > 0) {
        hints_.prefer_decimal_comma = hints_.prefer_decimal_comma || other.hints_.prefer_decimal_comma;
    }
    candidates_ &= other.candidates_;
    nullable_ = nullable_ || other.nullable_;
    non_null_ += other.non_null_;
    markers_ += other.markers_;
    boolean_spellings_ |= other.boolean_spellings_;
}

bool ColumnInference::separator_ambiguous() const {
    return ((candidates_ & kPointReadings) != 0) == ((candidates_ & kCommaReadings) != 0);
}

namespace {

/// The separator the surviving readings call for; when both or neither convention survive the values cannot tell
/// ("1.234", "12"), so the file's hint decides (it also serves a user who turns a text column into decimal on
/// confirm). The type is then the narrowest the chosen convention reads: "1.234" is integer 1234 with the comma
/// hint, decimal 1.234 without.
DecimalSeparator ChooseSeparator(std::uint32_t alive, const InferenceHints& hints) {
    const bool point = (alive & kPointReadings) != 0;
    const bool comma = (alive & kCommaReadings) != 0;
    if (point != comma) return comma ? DecimalSeparator::kComma : DecimalSeparator::kPoint;
    return hints.prefer_decimal_comma ? DecimalSeparator::kComma : DecimalSeparator::kPoint;
}

/// Day-first unless only month-first readings of the chosen type survive (SPEC §7: dd/mm/yyyy by default).
DateOrder ChooseOrder(std::uint32_t alive, std::uint32_t day_first, std::uint32_t month_first) {
    return ((alive & day_first) == 0 && (alive & month_first) != 0) ? DateOrder::kMonthFirst : DateOrder::kDayFirst;
}

}  // namespace

InferredColumn ColumnInference::Result() const {
    InferredColumn out;
    out.nullable = nullable_;
    const std::uint32_t alive = candidates_;
    out.format.decimal_separator = ChooseSeparator(alive, hints_);
    out.format.date_order = ChooseOrder(alive, kReadDateDmy | kReadDatetimeDmy, kReadDateMdy | kReadDatetimeMdy);
    if (non_null_ == 0) {
        out.type = ColumnType::kText;  // nothing to go on; any value fits text
        out.nullable = true;
        return out;
    }
    // Narrowest first. The families are disjoint, so at most one of these branches has surviving readings; the
    // numbers are read in the chosen convention only.
    const bool comma = out.format.decimal_separator == DecimalSeparator::kComma;
    const std::uint32_t numbers = alive & (comma ? kCommaReadings : kPointReadings);
    if ((numbers & kIntegerReadings) != 0) {
        out.type = ColumnType::kInteger;
    } else if (numbers != 0) {
        out.type = ColumnType::kDecimal;
    } else if ((alive & kBooleanReadings) == detail::kReadBoolX && nullable_) {
        // An "X" column is a column of ticked boxes only beside unticked (empty) ones: "x" everywhere is text.
        out.type = ColumnType::kBoolean;
    } else if ((alive & kBooleanReadings) != 0 && (alive & kBooleanReadings) != detail::kReadBoolX &&
               ((boolean_spellings_ & kWord) != 0 ||
                (boolean_spellings_ & (kTrueLetter | kFalseLetter)) == (kTrueLetter | kFalseLetter))) {
        // Letters only: both of the pair must occur ("S" and "N"); one letter alone may be any code.
        out.type = ColumnType::kBoolean;
    } else if ((alive & (kReadDateDmy | kReadDateMdy)) != 0) {
        out.type = ColumnType::kDate;
        out.format.date_order = ChooseOrder(alive, kReadDateDmy, kReadDateMdy);
    } else if ((alive & (kReadDatetimeDmy | kReadDatetimeMdy)) != 0) {
        out.type = ColumnType::kDatetime;
        out.format.date_order = ChooseOrder(alive, kReadDatetimeDmy, kReadDatetimeMdy);
    } else {
        out.type = ColumnType::kText;
    }
    return out;
}

}  // namespace mt::types
