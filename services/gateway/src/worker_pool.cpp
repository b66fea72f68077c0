#include "worker_pool.hpp"

namespace mt::gateway {
namespace {

/// The pool the current thread works for, and the pool whose running task has called Finishing(), if any.
thread_local const WorkerPool* worker_of = nullptr;
thread_local const WorkerPool* finishing_in = nullptr;

}  // namespace

WorkerPool::WorkerPool(int threads, std::size_t queue_limit)
    : size_(static_cast<std::size_t>(threads)), queue_limit_(queue_limit) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Stop() {
    std::lock_guard join_lock(join_mu_);
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

bool WorkerPool::TrySubmit(std::function<void()> task) {
    {
        std::lock_guard lock(mu_);
        // Free threads (also those not started yet) and finishing ones take one queued task each.
        if (stopping_ || queue_.size() >= queue_limit_ + (size_ - running_) + finishing_) return false;
        queue_.push_back(std::move(task));
    }
    ready_.notify_one();
    return true;
}

void WorkerPool::Finishing() {
    std::lock_guard lock(mu_);
    if (worker_of != this || finishing_in == this) return;
    finishing_in = this;
    ++finishing_;
}

void WorkerPool::Run() {
    worker_of = this;
    bool ran = false;
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(mu_);
            if (ran) --running_;
            if (finishing_in == this) {  // the task that said so has returned
                finishing_in = nullptr;
                --finishing_;
            }
            ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left to do
            task = std::move(queue_.front());
            queue_.pop_front();
            ++running_;
            ran = true;
        }
        task();
    }
}

}  // namespace mt::gateway
