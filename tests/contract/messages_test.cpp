// Real Kafka messages against proto/messages/job-trigger.schema.json: the gateway publishes them for an upload and a
// confirm, this test consumes them from the dev broker (no workers run, so they stay unconsumed) and validates each
// payload with python3-jsonschema.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "mt/kafka/consumer.hpp"
#include "mt/testing/stack.hpp"
#include "mt/testing/wait.hpp"

using namespace mt::testing;

namespace {

std::vector<std::string> Consume(const Stack& stack, const std::string& topic, std::size_t count) {
    mt::kafka::KafkaConfig config{stack.kafka_brokers(), {{"session.timeout.ms", "6000"}}};
    auto consumer = mt::kafka::Consumer::Create(config, "contract-" + Stack::NewCompanyId(), {topic});
    REQUIRE(consumer.ok());
    std::vector<std::string> payloads;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (payloads.size() < count && std::chrono::steady_clock::now() < deadline) {
        auto m = consumer->Poll(std::chrono::milliseconds(200));
        REQUIRE(m.ok());
        if (*m) payloads.push_back((*m)->payload);
    }
    consumer->Close();
    return payloads;
}

int Validate(const std::filesystem::path& dir, const std::vector<std::string>& payloads) {
    std::ofstream(dir / "messages.json") << "[" << [&] {
        std::string joined;
        for (const auto& p : payloads) joined += (joined.empty() ? "" : ",") + p;
        return joined;
    }() << "]";
    std::string cmd =
        "/usr/bin/python3 -c 'import json,sys,jsonschema; s=json.load(open(sys.argv[1])); "
        "[jsonschema.validate(m, s) for m in json.load(open(sys.argv[2]))]' " +
        std::string(MT_MESSAGE_SCHEMA) + " " + (dir / "messages.json").string();
    return std::system(cmd.c_str());
}

}  // namespace

TEST_CASE("analyze and insert triggers published by the gateway match the message schema", "[contract][kafka]") {
    StackOptions options;
    options.name = "messages";
    options.kafka = true;
    Stack stack(options);
    std::string company = Stack::NewCompanyId();
    std::string token = stack.Token(company);
    auto http = stack.Client();
    REQUIRE(http.Post(std::string(kApi) + "/provision", token, "").status == 200);
    auto up = http.PostMultipart(std::string(kApi) + "/upload", token,
                                 {{"files", "m.csv", "a,b\n1,x\n2,y\n3,z\n", {}, "text/csv"}});
    REQUIRE(up.status == 201);
    auto analyze = Consume(stack, "mt.jobs.analyze", 1);
    REQUIRE(analyze.size() == 1);
    CHECK(Validate(stack.scratch_dir(), analyze) == 0);

    // No analyzer runs: play its part in the control database so that the job can be confirmed.
    std::string job = up.Json()["job_id"].GetString();
    stack.ControlQuery(
        "UPDATE mt_jobs SET status = 'waiting_confirm', inferred_schema = $2::json, analysis = $3::json WHERE id = $1",
        {job,
         R"({"suggested_table_name":"m","columns":[{"name":"a","display_name":"a","type":"integer","nullable":false},)"
         R"({"name":"b","display_name":"b","type":"text","nullable":false}],"sample_rows":[],"total_row_count_estimate":3})",
         R"({"files":[]})"});
    // … and its part planning: two parts.
    stack.ControlQuery(
        "INSERT INTO mt_job_parts (job_id, part, spec, status) SELECT $1, p, '{\"segments\":[]}', 'pending' FROM "
        "generate_series(0, 1) p",
        {job});
    auto confirmed = http.Post(std::string(kApi) + "/upload-jobs/" + job + "/confirm", token, "{}");
    REQUIRE(confirmed.status == 200);
    auto insert = Consume(stack, "mt.jobs.insert", 2);  // one trigger per planned part
    REQUIRE(insert.size() == 2);
    CHECK(Validate(stack.scratch_dir(), insert) == 0);
    CHECK(insert[0].find("\"part\":") != std::string::npos);
}
