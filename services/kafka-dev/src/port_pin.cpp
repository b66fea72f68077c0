#include "port_pin.hpp"

#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace mt::kafka_dev {
namespace {

// State of the armed pin. A mutex rather than atomics: bind() is rare here and the counter must advance with
// the port choice as one step.
std::mutex g_mutex;
bool g_armed = false;
std::uint16_t g_base_port = 0;
int g_pinned = 0;

using BindFn = int (*)(int, const sockaddr*, socklen_t);

BindFn RealBind() {
    // RTLD_NEXT: the next definition after this executable in lookup order, i.e. libc's bind().
    static const BindFn real = reinterpret_cast<BindFn>(dlsym(RTLD_NEXT, "bind"));
    return real;
}

bool IsLoopbackPortZero(const sockaddr* addr, socklen_t len) {
    if (addr == nullptr || len < static_cast<socklen_t>(sizeof(sockaddr_in)) || addr->sa_family != AF_INET) {
        return false;
    }
    sockaddr_in sin{};
    std::memcpy(&sin, addr, sizeof sin);  // memcpy: `addr` need not be aligned for sockaddr_in
    return sin.sin_port == 0 && sin.sin_addr.s_addr == htonl(INADDR_LOOPBACK);
}

}  // namespace

PortPinScope::PortPinScope(std::uint16_t base_port) {
    std::lock_guard lock(g_mutex);
    g_armed = true;
    g_base_port = base_port;
    g_pinned = 0;
}

PortPinScope::~PortPinScope() {
    std::lock_guard lock(g_mutex);
    g_armed = false;
}

int PortPinScope::PinnedCount() const {
    std::lock_guard lock(g_mutex);
    return g_pinned;
}

}  // namespace mt::kafka_dev

// Interposes libc's bind() for the whole process, including calls made inside librdkafka.so: the executable is
// linked with -rdynamic (ENABLE_EXPORTS), so the dynamic linker resolves librdkafka's `bind` to this definition
// first. Every bind that is not a pinned mock listener is passed through unchanged.
extern "C" int bind(int fd, const sockaddr* addr, socklen_t len) {  // NOLINT: must match libc's signature
    using namespace mt::kafka_dev;
    BindFn real = RealBind();
    if (real == nullptr) {
        errno = ENOSYS;
        return -1;
    }
    sockaddr_in pinned{};
    bool pin = false;
    {
        std::lock_guard lock(g_mutex);
        pin = g_armed && IsLoopbackPortZero(addr, len);
        if (pin) {
            std::memcpy(&pinned, addr, sizeof pinned);
            pinned.sin_port = htons(static_cast<std::uint16_t>(g_base_port + g_pinned));
            ++g_pinned;
        }
    }
    if (!pin) return real(fd, addr, len);
    // SO_REUSEADDR: after a kill -9 the old broker's accepted connections linger in TIME_WAIT on this port, and
    // without it the restarted broker could not bind the same address for a minute or more.
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) return -1;
    return real(fd, reinterpret_cast<const sockaddr*>(&pinned), sizeof pinned);
}
