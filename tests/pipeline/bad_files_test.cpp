// SPEC §7a inside the files: each bad file ends in a failed job with a precise error, and nothing is written.
#include <filesystem>

#include "inputs.hpp"
#include "mt/testing/wait.hpp"
#include "pipeline.hpp"

namespace pipeline {
namespace {

struct Expected {
    MultipartFile file;
    std::string message;  // the job's error.message, verbatim
    bool prefix = false;  // `message` is only the start (the rest quotes libarchive)
};

/// Uploads every file as its own job at once (the analyzer takes them in turn), then checks each one failed with
/// its message and code INVALID_FILE, and that the company has exactly what it had before.
void ExpectAllFail(Uploader& u, const std::vector<Expected>& cases) {
    auto before = Snapshot(u.stack, u.company);
    std::vector<std::string> ids;
    for (const auto& c : cases) ids.push_back(u.Start({c.file}));
    for (std::size_t i = 0; i < cases.size(); ++i) {
        INFO("file: " << cases[i].file.filename);
        auto job = u.WaitJob(ids[i], kAnalyzed, 90s);
        REQUIRE_JOB_STATUS(u.stack, job, "failed");
        CHECK(e2e::Str(job["error"]["code"]) == "INVALID_FILE");
        std::string message = e2e::Str(job["error"]["message"]);
        if (cases[i].prefix)
            CHECK(message.rfind(cases[i].message, 0) == 0);
        else
            CHECK(message == cases[i].message);
        CHECK(job["inferred_schema"].IsNull());
        CHECK(job["user_table_id"].IsNull());
    }
    CHECK(Snapshot(u.stack, u.company) == before);
}

TEST_CASE("files lying about their type, and corrupt spreadsheets → failed", "[pipeline][bad]") {
    Uploader u(PipelineStack());
    std::string book = Spreadsheet(u.stack, R"({"sheets": [{"rows": [["a", "b"], [1, 2], [3, 4]]}]})", "xlsx");
    // Damage the compressed bytes of the worksheet itself (its local header is followed by its data).
    std::string flipped = book;
    std::size_t sheet = flipped.find("xl/worksheets/sheet1.xml");
    REQUIRE(sheet != std::string::npos);
    for (std::size_t i = sheet + 30; i < sheet + 90 && i < flipped.size(); ++i) {
        flipped[i] = static_cast<char>(~flipped[i]);
    }
    ExpectAllFail(u, {
                         {File("foto.csv", PngBytes()),
                          "file \"foto.csv\" is not a valid CSV file (content looks like a PNG image)"},
                         {File("planilha.xlsx", "nome,valor\nAna,1\n"),
                          "file \"planilha.xlsx\" is not a valid XLSX file (content looks like text)"},
                         {File("antiga.xls", "nome,valor\nAna,1\n"),
                          "file \"antiga.xls\" is not a valid XLS file (content looks like text)"},
                         {File("pacote.zip", "nome,valor\nAna,1\n"),
                          "file \"pacote.zip\" is not a valid ZIP file (content looks like text)"},
                         {File("cortada.xlsx", book.substr(0, book.size() / 2)),
                          "file \"cortada.xlsx\" is not a valid XLSX file: ", true},
                         {File("estragada.xlsx", flipped), "file \"estragada.xlsx\" is not a valid XLSX file: ", true},
                     });
}

/// Every file under `dir` whose name contains "evil".
std::vector<std::string> EvilFiles(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); it != std::filesystem::end(it);
         it.increment(ec)) {
        if (it->path().filename().string().find("evil") != std::string::npos) out.push_back(it->path().string());
    }
    return out;
}

TEST_CASE("zip bomb and path-traversal ZIPs → failed, nothing extracted outside", "[pipeline][bad][zip]") {
    Uploader u(PipelineStack());
    // 300 MB of one repeated CSV line deflates to ~300 KB: the ratio gives it away long before it is written out.
    std::string bomb = Zip(u.stack, R"({"members": [{"name": "ok.csv", "text": "a,b\n1,2\n"},
        {"name": "dados/enorme.csv", "header": "a,b\n", "line": "1,1\n", "bytes": 300000000}]})");
    CHECK(bomb.size() < 2'000'000);
    std::string marker = "evil-" + mt::testing::RandomSuffix();
    std::string traversal = Zip(u.stack, R"({"members": [{"name": "ok.csv", "text": "a,b\n1,2\n"},
        {"name": "../evil.csv", "text": "a,b\n6,6\n"}]})");
    std::string deep = Zip(u.stack, R"({"members": [{"name": "dados/../../../../../../tmp/)" + marker +
                                        R"(.csv", "text": "a,b\n6,6\n"}]})");
    std::string absolute =
        Zip(u.stack, R"({"members": [{"name": "/tmp/)" + marker + R"(-abs.csv", "text": "a\n1\n"}]})");
    std::string junk_only = Zip(u.stack, R"({"members": [{"name": "leia-me.pdf", "text": "%PDF"},
        {"name": "__MACOSX/._x.csv", "text": "junk"}]})");
    ExpectAllFail(
        u,
        {
            {File("bomba.zip", bomb),
             "zip \"bomba.zip\" member \"dados/enorme.csv\" expands more than 400 times its "
             "compressed size; refusing a possible zip bomb"},
            {File("fuga.zip", traversal), "zip \"fuga.zip\" contains an unsafe path \"../evil.csv\""},
            {File("fuga2.zip", deep),
             "zip \"fuga2.zip\" contains an unsafe path \"dados/../../../../../../tmp/" + marker + ".csv\""},
            {File("fuga3.zip", absolute), "zip \"fuga3.zip\" contains an unsafe path \"/tmp/" + marker + "-abs.csv\""},
            {File("lixo.zip", junk_only), "zip \"lixo.zip\" contains no .csv, .xlsx or .xls file"},
        });
    CHECK(EvilFiles(u.stack.scratch_dir()).empty());
    CHECK_FALSE(std::filesystem::exists("/tmp/" + marker + ".csv"));
    CHECK_FALSE(std::filesystem::exists("/tmp/" + marker + "-abs.csv"));
}

