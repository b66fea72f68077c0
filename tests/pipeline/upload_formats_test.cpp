// Workflow 3 with spreadsheets, ZIP archives and several files in one upload (SPEC §7).
#include "inputs.hpp"
#include "pipeline.hpp"

namespace pipeline {
namespace {

// First non-empty sheet; numbers, dates by number format (built-in and custom), booleans, shared strings (one
// repeated), formulas read through their cached values.
TEST_CASE("XLSX: typed cells become typed columns", "[pipeline][xlsx]") {
    Uploader u(PipelineStack());
    std::string book = Spreadsheet(u.stack, R"({"shared_strings": true, "sheets": [
        {"name": "Vazia", "rows": []},
        {"name": "Dados", "rows": [
            ["Produto", "Preço", "Qtd", "Data", "Momento", "Ativo", "Total", "Vencimento"],
            ["Camisa", 89.9, 3, {"date": "2026-01-15"}, {"datetime": "2026-01-15T10:30:00"}, true,
             {"formula": "B2*C2", "cached": 269.7}, {"date": "2026-02-01", "format": "dd/mm/yyyy"}],
            ["Calça", 159.9, 1, {"date": "2025-12-31"}, {"datetime": "2026-01-15T23:59:59.250"}, false,
             {"formula": "B3*C3", "cached": 159.9}, {"date": "2026-03-01", "format": "dd/mm/yyyy"}],
            ["Camisa", 10, 2, {"date": "2024-02-29"}, {"datetime": "2024-02-29T00:00:01"}, true,
             {"formula": "B4*C4", "cached": 20}, {"date": "2026-04-01", "format": "dd/mm/yyyy"}]]}]})",
                                   "xlsx");
    std::string job_id;
    auto job = u.Analyzed({File("Estoque.xlsx", book)}, &job_id);
    const auto& schema = job["inferred_schema"];
    CHECK(e2e::Str(schema["suggested_table_name"]) == "estoque");
    CHECK(schema["total_row_count_estimate"].GetInt64() == 3);
    CHECK(ToJson(schema["columns"]) ==
          R"([{"name":"produto","display_name":"Produto","type":"text","nullable":false},)"
          R"({"name":"preco","display_name":"Preço","type":"decimal","nullable":false},)"
          R"({"name":"qtd","display_name":"Qtd","type":"integer","nullable":false},)"
          R"({"name":"data","display_name":"Data","type":"date","nullable":false},)"
          R"({"name":"momento","display_name":"Momento","type":"datetime","nullable":false},)"
          R"({"name":"ativo","display_name":"Ativo","type":"boolean","nullable":false},)"
          R"({"name":"total","display_name":"Total","type":"decimal","nullable":false},)"
          R"({"name":"vencimento","display_name":"Vencimento","type":"date","nullable":false}])");
    CHECK(ToJson(schema["sample_rows"][0]) ==
          R"({"produto":"Camisa","preco":"89.9","qtd":"3","data":"2026-01-15","momento":"2026-01-15T10:30:00Z",)"
          R"("ativo":"true","total":"269.7","vencimento":"2026-02-01"})");
    auto done = u.ConfirmDone(job_id);
    CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) ==
          std::vector<std::string>{
              R"({"produto":"Camisa","preco":89.9,"qtd":3,"data":"2026-01-15","momento":"2026-01-15T10:30:00.000Z",)"
              R"("ativo":true,"total":269.7,"vencimento":"2026-02-01"})",
              R"({"produto":"Calça","preco":159.9,"qtd":1,"data":"2025-12-31","momento":"2026-01-15T23:59:59.250Z",)"
              R"("ativo":false,"total":159.9,"vencimento":"2026-03-01"})",
              R"({"produto":"Camisa","preco":10,"qtd":2,"data":"2024-02-29","momento":"2024-02-29T00:00:01.000Z",)"
              R"("ativo":true,"total":20,"vencimento":"2026-04-01"})"});
}

TEST_CASE("XLS: text in the workbook's code page, numbers and dates", "[pipeline][xls]") {
    Uploader u(PipelineStack());
    std::string book = Spreadsheet(u.stack, R"({"sheets": [{"name": "Plan1", "rows": [
        ["Cidade", "Valor", "Qtd", "Dia"],
        ["São Paulo", 1.5, 10, {"date": "2026-01-15"}],
        ["Recife", 2.25, 20, {"date": "2026-01-16", "format": "dd/mm/yyyy"}],
        ["Belém", 1000, 30, {"date": "2026-12-31"}]]}]})",
                                   "xls");
    std::string job_id;
    auto job = u.Analyzed({File("cidades.xls", book)}, &job_id);
    const auto& schema = job["inferred_schema"];
    CHECK(schema["total_row_count_estimate"].GetInt64() == 3);
    CHECK(ToJson(schema["columns"]) == R"([{"name":"cidade","display_name":"Cidade","type":"text","nullable":false},)"
                                       R"({"name":"valor","display_name":"Valor","type":"decimal","nullable":false},)"
                                       R"({"name":"qtd","display_name":"Qtd","type":"integer","nullable":false},)"
                                       R"({"name":"dia","display_name":"Dia","type":"date","nullable":false}])");
    auto done = u.ConfirmDone(job_id);
    CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) ==
          std::vector<std::string>{R"({"cidade":"São Paulo","valor":1.5,"qtd":10,"dia":"2026-01-15"})",
                                   R"({"cidade":"Recife","valor":2.25,"qtd":20,"dia":"2026-01-16"})",
                                   R"({"cidade":"Belém","valor":1000,"qtd":30,"dia":"2026-12-31"})"});
}

