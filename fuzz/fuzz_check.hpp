#pragma once
/// What the fuzz targets share: the libFuzzer entry point's signature and a check that stops the run.
///
/// A target feeds one input to the code under test and checks properties that must hold for any input (views
/// that stay inside the input, results that survive a second round). A broken property aborts, which libFuzzer
/// (or replay_main.cpp) reports as a crash with the input that caused it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#define MT_FUZZ_CHECK(condition)                                                                    \
    do {                                                                                            \
        if (!(condition)) {                                                                         \
            std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                                           \
        }                                                                                           \
    } while (false)

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