TEST_CASE("invalid UTF-8: after a BOM → failed naming the line, without a BOM → stray bytes read as Windows-1252",
          "[pipeline][bad][encoding]") {
    Uploader u(PipelineStack());
    ExpectAllFail(u, {{File("bom.csv", "\xEF\xBB\xBFnome,cidade\nJosé,Recife\nAna,S\xE3o Paulo\n"),
                       "file \"bom.csv\" starts with a UTF-8 byte order mark but line 3 is not valid UTF-8"}});
    // Mostly UTF-8 with a hand-edited Windows-1252 line: the UTF-8 stays UTF-8, the stray bytes are Windows-1252.
    std::string job_id;
    u.Analyzed({File("misto.csv", "nome,cidade\nJosé,Recife\nAna,S\xE3o Paulo\nBad,\xFF\x81\n")}, &job_id);
    auto done = u.ConfirmDone(job_id);
    CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) ==
          std::vector<std::string>{R"({"nome":"José","cidade":"Recife"})", R"({"nome":"Ana","cidade":"São Paulo"})",
                                   "{\"nome\":\"Bad\",\"cidade\":\"ÿ\xC2\x81\"}"});
    // Windows-1252 throughout (no valid UTF-8 sequence at all): read as Windows-1252.
    u.Analyzed({File("latin.csv", "nome,cidade\nJos\xE9,Bel\xE9m\nAna,S\xE3o Paulo\n")}, &job_id);
    done = u.ConfirmDone(job_id);
    CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) ==
          std::vector<std::string>{R"({"nome":"José","cidade":"Belém"})", R"({"nome":"Ana","cidade":"São Paulo"})"});
}

