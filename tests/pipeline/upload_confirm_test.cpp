// Workflow 3, step 3 and the job record: confirm with edits, confirm errors, job shape (SPEC §4), active jobs.
#include <future>

#include "inputs.hpp"
#include "mt/pg/connection.hpp"
#include "mt/testing/wait.hpp"
#include "pipeline.hpp"

namespace pipeline {
namespace {

const std::string kOrders = "Produto;Qtd;Preço;Data\r\nCamisa;10;89,90;15/01/2026\r\nMeia;3;5,00;16/01/2026\r\n";

TEST_CASE("confirm renames columns, changes types and names the table", "[pipeline][confirm]") {
    Uploader u(PipelineStack());
    std::string job_id;
    u.Analyzed({File("pedidos.csv", kOrders)}, &job_id);
    // nome_produto and quantidade match by position; preco and data by name.
    std::string columns = R"([{"name":"nome_produto","display_name":"Nome do produto","type":"text","nullable":false},)"
                          R"({"name":"quantidade","display_name":"Quantidade","type":"decimal","nullable":true},)"
                          R"({"name":"preco","display_name":"Preço","type":"text","nullable":true},)"
                          R"({"name":"data","display_name":"Data","type":"datetime","nullable":true}])";
    auto job = u.ConfirmDone(job_id, R"({"display_name":"pedidos_confirmados","columns":)" + columns + "}");
    std::string table_id = e2e::Str(job["user_table_id"]);
    auto table = u.Table(table_id);
    CHECK(e2e::Str(table["display_name"]) == "pedidos_confirmados");
    CHECK(ToJson(table["columns"]) == columns);
    CHECK(table["row_count"].GetInt64() == 2);
    CHECK(u.RowTexts(table_id) ==
          std::vector<std::string>{
              R"({"nome_produto":"Camisa","quantidade":10,"preco":"89,90","data":"2026-01-15T00:00:00.000Z"})",
              R"({"nome_produto":"Meia","quantidade":3,"preco":"5,00","data":"2026-01-16T00:00:00.000Z"})"});
    CHECK(e2e::Str(job["confirmed_schema"]["display_name"]) == "pedidos_confirmados");
    // The physical table carries the confirmed names and types.
    auto pg_columns = u.stack.CompanyQuery(u.company,
                                           "SELECT string_agg(column_name || ' ' || data_type, ', ' "
                                           "ORDER BY ordinal_position) FROM information_schema.columns "
                                           "WHERE table_schema = 'public' AND table_name = "
                                           "'pedidos_confirmados'");
    CHECK(pg_columns[0][0] ==
          "id uuid, nome_produto text, quantidade numeric, preco text, data timestamp with time zone");

    SECTION("a subset of the columns, matched by name") {
        std::string subset_job;
        u.Analyzed({File("pedidos.csv", kOrders)}, &subset_job);
        auto done =
            u.ConfirmDone(subset_job, R"({"display_name":"so_precos","columns":[)"
                                      R"({"name":"preco","display_name":"P","type":"decimal","nullable":false},)"
                                      R"({"name":"produto","display_name":"N","type":"text","nullable":false}]})");
        CHECK(u.RowTexts(e2e::Str(done["user_table_id"])) ==
              std::vector<std::string>{R"({"preco":89.90,"produto":"Camisa"})", R"({"preco":5.00,"produto":"Meia"})"});
    }
}

TEST_CASE("confirm errors leave the job waiting: 422 names, 400 duplicate, 400 not waiting, 404",
          "[pipeline][confirm]") {
    Uploader u(PipelineStack());
    std::string job_id;
    u.Analyzed({File("clientes.csv", "nome,cidade\nAna,Recife\nBia,Natal\n")}, &job_id);
    auto col = [](std::string name, std::string type) {
        return R"({"name":)" + e2e::JsonString(name) + R"(,"display_name":"x","type":)" + e2e::JsonString(type) +
               R"(,"nullable":true})";
    };
    struct Bad {
        std::string body, field;
    };
    std::vector<Bad> bad = {
        {R"({"display_name":"Minha Tabela!"})", "display_name"},
        {R"({"display_name":"ok_name","columns":[)" + col("Bad Name", "text") + "," + col("cidade", "text") + "]}",
         "columns[0].name"},
        {R"({"display_name":"ok_name","columns":[)" + col("nome", "money") + "]}", "columns[0].type"},
        {R"({"display_name":"ok_name","columns":[)" + col("id", "text") + "]}", "columns[0].name"},
        {R"({"display_name":"ok_name","columns":[)" + col("nome", "text") + "," + col("cidade", "text") + "," +
             col("inventada", "text") + "]}",
         "columns[2].name"},
        {R"({"display_name":42})", "display_name"},
    };
    auto before = Snapshot(u.stack, u.company);
    for (const auto& b : bad) {
        INFO("body: " << b.body);
        auto r = u.Confirm(job_id, b.body);
        CHECK_ERROR(r, 422, "VALIDATION_ERROR");
        auto fields = e2e::DetailFields(r);
        CHECK(std::find(fields.begin(), fields.end(), b.field) != fields.end());
        CHECK(e2e::Str(u.Job(job_id)["status"]) == "waiting_confirm");
    }
    CHECK(Snapshot(u.stack, u.company) == before);

    u.CreateTable("clientes", e2e::Columns({{"nome", "text"}}));
    CHECK_ERROR(u.Confirm(job_id, R"({"display_name":"clientes"})"), 400, "MANAGED_TABLE_DUPLICATE_NAME");
    CHECK(e2e::Str(u.Job(job_id)["status"]) == "waiting_confirm");
    CHECK_ERROR(u.Confirm(job_id, "{not json"), 400, "BAD_REQUEST");

    auto ok = u.Confirm(job_id, R"({"display_name":"clientes_upload"})");
    REQUIRE_STATUS(ok, 200);
    auto again = u.Confirm(job_id, R"({"display_name":"clientes_outra"})");
    CHECK_ERROR(again, 400, "JOB_NOT_WAITING_CONFIRM");
    // The job's status as it is now, not the "waiting_confirm" it needed.
    CHECK_THAT(e2e::Str(again.Json()["error"]),
               Catch::Contains("status atual: inserting") || Catch::Contains("status atual: done"));
    auto done = u.WaitJob(job_id, kFinished);
    REQUIRE_JOB_STATUS(u.stack, done, "done");
    auto after_done = u.Confirm(job_id, "{}");
    CHECK_ERROR(after_done, 400, "JOB_NOT_WAITING_CONFIRM");
    CHECK_THAT(e2e::Str(after_done.Json()["error"]), Catch::Contains("status atual: done"));
    CHECK(u.Table(e2e::Str(done["user_table_id"]))["row_count"].GetInt64() == 2);

    CHECK_ERROR(u.Confirm("0123456789abcdef01234567", "{}"), 404, "JOB_NOT_FOUND", "Job não encontrado");
    Uploader other(u.stack);
    CHECK_ERROR(other.Confirm(job_id, "{}"), 404, "JOB_NOT_FOUND");
    CHECK_ERROR(other.http.Get(Api("/upload-jobs/" + job_id), other.token), 404, "JOB_NOT_FOUND");
}

/// SPEC §4 job record: exactly these keys, with these shapes.
void CheckJobShape(const rapidjson::Value& job, const std::string& company) {
    INFO("job: " << ToJson(job));
    CHECK(e2e::Keys(job) == std::set<std::string>{"_id", "company_id", "user_table_id", "files", "mode", "key_columns",
                                                  "on_schema_error", "dropped_columns", "status", "inferred_schema",
                                                  "confirmed_schema", "progress", "error", "warnings", "warning_count",
                                                  "created_by_user_id", "created_at", "updated_at"});
    CHECK(job["warnings"].IsArray());
    CHECK(job["warning_count"].IsInt64());
    CHECK(e2e::IsObjectIdText(e2e::Str(job["_id"])));
    CHECK(e2e::Str(job["company_id"]) == company);
    CHECK(e2e::Str(job["created_by_user_id"]) == "e2e-user");
    CHECK(e2e::IsIsoMillisUtc(e2e::Str(job["created_at"])));
    CHECK(e2e::IsIsoMillisUtc(e2e::Str(job["updated_at"])));
    CHECK(e2e::Str(job["updated_at"]) >= e2e::Str(job["created_at"]));
    REQUIRE(job["files"].IsArray());
    for (const auto& f : job["files"].GetArray()) {
        CHECK(e2e::Keys(f) == std::set<std::string>{"original_name", "storage_path", "size_bytes", "mime_type"});
        CHECK(!e2e::Str(f["storage_path"]).empty());
        CHECK(f["size_bytes"].IsInt64());
    }
}

// Issue 8: the loser of two concurrent confirms was told the job was "waiting_confirm". A repeated confirm is not
// idempotent (its body may differ from the one applied): it is a 400 naming the job's status as it is now.
TEST_CASE("of two concurrent confirms one wins, the other is a 400 naming the current status", "[pipeline][confirm]") {
    Uploader u(PipelineStack());
    std::string job_id;
    u.Analyzed({File("corrida.csv", "nome,cidade\nAna,Recife\n")}, &job_id);
    // Hold the job's row so both confirms pass their first check and queue on the same UPDATE.
    auto lock = mt::pg::Connection::Open(u.stack.control_url());
    REQUIRE(lock);
    REQUIRE(lock->Run("BEGIN"));
    REQUIRE(lock->Exec("SELECT 1 FROM mt_jobs WHERE id = $1 FOR UPDATE", {job_id}));
    auto confirm = [&](std::string name) {
        return std::async(std::launch::async, [&u, &job_id, name] {
            auto client = u.stack.Client();  // one client per thread
            return client.Post(Api("/upload-jobs/" + job_id + "/confirm"), u.token,
                               R"({"display_name":")" + name + R"("})");
        });
    };
    auto first = confirm("corrida_a");
    auto second = confirm("corrida_b");
    mt::testing::WaitUntil(
        [&] {
            auto waiting = u.stack.ControlQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = "
                "'Lock' AND query LIKE "
                "'UPDATE mt_jobs SET status = ''inserting''%'");
            return *waiting[0][0] == "2";
        },
        30s, "both confirms to wait on the job's row");
    REQUIRE(lock->Run("COMMIT"));
    Response a = first.get();
    Response b = second.get();
    REQUIRE(((a.status == 200) != (b.status == 200)));
    const Response& loser = a.status == 200 ? b : a;
    CHECK_ERROR(loser, 400, "JOB_NOT_WAITING_CONFIRM");
    const std::string message = e2e::Str(loser.Json()["error"]);
    CHECK_THAT(message, Catch::Contains("status atual: inserting") || Catch::Contains("status atual: done"));
    REQUIRE_JOB_STATUS(u.stack, u.WaitJob(job_id, kFinished), "done");
    // Only the winner's table exists.
    CHECK(*u.stack.ControlQuery("SELECT count(*) FROM mt_tables WHERE company_id = $1 AND status = 'active'",
                                {u.company})[0][0] == "1");
}

TEST_CASE("job record through its life, and /upload-jobs/active lists non-terminal jobs only", "[pipeline][jobs]") {
    Uploader u(PipelineStack());
    std::string csv = "nome,valor\nAna,1\nBia,2\n";
    std::string job_id = u.Start({File("valores.csv", csv, "text/csv")});
    auto early = u.Job(job_id);
    CheckJobShape(early, u.company);
    CHECK(e2e::Str(early["mode"]) == "create");
    CHECK(early["user_table_id"].IsNull());
    CHECK(early["error"].IsNull());
    CHECK(early["confirmed_schema"].IsNull());
    REQUIRE(early["files"].Size() == 1);
    CHECK(e2e::Str(early["files"][0]["original_name"]) == "valores.csv");
    CHECK(early["files"][0]["size_bytes"].GetInt64() == static_cast<std::int64_t>(csv.size()));
    CHECK(e2e::Str(early["files"][0]["mime_type"]) == "text/csv");

    auto waiting = u.WaitJob(job_id, kAnalyzed);
    REQUIRE_JOB_STATUS(u.stack, waiting, "waiting_confirm");
    CheckJobShape(waiting, u.company);
    CHECK(waiting["inferred_schema"].IsObject());
    CHECK(waiting["user_table_id"].IsNull());

    // A second job that fails (a PNG named .csv) and a third left waiting.
    std::string failed_id = u.Start({File("foto.csv", PngBytes())});
    std::string waiting_id;
    u.Analyzed({File("outro.csv", csv)}, &waiting_id);
    auto failed = u.WaitJob(failed_id, kFinished);
    REQUIRE_JOB_STATUS(u.stack, failed, "failed");
    CheckJobShape(failed, u.company);
    CHECK(e2e::Keys(failed["error"]) == std::set<std::string>{"message", "code", "details"});

    auto done = u.ConfirmDone(job_id);
    CheckJobShape(done, u.company);
    CHECK(e2e::IsObjectIdText(e2e::Str(done["user_table_id"])));
    CHECK(ToJson(done["progress"]) == R"({"processed_rows":2,"total_rows":2})");
    CHECK(done["error"].IsNull());
    CHECK(e2e::Str(done["confirmed_schema"]["display_name"]) == "valores");

    Uploader other(u.stack);  // another company's waiting job must not show up
    other.Analyzed({File("alheio.csv", csv)}, nullptr);

    auto active = u.http.Get(Api("/upload-jobs/active"), u.token);
    REQUIRE_STATUS(active, 200);
    auto list = active.Json();
    CHECK(e2e::Keys(list) == std::set<std::string>{"records"});
    REQUIRE(list["records"].Size() == 1);
    CHECK(e2e::Str(list["records"][0]["_id"]) == waiting_id);
    CHECK(e2e::Str(list["records"][0]["status"]) == "waiting_confirm");
    CheckJobShape(list["records"][0], u.company);
}

TEST_CASE("an upload left unconfirmed past MT_UNCONFIRMED_JOB_TTL_HOURS fails and its stored files are deleted",
          "[pipeline][jobs]") {
    Uploader u(PipelineStack());
    std::string stale_id, fresh_id;
    u.Analyzed({File("esquecido.csv", kOrders)}, &stale_id);
    u.Analyzed({File("recente.csv", kOrders)}, &fresh_id);
    auto stored = [&](const std::string& job_id) {
        return *u.stack.ControlQuery(
            "SELECT count(*) FROM mt_blobs WHERE blob_id IN (SELECT substr(f->>'storage_path', "
            "6) FROM mt_jobs j, json_array_elements(j.files) f WHERE j.id = $1)",
            {job_id})[0][0];
    };
    REQUIRE(stored(stale_id) != "0");
    // A week and an hour without a confirm (the default time to live is 168 hours).
    u.stack.ControlQuery("UPDATE mt_jobs SET updated_at = now() - interval '169 hours' WHERE id = $1", {stale_id});
    auto job = u.WaitJob(stale_id, {"failed"}, 30s);
    CHECK(ToJson(job["error"]) == R"({"message":"The upload was not confirmed within 168 hours; its files were )"
                                  R"(discarded. Upload them again.","code":"UPLOAD_EXPIRED","details":null})");
    CHECK(stored(stale_id) == "0");
    auto late = u.Confirm(stale_id, "{}");
    CHECK_STATUS(late, 400);
    CHECK(e2e::Str(late.Json()["error_code"]) == "JOB_NOT_WAITING_CONFIRM");
    // The other upload is untouched and still loads.
    CHECK(e2e::Str(u.Job(fresh_id)["status"]) == "waiting_confirm");
    CHECK(stored(fresh_id) != "0");
    u.ConfirmDone(fresh_id);
}

}  // namespace
}  // namespace pipeline

namespace pipeline {
namespace {

// Parts are planned by the analysis; a job analyzed before that (a deployment in the middle of an upgrade) has
// none, and finalizing it would commit an empty table. Its confirm is refused and nothing changes.
TEST_CASE("a job without planned parts is refused at confirm and stays as it was", "[pipeline][confirm]") {
    Uploader u(PipelineStack());
    std::string job_id;
    u.Analyzed({File("antigo.csv", "a,b\n1,x\n2,y\n")}, &job_id);
    u.stack.ControlQuery("DELETE FROM mt_job_parts WHERE job_id = $1", {job_id});
    auto before = Snapshot(u.stack, u.company);
    auto refused = u.Confirm(job_id, "{}");
    CHECK(refused.status == 422);
    CHECK(e2e::Str(refused.Json()["error"]) ==
          "This upload was analyzed by an earlier version of the service; upload the files again");
    CHECK(e2e::Str(u.Job(job_id)["status"]) == "waiting_confirm");
    CHECK(Snapshot(u.stack, u.company) == before);
}

}  // namespace
}  // namespace pipeline
