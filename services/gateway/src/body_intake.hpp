#pragma once
/// Body intake: where an admitted request's body goes while it arrives, how much of that the process holds, and
/// which intakes have stalled.
///
/// - `BodyBudget`: the process-wide count of body bytes being received or held (memory and spool files). A
///   request takes its declared length from it before any body byte is read, or is refused (503).
/// - `BodyIntake`: one request's body, in memory (JSON) or in a spool file (multipart uploads, body_spool.hpp).
/// - `IntakeWatch`: the requests being received and their deadlines (head, idle body, lingering close), for the
///   reaper that cuts stalled peers (slowloris).
/// Pure apart from the spool file; `BodyBudget` and `IntakeWatch` are thread-safe, `BodyIntake` is not.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "body_spool.hpp"
#include "mt/core/result.hpp"

namespace mt::gateway {

class BodyBudget {
public:
    /// Bytes taken from a budget, given back when destroyed. Move-only.
    class Lease {
    public:
        Lease() = default;
        Lease(Lease&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) { other.budget_ = nullptr; }
        Lease& operator=(Lease&& other) noexcept;
        ~Lease() { Release(); }
        void Release();

    private:
        friend class BodyBudget;
        Lease(BodyBudget* budget, std::size_t bytes) : budget_(budget), bytes_(bytes) {}
        BodyBudget* budget_ = nullptr;
        std::size_t bytes_ = 0;
    };

    explicit BodyBudget(std::size_t limit) : limit_(limit) {}
    /// `bytes` taken, or nullopt when they do not fit in what is left.
    std::optional<Lease> TryTake(std::size_t bytes);
    [[nodiscard]] std::size_t used() const { return used_.load(); }
    [[nodiscard]] std::size_t limit() const { return limit_; }

private:
    std::size_t limit_;
    std::atomic<std::size_t> used_{0};
};

class BodyIntake {
public:
    /// A body of `length` bytes: spooled to a file in `spool_dir` when `spool`, else kept in memory.
    static Result<std::unique_ptr<BodyIntake>> Start(std::size_t length, bool spool, const std::string& spool_dir,
                                                     BodyBudget::Lease lease);
    /// Takes the bytes of `data` the body still expects; returns how many.
    Result<std::size_t> Append(std::string_view data);
    [[nodiscard]] bool complete() const { return received_ == length_; }
    [[nodiscard]] bool spooled() const { return spool_ != nullptr; }
    /// The in-memory body (once complete), moved out.
    std::string TakeMemory() { return std::move(memory_); }
    /// The spooled body mapped (once complete); valid while this intake lives.
    Result<std::string_view> Map() { return spool_->Map(); }

private:
    BodyIntake(std::size_t length, BodyBudget::Lease lease) : length_(length), lease_(std::move(lease)) {}
    std::size_t length_;
    std::size_t received_ = 0;
    std::string memory_;
    std::unique_ptr<BodySpool> spool_;
    BodyBudget::Lease lease_;
};

class IntakeWatch {
public:
    using Clock = std::chrono::steady_clock;
    enum class Phase {
        kHead,    // head bytes arriving: the whole head must come within `head`
        kBody,    // body bytes arriving: never more than `body_idle` between two reads
        kLinger,  // refused, the answer sent: the peer has `linger` to read it before the connection is cut
    };
    struct Timeouts {
        std::chrono::milliseconds head{10'000};
        std::chrono::milliseconds body_idle{30'000};
        std::chrono::milliseconds linger{2'000};
    };

    explicit IntakeWatch(Timeouts timeouts) : timeouts_(timeouts) {}
    /// `key` (a connection) enters `phase` at `now`, on socket `fd`.
    void Enter(const void* key, int fd, Phase phase, Clock::time_point now);
    /// Bytes arrived for `key`: an idle body's deadline moves on (a head's does not).
    void Touch(const void* key, Clock::time_point now);
    /// `key` is no longer being received (dispatched or gone).
    void Forget(const void* key);
    /// Calls `cut(fd)` for every entry past its deadline at `now` and forgets them; under the watch's lock, so a
    /// connection forgotten before its socket is closed is never cut afterwards.
    template <typename Cut>
    void CutOverdue(Clock::time_point now, Cut&& cut) {
        std::lock_guard lock(mu_);
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (now >= it->second.deadline) {
                cut(it->second.fd);
                it = entries_.erase(it);
            } else {
                ++it;
            }
        }
    }
    [[nodiscard]] std::size_t size() const;

private:
    struct Entry {
        int fd;
        Phase phase;
        Clock::time_point deadline;
    };
    Clock::time_point DeadlineOf(Phase phase, Clock::time_point now) const;

    Timeouts timeouts_;
    mutable std::mutex mu_;
    std::unordered_map<const void*, Entry> entries_;
};

}  // namespace mt::gateway
