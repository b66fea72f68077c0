// Workflow 3 with CSV files: the inferred schema exactly (SPEC §7), then the rows as typed JSON (SPEC §6).
#include "inputs.hpp"
#include "pipeline.hpp"

namespace pipeline {
namespace {

// Windows-1252, `;`, decimal comma, dd/mm/yyyy, sim/não, CRLF, a quoted line break, leading zeros, a value beyond
// int64, null tokens, duplicate and accented headers, "ID".
TEST_CASE("Brazilian CSV in Windows-1252 with CRLF: schema and typed rows", "[pipeline][csv]") {
    Uploader u(PipelineStack());
    std::string text =
        Csv({{"Produto", "Preço (€)", "Data", "Ativo", "CEP", "Código", "Qtd", "Grande", "Observação", "ID", "Produto"},
             {"Camisa", "89,90", "15/01/2026", "sim", "01310-100", "00123", "10", "99999999999999999999",
              "\"linha 1\nlinha 2\"", "1", "Azul"},
             {"Calça", "1.234,56", "31/12/2025", "não", "20040-002", "00456", "", "12", "São Paulo", "2", "Preta"},
             {"Meia “soquete”", "0,50", "01/02/2026", "Sim", "30130-110", "07890", "NULL", "-5", "N/A", "3", "Branca"}},
            ';', "\r\n");
    std::string job_id;
    auto job = u.Analyzed({File("vendas_2026.csv", ToCp1252(text), "text/csv")}, &job_id);
    const auto& schema = job["inferred_schema"];
    CHECK(e2e::Keys(schema) == std::set<std::string>{"suggested_table_name", "columns", "sample_rows",
                                                     "sample_rows_raw", "total_row_count_estimate"});
    CHECK(e2e::Str(schema["suggested_table_name"]) == "vendas_2026");
    CHECK(schema["total_row_count_estimate"].GetInt64() == 3);
    CHECK(ToJson(schema["columns"]) ==
          R"([{"name":"produto","display_name":"Produto","type":"text","nullable":false},)"
          R"j({"name":"preco","display_name":"Preço (€)","type":"decimal","nullable":false},)j"
          R"({"name":"data","display_name":"Data","type":"date","nullable":false},)"
          R"({"name":"ativo","display_name":"Ativo","type":"boolean","nullable":false},)"
          R"({"name":"cep","display_name":"CEP","type":"text","nullable":false},)"
          R"({"name":"codigo","display_name":"Código","type":"text","nullable":false},)"
          R"({"name":"qtd","display_name":"Qtd","type":"integer","nullable":true},)"
          R"({"name":"grande","display_name":"Grande","type":"decimal","nullable":false},)"
          R"({"name":"observacao","display_name":"Observação","type":"text","nullable":true},)"
          R"({"name":"source_id","display_name":"ID","type":"integer","nullable":false},)"
          R"({"name":"produto_2","display_name":"Produto","type":"text","nullable":false}])");
    // sample_rows: each value as it will be stored (NULL tokens as null); sample_rows_raw: as read.
    CHECK(ToJson(schema["sample_rows"]) ==
          R"([{"produto":"Camisa","preco":"89.90","data":"2026-01-15","ativo":"true","cep":"01310-100",)"
          R"("codigo":"00123","qtd":"10","grande":"99999999999999999999","observacao":"linha 1\nlinha 2",)"
          R"("source_id":"1","produto_2":"Azul"},)"
          R"({"produto":"Calça","preco":"1234.56","data":"2025-12-31","ativo":"false","cep":"20040-002",)"
          R"("codigo":"00456","qtd":null,"grande":"12","observacao":"São Paulo","source_id":"2","produto_2":"Preta"},)"
          R"({"produto":"Meia “soquete”","preco":"0.50","data":"2026-02-01","ativo":"true","cep":"30130-110",)"
          R"("codigo":"07890","qtd":null,"grande":"-5","observacao":null,"source_id":"3","produto_2":"Branca"}])");
    CHECK(ToJson(schema["sample_rows_raw"]) ==
          R"([{"produto":"Camisa","preco":"89,90","data":"15/01/2026","ativo":"sim","cep":"01310-100",)"
          R"("codigo":"00123","qtd":"10","grande":"99999999999999999999","observacao":"linha 1\nlinha 2",)"
          R"("source_id":"1","produto_2":"Azul"},)"
          R"({"produto":"Calça","preco":"1.234,56","data":"31/12/2025","ativo":"não","cep":"20040-002",)"
          R"("codigo":"00456","qtd":"","grande":"12","observacao":"São Paulo","source_id":"2","produto_2":"Preta"},)"
          R"({"produto":"Meia “soquete”","preco":"0,50","data":"01/02/2026","ativo":"Sim","cep":"30130-110",)"
          R"("codigo":"07890","qtd":"NULL","grande":"-5","observacao":"N/A","source_id":"3","produto_2":"Branca"}])");

    auto done = u.ConfirmDone(job_id);
    std::string table_id = e2e::Str(done["user_table_id"]);
    auto table = u.Table(table_id);
    CHECK(e2e::Str(table["display_name"]) == "vendas_2026");
    CHECK(e2e::Str(table["source"]) == "upload");
    CHECK(table["row_count"].GetInt64() == 3);
    CHECK(ToJson(table["columns"]) == ToJson(schema["columns"]));
    CHECK(
        u.RowTexts(table_id) ==
        std::vector<std::string>{
            R"({"produto":"Camisa","preco":89.90,"data":"2026-01-15","ativo":true,"cep":"01310-100","codigo":"00123",)"
            R"("qtd":10,"grande":99999999999999999999,"observacao":"linha 1\nlinha 2","source_id":1,"produto_2":"Azul"})",
            R"({"produto":"Calça","preco":1234.56,"data":"2025-12-31","ativo":false,"cep":"20040-002","codigo":"00456",)"
            R"("qtd":null,"grande":12,"observacao":"São Paulo","source_id":2,"produto_2":"Preta"})",
            R"({"produto":"Meia “soquete”","preco":0.50,"data":"2026-02-01","ativo":true,"cep":"30130-110",)"
            R"("codigo":"07890","qtd":null,"grande":-5,"observacao":null,"source_id":3,"produto_2":"Branca"})"});
}

/// Row i (1-based) of the international-format file below, as written.
std::vector<std::string> IntlRow(int i) {
    return {std::to_string(i),
            "José da Silva " + std::to_string(i),
            "2026-01-" + std::string(i % 28 + 1 < 10 ? "0" : "") + std::to_string(i % 28 + 1),
            i % 2 ? "2026-01-15T10:30:00Z" : "2026-01-15 10:30:00.250",
            i % 2 ? "true" : "FALSE",
            i % 2 ? "yes" : "no",
            i == 1 ? "\"1,234.56\"" : std::to_string(i) + ".25",
            i == 10'000 ? "abc" : std::to_string(i),
            i % 10 == 0 ? "" : "7",
            "x",
            std::to_string(i * 3),
            "dup"};
}

// UTF-8 with BOM, `,`, ISO dates and datetimes, true/false and yes/no, a thousands separator inside quotes, and
// a column that is integer for 9,999 rows and "abc" in row 10,000: the full scan must make it text.
TEST_CASE("UTF-8 BOM CSV of 10,000 rows: full-scan inference, normalized headers, rows in file order",
          "[pipeline][csv]") {
    Uploader u(PipelineStack());
    std::vector<std::vector<std::string>> rows = {{"id", "Nome Completo", "Nascimento", "Momento", "Ok", "Pago",
                                                   "Valor", "Misto", "Média (R$)", "  Ação  ", "2026 Receita",
                                                   "Nome Completo"}};
    for (int i = 1; i <= 10'000; ++i) rows.push_back(IntlRow(i));
    std::string job_id;
    auto job = u.Analyzed({File("Relatório Anual.csv", "\xEF\xBB\xBF" + Csv(rows))}, &job_id);
    const auto& schema = job["inferred_schema"];
    CHECK(e2e::Str(schema["suggested_table_name"]) == "relatorio_anual");
    CHECK(schema["total_row_count_estimate"].GetInt64() == 10'000);
    CHECK(ToJson(schema["columns"]) ==
          R"([{"name":"source_id","display_name":"id","type":"integer","nullable":false},)"
          R"({"name":"nome_completo","display_name":"Nome Completo","type":"text","nullable":false},)"
          R"({"name":"nascimento","display_name":"Nascimento","type":"date","nullable":false},)"
          R"({"name":"momento","display_name":"Momento","type":"datetime","nullable":false},)"
          R"({"name":"ok","display_name":"Ok","type":"boolean","nullable":false},)"
          R"({"name":"pago","display_name":"Pago","type":"boolean","nullable":false},)"
          R"({"name":"valor","display_name":"Valor","type":"decimal","nullable":false},)"
          R"({"name":"misto","display_name":"Misto","type":"text","nullable":false},)"
          R"j({"name":"media_r","display_name":"Média (R$)","type":"integer","nullable":true},)j"
          R"({"name":"acao","display_name":"Ação","type":"text","nullable":false},)"
          R"({"name":"_2026_receita","display_name":"2026 Receita","type":"integer","nullable":false},)"
          R"({"name":"nome_completo_2","display_name":"Nome Completo","type":"text","nullable":false}])");
    // sample_rows_raw: the first 20 rows as read (quotes removed), keyed by the inferred names; sample_rows: the
    // same cells as they will be stored.
    const char* names[] = {"source_id", "nome_completo", "nascimento",    "momento",
                           "ok",        "pago",          "valor",         "misto",
                           "media_r",   "acao",          "_2026_receita", "nome_completo_2"};
    REQUIRE(schema["sample_rows"].Size() == 20);
    REQUIRE(schema["sample_rows_raw"].Size() == 20);
    for (int i = 1; i <= 20; ++i) {
        auto raw = IntlRow(i);
        std::string expected_raw = "{";
        for (std::size_t c = 0; c < raw.size(); ++c) {
            std::string cell = c == 6 && i == 1 ? "1,234.56" : raw[c];
            expected_raw += std::string(c ? "," : "") + "\"" + names[c] + "\":" + e2e::JsonString(cell);
        }
        CHECK(ToJson(schema["sample_rows_raw"][i - 1]) == expected_raw + "}");
        std::vector<std::string> stored = raw;
        stored[3] = i % 2 ? "2026-01-15T10:30:00Z" : "2026-01-15T10:30:00.250000Z";
        stored[4] = i % 2 ? "true" : "false";
        stored[5] = i % 2 ? "true" : "false";
        stored[6] = i == 1 ? "1234.56" : raw[6];
        std::string expected = "{";
        for (std::size_t c = 0; c < stored.size(); ++c) {
            const std::string value = c == 8 && stored[c].empty() ? "null" : e2e::JsonString(stored[c]);
            expected += std::string(c ? "," : "") + "\"" + names[c] + "\":" + value;
        }
        CHECK(ToJson(schema["sample_rows"][i - 1]) == expected + "}");
    }

    auto done = u.ConfirmDone(job_id);
    std::string table_id = e2e::Str(done["user_table_id"]);
    CHECK(u.Table(table_id)["row_count"].GetInt64() == 10'000);
    auto texts = u.RowTexts(table_id);
    REQUIRE(texts.size() == 10'000);
    CHECK(texts[0] == R"({"source_id":1,"nome_completo":"José da Silva 1","nascimento":"2026-01-02",)"
                      R"("momento":"2026-01-15T10:30:00.000Z","ok":true,"pago":true,"valor":1234.56,"misto":"1",)"
                      R"("media_r":7,"acao":"x","_2026_receita":3,"nome_completo_2":"dup"})");
    CHECK(texts[9] == R"({"source_id":10,"nome_completo":"José da Silva 10","nascimento":"2026-01-11",)"
                      R"("momento":"2026-01-15T10:30:00.250Z","ok":false,"pago":false,"valor":10.25,"misto":"10",)"
                      R"("media_r":null,"acao":"x","_2026_receita":30,"nome_completo_2":"dup"})");
    CHECK(texts[9'999] == R"({"source_id":10000,"nome_completo":"José da Silva 10000","nascimento":"2026-01-05",)"
                          R"("momento":"2026-01-15T10:30:00.250Z","ok":false,"pago":false,"valor":10000.25,)"
                          R"("misto":"abc","media_r":null,"acao":"x","_2026_receita":30000,"nome_completo_2":"dup"})");
    // Insertion order is file order across all parts (ids are numbered per row).
    std::size_t out_of_order = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        if (texts[i].rfind("{\"source_id\":" + std::to_string(i + 1) + ",", 0) != 0) ++out_of_order;
    }
    CHECK(out_of_order == 0);
}

// SPEC §7: "empty header → column_N". The header names every column but one; header detection once took such a
// row for data and lost every name.
TEST_CASE("an empty header cell becomes column_N", "[pipeline][csv]") {
    Uploader u(PipelineStack());
    std::string job_id;
    auto job = u.Analyzed({File("parcial.csv", "nome,,valor\nAna,x,10\nBia,y,20\n")}, &job_id);
    const auto& schema = job["inferred_schema"];
    CHECK(schema["total_row_count_estimate"].GetInt64() == 2);
    CHECK(ToJson(schema["columns"]) ==
          R"([{"name":"nome","display_name":"nome","type":"text","nullable":false},)"
          R"({"name":"column_2","display_name":"Column 2","type":"text","nullable":false},)"
          R"({"name":"valor","display_name":"valor","type":"integer","nullable":false}])");
}

// Other delimiters of SPEC §7: tab (.tsv) and pipe, LF and CR-only line ends.
TEST_CASE("tab and pipe delimiters", "[pipeline][csv]") {
    Uploader u(PipelineStack());
    std::string tsv_job, pipe_job;
    auto tsv = u.Analyzed({File("itens.tsv", Csv({{"item", "preço"}, {"a b", "1.5"}, {"c, d", "2"}}, '\t'))}, &tsv_job);
    CHECK(ToJson(tsv["inferred_schema"]["columns"]) ==
          R"([{"name":"item","display_name":"item","type":"text","nullable":false},)"
          R"({"name":"preco","display_name":"preço","type":"decimal","nullable":false}])");
    auto pipe =
        u.Analyzed({File("itens.txt", Csv({{"item", "qtd"}, {"a;b", "1"}, {"c,d", "2"}}, '|', "\r"))}, &pipe_job);
    CHECK(ToJson(pipe["inferred_schema"]["columns"]) ==
          R"([{"name":"item","display_name":"item","type":"text","nullable":false},)"
          R"({"name":"qtd","display_name":"qtd","type":"integer","nullable":false}])");
    auto done = u.ConfirmDone(pipe_job, R"({"display_name":"itens_pipe"})");
    CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) ==
          std::vector<std::string>{R"({"item":"a;b","qtd":1})", R"({"item":"c,d","qtd":2})"});
}

// What ERP and bank exports look like: a report title (and a blank line) above the table, a trailing delimiter
// on every line. The titles are not a header, and the trailing delimiter is not a column.
TEST_CASE("report titles above the table are skipped, and a trailing delimiter adds no column", "[pipeline][csv]") {
    Uploader u(PipelineStack());
    std::string job_id;
    auto job = u.Analyzed({File("relatorio.csv",
                                "Relatório de Vendas - Janeiro/2026;;;\r\n;;;\r\n"
                                "Produto;Qtd;Preço;\r\nCamisa;10;89,90;\r\nMeia;3;1.234,50;\r\n")},
                          &job_id);
    CHECK(ToJson(job["inferred_schema"]["columns"]) ==
          R"([{"name":"produto","display_name":"Produto","type":"text","nullable":false},)"
          R"({"name":"qtd","display_name":"Qtd","type":"integer","nullable":false},)"
          R"({"name":"preco","display_name":"Preço","type":"decimal","nullable":false}])");
    CHECK(ToJson(job["inferred_schema"]["sample_rows"]) ==
          R"([{"produto":"Camisa","qtd":"10","preco":"89.90"},{"produto":"Meia","qtd":"3","preco":"1234.50"}])");
    auto done = u.ConfirmDone(job_id);
    CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) ==
          std::vector<std::string>{R"({"produto":"Camisa","qtd":10,"preco":89.90})",
                                   R"({"produto":"Meia","qtd":3,"preco":1234.50})"});

    // The same layout in a workbook: a title row (merged across the table in Excel, so one cell) above it.
    std::string book = Spreadsheet(u.stack, R"({"sheets": [{"name": "Plan1", "rows": [
        ["Relatório de estoque"], null,
        ["Item", "Saldo", "Data"],
        ["Parafuso", 120, {"date": "2026-01-15"}],
        ["Porca", 80, {"date": "2026-01-16"}]]}]})",
                                   "xlsx");
    job = u.Analyzed({File("estoque.xlsx", book)}, &job_id);
    CHECK(ToJson(job["inferred_schema"]["columns"]) ==
          R"([{"name":"item","display_name":"Item","type":"text","nullable":false},)"
          R"({"name":"saldo","display_name":"Saldo","type":"integer","nullable":false},)"
          R"({"name":"data","display_name":"Data","type":"date","nullable":false}])");
    done = u.ConfirmDone(job_id);
    CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) ==
          std::vector<std::string>{R"({"item":"Parafuso","saldo":120,"data":"2026-01-15"})",
                                   R"({"item":"Porca","saldo":80,"data":"2026-01-16"})"});
}

// "1.234" reads as 1234 (thousands) or 1.234 (decimal point). A file writes all its numbers one way, so a column
// that can only be read one way settles the others — here a ';' file whose numbers use the decimal point.
TEST_CASE("ambiguous numbers follow the file's unambiguous ones, not only the delimiter", "[pipeline][csv]") {
    Uploader u(PipelineStack());
    std::string job_id;
    u.Analyzed({File("medidas.csv", "peso;taxa\n1.234;0.750\n2.500;1.5\n12.345;2.25\n")}, &job_id);
    auto done = u.ConfirmDone(job_id);
    CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) == std::vector<std::string>{R"({"peso":1.234,"taxa":0.750})",
                                                                                  R"({"peso":2.500,"taxa":1.5})",
                                                                                  R"({"peso":12.345,"taxa":2.25})"});
    // Nothing unambiguous: the ';' delimiter's Brazilian reading stands.
    u.Analyzed({File("milhares.csv", "peso;qtd\n1.234;1\n2.500;2\n")}, &job_id);
    done = u.ConfirmDone(job_id);
    CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) ==
          std::vector<std::string>{R"({"peso":1234,"qtd":1})", R"({"peso":2500,"qtd":2})"});
}

}  // namespace
}  // namespace pipeline
