// SPEC §8 upload modes into an existing table: mode=upsert with key_columns, on_schema_error abort and drop_columns.
#include "inputs.hpp"
#include "pipeline.hpp"

namespace pipeline {
namespace {

/// A manual products table (sku NOT NULL, name, stock) with two rows and, unless `unique` is false, a unique
/// index on sku made with admin SQL (the physical truth the key is checked against).
struct Products : Uploader {
    std::string id;
    std::string physical;
    explicit Products(bool unique = true) : Uploader(PipelineStack()) {
        id = CreateTable("products", e2e::Columns({{"sku", "text", false}, {"name", "text"}, {"stock", "integer"}}));
        physical = *stack.ControlQuery("SELECT physical_name FROM mt_tables WHERE id = $1", {id})[0][0];
        if (unique) Sql("CREATE UNIQUE INDEX products_sku ON {t} (sku)");
        Insert(id, R"([{"sku":"a","name":"A","stock":1},{"sku":"b","name":"B","stock":2}])");
    }
    void Sql(std::string sql) {
        if (auto at = sql.find("{t}"); at != std::string::npos) {
            sql.replace(at, 3, "public." + mt::testing::QuoteIdent(physical));
        }
        stack.CompanyQuery(company, sql);
    }
    /// row_count of the API and count(*) of the physical table agree and equal `expected`.
    void CheckCount(std::int64_t expected) {
        CHECK(Table(id)["row_count"].GetInt64() == expected);
        auto sql = stack.CompanyQuery(company, "SELECT count(*) FROM public." + mt::testing::QuoteIdent(physical));
        CHECK(sql[0][0] == std::to_string(expected));
    }
};

std::vector<std::string> Names(const rapidjson::Value& array) {
    std::vector<std::string> out;
    for (const auto& v : array.GetArray()) out.push_back(v.GetString());
    return out;
}

TEST_CASE("upload mode=upsert updates the rows whose key matches and inserts the rest", "[pipeline][modes]") {
    Products u;
    std::string job_id;
    auto waiting = u.Analyzed({File("estoque.csv", "sku,name,stock\nb,B2,20\nz,Z,26\n")}, &job_id,
                              {{"mode", "upsert"}, {"key_columns", "sku"}}, u.id);
    CHECK(e2e::Str(waiting["mode"]) == "upsert");
    CHECK(Names(waiting["key_columns"]) == std::vector<std::string>{"sku"});
    CHECK(e2e::Str(waiting["on_schema_error"]) == "abort");
    auto done = u.ConfirmDone(job_id);
    CHECK(ToJson(done["progress"]) == R"({"processed_rows":2,"total_rows":2})");
    CHECK(u.RowTexts(u.id) == std::vector<std::string>{R"({"sku":"a","name":"A","stock":1})",
                                                       R"({"sku":"b","name":"B2","stock":20})",
                                                       R"({"sku":"z","name":"Z","stock":26})"});
    u.CheckCount(3);
    // A file without the stock column: matching rows keep their stock, new rows get NULL.
    std::string partial_id;
    u.Analyzed({File("nomes.csv", "sku;name\na;A2\nq;Q\n")}, &partial_id,
               {{"mode", "upsert"}, {"key_columns", " sku "}}, u.id);
    u.ConfirmDone(partial_id);
    CHECK(u.RowTexts(u.id) ==
          std::vector<std::string>{R"({"sku":"a","name":"A2","stock":1})", R"({"sku":"b","name":"B2","stock":20})",
                                   R"({"sku":"z","name":"Z","stock":26})", R"({"sku":"q","name":"Q","stock":null})"});
    u.CheckCount(4);
    CHECK(LoadTables(u.stack, u.company).empty());
}

TEST_CASE("upload mode=upsert: key_columns must be a unique index's, checked at upload", "[pipeline][modes]") {
    Products u(false);
    u.Sql("CREATE INDEX products_plain ON {t} (sku)");
    const auto file = File("x.csv", "sku,name\na,A\n");
    auto refused = [&](const std::vector<MultipartField>& fields, const std::string& field) {
        auto r = u.Upload({file}, fields, u.id);
        CHECK_ERROR(r, 422, "VALIDATION_ERROR");
        CHECK(e2e::DetailFields(r) == std::vector<std::string>{field});
    };
    refused({{"mode", "upsert"}, {"key_columns", "sku"}}, "key_columns");  // an index, not a unique one
    u.Sql("CREATE UNIQUE INDEX products_sku_name ON {t} (sku, name)");
    refused({{"mode", "upsert"}, {"key_columns", "sku"}}, "key_columns");  // part of a unique key only
    refused({{"mode", "upsert"}}, "key_columns");
    refused({{"mode", "upsert"}, {"key_columns", "sku,nope"}}, "key_columns");
    refused({{"mode", "upsert"}, {"key_columns", "sku,sku"}}, "key_columns");
    refused({{"mode", "upsert"}, {"key_columns", ""}}, "key_columns");
    refused({{"mode", "append"}, {"key_columns", "sku"}}, "key_columns");
    refused({{"mode", "merge"}}, "mode");
    refused({{"mode", "create"}}, "mode");
    refused({{"on_schema_error", "ignore"}}, "on_schema_error");
    std::string many;  // the bound: at most 32 key columns
    for (int i = 0; i < 33; ++i) many += std::string(i ? "," : "") + "sku";
    refused({{"mode", "upsert"}, {"key_columns", many}}, "key_columns");
    // The composite key, in any order, is accepted.
    auto ok = u.Upload({file}, {{"mode", "upsert"}, {"key_columns", "name,sku"}}, u.id);
    CHECK_STATUS(ok, 201);
}

TEST_CASE("upload mode=upsert: a key repeated in the file fails the job and changes nothing", "[pipeline][modes]") {
    Products u;
    auto before = Snapshot(u.stack, u.company);
    std::string job_id;
    u.Analyzed({File("dup.csv", "sku,name,stock\na,A2,5\nb,B2,6\na,A3,7\n")}, &job_id,
               {{"mode", "upsert"}, {"key_columns", "sku"}}, u.id);
    REQUIRE_STATUS(u.Confirm(job_id), 200);
    auto failed = u.WaitJob(job_id, kFinished);
    REQUIRE_JOB_STATUS(u.stack, failed, "failed");
    CHECK(e2e::Str(failed["error"]["message"]) ==
          R"(The upload has more than one row with the same key_columns value: (sku = "a"))");
    CHECK(Snapshot(u.stack, u.company) == before);
    u.CheckCount(2);
}

TEST_CASE("upload mode=upsert: the key is checked again when the load commits", "[pipeline][modes]") {
    Products u;
    std::string job_id;
    u.Analyzed({File("late.csv", "sku,name\nb,B2\nc,C\n")}, &job_id, {{"mode", "upsert"}, {"key_columns", "sku"}},
               u.id);
    u.Sql("DROP INDEX products_sku");  // between the upload and the load: an index dropped by hand (or the API)
    u.Sql("CREATE INDEX products_sku_plain ON {t} (sku)");
    auto before = Snapshot(u.stack, u.company);
    REQUIRE_STATUS(u.Confirm(job_id), 200);
    auto failed = u.WaitJob(job_id, kFinished);
    REQUIRE_JOB_STATUS(u.stack, failed, "failed");
    CHECK(e2e::Str(failed["error"]["message"]) ==
          "key_columns (sku) are no longer the columns of a unique index of the table");
    CHECK(Snapshot(u.stack, u.company) == before);
    CHECK(LoadTables(u.stack, u.company).empty());
}

TEST_CASE("upload mode=upsert: a key column missing from the file is refused at confirm", "[pipeline][modes]") {
    Products u;
    std::string job_id;
    u.Analyzed({File("semchave.csv", "name,stock\nX,1\n")}, &job_id, {{"mode", "upsert"}, {"key_columns", "sku"}},
               u.id);
    auto r = u.Confirm(job_id);
    CHECK_ERROR(r, 422, "VALIDATION_ERROR");
    auto fields = e2e::DetailFields(r);
    CHECK(std::find(fields.begin(), fields.end(), "key_columns") != fields.end());
}

TEST_CASE("on_schema_error: abort refuses file columns the table lacks, drop_columns leaves them out",
          "[pipeline][modes]") {
    Products u;
    const std::string csv = "sku,name,stock,cor\nb,B2,20,azul\nz,Z,26,verde\n";
    struct Case {
        std::string mode;
        std::vector<std::string> rows;
    };
    const std::vector<Case> cases = {
        {"append",
         {R"({"sku":"a","name":"A","stock":1})", R"({"sku":"b","name":"B","stock":2})",
          R"({"sku":"b","name":"B2","stock":20})", R"({"sku":"z","name":"Z","stock":26})"}},
        {"upsert",
         {R"({"sku":"a","name":"A","stock":1})", R"({"sku":"b","name":"B2","stock":20})",
          R"({"sku":"z","name":"Z","stock":26})"}},
        {"replace", {R"({"sku":"b","name":"B2","stock":20})", R"({"sku":"z","name":"Z","stock":26})"}},
    };
    for (const auto& c : cases) {
        INFO("mode " << c.mode);
        // Start from the same two rows each time (append may not run under the unique index: b repeats).
        u.Sql("DELETE FROM {t}");
        u.Insert(u.id, R"([{"sku":"a","name":"A","stock":1},{"sku":"b","name":"B","stock":2}])");
        if (c.mode == "append") u.Sql("DROP INDEX IF EXISTS products_sku");
        if (c.mode != "append") u.Sql("CREATE UNIQUE INDEX IF NOT EXISTS products_sku ON {t} (sku)");
        std::vector<MultipartField> fields = {{"mode", c.mode}};
        if (c.mode == "upsert") fields.push_back({"key_columns", "sku"});

        std::string abort_id;  // default abort: today's rule, 422 at confirm naming the column
        u.Analyzed({File("cor.csv", csv)}, &abort_id, fields, u.id);
        auto refused = u.Confirm(abort_id);
        CHECK_ERROR(refused, 422, "VALIDATION_ERROR");
        CHECK(e2e::DetailFields(refused) == std::vector<std::string>{"columns[3].name"});

        fields.push_back({"on_schema_error", "drop_columns"});
        std::string drop_id;
        auto waiting = u.Analyzed({File("cor.csv", csv)}, &drop_id, fields, u.id);
        CHECK(e2e::Str(waiting["on_schema_error"]) == "drop_columns");
        CHECK(Names(waiting["dropped_columns"]).empty());
        auto done = u.ConfirmDone(drop_id);
        CHECK(Names(done["dropped_columns"]) == std::vector<std::string>{"cor"});
        CHECK(u.RowTexts(u.id) == c.rows);
        u.CheckCount(static_cast<std::int64_t>(c.rows.size()));
    }
}

/// The physical table's columns as "name type NULL|NOT NULL", in order.
std::vector<std::string> PhysicalColumns(Products& u) {
    std::vector<std::string> out;
    for (const auto& row : u.stack.CompanyQuery(u.company,
                                                "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM "
                                                "information_schema.columns WHERE table_schema = 'public' AND "
                                                "table_name = $1 ORDER BY ordinal_position",
                                                {u.physical}))
        out.push_back(*row[0]);
    return out;
}

std::vector<std::string> MetadataColumns(Products& u) {
    std::vector<std::string> out;
    auto table = u.Table(u.id);
    for (const auto& c : table["columns"].GetArray()) {
        out.push_back(e2e::Str(c["name"]) + " " + e2e::Str(c["type"]) + (c["nullable"].GetBool() ? "" : " NOT NULL"));
    }
    return out;
}

TEST_CASE("on_schema_error=update_schema adds the file's new columns and widens types, with the rows",
          "[pipeline][modes]") {
    // stock is integer in the table and decimal in the file (2.5): widened; cor is new: added, nullable.
    const std::string csv = "sku,name,stock,cor\nb,B2,2.5,azul\nz,Z,26,verde\n";
    const std::vector<std::string> b2z = {R"({"sku":"b","name":"B2","stock":2.5,"cor":"azul"})",
                                          R"({"sku":"z","name":"Z","stock":26,"cor":"verde"})"};
    struct Case {
        std::string mode;
        std::vector<std::string> rows;
    };
    const std::vector<Case> cases = {
        {"append",
         {R"({"sku":"a","name":"A","stock":1,"cor":null})", R"({"sku":"b","name":"B","stock":2,"cor":null})", b2z[0],
          b2z[1]}},
        {"upsert", {R"({"sku":"a","name":"A","stock":1,"cor":null})", b2z[0], b2z[1]}},
        {"replace", b2z},
    };
    for (const auto& c : cases) {
        INFO("mode " << c.mode);
        Products u(c.mode != "append");  // a company of its own for each mode
        std::vector<MultipartField> fields = {{"mode", c.mode}, {"on_schema_error", "update_schema"}};
        if (c.mode == "upsert") fields.push_back({"key_columns", "sku"});
        std::string job_id;
        auto waiting = u.Analyzed({File("cor.csv", csv)}, &job_id, fields, u.id);
        CHECK(e2e::Str(waiting["on_schema_error"]) == "update_schema");
        auto done = u.ConfirmDone(job_id);
        CHECK(Names(done["dropped_columns"]).empty());
        CHECK(u.RowTexts(u.id) == c.rows);
        CHECK(MetadataColumns(u) ==
              std::vector<std::string>{"sku text NOT NULL", "name text", "stock decimal", "cor text"});
        CHECK(PhysicalColumns(u) == std::vector<std::string>{"id uuid NO", "sku text NO", "name text YES",
                                                             "stock numeric YES", "cor text YES"});
        u.CheckCount(static_cast<std::int64_t>(c.rows.size()));
        CHECK(LoadTables(u.stack, u.company).empty());
    }
}

TEST_CASE("on_schema_error=update_schema: a failure half-way leaves table, schema and metadata as they were",
          "[pipeline][modes]") {
    Products u;
    const auto columns_before = PhysicalColumns(u);
    const auto metadata_before = MetadataColumns(u);
    const auto before = Snapshot(u.stack, u.company);
    auto unchanged = [&] {
        CHECK(Snapshot(u.stack, u.company) == before);
        CHECK(PhysicalColumns(u) == columns_before);
        CHECK(MetadataColumns(u) == metadata_before);
        u.CheckCount(2);
    };
    // A value that does not convert, in the last row: stock confirmed decimal, "muitos" is not a number.
    std::string bad_id;
    u.Analyzed({File("ruim.csv", "sku,name,stock,cor\nc,C,1.5,azul\nd,D,muitos,verde\n")}, &bad_id,
               {{"mode", "append"}, {"on_schema_error", "update_schema"}}, u.id);
    REQUIRE_STATUS(
        u.Confirm(bad_id, R"({"columns":[{"name":"sku","display_name":"sku","type":"text","nullable":false},)"
                          R"({"name":"name","display_name":"name","type":"text","nullable":true},)"
                          R"({"name":"stock","display_name":"stock","type":"decimal","nullable":true},)"
                          R"({"name":"cor","display_name":"cor","type":"text","nullable":true}]})"),
        200);
    auto failed = u.WaitJob(bad_id, kFinished);
    REQUIRE_JOB_STATUS(u.stack, failed, "failed");
    CHECK(e2e::Str(failed["error"]["code"]) == "VALUE_CONVERSION_FAILED");
    unchanged();
    // Failing in the finalize transaction itself, after its ALTER ran: a key repeated in an upsert.
    std::string dup_id;
    u.Analyzed({File("dup.csv", "sku,name,stock,cor\na,A2,1.5,azul\na,A3,2.5,verde\n")}, &dup_id,
               {{"mode", "upsert"}, {"key_columns", "sku"}, {"on_schema_error", "update_schema"}}, u.id);
    REQUIRE_STATUS(u.Confirm(dup_id), 200);
    failed = u.WaitJob(dup_id, kFinished);
    REQUIRE_JOB_STATUS(u.stack, failed, "failed");
    CHECK(e2e::Str(failed["error"]["message"]) ==
          R"(The upload has more than one row with the same key_columns value: (sku = "a"))");
    unchanged();
    CHECK(LoadTables(u.stack, u.company).empty());
}

}  // namespace
}  // namespace pipeline
