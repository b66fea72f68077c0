// ZIP uploads: archives built here with libarchive's writer, one per trick a hostile or sloppy upload plays.
#include <algorithm>
#include <catch2/catch.hpp>

#include "mt/ingest/zip.hpp"
#include "xlsx_test_support.hpp"

using namespace mt::ingest;
using namespace mt::ingest::testing;

namespace {

/// An archive in one scratch dir, expanded into another (which must stay empty on refusal).
struct Fixture {
    ScratchDir input;
    ScratchDir output;
    std::string zip = input.File("upload.zip");

    mt::Result<std::vector<ZipMember>> Expand(ZipLimits limits = {}) {
        return ExpandZip(zip, output.path(), "upload.zip", limits);
    }
    std::string ErrorOf(ZipLimits limits = {}) {
        auto result = Expand(limits);
        return result ? std::string("(no error)") : result.error().message;
    }
};

}  // namespace

TEST_CASE("supported members are extracted from nested folders — junk is skipped", "[zip]") {
    Fixture f;
    ZipWriter(f.zip)
        .AddDir("reports/")
        .AddDir("reports/2024/")
        .Add("reports/2024/jan.csv", "a,b\n1,2\n")
        .Add("reports/2024/Feb.XLSX", "PK-not-really")
        .Add("deep/er/still/b.tsv", "x\ty\n")
        .Add("c.txt", "hello\n")
        .Add("legacy.xls", "ole")
        .Add("__MACOSX/reports/2024/._jan.csv", "resource fork")
        .Add("reports/._jan.csv", "AppleDouble")
        .Add(".DS_Store", "finder")
        .Add("picture.png", "\x89PNG")
        .Add("inner.zip", "PK")
        .Add("notes", "no extension")
        .Add("relatório/março.csv", "m\n");
    auto members = f.Expand();
    REQUIRE(members);
    REQUIRE(members->size() == 6);
    const std::vector<std::pair<std::string, FileKind>> expected = {{"reports/2024/jan.csv", FileKind::kCsv},
                                                                    {"reports/2024/Feb.XLSX", FileKind::kXlsx},
                                                                    {"deep/er/still/b.tsv", FileKind::kCsv},
                                                                    {"c.txt", FileKind::kCsv},
                                                                    {"legacy.xls", FileKind::kXls}};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const ZipMember& m = (*members)[i];
        CHECK(m.name == expected[i].first);
        CHECK(m.kind == expected[i].second);
        CHECK(std::filesystem::path(m.local_path).parent_path() == std::filesystem::path(f.output.path()));
        CHECK(m.local_path.find("jan") == std::string::npos);  // generated names, never the member's path
        CHECK(ReadFile(m.local_path).size() == m.size);
    }
    CHECK(ReadFile((*members)[0].local_path) == "a,b\n1,2\n");
    CHECK((*members)[1].local_path.substr((*members)[1].local_path.size() - 5) == ".xlsx");
    CHECK(f.output.Count() == 6);
}

TEST_CASE("path tricks are refused and nothing is left behind", "[zip][errors]") {
    for (const std::string evil :
         {"../evil.csv", "reports/../../evil.csv", "/etc/evil.csv", "C:\\evil.csv", "a\\..\\..\\evil.csv"}) {
        Fixture f;
        ZipWriter(f.zip).Add("good.csv", "a\n1\n").Add(evil, "x\n");
        // libarchive may hand out Windows separators as '/': the refusal is what matters.
        CHECK_THAT(f.ErrorOf(), Catch::StartsWith("zip \"upload.zip\" contains an unsafe path \""));
        CHECK(f.output.Count() == 0);
    }
}

TEST_CASE("symbolic links and encrypted members are refused", "[zip][errors]") {
    Fixture link;
    ZipWriter(link.zip).Add("good.csv", "a\n").AddSymlink("passwd.csv", "/etc/passwd");
    CHECK(link.ErrorOf() == R"(zip "upload.zip" contains a symbolic link "passwd.csv"; links are not accepted)");
    CHECK(link.output.Count() == 0);

    Fixture secret;
    ZipWriter(secret.zip, "secret").Add("data.csv", "a,b\n1,2\n");
    CHECK(secret.ErrorOf() ==
          R"(zip "upload.zip" contains an encrypted member "data.csv"; password-protected zips are not supported)");
}

TEST_CASE("a zip bomb is stopped by the ratio while extracting, without trusting headers", "[zip][errors]") {
    Fixture f;
    ZipWriter(f.zip).Add("ok.csv", "a\n1\n").AddRepeated("bomb.csv", 300ull << 20, '\0');
    CHECK(std::filesystem::file_size(f.zip) < (2u << 20));
    CHECK(f.ErrorOf() == R"(zip "upload.zip" member "bomb.csv" expands more than 200 times its compressed size;)"
                         R"( refusing a possible zip bomb)");
    CHECK(f.output.Count() == 0);

    // Real files may compress far better than 200:1 (a sparse CSV): the rule starts past 64 MiB.
    Fixture small;
    ZipWriter(small.zip).AddRepeated("zeros.csv", 60u << 20, '0');
    CHECK(small.Expand());
}

TEST_CASE("total size and member count are capped", "[zip][errors]") {
    Fixture f;
    ZipWriter(f.zip).Add("a.csv", std::string(600, 'a')).Add("b.csv", std::string(600, 'b'));
    ZipLimits limits;
    limits.max_total_uncompressed = 1000;
    CHECK(f.ErrorOf(limits) == R"(zip "upload.zip" expands to more than 1000 bytes; refusing a possible zip bomb)");
    CHECK(f.output.Count() == 0);

    Fixture many;
    {
        ZipWriter zip(many.zip);
        for (int i = 0; i < 1001; ++i) zip.Add("rows/part" + std::to_string(i) + ".csv", "a\n");
    }
    CHECK(many.ErrorOf() == R"(zip "upload.zip" has more than 1000 members)");
    CHECK(many.output.Count() == 0);
    ZipLimits roomy;
    roomy.max_members = 1001;
    auto members = many.Expand(roomy);
    REQUIRE(members);
    CHECK(members->size() == 1001);
}

TEST_CASE("a zip without supported members, and a file that is no zip, are errors", "[zip][errors]") {
    Fixture images;
    ZipWriter(images.zip).Add("photo.png", "\x89PNG\r\n").AddDir("empty/");
    CHECK(images.ErrorOf() == R"(zip "upload.zip" contains no .csv, .xlsx or .xls file)");

    Fixture empty;  // an archive of no entries: just the end-of-central-directory record
    WriteFile(empty.zip, std::string("PK\x05\x06", 4) + std::string(18, '\0'));
    CHECK(empty.ErrorOf() == R"(zip "upload.zip" contains no .csv, .xlsx or .xls file)");

    Fixture text;
    WriteFile(text.zip, "a,b\n1,2\n");
    CHECK_THAT(text.ErrorOf(), Catch::StartsWith(R"(zip "upload.zip" is not a valid ZIP file: )"));

    Fixture truncated;
    ZipWriter(truncated.zip).Add("a.csv", std::string(5000, 'x'));
    const std::string bytes = ReadFile(truncated.zip);
    WriteFile(truncated.zip, bytes.substr(0, bytes.size() - 30));
    CHECK_THAT(truncated.ErrorOf(), Catch::StartsWith(R"(zip "upload.zip" is not a valid ZIP file: )"));
}
