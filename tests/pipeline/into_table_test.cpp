// Workflow 4: append and replace into existing tables (uploaded, manual, legacy-named), SPEC §7 confirm rules.
#include "inputs.hpp"
#include "pipeline.hpp"

namespace pipeline {
namespace {

/// row_count of the API and count(*) of the physical table agree and equal `expected`.
void CheckCount(Uploader& u, const std::string& table_id, const std::string& physical, std::int64_t expected) {
    CHECK(u.Table(table_id)["row_count"].GetInt64() == expected);
    auto sql = u.stack.CompanyQuery(u.company, "SELECT count(*) FROM public." + mt::testing::QuoteIdent(physical));
    CHECK(sql[0][0] == std::to_string(expected));
}

TEST_CASE("append (default and explicit) and replace into an uploaded table", "[pipeline][into]") {
    Uploader u(PipelineStack());
    std::string job_id;
    u.Analyzed({File("vendas.csv",
                     "produto;valor;dia\nCamisa;89,90;15/01/2026\nCalça;159,90;16/01/2026\n"
                     "Meia;5,00;17/01/2026\n")},
               &job_id);
    std::string table_id = e2e::Str(u.ConfirmDone(job_id)["user_table_id"]);
    CheckCount(u, table_id, "vendas", 3);

    // No mode field: append.
    std::string append_id;
    auto waiting = u.Analyzed({File("fev.csv", "produto;valor;dia\nBoné;25,00;01/02/2026\nLuva;12,50;02/02/2026\n")},
                              &append_id, {}, table_id);
    CHECK(e2e::Str(waiting["mode"]) == "append");
    CHECK(e2e::Str(waiting["user_table_id"]) == table_id);
    auto done = u.ConfirmDone(append_id);
    CHECK(e2e::Str(done["user_table_id"]) == table_id);
    CHECK(ToJson(done["progress"]) == R"({"processed_rows":2,"total_rows":2})");
    CheckCount(u, table_id, "vendas", 5);

    std::string explicit_id;
    u.Analyzed({File("mar.csv", "produto;valor;dia\nCinto;30,00;01/03/2026\n")}, &explicit_id, {{"mode", "append"}},
               table_id);
    u.ConfirmDone(explicit_id);
    CheckCount(u, table_id, "vendas", 6);
    CHECK(u.RowTexts(table_id) == std::vector<std::string>{R"({"produto":"Camisa","valor":89.90,"dia":"2026-01-15"})",
                                                           R"({"produto":"Calça","valor":159.90,"dia":"2026-01-16"})",
                                                           R"({"produto":"Meia","valor":5.00,"dia":"2026-01-17"})",
                                                           R"({"produto":"Boné","valor":25.00,"dia":"2026-02-01"})",
                                                           R"({"produto":"Luva","valor":12.50,"dia":"2026-02-02"})",
                                                           R"({"produto":"Cinto","valor":30.00,"dia":"2026-03-01"})"});

    std::string replace_id;
    auto replacing = u.Analyzed({File("completo.csv", "produto;valor;dia\nA;1,00;01/01/2026\nB;2,00;02/01/2026\n")},
                                &replace_id, {{"mode", "replace"}}, table_id);
    CHECK(e2e::Str(replacing["mode"]) == "replace");
    u.ConfirmDone(replace_id);
    CheckCount(u, table_id, "vendas", 2);
    CHECK(u.RowTexts(table_id) == std::vector<std::string>{R"({"produto":"A","valor":1.00,"dia":"2026-01-01"})",
                                                           R"({"produto":"B","valor":2.00,"dia":"2026-01-02"})"});
    auto table = u.Table(table_id);
    CHECK(e2e::Str(table["display_name"]) == "vendas");
    CHECK(e2e::Str(table["source"]) == "upload");
    CHECK(LoadTables(u.stack, u.company).empty());
    // The replaced table is gone, not archived next to the new one.
    CHECK(u.stack.CompanyQuery(u.company,
                               "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
                               "'information_schema', 'mt_internal')")[0][0] == "1");
}

TEST_CASE("into a manual table: columns by name, table types win, extra or missing NOT NULL columns → 422",
          "[pipeline][into]") {
    Uploader u(PipelineStack());
    std::string table_id = u.CreateTable(
        "monthly_sales",
        e2e::Columns({{"product", "text", false}, {"amount", "decimal", true}, {"sale_date", "date", false}}));
    u.Insert(table_id, R"([{"product":"Shirt","amount":89.90,"sale_date":"2026-01-15"}])");

    std::string extra_id;
    u.Analyzed({File("extra.csv", "product,amount,sale_date,extra\n123,10.5,2026-02-01,x\n")}, &extra_id, {}, table_id);
    auto extra = u.Confirm(extra_id, "{}");  // the inferred columns, extra included
    CHECK_ERROR(extra, 422, "VALIDATION_ERROR");
    CHECK(e2e::DetailFields(extra) == std::vector<std::string>{"columns[3].name"});
    CHECK(e2e::Str(u.Job(extra_id)["status"]) == "waiting_confirm");
    // Without the extra column it goes in; "123" inferred integer lands in the text column as text.
    u.ConfirmDone(extra_id, R"({"columns":[{"name":"product","display_name":"P","type":"integer","nullable":false},)"
                            R"({"name":"amount","display_name":"A","type":"decimal","nullable":true},)"
                            R"({"name":"sale_date","display_name":"D","type":"date","nullable":false}]})");

    std::string partial_id;  // amount is nullable: a file without it is fine
    u.Analyzed({File("parcial.csv", "product;sale_date\nPants;16/01/2026\n")}, &partial_id, {}, table_id);
    u.ConfirmDone(partial_id);
    CHECK(u.RowTexts(table_id) ==
          std::vector<std::string>{R"({"product":"Shirt","amount":89.90,"sale_date":"2026-01-15"})",
                                   R"({"product":"123","amount":10.5,"sale_date":"2026-02-01"})",
                                   R"({"product":"Pants","amount":null,"sale_date":"2026-01-16"})"});
    CHECK(u.RowCount(table_id) == 3);

    std::string missing_id;  // sale_date is NOT NULL
    u.Analyzed({File("sem_data.csv", "product,amount\nHat,1\n")}, &missing_id, {}, table_id);
    CHECK_ERROR(u.Confirm(missing_id, "{}"), 422, "VALIDATION_ERROR");

    auto before = Snapshot(u.stack, u.company);
    auto jobs_before = u.stack.ControlQuery("SELECT count(*) FROM mt_jobs WHERE company_id = $1", {u.company});
    auto bogus = u.Upload({File("x.csv", "product,sale_date\nHat,2026-01-01\n")}, {{"mode", "bogus"}}, table_id);
    CHECK_ERROR(bogus, 422, "VALIDATION_ERROR");
    CHECK(e2e::DetailFields(bogus) == std::vector<std::string>{"mode"});
    CHECK(u.stack.ControlQuery("SELECT count(*) FROM mt_jobs WHERE company_id = $1", {u.company}) == jobs_before);
    CHECK(Snapshot(u.stack, u.company) == before);
    CHECK_ERROR(u.Upload({File("x.csv", "a\n1\n")}, {}, "0123456789abcdef01234567"), 404, "TABLE_NOT_FOUND");

    std::string replace_id;
    u.Analyzed({File("novo.csv", "sale_date,product\n2026-05-01,Sock\n")}, &replace_id, {{"mode", "replace"}},
               table_id);
    u.ConfirmDone(replace_id);
    CHECK(u.RowTexts(table_id) ==
          std::vector<std::string>{R"({"product":"Sock","amount":null,"sale_date":"2026-05-01"})"});
    auto table = u.Table(table_id);
    CHECK(table["row_count"].GetInt64() == 1);
    CHECK(e2e::Str(table["source"]) == "manual");
    CHECK(ToJson(table["columns"]) ==
          R"([{"name":"product","display_name":"product","type":"text","nullable":false},)"
          R"({"name":"amount","display_name":"amount","type":"decimal","nullable":true},)"
          R"({"name":"sale_date","display_name":"sale_date","type":"date","nullable":false}])");
}

// A confirm that lists all of the table's columns, for a file that lacks one: names match first, so a missing
// column never takes another column's values by position; a missing nullable column is NULL.
TEST_CASE("confirming the table's columns for a file without one of them: matched by name, the missing one NULL",
          "[pipeline][into]") {
    Uploader u(PipelineStack());
    std::string table_id = u.CreateTable(
        "clientes",
        e2e::Columns(
            {{"nome", "text", false}, {"telefone", "text", true}, {"cidade", "text", true}, {"uf", "text", false}}));
    const std::string all_columns =
        R"({"columns":[{"name":"nome","display_name":"nome","type":"text","nullable":false},)"
        R"({"name":"telefone","display_name":"telefone","type":"text","nullable":true},)"
        R"({"name":"cidade","display_name":"cidade","type":"text","nullable":true},)"
        R"({"name":"uf","display_name":"uf","type":"text","nullable":false}]})";
    std::string job_id;
    u.Analyzed({File("clientes.csv", "nome;cidade;uf\nXavier;Recife;PE\n")}, &job_id, {}, table_id);
    u.ConfirmDone(job_id, all_columns);
    CHECK(u.RowTexts(table_id) ==
          std::vector<std::string>{R"({"nome":"Xavier","telefone":null,"cidade":"Recife","uf":"PE"})"});
    // A NOT NULL column the files lack is refused at confirm, and the job still waits.
    u.Analyzed({File("sem_uf.csv", "nome;cidade\nYara;Olinda\n")}, &job_id, {}, table_id);
    auto refused = u.Confirm(job_id, all_columns);
    CHECK_ERROR(refused, 422, "VALIDATION_ERROR");
    INFO(refused.Describe());
    CHECK(e2e::DetailFields(refused) == std::vector<std::string>{"columns"});
    CHECK(refused.body.find("uf\\\" is NOT NULL and missing from the upload") != std::string::npos);
    CHECK(e2e::Str(u.Job(job_id)["status"]) == "waiting_confirm");
}

// SPEC §6: "For appends/replaces into existing tables the legacy name is reused, regex not enforced."
TEST_CASE("a legacy display_name is reused as it is", "[pipeline][into]") {
    Uploader u(PipelineStack());
    std::string table_id = u.CreateTable("legacy_tmp", e2e::Columns({{"nome", "text"}, {"valor", "integer"}}));
    std::string legacy = "Vendas Legadas (2019) – São Paulo";
    u.stack.ControlQuery("UPDATE mt_tables SET display_name = $1 WHERE id = $2", {legacy, table_id});
    std::string job_id;
    u.Analyzed({File("legado.csv", "nome,valor\nAna,1\nBia,2\n")}, &job_id, {{"mode", "append"}}, table_id);
    auto done = u.ConfirmDone(job_id, R"({"display_name":"nome_ignorado"})");
    CHECK(e2e::Str(done["confirmed_schema"]["display_name"]) == legacy);
    auto table = u.Table(table_id);
    CHECK(e2e::Str(table["display_name"]) == legacy);
    CHECK(table["row_count"].GetInt64() == 2);
    auto list = u.http.Get(Api("/?search=nome_ignorado"), u.token);
    REQUIRE_STATUS(list, 200);
    CHECK(list.Json()["total"].GetInt64() == 0);

    std::string replace_id;
    u.Analyzed({File("legado2.csv", "nome,valor\nCaio,3\n")}, &replace_id, {{"mode", "replace"}}, table_id);
    u.ConfirmDone(replace_id);
    CHECK(u.RowTexts(table_id) == std::vector<std::string>{R"({"nome":"Caio","valor":3})"});
    CHECK(e2e::Str(u.Table(table_id)["display_name"]) == legacy);
}

TEST_CASE("a confirm into a table whose schema change is in progress answers 409 TABLE_BUSY and stays waiting",
          "[pipeline][into][schema_safety]") {
    Uploader u(PipelineStack());
    std::string table_id = u.CreateTable("stock", e2e::Columns({{"item", "text", false}, {"qty", "integer", true}}));
    std::string job_id;
    u.Analyzed({File("stock.csv", "item,qty\nbolt,3\n")}, &job_id, {}, table_id);
    // A change of the table whose intent is committed and whose DDL has not finished (as PATCH leaves it meanwhile).
    std::string columns = *u.stack.ControlQuery("SELECT columns::text FROM mt_tables WHERE id = $1", {table_id})[0][0];
    u.stack.ControlQuery(
        "INSERT INTO mt_table_intents (table_id, company_id, kind, display_before, display_after, schema_before, "
        "physical_before, schema_after, physical_after, columns_before, columns_after) VALUES ($1, $2, 'update', "
        "'stock', 'stock', 'public', 'stock', 'public', 'stock', $3::jsonb, $3::jsonb)",
        {table_id, u.company, columns});
    CHECK_ERROR(u.Confirm(job_id), 409, "TABLE_BUSY");
    CHECK(e2e::Str(u.Job(job_id)["status"]) == "waiting_confirm");
    u.stack.ControlQuery("DELETE FROM mt_table_intents WHERE table_id = $1", {table_id});
    u.ConfirmDone(job_id);
    CHECK(u.RowCount(table_id) == 1);
}

}  // namespace
}  // namespace pipeline
