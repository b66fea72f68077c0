#include "worker_pool.hpp"

#include <atomic>
#include <chrono>
#include <future>

#include <catch2/catch.hpp>

namespace mt::gateway {
namespace {

using namespace std::chrono_literals;

/// Runs a task on `pool` that blocks until `release` is set; returns once the task has started.
std::future<void> Occupy(WorkerPool& pool, std::promise<void>& started, std::shared_future<void> release,
                         bool finishing) {
    auto done = std::make_shared<std::promise<void>>();
    auto result = done->get_future();
    REQUIRE(pool.TrySubmit([&pool, &started, release, finishing, done] {
        if (finishing) pool.Finishing();
        started.set_value();
        release.wait();
        done->set_value();
    }));
    started.get_future().wait();
    return result;
}

TEST_CASE("worker pool: with every thread busy and a full queue, a submission is refused at once", "[worker_pool]") {
    WorkerPool pool(1, 1);
    std::promise<void> started, release;
    auto busy = Occupy(pool, started, release.get_future().share(), false);
    std::atomic<int> ran{0};
    CHECK(pool.TrySubmit([&] { ran.fetch_add(1); }));        // the queue's one place
    CHECK_FALSE(pool.TrySubmit([&] { ran.fetch_add(1); }));  // refused, never run
    release.set_value();
    busy.wait();
    pool.Stop();
    CHECK(ran.load() == 1);
}

TEST_CASE("worker pool: a task that is finishing frees its thread for the next submission", "[worker_pool]") {
    WorkerPool pool(1, 0);  // no queue: only a free thread takes a task
    std::promise<void> started, release;
    auto finishing = Occupy(pool, started, release.get_future().share(), true);
    std::promise<void> next_ran;
    CHECK(pool.TrySubmit([&] { next_ran.set_value(); }));  // the finishing thread takes it when its task returns
    CHECK_FALSE(pool.TrySubmit([] {}));                    // one thread finishing takes one task, not two
    release.set_value();
    finishing.wait();
    CHECK(next_ran.get_future().wait_for(10s) == std::future_status::ready);
    pool.Stop();
}

TEST_CASE("worker pool: Finishing called outside the pool's threads changes nothing", "[worker_pool]") {
    WorkerPool pool(1, 0);
    pool.Finishing();  // not a worker of this pool
    std::promise<void> started, release;
    auto busy = Occupy(pool, started, release.get_future().share(), false);
    CHECK_FALSE(pool.TrySubmit([] {}));
    release.set_value();
    busy.wait();
    pool.Stop();
}

}  // namespace
}  // namespace mt::gateway
