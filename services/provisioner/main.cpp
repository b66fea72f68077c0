// mt-provisioner: creates company roles and databases, until SIGTERM/SIGINT. The only process that holds a role
// with CREATEROLE and CREATEDB (MT_COMPANY_DB_ADMIN_URL); see README.md.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include "mt/core/log.hpp"
#include "provisioner.hpp"

int main(int argc, char** argv) {
    mt::log::SetService("provisioner");
    mt::config::ConfigReader reader;
    auto config = mt::provisioner::LoadConfig(reader);
    if (argc > 1 && std::strcmp(argv[1], "--help-config") == 0) {
        std::printf("%s", reader.Table().c_str());
        return 0;
    }
    if (!config) {
        mt::log::Error(config.error().message);
        return 2;
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts, so only sigwait sees them
    std::atomic<bool> stop{false};
    std::thread signal_thread([&] {
        int sig = 0;
        sigwait(&signals, &sig);
        mt::log::Info("stopping", {{"signal", std::to_string(sig)}});
        stop.store(true);
    });
    int code = mt::provisioner::Run(*config, stop);
    if (code != 0) kill(getpid(), SIGTERM);  // wakes the signal thread
    signal_thread.join();
    return code;
}
