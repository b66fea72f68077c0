#pragma once
/// Process plumbing for mt-kafka-dev: signals and the ready file.
#include <string>

#include "mt/core/result.hpp"

namespace mt::kafka_dev {

/// Blocks SIGTERM and SIGINT in the calling thread. Call before any thread starts (librdkafka's threads inherit
/// the mask), so the signals stay pending for `WaitForTerminationSignal` instead of killing the process mid-write.
void BlockTerminationSignals();

/// Waits until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForTerminationSignal();

/// Writes `content` to `path` atomically (temp file + rename), so a script polling for the file never reads it
/// half-written.
Status WriteReadyFile(const std::string& path, const std::string& content);

}  // namespace mt::kafka_dev
