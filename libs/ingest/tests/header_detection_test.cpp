// Header detection: the rule of header_detection.hpp, case by case.
#include "mt/ingest/header_detection.hpp"

#include <catch2/catch.hpp>

using mt::ingest::CombineHeaderRows;
using mt::ingest::DetectHeader;
using mt::ingest::DetectLayout;
using Rows = std::vector<std::vector<std::string>>;

TEST_CASE("no rows: no header — a single row: header") {
    CHECK_FALSE(DetectHeader({}));
    CHECK(DetectHeader(Rows{{"nome", "idade"}}));
    CHECK(DetectHeader(Rows{{"1", "2"}}));
}

TEST_CASE("a first row with an empty or null cell is data unless a typed column says otherwise") {
    CHECK_FALSE(DetectHeader(Rows{{"nome", ""}, {"Ana", "31"}}));
    CHECK_FALSE(DetectHeader(Rows{{"nome", "NULL"}, {"Ana", "31"}}));
    CHECK_FALSE(DetectHeader(Rows{{"Ana", "", "x"}, {"Beto", "b", "yz"}}));  // all text: blanks read as data
    // An unnamed column in a real header: "valor" over integers is a name whatever the blank beside it.
    CHECK(DetectHeader(Rows{{"nome", "", "valor"}, {"Ana", "x", "10"}, {"Beto", "y", "20"}}));
    CHECK(DetectHeader(Rows{{"N/A", "idade"}, {"Ana", "31"}}));
}

TEST_CASE("a name over a typed column makes a header") {
    CHECK(DetectHeader(Rows{{"id", "nome"}, {"1", "Ana"}, {"2", "Beto"}}));
    CHECK(DetectHeader(Rows{{"nome", "preco"}, {"Café", "89,90"}, {"Chá", "1.234,56"}}));
    CHECK(DetectHeader(Rows{{"data", "x"}, {"15/01/2024", "a"}, {"16/01/2024", "b"}}));
    CHECK(DetectHeader(Rows{{"ativo"}, {"sim"}, {"não"}}));
    // The header may repeat a name or look numeric elsewhere: one typed column disagreeing is enough.
    CHECK(DetectHeader(Rows{{"2024", "total"}, {"a", "10"}, {"b", "20"}}));
}

TEST_CASE("a first row that fits every typed column is data") {
    CHECK_FALSE(DetectHeader(Rows{{"1", "Ana"}, {"2", "Beto"}}));
    CHECK_FALSE(DetectHeader(Rows{{"1", "2024-01-15", "10.5"}, {"2", "2024-02-20", "7"}}));
    CHECK_FALSE(DetectHeader(Rows{{"10"}, {"20"}, {"30"}}));
}

TEST_CASE("all-text columns: distinct non-numeric first-row values make a header") {
    CHECK(DetectHeader(Rows{{"nome", "cidade"}, {"Ana", "Recife"}, {"Beto", "Natal"}}));
    CHECK_FALSE(DetectHeader(Rows{{"SP", "SP"}, {"RJ", "Rio"}}));                // repeated value
    CHECK_FALSE(DetectHeader(Rows{{"12", "abc"}, {"x", "yz"}}));                 // numeric value over a text column
    CHECK(DetectHeader(Rows{{"cep", "cpf"}, {"01310-100", "012.345.678-90"}}));  // leading zeros stay text
}

TEST_CASE("ragged rows: missing cells count as empty") {
    CHECK(DetectHeader(Rows{{"a", "b", "c"}, {"1", "2"}, {"3"}}));
    CHECK_FALSE(DetectHeader(Rows{{"1", "2", "3"}, {"4"}, {"5", "6"}}));
}

TEST_CASE("only the first 100 rows are looked at") {
    Rows rows{{"valor"}};
    for (int i = 0; i < 99; ++i) rows.push_back({std::to_string(i + 1)});
    rows.push_back({"texto"});  // row 101: would make the column text
    CHECK(DetectHeader(rows));
}

