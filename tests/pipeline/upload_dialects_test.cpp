// Messy real-world files through the whole pipeline (SPEC §7): what the analysis read past is shown on the job at
// waiting_confirm as `warnings` [{file, line, message}] with `warning_count`, and the load reads exactly the rows
// the analysis kept — from the upload as is (UTF-8 CSV) and from a staged copy (a workbook).
#include "inputs.hpp"
#include "pipeline.hpp"

namespace pipeline {
namespace {

std::vector<std::string> WarningTexts(const rapidjson::Value& job) {
    std::vector<std::string> out;
    for (const auto& w : job["warnings"].GetArray()) {
        out.push_back(e2e::Str(w["file"]) + ":" + std::to_string(w["line"].GetInt64()) + ": " + e2e::Str(w["message"]));
    }
    return out;
}

TEST_CASE("a ragged row, a stray quote and a closing total: warnings at confirm, rows as analyzed",
          "[pipeline][csv][dialects]") {
    Uploader u(PipelineStack());
    std::string job_id;
    auto job = u.Analyzed({File("vendas.csv",
                                "produto,qtd,valor\n"
                                "Arroz,10,52.50\n"
                                "\"Feijão preto,5,44.50\n"
                                "Café,2,30.00,brinde\n"
                                "Açúcar,1\n"
                                "Total,18,127.00\n")},
                          &job_id);
    CHECK(job["inferred_schema"]["total_row_count_estimate"].GetInt64() == 4);
    CHECK(WarningTexts(job) ==
          std::vector<std::string>{
              "vendas.csv:3: unbalanced \" read as a literal character",
              "vendas.csv:4: 4 fields where the table has 3: the extra fields were not loaded (\"brinde\")",
              "vendas.csv:5: 2 fields where the table has 3: the missing cells were loaded empty (null)",
              "vendas.csv:6: the closing total row (\"Total\") was not loaded: loaded, it would count the table's "
              "figures twice"});
    CHECK(job["warning_count"].GetInt64() == 4);
    auto done = u.ConfirmDone(job_id);
    CHECK(WarningTexts(done).size() == 4);  // still on the job once loaded
    CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) ==
          std::vector<std::string>{
              R"({"produto":"Arroz","qtd":10,"valor":52.50})", R"({"produto":"\"Feijão preto","qtd":5,"valor":44.50})",
              R"({"produto":"Café","qtd":2,"valor":30.00})", R"({"produto":"Açúcar","qtd":1,"valor":null})"});
}

TEST_CASE("a workbook's total row and notes are left out of its staged copy's load", "[pipeline][xlsx][dialects]") {
    Uploader u(PipelineStack());
    std::string book = Spreadsheet(u.stack, R"({"sheets": [{"name": "Plan1", "rows": [
        ["Loja", "Vendas"],
        ["Centro", 120],
        ["Bairro", 80],
        ["Total", 200],
        ["Fonte: sistema de caixa"]]}]})",
                                   "xlsx");
    std::string job_id;
    auto job = u.Analyzed({File("lojas.xlsx", book)}, &job_id);
    CHECK(job["inferred_schema"]["total_row_count_estimate"].GetInt64() == 2);
    CHECK(WarningTexts(job) ==
          std::vector<std::string>{"lojas.xlsx:4: the closing total row (\"Total\") was not loaded: loaded, it would "
                                   "count the table's figures twice",
                                   "lojas.xlsx:5: a note after the table was not loaded: \"Fonte: sistema de caixa\""});
    auto done = u.ConfirmDone(job_id);
    CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) ==
          std::vector<std::string>{R"({"loja":"Centro","vendas":120})", R"({"loja":"Bairro","vendas":80})"});
}

TEST_CASE("a file without anything to warn about shows an empty list", "[pipeline][csv][dialects]") {
    Uploader u(PipelineStack());
    std::string job_id;
    auto job = u.Analyzed({File("limpo.csv", "a,b\n1,2\n")}, &job_id);
    CHECK(job["warnings"].IsArray());
    CHECK(job["warnings"].Empty());
    CHECK(job["warning_count"].GetInt64() == 0);
}

}  // namespace
}  // namespace pipeline
