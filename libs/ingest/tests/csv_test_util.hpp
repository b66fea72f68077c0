#pragma once
// Helpers shared by the CSV tests: temporary files with exact bytes, and reading a whole CSV into memory.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mt/ingest/csv.hpp"

namespace mt::ingest::testing {

/// A file under the temp directory holding exactly `bytes`; removed on destruction.
class TempFile {
public:
    explicit TempFile(const std::string& bytes, const std::string& name = "test.csv") {
        static int counter = 0;
        dir_ = std::filesystem::temp_directory_path() /
               ("mt_ingest_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::create_directories(dir_);
        path_ = (dir_ / name).string();
        std::ofstream out(path_, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    std::filesystem::path dir_;
    std::string path_;
};

using Rows = std::vector<std::vector<std::string>>;

/// Every row of a CSV file, with the line each starts on, or the first error. (Named apart from the XLSX tests'
/// ReadOutcome: two classes of one name in one program would break the one-definition rule.)
struct CsvReadOutcome {
    Rows rows;
    std::vector<std::int64_t> lines;
    bool ok = true;
    std::string error;
    std::vector<ReadWarning> warnings;  // what the reader read past (unbalanced quotes)
};
using ReadOutcome = CsvReadOutcome;

inline ReadOutcome ReadAll(const std::string& path, const CsvDialect& dialect, const std::string& name,
                           ReaderLimits limits = {}) {
    ReadOutcome out;
    auto reader = OpenCsv(path, dialect, name, limits);
    if (!reader) return {{}, {}, false, reader.error().message, {}};
    std::vector<std::string> cells;
    while (true) {
        auto more = (*reader)->Next(cells);
        if (!more) return {std::move(out.rows), std::move(out.lines), false, more.error().message, {}};
        if (!*more) {
            out.warnings = (*reader)->warnings();
            return out;
        }
        out.rows.push_back(cells);
        out.lines.push_back((*reader)->line());
    }
}

/// Sniffs then reads `bytes` written to a temporary file named `name`.
inline ReadOutcome SniffAndRead(const std::string& bytes, const std::string& name = "test.csv",
                                ReaderLimits limits = {}) {
    TempFile file(bytes, name);
    auto dialect = SniffCsv(file.path(), name);
    if (!dialect) return {{}, {}, false, dialect.error().message, {}};
    return ReadAll(file.path(), *dialect, name, limits);
}

}  // namespace mt::ingest::testing