TEST_CASE("report titles above a typed table are recognized and skipped") {
    const Rows report = {{"Relatório de vendas"},
                         {"Janeiro de 2026", "", ""},
                         {"Produto", "Qtd", "Preço"},
                         {"Camisa", "10", "89,90"},
                         {"Meia", "3", "5,00"}};
    auto layout = DetectLayout(report);
    CHECK(layout.title_rows == 2);
    CHECK(layout.has_header);
    // No titles: the same as DetectHeader.
    layout = DetectLayout(Rows{{"Produto", "Qtd"}, {"Camisa", "10"}});
    CHECK(layout.title_rows == 0);
    CHECK(layout.has_header);
    layout = DetectLayout(Rows{{"Camisa", "10"}, {"Meia", "3"}});
    CHECK(layout.title_rows == 0);
    CHECK_FALSE(layout.has_header);
}

TEST_CASE("a row is never dropped as a title on a guess") {
    // All text below: nothing proves the second row a header, so the first row stays (as the header).
    CHECK(DetectLayout(Rows{{"Clientes"}, {"nome", "cidade"}, {"Ana", "Recife"}, {"Bia", "Olinda"}}).title_rows == 0);
    // A lone number is data, not a title.
    CHECK(DetectLayout(Rows{{"2026"}, {"Produto", "Qtd"}, {"Camisa", "10"}}).title_rows == 0);
    // One-column files: a single cell per row is their shape.
    CHECK(DetectLayout(Rows{{"nome"}, {"valor"}, {"10"}, {"20"}}).title_rows == 0);
    // The row below the titles must fit no typed column: here it is data, so the first row is a header.
    auto layout = DetectLayout(Rows{{"nome", ""}, {"Ana", "10"}, {"Bia", "20"}});
    CHECK(layout.title_rows == 0);
    // Titles need a header and at least one data row below them.
    CHECK(DetectLayout(Rows{{"Relatório"}, {"Produto", "Qtd"}}).title_rows == 0);
}

TEST_CASE("years as names: a header over figures, not over years") {
    CHECK(DetectHeader(Rows{{"Produto", "2024", "2025"}, {"Arroz", "10,50", "11,20"}, {"Feijão", "8,90", "9,10"}}));
    CHECK(DetectHeader(Rows{{"Produto", "2024", "2025"}, {"Arroz", "100", "120"}, {"Feijão", "80", "95"}}));
    // One year over a decimal column is enough; over integers it could be a quantity.
    CHECK(DetectHeader(Rows{{"Produto", "2024"}, {"Arroz", "10.5"}, {"Feijão", "8.25"}}));
    CHECK_FALSE(DetectHeader(Rows{{"Feijão", "2024"}, {"Arroz", "150"}, {"Milho", "3000"}}));
    // Years over years are data (entry and exit years of people), and repeated years are no names.
    CHECK_FALSE(DetectHeader(Rows{{"Ana", "2019", "2021"}, {"Beto", "2018", "2020"}}));
    CHECK_FALSE(DetectHeader(Rows{{"x", "2024", "2024"}, {"a", "1.5", "2.5"}}));
}

TEST_CASE("two header rows: a group row above names that the types below prove") {
    const Rows grouped = {{"", "Vendas", "", "Custos", ""},
                          {"Produto", "2024", "2025", "2024", "2025"},
                          {"Arroz", "10,5", "11,2", "8,1", "8,4"},
                          {"Feijão", "7,9", "8,3", "6,0", "6,2"}};
    auto layout = DetectLayout(grouped);
    CHECK(layout.title_rows == 0);
    CHECK(layout.has_header);
    CHECK(layout.two_header_rows);
    CHECK(CombineHeaderRows(grouped[0], grouped[1]) ==
          std::vector<std::string>{"Produto", "Vendas 2024", "Vendas 2025", "Custos 2024", "Custos 2025"});
    // A header over data is one row, even when the header has a blank (the row below is data, not names).
    layout = DetectLayout(Rows{{"nome", "", "valor"}, {"Ana", "xa", "10"}, {"Bia", "yb", "20"}});
    CHECK(layout.has_header);
    CHECK_FALSE(layout.two_header_rows);
    // A full header row is no group row.
    layout = DetectLayout(Rows{{"id", "nome"}, {"codigo", "texto"}, {"1", "Ana"}});
    CHECK_FALSE(layout.two_header_rows);
}