TEST_CASE("10,000 columns → failed (a table holds at most 1599 + id) and 1,599 columns load", "[pipeline][bad][wide]") {
    Uploader u(PipelineStack());
    // One-letter values: a row of 1,599 longer texts would not fit in a PostgreSQL page (8 kB) at all.
    auto wide = [](int n) {
        std::vector<std::vector<std::string>> rows(3);
        for (int c = 1; c <= n; ++c) {
            rows[0].push_back("c" + std::to_string(c));
            rows[1].push_back(c == 1 ? "a" : c == n ? "z" : "x");
            rows[2].push_back(c == 1 ? "b" : c == n ? "y" : "x");
        }
        return Csv(rows);
    };
    ExpectAllFail(u, {{File("largo.csv", wide(10'000)),
                       "The files have 10000 columns; a table holds at most 1599 "
                       "(PostgreSQL's 1600 less the row id)"}});
    std::string job_id;
    auto job = u.Analyzed({File("quase.csv", wide(1'599))}, &job_id);
    CHECK(job["inferred_schema"]["columns"].Size() == 1'599);
    auto done = u.ConfirmDone(job_id);
    auto sql = u.stack.CompanyQuery(u.company, "SELECT c1 || ' ' || c1599 FROM public.quase ORDER BY id");
    CHECK(sql == mt::testing::SqlRows{{"a z"}, {"b y"}});
}

// One id column plus 1,600 user columns is over PostgreSQL's 1,600: refused at analysis, not by an internal error
// after confirm.
TEST_CASE("1,600 columns → failed at analysis with a clear message", "[pipeline][bad][wide]") {
    Uploader u(PipelineStack());
    std::vector<std::vector<std::string>> rows(2);
    for (int c = 1; c <= 1'600; ++c) {
        rows[0].push_back("c" + std::to_string(c));
        rows[1].push_back("v");
    }
    ExpectAllFail(u, {{File("limite.csv", Csv(rows)),
                       "The files have 1600 columns; a table holds at most 1599 "
                       "(PostgreSQL's 1600 less the row id)"}});
}

TEST_CASE("a 1 MiB cell loads byte-identical and one byte more → failed naming the line", "[pipeline][bad][cell]") {
    Uploader u(PipelineStack());
    std::string cell;
    for (int i = 0; cell.size() < (1u << 20); ++i) cell += "célula " + std::to_string(i) + " ";
    cell.resize(1u << 20);
    while ((static_cast<unsigned char>(cell.back()) & 0xC0) == 0x80 || static_cast<unsigned char>(cell.back()) >= 0xC0)
        cell.back() = 'x';  // no cut UTF-8 sequence; the size stays 1 MiB
    std::string job_id;
    u.Analyzed({File("grande.csv", "id_externo,texto\n1,ok\n2," + cell + "\n3,fim\n")}, &job_id);
    u.ConfirmDone(job_id);
    auto sql = u.stack.CompanyQuery(u.company, "SELECT octet_length(texto), md5(texto) FROM public.grande ORDER BY id");
    REQUIRE(sql.size() == 3);
    CHECK(sql[1][0] == std::to_string(1u << 20));
    CHECK(sql[1][1] == *u.stack.AdminQuery("SELECT md5($1)", {cell})[0][0]);
    ExpectAllFail(u, {{File("demais.csv", "id_externo,texto\n1,ok\n2," + cell + "z\n"),
                       "file \"demais.csv\", line 3: a cell is larger than 1048576 bytes"}});
}

/// Uploads `csv`, confirms qtd as integer and REQUIREs the job to fail; returns the failed job.
rapidjson::Document FailConversion(Uploader& u, const std::string& csv, std::vector<std::string>* snapshot) {
    std::string job_id;
    auto job = u.Analyzed({File("pedidos.csv", csv)}, &job_id);
    CHECK(ToJson(job["inferred_schema"]["columns"][1]) ==
          R"({"name":"qtd","display_name":"qtd","type":"text","nullable":false})");
    *snapshot = Snapshot(u.stack, u.company);
    auto confirm = u.Confirm(job_id, R"({"display_name":"pedidos","columns":[)"
                                     R"({"name":"pedido","display_name":"Pedido","type":"integer","nullable":false},)"
                                     R"({"name":"qtd","display_name":"Qtd","type":"integer","nullable":true},)"
                                     R"({"name":"obs","display_name":"Obs","type":"text","nullable":true}]})");
    REQUIRE_STATUS(confirm, 200);
    auto failed = u.WaitJob(job_id, kFinished);
    REQUIRE_JOB_STATUS(u.stack, failed, "failed");
    return failed;
}

// A type changed at confirm that a value cannot take: the job fails with the exact place of the value, found in a
// part other than the first (lines count from the file's start, quoted line breaks included).
TEST_CASE("a value that does not convert to the confirmed type → VALUE_CONVERSION_FAILED with its place",
          "[pipeline][bad][convert]") {
    Uploader u(PipelineStack());
    std::string csv = "pedido,qtd,obs\n1,10,\"primeira\nlinha\"\n";
    for (int row = 2; row <= 6'000; ++row) {
        csv += std::to_string(row) + "," + (row == 5'000 ? "abc" : std::to_string(row * 10)) + ",ok\n";
    }
    std::vector<std::string> before;
    auto job = FailConversion(u, csv, &before);
    CHECK(e2e::Str(job["error"]["code"]) == "VALUE_CONVERSION_FAILED");
    // Row 5,000 starts on line 5,002: the header is line 1 and row 1 spans lines 2-3.
    CHECK(ToJson(job["error"]["details"]) == R"({"file":"pedidos.csv","line":5002,"column":"qtd","value":"abc"})");
    std::string message = e2e::Str(job["error"]["message"]);
    CHECK(message.find("\"abc\"") != std::string::npos);
    CHECK(message.find("qtd") != std::string::npos);
    CHECK(message.find("line 5002") != std::string::npos);
    CHECK(job["user_table_id"].IsNull());
    // Parts of the other inserter may still be finishing their COPY: wait until none is left over.
    mt::testing::WaitUntil([&] { return LoadTables(u.stack, u.company).empty(); }, 30s, "load tables dropped");
    CHECK(u.http.Get(Api("/"), u.token).Json()["total"].GetInt64() == 0);
    CHECK(u.stack.CompanyQuery(u.company, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")[0][0] == "0");
}

// The name a create reserved at confirm is released when the job fails (the reservation once outlived the job
// because of the foreign key from mt_jobs.target_table_id, blocking the name for good).
TEST_CASE("a create that failed on a value leaves nothing behind and frees its name", "[pipeline][bad][convert]") {
    Uploader u(PipelineStack());
    std::vector<std::string> before;
    auto job = FailConversion(u, "pedido,qtd,obs\n1,10,a\n2,abc,b\n", &before);
    CHECK(e2e::Str(job["error"]["code"]) == "VALUE_CONVERSION_FAILED");
    mt::testing::WaitUntil([&] { return LoadTables(u.stack, u.company).empty(); }, 30s, "load tables dropped");
    CHECK(Snapshot(u.stack, u.company) == before);
    auto again = u.http.Post(Api(), u.token,
                             R"({"display_name":"pedidos","columns":)" + e2e::Columns({{"pedido", "integer"}}) + "}");
    CHECK_STATUS(again, 201);
}

}  // namespace
}  // namespace pipeline
