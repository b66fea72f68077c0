// mt-inserter: consumes insert triggers (and sweeps for stranded parts), loads rows with COPY, until SIGTERM.
#include <memory>

#include "inserter.hpp"
#include "mt/jobs/worker_main.hpp"

int main(int argc, char** argv) {
    return mt::jobs::RunWorkerMain(
        argc, argv, "inserter", "mt-inserter", mt::jobs::kTopicInsert,
        [](mt::store::Databases& dbs, const mt::jobs::WorkerConfig& config, const std::string& owner,
           mt::ops::Metrics& metrics) -> mt::jobs::WorkerParts {
            auto inserter = std::make_shared<mt::inserter::Inserter>(dbs, config, owner, metrics);
            return {[inserter](const auto& m, const auto& stop) { inserter->Handle(m, stop); },
                    [inserter] { return inserter->Sweep(); }};
        });
}
