// mt-analyzer: consumes analyze triggers (and sweeps for stranded jobs), infers schemas, until SIGTERM/SIGINT.
#include <memory>

#include "analyzer.hpp"
#include "mt/jobs/worker_main.hpp"

int main(int argc, char** argv) {
    return mt::jobs::RunWorkerMain(
        argc, argv, "analyzer", "mt-analyzer", mt::jobs::kTopicAnalyze,
        [](mt::store::Databases& dbs, const mt::jobs::WorkerConfig& config, const std::string& owner,
           mt::ops::Metrics& metrics) -> mt::jobs::WorkerParts {
            auto analyzer = std::make_shared<mt::analyzer::Analyzer>(dbs, config, owner, metrics);
            return {[analyzer](const auto& m, const auto& stop) { analyzer->Handle(m, stop); },
                    [analyzer] { return analyzer->Sweep(); }};
        });
}
