#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "mt/types/identifier.hpp"

using mt::types::NormalizeHeader;
using mt::types::NormalizeHeaders;
using mt::types::QuoteIdentifier;
using mt::types::ValidateColumnName;
using mt::types::ValidateIdentifier;

TEST_CASE("ValidateIdentifier accepts ^[a-z_][a-z0-9_]*$ up to 63 bytes") {
    for (const char* ok : {"a", "_", "_1", "abc", "a1_b2", "preco_unitario", "__x__", "select", "user", "order"}) {
        INFO(ok);
        CHECK(ValidateIdentifier(ok, "name").ok());
    }
    CHECK(ValidateIdentifier(std::string(63, 'a'), "name").ok());
    CHECK(ValidateIdentifier("_" + std::string(62, '9'), "name").ok());
}

TEST_CASE("ValidateIdentifier rejects with one FieldError naming the field and the rule") {
    struct Case {
        std::string name;
        std::string expected_in_message;
    };
    const std::vector<Case> cases = {
        {"", "must not be empty"},
        {std::string(64, 'a'), "64 bytes long; at most 63"},
        {"1abc", "must match"},
        {"Abc", "must match"},
        {"a-b", "must match"},
        {"a b", "must match"},
        {"preço", "must match"},
        {"a\"b", "must match"},
        {std::string("a\0b", 3), "must match"},
        {"a;drop table x", "must match"},
        {" a", "must match"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        auto st = ValidateIdentifier(c.name, "columns[2].name");
        REQUIRE_FALSE(st.ok());
        CHECK(st.error().code == "VALIDATION_ERROR");
        CHECK(st.error().kind == mt::ErrorKind::kValidation);
        REQUIRE(st.error().details.size() == 1);
        CHECK(st.error().details[0].field == "columns[2].name");
        CHECK_THAT(st.error().details[0].message, Catch::Contains(c.expected_in_message));
    }
}

TEST_CASE("identifier error messages show the value, cut to 100 bytes") {
    auto st = ValidateIdentifier("Bad Name", "name");
    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.error().details[0].message, Catch::Contains("\"Bad Name\""));
    CHECK_THAT(st.error().message, Catch::Contains("\"Bad Name\""));

    auto long_st = ValidateIdentifier(std::string(5000, 'x'), "name");
    REQUIRE_FALSE(long_st.ok());
    const std::string& m = long_st.error().details[0].message;
    CHECK(m.size() < 200);
    CHECK_THAT(m, Catch::Contains("\"" + std::string(100, 'x') + "\"..."));
    CHECK_THAT(m, Catch::Contains("5000 bytes"));
}

TEST_CASE("ValidateColumnName also reserves the row id column") {
    auto st = ValidateColumnName("id", "columns[0].name");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().details[0].field == "columns[0].name");
    CHECK_THAT(st.error().details[0].message, Catch::Contains("reserved"));
    CHECK(ValidateColumnName("_id", "f").ok());
    CHECK(ValidateColumnName("id_", "f").ok());
    CHECK(ValidateColumnName("source_id", "f").ok());
    CHECK_FALSE(ValidateColumnName("ID", "f").ok());  // fails the regex before the reservation
    CHECK_FALSE(ValidateColumnName("", "f").ok());
    CHECK(ValidateIdentifier("id", "f").ok());  // a table may be called id
}

TEST_CASE("QuoteIdentifier double-quotes and doubles embedded quotes") {
    CHECK(QuoteIdentifier("a") == "\"a\"");
    CHECK(QuoteIdentifier("select") == "\"select\"");
    CHECK(QuoteIdentifier("Minha Coluna") == "\"Minha Coluna\"");
    CHECK(QuoteIdentifier("a\"b") == "\"a\"\"b\"");
    CHECK(QuoteIdentifier("\"") == "\"\"\"\"");
    CHECK(QuoteIdentifier("x\"; DROP TABLE t; --") == "\"x\"\"; DROP TABLE t; --\"");
    CHECK(QuoteIdentifier("preço") == "\"preço\"");
    CHECK(QuoteIdentifier("") == "\"\"");
}

