// Rendering of typed spreadsheet values (shared by the XLSX and XLS readers).
#include "../src/xlsx_values.hpp"

#include <catch2/catch.hpp>

#include "../src/xlsx_xml.hpp"

using mt::ingest::detail::ClassifyBuiltinFormat;
using mt::ingest::detail::ClassifyFormatCode;
using mt::ingest::detail::NormalizeIsoDateTime;
using mt::ingest::detail::NormalizeNumberText;
using mt::ingest::detail::NumberKind;
using mt::ingest::detail::RenderDouble;
using mt::ingest::detail::RenderSerial;

TEST_CASE("XML number text is rendered in plain notation with its exact digits", "[xlsx][values]") {
    CHECK(NormalizeNumberText("1234.5") == "1234.5");
    CHECK(NormalizeNumberText("5") == "5");
    CHECK(NormalizeNumberText("5.0") == "5");
    CHECK(NormalizeNumberText("1E-3") == "0.001");
    CHECK(NormalizeNumberText("1.5e+3") == "1500");
    CHECK(NormalizeNumberText("-2.50E2") == "-250");
    CHECK(NormalizeNumberText("1.2345678901234567E+20") == "123456789012345670000");
    CHECK(NormalizeNumberText("0.10000000000000001") == "0.10000000000000001");  // digits kept, never rounded
    CHECK(NormalizeNumberText("-0") == "0");
    CHECK(NormalizeNumberText("+12") == "12");
    CHECK(NormalizeNumberText("007") == "7");
    CHECK(NormalizeNumberText(".5") == "0.5");
    CHECK(NormalizeNumberText("12345678901234567890123") == "12345678901234567890123");
    CHECK_FALSE(NormalizeNumberText("").has_value());
    CHECK_FALSE(NormalizeNumberText("abc").has_value());
    CHECK_FALSE(NormalizeNumberText("1e").has_value());
    CHECK_FALSE(NormalizeNumberText("1e99999").has_value());
    CHECK_FALSE(NormalizeNumberText("1.2.3").has_value());
}

TEST_CASE("XLSX number cells: exact integers, shortest round-trip for the rest", "[xlsx][values]") {
    using mt::ingest::detail::RenderXmlNumber;
    CHECK(RenderXmlNumber("89.90000000000001") == "89.9");                   // openpyxl's "%.16g" of 89.9
    CHECK(RenderXmlNumber("0.30000000000000004") == "0.30000000000000004");  // 0.1 + 0.2 is not 0.3
    CHECK(RenderXmlNumber("1E-3") == "0.001");
    CHECK(RenderXmlNumber("+2.5") == "2.5");
    CHECK(RenderXmlNumber("5.0") == "5");
    CHECK(RenderXmlNumber("-0.0") == "0");
    CHECK(RenderXmlNumber("1.2345678901234568E+19") == "12345678901234567168");
    CHECK(RenderXmlNumber("12345678901234567890123") == "12345678901234567890123");  // integer digits kept
    CHECK(RenderXmlNumber("007") == "7");
    CHECK(RenderXmlNumber("1e999") == "1e999");  // not a double, too long to spell out: left as written
    CHECK(RenderXmlNumber("n/a") == "n/a");
}

TEST_CASE("doubles render as the shortest round-trip text in plain notation", "[xlsx][values]") {
    CHECK(RenderDouble(0.1) == "0.1");
    CHECK(RenderDouble(5.0) == "5");
    CHECK(RenderDouble(-0.0) == "0");
    CHECK(RenderDouble(1e-5) == "0.00001");
    CHECK(RenderDouble(1e21) == "1000000000000000000000");
    CHECK(RenderDouble(1234.5) == "1234.5");
    CHECK(RenderDouble(0.1 + 0.2) == "0.30000000000000004");
}

TEST_CASE("date serials of the 1900 system, with Lotus' day 60", "[xlsx][values]") {
    CHECK(RenderSerial(45306, false, NumberKind::kDate) == "2024-01-15");
    CHECK(RenderSerial(45306.4375, false, NumberKind::kDate) == "2024-01-15T10:30:00");
    CHECK(RenderSerial(45306.43750289352, false, NumberKind::kDate) == "2024-01-15T10:30:00.250");
    CHECK(RenderSerial(1, false, NumberKind::kDate) == "1900-01-01");
    CHECK(RenderSerial(59, false, NumberKind::kDate) == "1900-02-28");
    CHECK(RenderSerial(60, false, NumberKind::kDate) == "1900-02-28");  // the fictitious 1900-02-29
    CHECK(RenderSerial(61, false, NumberKind::kDate) == "1900-03-01");
    CHECK(RenderSerial(2958465, false, NumberKind::kDate) == "9999-12-31");
    CHECK(RenderSerial(45306.999999999, false, NumberKind::kDate) == "2024-01-16");  // rounds to the ms
    CHECK_FALSE(RenderSerial(2958466, false, NumberKind::kDate).has_value());
    CHECK_FALSE(RenderSerial(-1, false, NumberKind::kDate).has_value());
}

