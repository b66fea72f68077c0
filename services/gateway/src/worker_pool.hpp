#pragma once
/// A fixed set of threads running submitted tasks, with a bounded queue: `TrySubmit` refuses at once when every
/// thread is busy and the queue is full (the caller answers 503), so a burst of slow requests never piles up
/// unbounded work or blocks the thread that submits. Thread-safe. The destructor finishes queued tasks and joins.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mt::gateway {

class WorkerPool {
public:
    WorkerPool(int threads, std::size_t queue_limit);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Finishes the queued tasks and joins the threads; later submissions are refused. Idempotent.
    void Stop();
    /// Queues `task`; false (and `task` not run) when no thread is free and `queue_limit` tasks already wait.
    [[nodiscard]] bool TrySubmit(std::function<void()> task);
    /// Called by a running task, on its worker, once all that is left of it is quick and never waits (sending the
    /// answer): from then on the thread counts as free for TrySubmit, so a client that sends its next request as
    /// soon as it has the answer is not refused for a thread that is about to take it. No effect elsewhere.
    void Finishing();

private:
    void Run();

    std::size_t size_;
    std::size_t queue_limit_;
    std::mutex mu_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::size_t running_ = 0;    // threads running a task
    std::size_t finishing_ = 0;  // threads whose task said Finishing() and has not returned yet
    std::vector<std::thread> threads_;
    std::mutex join_mu_;
};

}  // namespace mt::gateway
