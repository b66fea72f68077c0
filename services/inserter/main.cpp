// mt-inserter: consumes insert triggers (and sweeps for stranded parts), loads rows with COPY, until SIGTERM.
#include <memory>

#include "inserter.hpp"
#include "mt/worker/worker_main.hpp"

int main(int argc, char** argv) {
    return mt::worker::RunWorkerMain(
        argc, argv, "inserter", "mt-inserter", mt::jobs::kTopicInsert,
        [](mt::store::Databases& dbs, const mt::worker::WorkerConfig& config, const std::string& owner,
           mt::ops::Metrics& metrics) -> mt::worker::WorkerParts {
            auto inserter = std::make_shared<mt::inserter::Inserter>(dbs, config, owner, metrics);
            return {[inserter](const auto& m, const auto& stop) { inserter->Handle(m, stop); },
                    [inserter] { return inserter->Sweep(); },
                    [inserter](const auto& m, const mt::Error& e) { inserter->Poisoned(m, e); }};
        });
}
