#pragma once
/// `.xls` reading in a child process.
///
/// FreeXL (the only maintained BIFF reader in Debian) can read out of bounds on crafted files. A worker must not
/// die of one bad upload, so the workbook is parsed by a child process — the worker binary itself, re-executed
/// with `--xls-rows` — which streams rows back over a pipe. The child starts with an empty environment, its
/// other descriptors closed, and resource limits set before exec: 1 GiB of address space, 120 s of CPU, no file
/// writes (its output is the pipe), 64 descriptors, no core dumps. A child that crashes, runs out of a limit or
/// is killed becomes a clear error for that file; the worker carries on.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "mt/ingest/row_reader.hpp"

namespace mt::ingest {

inline constexpr const char* kXlsRowsFlag = "--xls-rows";

/// How long the parent waits, in total, for the child's output before it kills the child.
inline constexpr std::chrono::seconds kXlsReadTimeout{300};

/// How the child runs; the defaults are the service's. A plain value.
struct XlsChildOptions {
    std::string program = "/proc/self/exe";  // re-executed with --xls-rows (the tests point it at a tool)
    // Wall-clock time the reader may spend waiting for the child's rows, summed over the whole read; time the
    // caller spends with the rows it got is not counted, so a slow consumer never kills a healthy child. When
    // it runs out the child is killed (SIGKILL) and reaped, and the read fails with kValidation
    // `file "x.xls": reading the .xls file took longer than 300 s`.
    std::chrono::milliseconds timeout = kXlsReadTimeout;
};

/// Spawns `program --xls-rows <path> <display_name> <limits…>` and reads its rows, which obey `limits` as
/// OpenXls does. Fails only when the child cannot be started (kInternal); everything after is an error of
/// `Next`, all kValidation naming the file: the child's own reader error as it reported it; a timeout (above);
/// `file "x.xls" could not be read: the reader ran out of memory or time` (the child was killed by SIGKILL,
/// SIGXCPU or SIGABRT — what its limits end in); `… the workbook is corrupt or unsupported` (any other death).
/// The reader owns the child: destroying it early kills and reaps the child. One thread at a time.
Result<std::unique_ptr<RowReader>> OpenXlsIsolated(const std::string& path, std::string display_name,
                                                   ReaderLimits limits = {}, XlsChildOptions options = {});

/// The child side: `argv` = {program, "--xls-rows", path, display_name[, max_cell_bytes, max_columns,
/// max_row_bytes]}. Writes framed rows to stdout, returns the process exit code. Call it first thing in main()
/// when argv[1] is kXlsRowsFlag.
int RunXlsRowsChild(int argc, char** argv);

}  // namespace mt::ingest
