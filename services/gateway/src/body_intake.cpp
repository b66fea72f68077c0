#include "body_intake.hpp"

#include <algorithm>

namespace mt::gateway {

BodyBudget::Lease& BodyBudget::Lease::operator=(Lease&& other) noexcept {
    if (this != &other) {
        Release();
        budget_ = other.budget_;
        bytes_ = other.bytes_;
        other.budget_ = nullptr;
    }
    return *this;
}

void BodyBudget::Lease::Release() {
    if (budget_ != nullptr) budget_->used_.fetch_sub(bytes_);
    budget_ = nullptr;
}

std::optional<BodyBudget::Lease> BodyBudget::TryTake(std::size_t bytes) {
    std::size_t used = used_.load();
    do {
        if (bytes > limit_ || used > limit_ - bytes) return std::nullopt;
    } while (!used_.compare_exchange_weak(used, used + bytes));
    return Lease(this, bytes);
}

Result<std::unique_ptr<BodyIntake>> BodyIntake::Start(std::size_t length, bool spool, const std::string& spool_dir,
                                                      BodyBudget::Lease lease) {
    std::unique_ptr<BodyIntake> intake(new BodyIntake(length, std::move(lease)));
    if (spool) {
        MT_ASSIGN_OR_RETURN(intake->spool_, BodySpool::Create(spool_dir, length));
    } else {
        intake->memory_.reserve(length);
    }
    return intake;
}

Result<std::size_t> BodyIntake::Append(std::string_view data) {
    const std::size_t take = std::min(data.size(), length_ - received_);
    if (spool_) {
        MT_ASSIGN_OR_RETURN(std::size_t taken, spool_->Append(data.substr(0, take)));
        received_ += taken;
        return taken;
    }
    memory_.append(data.data(), take);
    received_ += take;
    return take;
}

IntakeWatch::Clock::time_point IntakeWatch::DeadlineOf(Phase phase, Clock::time_point now) const {
    switch (phase) {
        case Phase::kHead: return now + timeouts_.head;
        case Phase::kBody: return now + timeouts_.body_idle;
        case Phase::kLinger: return now + timeouts_.linger;
    }
    return now;
}

void IntakeWatch::Enter(const void* key, int fd, Phase phase, Clock::time_point now) {
    std::lock_guard lock(mu_);
    entries_[key] = Entry{fd, phase, DeadlineOf(phase, now)};
}

void IntakeWatch::Touch(const void* key, Clock::time_point now) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.phase == Phase::kBody) it->second.deadline = DeadlineOf(Phase::kBody, now);
}

void IntakeWatch::Forget(const void* key) {
    std::lock_guard lock(mu_);
    entries_.erase(key);
}

std::size_t IntakeWatch::size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
}

}  // namespace mt::gateway
