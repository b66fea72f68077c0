#include "process.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace mt::kafka_dev {
namespace {

sigset_t TerminationSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

}  // namespace

void BlockTerminationSignals() {
    sigset_t set = TerminationSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
    sigset_t set = TerminationSignals();
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    return sig;
}

Status WriteReadyFile(const std::string& path, const std::string& content) {
    std::string tmp = path + ".tmp." + std::to_string(getpid());
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << content << '\n';
        out.close();
        if (!out) return Internal("cannot write " + tmp);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        std::remove(tmp.c_str());
        return Internal("cannot rename " + tmp + " to " + path + ": " + std::strerror(err));
    }
    return Ok();
}

}  // namespace mt::kafka_dev
