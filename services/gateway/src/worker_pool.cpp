#include "worker_pool.hpp"

namespace mt::gateway {

WorkerPool::WorkerPool(int threads, std::size_t queue_limit) : queue_limit_(queue_limit) {
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
        if (stopping_ || queue_.size() >= queue_limit_ + idle_) return false;  // idle threads take one each
        queue_.push_back(std::move(task));
    }
    ready_.notify_one();
    return true;
}

void WorkerPool::Run() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(mu_);
            ++idle_;
            ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            --idle_;
            if (queue_.empty()) return;  // stopping, and nothing left to do
            task = std::move(queue_.front());
            queue_.pop_front();
        }
        task();
    }
}

}  // namespace mt::gateway
