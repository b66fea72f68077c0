#pragma once
/// `.xls` reading in a child process.
///
/// FreeXL (the only maintained BIFF reader in Debian) can read out of bounds on crafted files. A worker must not
/// die of one bad upload, so the workbook is parsed by a child process — the worker binary itself, re-executed
/// with `--xls-rows` — which streams rows back over a pipe. A child that crashes or is killed becomes a clear
/// error for that file; the worker carries on.
#include <memory>
#include <string>
#include <vector>

#include "mt/ingest/row_reader.hpp"

namespace mt::ingest {

inline constexpr const char* kXlsRowsFlag = "--xls-rows";

/// Spawns `program --xls-rows <path> <display_name>` and reads its rows. `program` defaults to the running binary.
Result<std::unique_ptr<RowReader>> OpenXlsIsolated(const std::string& path, std::string display_name,
                                                   ReaderLimits limits = {}, std::string program = "/proc/self/exe");

/// The child side: `argv` = {program, "--xls-rows", path, display_name}. Writes framed rows to stdout, returns the
/// process exit code. Call it first thing in main() when argv[1] is kXlsRowsFlag.
int RunXlsRowsChild(int argc, char** argv);

}  // namespace mt::ingest
