// ZIP uploads: archives built here with libarchive's writer, one per trick a hostile or sloppy upload plays.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>

#include "mt/ingest/zip.hpp"
#include "xlsx_test_support.hpp"

using namespace mt::ingest;
using namespace mt::ingest::testing;

namespace {

/// Bytes this process has passed to write() so far (/proc/self/io): what extraction wrote to scratch.
std::uint64_t BytesWrittenByProcess() {
    std::ifstream io("/proc/self/io");
    std::string key;
    std::uint64_t value = 0;
    while (io >> key >> value) {
        if (key == "wchar:") return value;
    }
    FAIL("no wchar in /proc/self/io");
    return 0;
}

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

// Issue 8: user input in messages is capped (a member name can be 64 KB long).
TEST_CASE("a refused member's long name is quoted cut to 100 bytes", "[zip][errors]") {
    Fixture f;
    ZipWriter(f.zip).Add("../" + std::string(5000, 'n') + ".csv", "x\n");
    const std::string error = f.ErrorOf();
    CHECK_THAT(error, Catch::StartsWith("zip \"upload.zip\" contains an unsafe path \"../nnn"));
    CHECK_THAT(error, Catch::EndsWith("\"..."));
    CHECK(error.size() < 200);
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
    const std::uint64_t before = BytesWrittenByProcess();
    auto result = f.Expand();
    const std::uint64_t written = BytesWrittenByProcess() - before;
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == mt::ErrorKind::kValidation);
    CHECK(result.error().message == R"(zip "upload.zip" member "bomb.csv" expands more than 400 times its compressed)"
                                    R"( size; refusing a possible zip bomb)");
    CHECK(written < (16u << 20));  // ~7 MiB: 4 MiB of grace, then 400:1 against deflate's ~1000:1
    CHECK(f.output.Count() == 0);
}

TEST_CASE("32 members of 64 MiB of short lines: the ratio holds over the archive from the first byte",
          "[zip][errors]") {
    // Each member alone stays under the old rule's 64 MiB, so this 2 GiB archive of ~2 MB used to expand fully.
    Fixture f;
    {
        ZipWriter zip(f.zip);
        for (int i = 0; i < 32; ++i) {
            zip.AddGenerated("parte" + std::to_string(i) + ".csv", 64u << 20, [](std::string& chunk) {
                for (int line = 0; line < 16384; ++line) chunk += "1,1\n";
            });
        }
    }
    INFO("zip size " << std::filesystem::file_size(f.zip));
    CHECK(std::filesystem::file_size(f.zip) < (4u << 20));
    const std::uint64_t before = BytesWrittenByProcess();
    auto result = f.Expand();
    const std::uint64_t written = BytesWrittenByProcess() - before;
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == mt::ErrorKind::kValidation);
    CHECK(result.error().message == R"(zip "upload.zip" member "parte0.csv" expands more than 400 times its)"
                                    R"( compressed size; refusing a possible zip bomb)");
    INFO("written to scratch " << written);
    CHECK(written < (200u << 20));
    CHECK(f.output.Count() == 0);
}

TEST_CASE("members that each fit the grace are counted together", "[zip][errors]") {
    Fixture f;
    {
        ZipWriter zip(f.zip);  // 3 MiB of zeros each: within the 4 MiB grace one by one, not together
        for (int i = 0; i < 10; ++i) zip.AddRepeated("z" + std::to_string(i) + ".csv", 3u << 20, '\0');
    }
    // 400:1 plus 4 MiB against ~1000:1 runs out after ~6.7 MiB: in the third member.
    CHECK(f.ErrorOf() == R"(zip "upload.zip" member "z2.csv" expands more than 400 times its compressed size;)"
                         R"( refusing a possible zip bomb)");
    CHECK(f.output.Count() == 0);
}

TEST_CASE("a realistic sparse CSV (~200:1) of 100 MiB passes the ratio", "[zip]") {
    Fixture f;
    constexpr std::uint64_t kSize = 100u << 20;
    {
        // 100 fields per line, all empty ";;;;" but one number every 50 lines, as spreadsheet exports of
        // mostly blank sheets look.
        std::uint64_t state = 12345;
        std::uint64_t line = 0;
        ZipWriter(f.zip).AddGenerated("esparso.csv", kSize, [&](std::string& chunk) {
            while (chunk.size() < (1u << 20)) {
                state = state * 6364136223846793005ull + 1442695040888963407ull;
                std::string fields(99, ';');
                if (line++ % 50 == 0) fields.insert((state >> 33) % 100, std::to_string((state >> 20) % 100000));
                chunk += fields + "\n";
            }
        });
    }
    const double ratio = static_cast<double>(kSize) / static_cast<double>(std::filesystem::file_size(f.zip));
    INFO("ratio " << ratio);
    CHECK(ratio > 180);
    CHECK(ratio < 400);
    auto members = f.Expand();
    REQUIRE(members);
    REQUIRE(members->size() == 1);
    CHECK((*members)[0].size == kSize);
}

TEST_CASE("a tiny file that compresses extremely well passes thanks to the grace", "[zip]") {
    Fixture tiny;
    ZipWriter(tiny.zip).AddRepeated("zeros.csv", 1024, '0');  // 1 KB deflates to a few bytes
    auto members = tiny.Expand();
    REQUIRE(members);
    CHECK((*members)[0].size == 1024);

    Fixture small;  // 1 MiB deflates ~1000:1: over the ratio, within the 4 MiB grace
    ZipWriter(small.zip).AddRepeated("zeros.csv", 1u << 20, '0');
    CHECK(small.Expand());
    ZipLimits no_grace;
    no_grace.ratio_grace_bytes = 0;
    CHECK(small.ErrorOf(no_grace) == R"(zip "upload.zip" member "zeros.csv" expands more than 400 times its)"
                                     R"( compressed size; refusing a possible zip bomb)");
}

TEST_CASE("total size and member count are capped", "[zip][errors]") {
    Fixture f;
    ZipWriter(f.zip).Add("a.csv", std::string(600, 'a')).Add("b.csv", std::string(600, 'b'));
    ZipLimits limits;
    limits.max_total_uncompressed = 1000;
    CHECK(f.ErrorOf(limits) == R"(zip "upload.zip" expands to more than 1000 bytes, the limit for one upload)");
    CHECK(f.output.Count() == 0);
    Fixture mib;
    ZipWriter(mib.zip).Add("a.csv", std::string(600'000, 'a')).Add("b.csv", std::string(600'000, 'b'));
    limits.max_total_uncompressed = 1u << 20;
    CHECK(mib.ErrorOf(limits) == R"(zip "upload.zip" expands to more than 1 MiB, the limit for one upload)");
    CHECK(mib.output.Count() == 0);

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
