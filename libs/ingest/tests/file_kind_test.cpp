// File kind by name and the magic-byte check of the content.
#include "mt/ingest/file_kind.hpp"

#include <catch2/catch.hpp>

#include "csv_test_util.hpp"

using mt::ingest::CheckContentMatchesKind;
using mt::ingest::FileKind;
using mt::ingest::KindFromName;
using mt::ingest::testing::TempFile;

TEST_CASE("kind from the extension, case-insensitively") {
    CHECK(KindFromName("vendas.csv") == FileKind::kCsv);
    CHECK(KindFromName("VENDAS.CSV") == FileKind::kCsv);
    CHECK(KindFromName("dados.tsv") == FileKind::kCsv);
    CHECK(KindFromName("lista.Txt") == FileKind::kCsv);
    CHECK(KindFromName("planilha.xlsx") == FileKind::kXlsx);
    CHECK(KindFromName("antiga.XLS") == FileKind::kXls);
    CHECK(KindFromName("lote.zip") == FileKind::kZip);
    CHECK(KindFromName("pasta/sub/arquivo.csv") == FileKind::kCsv);
    CHECK_FALSE(KindFromName("relatorio.pdf"));
    CHECK_FALSE(KindFromName("csv"));
    CHECK_FALSE(KindFromName("dados.csv.gz"));
    CHECK_FALSE(KindFromName("pasta.csv/arquivo"));
    CHECK_FALSE(KindFromName(""));
}

namespace {

mt::Status Check(const std::string& bytes, FileKind kind, const std::string& name) {
    TempFile file(bytes, "upload.bin");
    return CheckContentMatchesKind(file.path(), kind, name);
}

const std::string kZip("PK\x03\x04\x14\x00\x00\x00", 8);
const std::string kEmptyZip("PK\x05\x06\x00\x00\x00\x00", 8);
const std::string kOle2("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00", 10);
const std::string kPng("\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR", 16);

}  // namespace

TEST_CASE("content that matches its extension passes") {
    CHECK(Check("a,b\n1,2\n", FileKind::kCsv, "a.csv"));
    CHECK(Check(std::string("\xFF\xFE"
                            "a\x00,\x00",
                            6),
                FileKind::kCsv, "utf16.csv"));  // NULs of UTF-16 text are fine
    CHECK(Check(kZip, FileKind::kXlsx, "a.xlsx"));
    CHECK(Check(kZip, FileKind::kZip, "a.zip"));
    CHECK(Check(kEmptyZip, FileKind::kZip, "empty.zip"));
    CHECK(Check(kOle2, FileKind::kXls, "a.xls"));
}

TEST_CASE("an empty file fails naming it") {
    const mt::Status status = Check("", FileKind::kCsv, "vazio.csv");
    REQUIRE_FALSE(status);
    CHECK(status.error().kind == mt::ErrorKind::kValidation);
    CHECK(status.error().message == "file \"vazio.csv\" is empty");
}

TEST_CASE("a file lying about its extension fails with what it looks like") {
    auto message = [](const std::string& bytes, FileKind kind, const std::string& name) {
        const mt::Status status = Check(bytes, kind, name);
        REQUIRE_FALSE(status);
        CHECK(status.error().kind == mt::ErrorKind::kValidation);
        return status.error().message;
    };
    CHECK(message(kPng, FileKind::kCsv, "foto.csv") ==
          "file \"foto.csv\" is not a valid CSV file (content looks like a PNG image)");
    CHECK(message("a,b\n", FileKind::kXlsx, "sales.xlsx") ==
          "file \"sales.xlsx\" is not a valid XLSX file (content looks like text)");
    CHECK(message(kZip, FileKind::kCsv, "a.csv") ==
          "file \"a.csv\" is not a valid CSV file (content looks like a ZIP archive or XLSX workbook)");
    CHECK(message(kZip, FileKind::kXls, "a.xls") ==
          "file \"a.xls\" is not a valid XLS file (content looks like a ZIP archive or XLSX workbook)");
    CHECK(message(kOle2, FileKind::kXlsx, "a.xlsx") ==
          "file \"a.xlsx\" is not a valid XLSX file (content looks like an XLS workbook or other OLE2 document)");
    CHECK(message(std::string("abc\0def", 7), FileKind::kCsv, "bin.csv") ==
          "file \"bin.csv\" is not a valid CSV file (content looks like binary data)");
    CHECK(message("%PDF-1.7", FileKind::kZip, "doc.zip") ==
          "file \"doc.zip\" is not a valid ZIP file (content looks like a PDF document)");
}
