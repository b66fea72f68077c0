#include "body_spool.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "http_text.hpp"

namespace mt::gateway {
namespace {

/// An unnamed file in `dir` (O_TMPFILE), or a named one unlinked at once where the file system lacks it.
int OpenAnonymous(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
    std::string path = dir + "/mt-upload-XXXXXX";
    fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(path.c_str());
    return fd;
}

}  // namespace

const std::string* RequestHead::Find(std::string_view name) const {
    for (const auto& [key, value] : fields)
        if (key == name) return &value;
    return nullptr;
}

std::optional<std::size_t> SpooledBodyLength(const RequestHead& head) {
    if (head.method != "POST" || head.Find("transfer-encoding")) return std::nullopt;
    std::string_view path(head.target);
    path = path.substr(0, path.find('?'));
    constexpr std::string_view kSuffix = "/upload";
    if (path.size() < kSuffix.size() || path.substr(path.size() - kSuffix.size()) != kSuffix) return std::nullopt;
    const std::string* type = head.Find("content-type");
    if (!type || AsciiLower(*type).rfind("multipart/", 0) != 0) return std::nullopt;
    const std::string* length = head.Find("content-length");
    if (!length) return std::nullopt;
    std::size_t value = 0;
    auto [ptr, ec] = std::from_chars(length->data(), length->data() + length->size(), value);
    if (ec != std::errc() || ptr != length->data() + length->size()) return std::nullopt;
    return value;
}

Result<std::unique_ptr<BodySpool>> BodySpool::Create(const std::string& dir, std::size_t expected) {
    int fd = OpenAnonymous(dir);
    if (fd < 0) return Unavailable("cannot store the upload: " + std::string(std::strerror(errno)));
    return std::unique_ptr<BodySpool>(new BodySpool(fd, expected));
}

BodySpool::~BodySpool() {
    if (map_ != nullptr) ::munmap(map_, expected_);
    if (fd_ >= 0) ::close(fd_);
}

Result<std::size_t> BodySpool::Append(std::string_view data) {
    const std::size_t take = std::min(data.size(), expected_ - received_);
    std::size_t done = 0;
    while (done < take) {
        const ssize_t n = ::write(fd_, data.data() + done, take - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Unavailable("cannot store the upload: " + std::string(std::strerror(errno)));
        done += static_cast<std::size_t>(n);
    }
    received_ += take;
    return take;
}

Result<std::string_view> BodySpool::Map() {
    if (!complete()) return Internal("upload body mapped before it was complete");
    if (expected_ == 0) return std::string_view();
    if (map_ == nullptr) {
        void* p = ::mmap(nullptr, expected_, PROT_READ, MAP_PRIVATE, fd_, 0);
        if (p == MAP_FAILED) return Unavailable("cannot read the stored upload: " + std::string(std::strerror(errno)));
        ::madvise(p, expected_, MADV_SEQUENTIAL);
        map_ = p;
    }
    return std::string_view(static_cast<const char*>(map_), expected_);
}

Status CheckSpoolDirectory(const std::string& dir) {
    int fd = OpenAnonymous(dir);
    if (fd < 0) {
        return Internal("MT_SCRATCH_DIR \"" + dir + "\" cannot hold uploads: " + std::string(std::strerror(errno)));
    }
    ::close(fd);
    return Ok();
}

}  // namespace mt::gateway