TEST_CASE("NormalizeHeader: accents, case, punctuation runs, leading digits") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"Preço Unitário (R$)", "preco_unitario_r"},
        {"2024 Sales", "_2024_sales"},
        {"Nome", "nome"},
        {"  Data de Nascimento  ", "data_de_nascimento"},
        {"e-mail", "e_mail"},
        {"CAFÉ", "cafe"},
        {"Ação", "acao"},
        {"AÇÃO", "acao"},
        {"Órgão Emissor", "orgao_emissor"},
        {"Straße", "strasse"},
        {"Œuvre", "oeuvre"},
        {"Łódź", "lodz"},
        {"Ångström", "angstrom"},
        {"Nº Pedido", "no_pedido"},
        {"m²", "m2"},
        {"naïve façade", "naive_facade"},
        {"Cafe\xCC\x81 Pre\xCC\x81"
         "co",
         "cafe_preco"},  // decomposed accents (NFD)
        {"価格 price", "price"},
        {"a日b", "a_b"},
        {"💰 Valor", "valor"},
        {"a\xFF"
         "b",
         "a_b"},         // invalid UTF-8 byte
        {"a\xC3", "a"},  // truncated sequence
        {"__init__", "init"},
        {"a___b", "a_b"},
        {"a - b / c", "a_b_c"},
        {"Total (%)", "total"},
        {"123", "_123"},
        {"1º Trimestre", "_1o_trimestre"},
        {"x×y", "x_y"},
        {"id", "id"},  // NormalizeHeaders renames it, NormalizeHeader does not
        {"ID", "id"},
    };
    for (const auto& [header, expected] : cases) {
        INFO(header);
        CHECK(NormalizeHeader(header) == expected);
    }
}

TEST_CASE("NormalizeHeader returns empty when nothing is left") {
    for (const char* h : {"", " ", "!!!", "___", "($)", "日本語", "\xC3\xB7"}) {
        INFO(h);
        CHECK(NormalizeHeader(h).empty());
    }
}

TEST_CASE("NormalizeHeader truncates to 63 bytes and never ends in an underscore") {
    CHECK(NormalizeHeader(std::string(63, 'a')) == std::string(63, 'a'));
    CHECK(NormalizeHeader(std::string(64, 'a')) == std::string(63, 'a'));
    CHECK(NormalizeHeader(std::string(62, 'a') + " b") == std::string(62, 'a'));
    CHECK(NormalizeHeader("1" + std::string(70, 'a')) == "_1" + std::string(61, 'a'));
    CHECK(NormalizeHeader(std::string(62, 'a') + "ß") == std::string(62, 'a') + "s");
    const std::string huge = "Coluna " + std::string(1 << 20, 'x');
    const std::string n = NormalizeHeader(huge);
    CHECK(n.size() == 63);
    CHECK(ValidateIdentifier(n, "h").ok());
}

TEST_CASE("NormalizeHeaders: column_N, source_id, duplicate suffixes") {
    CHECK(NormalizeHeaders({}) == std::vector<std::string>{});
    CHECK(NormalizeHeaders({"Nome", "nome", "NOME"}) == std::vector<std::string>{"nome", "nome_2", "nome_3"});
    CHECK(NormalizeHeaders({"", "x", "  ", "!!"}) == std::vector<std::string>{"column_1", "x", "column_3", "column_4"});
    CHECK(NormalizeHeaders({"ID", "id", "Id "}) == std::vector<std::string>{"source_id", "source_id_2", "source_id_3"});
    CHECK(NormalizeHeaders({"id", "source_id"}) == std::vector<std::string>{"source_id", "source_id_2"});
    // A header that is literally a suffixed name keeps it; the duplicate takes the next free suffix.
    CHECK(NormalizeHeaders({"a", "a", "a_2"}) == std::vector<std::string>{"a", "a_3", "a_2"});
    CHECK(NormalizeHeaders({"column_2", ""}) == std::vector<std::string>{"column_2", "column_2_2"});
    CHECK(NormalizeHeaders({"Preço", "preco", "PRECO!"}) == std::vector<std::string>{"preco", "preco_2", "preco_3"});
}

TEST_CASE("NormalizeHeaders suffixes stay within 63 bytes") {
    const std::string a63(63, 'a');
    std::vector<std::string> headers(12, a63);
    const auto names = NormalizeHeaders(headers);
    CHECK(names[0] == a63);
    CHECK(names[1] == std::string(61, 'a') + "_2");
    CHECK(names[8] == std::string(61, 'a') + "_9");
    CHECK(names[9] == std::string(60, 'a') + "_10");
    CHECK(names[11] == std::string(60, 'a') + "_12");
    for (const auto& n : names) CHECK(n.size() <= 63);
    // Cutting the base must not leave "__2".
    const auto cut = NormalizeHeaders({std::string(60, 'b') + "_cc", std::string(60, 'b') + "_cc"});
    CHECK(cut[0] == std::string(60, 'b') + "_cc");
    CHECK(cut[1] == std::string(60, 'b') + "_2");
}

TEST_CASE("NormalizeHeaders gives unique valid column names for 10,000 hostile headers") {
    std::vector<std::string> headers;
    for (int i = 0; i < 10000; ++i) headers.push_back(i % 3 == 0 ? "id" : (i % 3 == 1 ? "" : "Valor (R$)"));
    headers.push_back("x\"; DROP TABLE t; --");
    const auto names = NormalizeHeaders(headers);
    REQUIRE(names.size() == headers.size());
    std::set<std::string> unique(names.begin(), names.end());
    CHECK(unique.size() == names.size());
    for (const auto& n : names) {
        INFO(n);
        REQUIRE(ValidateColumnName(n, "name").ok());
    }
    CHECK(names.back() == "x_drop_table_t");
}
