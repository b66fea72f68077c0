// mt-analyzer: consumes analyze triggers (and sweeps for stranded jobs), infers schemas, until SIGTERM/SIGINT.
#include <memory>

#include "analyzer.hpp"
#include "mt/worker/worker_main.hpp"

int main(int argc, char** argv) {
    return mt::worker::RunWorkerMain(
        argc, argv, "analyzer", "mt-analyzer", mt::jobs::kTopicAnalyze,
        [](mt::store::Databases& dbs, const mt::worker::WorkerConfig& config, const std::string& owner,
           mt::ops::Metrics& metrics) -> mt::worker::WorkerParts {
            auto analyzer = std::make_shared<mt::analyzer::Analyzer>(dbs, config, owner, metrics);
            return {[analyzer](const auto& m, const auto& stop) { analyzer->Handle(m, stop); },
                    [analyzer] { return analyzer->Sweep(); },
                    [analyzer](const auto& m, const mt::Error& e) { analyzer->Poisoned(m, e); }};
        });
}