// A ZIP with nested folders holding a CSV and an XLSX, plus what macOS and people leave in archives.
TEST_CASE("ZIP: nested CSV and XLSX form one table, junk members are ignored", "[pipeline][zip]") {
    Uploader u(PipelineStack());
    std::string book = Spreadsheet(u.stack, R"({"sheets": [{"name": "Fev", "rows": [
        ["produto", "valor", "loja"], ["Calça", 159.9, "Centro"], ["Boné", 25, "Shopping"]]}]})",
                                   "xlsx");
    auto book_path = ScratchFile(u.stack, "planilha.xlsx", book);
    auto png_path = ScratchFile(u.stack, "logo.png", PngBytes());
    std::string zip = Zip(u.stack, R"({"members": [
        {"name": "vendas/", "dir": true},
        {"name": "vendas/2026/jan.csv", "text": "produto,valor\nCamisa,10.5\nMeia,3\n"},
        {"name": "__MACOSX/vendas/2026/._jan.csv", "text": "Mac OS X resource fork, not a CSV"},
        {"name": "vendas/2026/fev/planilha.xlsx", "path": ")" +
                                       book_path.string() + R"("},
        {"name": "vendas/logo.png", "path": ")" +
                                       png_path.string() + R"("},
        {"name": ".DS_Store", "text": "Bud1"},
        {"name": "vendas/leia-me.pdf", "text": "%PDF-1.4"}]})");
    std::string job_id;
    auto job = u.Analyzed({File("Vendas 2026.zip", zip, "application/zip")}, &job_id);
    const auto& schema = job["inferred_schema"];
    CHECK(e2e::Str(schema["suggested_table_name"]) == "vendas_2026");
    CHECK(schema["total_row_count_estimate"].GetInt64() == 4);
    CHECK(ToJson(schema["columns"]) == R"([{"name":"produto","display_name":"produto","type":"text","nullable":false},)"
                                       R"({"name":"valor","display_name":"valor","type":"decimal","nullable":false},)"
                                       R"({"name":"loja","display_name":"loja","type":"text","nullable":true}])");
    CHECK(e2e::Str(job["files"][0]["original_name"]) == "Vendas 2026.zip");
    CHECK(e2e::Str(job["files"][0]["mime_type"]) == "application/zip");
    auto done = u.ConfirmDone(job_id);
    CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) ==
          std::vector<std::string>{R"({"produto":"Camisa","valor":10.5,"loja":null})",
                                   R"({"produto":"Meia","valor":3,"loja":null})",
                                   R"({"produto":"Calça","valor":159.9,"loja":"Centro"})",
                                   R"({"produto":"Boné","valor":25,"loja":"Shopping"})"});
}

// Two CSVs with overlapping columns: union of columns, widest type (integer + decimal → decimal), columns a file
// lacks are nullable, the row count is the sum.
TEST_CASE("multi-file upload: one table, union of columns, widest type, sum of rows", "[pipeline][multi]") {
    Uploader u(PipelineStack());
    std::string job_id;
    auto job = u.Analyzed({File("clientes_a.csv", "codigo,nome,valor\n1,Ana,10\n2,Bia,20\n"),
                           File("clientes_b.csv", "nome;valor;extra\nCaio;1,5;x\n")},
                          &job_id);
    const auto& schema = job["inferred_schema"];
    CHECK(e2e::Str(schema["suggested_table_name"]) == "clientes_a");
    CHECK(schema["total_row_count_estimate"].GetInt64() == 3);
    CHECK(ToJson(schema["columns"]) == R"([{"name":"codigo","display_name":"codigo","type":"integer","nullable":true},)"
                                       R"({"name":"nome","display_name":"nome","type":"text","nullable":false},)"
                                       R"({"name":"valor","display_name":"valor","type":"decimal","nullable":false},)"
                                       R"({"name":"extra","display_name":"extra","type":"text","nullable":true}])");
    CHECK(ToJson(schema["sample_rows"]) == R"([{"codigo":"1","nome":"Ana","valor":"10","extra":null},)"
                                           R"({"codigo":"2","nome":"Bia","valor":"20","extra":null},)"
                                           R"({"codigo":null,"nome":"Caio","valor":"1.5","extra":"x"}])");
    CHECK(ToJson(schema["sample_rows_raw"]) == R"([{"codigo":"1","nome":"Ana","valor":"10","extra":null},)"
                                               R"({"codigo":"2","nome":"Bia","valor":"20","extra":null},)"
                                               R"({"codigo":null,"nome":"Caio","valor":"1,5","extra":"x"}])");
    REQUIRE(job["files"].Size() == 2);
    CHECK(e2e::Str(job["files"][1]["original_name"]) == "clientes_b.csv");
    CHECK(job["files"][1]["size_bytes"].GetInt64() == 28);
    auto done = u.ConfirmDone(job_id);
    std::string table_id = e2e::Str(done["user_table_id"]);
    CHECK(u.Table(table_id)["row_count"].GetInt64() == 3);
    CHECK(u.RowTexts(table_id) == std::vector<std::string>{R"({"codigo":1,"nome":"Ana","valor":10,"extra":null})",
                                                           R"({"codigo":2,"nome":"Bia","valor":20,"extra":null})",
                                                           R"({"codigo":null,"nome":"Caio","valor":1.5,"extra":"x"})"});
}

}  // namespace
}  // namespace pipeline
