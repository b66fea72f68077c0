#pragma once
/// mt-provisioner's process: configuration, start-up (migrate, harden the control database, secure existing
/// roles), then provisioning on every `mt_provision` NOTIFY or poll until `stop`. The work itself is in libs/store.
#include <atomic>
#include <cstdint>

#include "mt/core/config.hpp"
#include "mt/core/result.hpp"
#include "mt/store/provisioning.hpp"

namespace mt::provisioner {

struct Config {
    store::DatabaseSettings databases;
    store::RoleSettings roles;
    int poll_ms = 200;
    std::uint16_t metrics_port = 0;
};

Result<Config> LoadConfig(config::ConfigReader& r);

/// Runs until `stop` is set; returns the process exit code (non-zero when start-up failed).
int Run(const Config& config, const std::atomic<bool>& stop);

}  // namespace mt::provisioner
