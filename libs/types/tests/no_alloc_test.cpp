// Observe runs for every cell of uploads of millions of rows: it must not allocate. This test binary replaces
// the global operator new to count allocations made while observing.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "mt/types/inference.hpp"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

TEST_CASE("ColumnInference::Observe does not allocate") {
    const std::vector<std::string> values = {
        "12345678901234567890123456789012345678901234567890",
        "-42",
        "89,90",
        "1.234.567,89",
        "1,234,567.89",
        "1.5e-3",
        "9223372036854775808",
        "true",
        "NÃO",
        "2024-02-29",
        "29/02/2024",
        "12/31/2024",
        "2026-01-15T10:30:00.123456789+05:30",
        "15/01/2024 10:30:00",
        "NULL",
        "R$ 1.234,56",
        "(1.234,56)",
        "12,5 %",
        "1\xC2\xA0234\xC2\xA0567",
        "1.234,56-",
        "-",
        "#N/A",
        "S",
        "",
        "   ",
        "a long text value that is well beyond any small string optimisation buffer",
        std::string(100000, '9')};
    std::vector<mt::types::ColumnInference> columns(values.size());
    const long before = g_allocations.load();
    for (int round = 0; round < 10; ++round) {
        for (auto& column : columns) {
            for (const auto& v : values) column.Observe(v);
        }
        for (std::size_t i = 0; i < values.size(); ++i) {
            mt::types::ColumnInference single;
            single.Observe(values[i]);
            columns[i].Merge(single);
            (void)columns[i].Result();
        }
    }
    CHECK(g_allocations.load() == before);
}

// Not run by default (`mt_types_tests "[.perf]"`): prints Observe throughput per kind of column, and over a
// mixed file. Kept as a check for the analyzer's ≥100 MB/s budget, which Observe must leave room in.
TEST_CASE("Observe throughput", "[.perf]") {
    const std::vector<std::string> cells = {"123456",
                                            "89,90",
                                            "1.234,56",
                                            "2024-01-15",
                                            "15/01/2024 10:30",
                                            "São Paulo",
                                            "true",
                                            "",
                                            "2026-01-15T10:30:00.123+05:30",
                                            "-42"};
    constexpr int kRounds = 2000000;
    std::size_t total_bytes = 0;
    double total_seconds = 0;
    for (const auto& cell : cells) {
        mt::types::ColumnInference column;
        const auto start = std::chrono::steady_clock::now();
        for (int r = 0; r < kRounds; ++r) column.Observe(cell);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const std::size_t bytes = (cell.size() + 1) * kRounds;  // +1: the delimiter the reader consumed
        total_bytes += bytes;
        total_seconds += seconds;
        WARN('"' << cell << "\": " << static_cast<double>(bytes) / seconds / 1e6 << " MB/s, " << kRounds / seconds / 1e6
                 << " M cells/s -> " << mt::types::Name(column.Result().type));
    }
    WARN("all: " << static_cast<double>(total_bytes) / total_seconds / 1e6 << " MB/s");
    CHECK(total_bytes > 0);
}