TEST_CASE("date serials of the 1904 system and time-only formats", "[xlsx][values]") {
    CHECK(RenderSerial(0, true, NumberKind::kDate) == "1904-01-01");
    CHECK(RenderSerial(43844, true, NumberKind::kDate) == "2024-01-15");
    CHECK(RenderSerial(43844.25, true, NumberKind::kDate) == "2024-01-15T06:00:00");
    CHECK(RenderSerial(0.5, false, NumberKind::kTimeOnly) == "12:00:00");
    CHECK(RenderSerial(0.520833333333, false, NumberKind::kTimeOnly) == "12:30:00");
    CHECK(RenderSerial(0.0000115740740740, false, NumberKind::kTimeOnly) == "00:00:01");
    CHECK(RenderSerial(45306.5, false, NumberKind::kTimeOnly) == "2024-01-15T12:00:00");  // beyond a day
}

TEST_CASE("number format codes are classified by their date and time tokens", "[xlsx][values]") {
    CHECK(ClassifyFormatCode("yyyy-mm-dd") == NumberKind::kDate);
    CHECK(ClassifyFormatCode("dd/mm/yyyy;@") == NumberKind::kDate);
    CHECK(ClassifyFormatCode("[$-416]d-mmm-yy") == NumberKind::kDate);
    CHECK(ClassifyFormatCode("yyyy-mm-dd h:mm:ss") == NumberKind::kDate);
    CHECK(ClassifyFormatCode("mmm") == NumberKind::kDate);
    CHECK(ClassifyFormatCode("h:mm AM/PM") == NumberKind::kTimeOnly);
    CHECK(ClassifyFormatCode("[h]:mm:ss") == NumberKind::kTimeOnly);
    CHECK(ClassifyFormatCode("mm:ss.0") == NumberKind::kTimeOnly);
    CHECK(ClassifyFormatCode("0.00") == NumberKind::kNumber);
    CHECK(ClassifyFormatCode("General") == NumberKind::kNumber);
    CHECK(ClassifyFormatCode("#,##0.00;[Red]-#,##0.00") == NumberKind::kNumber);
    CHECK(ClassifyFormatCode("[$R$-416] #,##0.00") == NumberKind::kNumber);
    CHECK(ClassifyFormatCode("0.00\" days\"") == NumberKind::kNumber);
    CHECK(ClassifyFormatCode("0\\d") == NumberKind::kNumber);
    CHECK(ClassifyFormatCode("_(* #,##0_);_(* (#,##0)") == NumberKind::kNumber);
    CHECK(ClassifyFormatCode("0.00E+00") == NumberKind::kNumber);
    CHECK(ClassifyBuiltinFormat(14) == NumberKind::kDate);
    CHECK(ClassifyBuiltinFormat(22) == NumberKind::kDate);
    CHECK(ClassifyBuiltinFormat(20) == NumberKind::kTimeOnly);
    CHECK(ClassifyBuiltinFormat(46) == NumberKind::kTimeOnly);
    CHECK(ClassifyBuiltinFormat(4) == NumberKind::kNumber);
    CHECK(ClassifyBuiltinFormat(49) == NumberKind::kNumber);
}

TEST_CASE("ISO date text is normalized to the reader's spelling", "[xlsx][values]") {
    CHECK(NormalizeIsoDateTime("2024-01-15") == "2024-01-15");
    CHECK(NormalizeIsoDateTime("2024-01-15T00:00:00Z") == "2024-01-15");
    CHECK(NormalizeIsoDateTime("2024-01-15 10:30:00") == "2024-01-15T10:30:00");
    CHECK(NormalizeIsoDateTime("2024-01-15T10:30") == "2024-01-15T10:30:00");
    CHECK(NormalizeIsoDateTime("2024-01-15T10:30:00.25Z") == "2024-01-15T10:30:00.250");
    CHECK(NormalizeIsoDateTime("2024-01-15T10:30:00.000") == "2024-01-15T10:30:00");
    CHECK(NormalizeIsoDateTime("2024-01-15T10:30:00+02:00") == "2024-01-15T10:30:00+02:00");
    CHECK(NormalizeIsoDateTime("12:30:00") == "12:30:00");
    CHECK(NormalizeIsoDateTime("not a date") == "not a date");
}

TEST_CASE("OOXML _xHHHH_ escapes are decoded", "[xlsx][values]") {
    auto decode = [](std::string s) {
        mt::ingest::detail::DecodeOoxmlEscapes(s);
        return s;
    };
    CHECK(decode("a_x000D_b") == "a\rb");
    CHECK(decode("_x005F_x000D_") == "_x000D_");
    CHECK(decode("_xD83D__xDE00_") == "\xF0\x9F\x98\x80");
    CHECK(decode("_x00e9_") == "\xC3\xA9");
    CHECK(decode("snake_xcase_") == "snake_xcase_");
    CHECK(decode("_xD83D_") == "_xD83D_");  // unpaired surrogate left as written
    CHECK(decode("a_x0000_b") == "a_x0000_b");
}
