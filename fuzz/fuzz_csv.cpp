// Fuzz target: the CSV reader (libs/ingest: SniffCsv, OpenCsv, OpenCsvAt and the decoding TextSource under
// them) over any bytes an upload may hold.
//
// The input is an uploaded file. It is held in a memory file (memfd) reached by its /proc path, since the
// sniffer and OpenCsv take paths; nothing is written to disk. Per input:
//  1. SniffCsv as "upload.csv", or as "upload.tsv" when the input's length is odd (the name changes the
//     delimiter preference);
//  2. every row through OpenCsv with the sniffed dialect and the service's limits, checking the reader's
//     offsets and line numbers only move forward;
//  3. the same bytes through OpenCsvAt over an in-memory ByteSource with tight limits, as a part of a load
//     reads its byte range;
//  4. decoding in tiny chunks gives the same text as decoding in one chunk, for each encoding (the carry of
//     sequences cut by a chunk end is where streaming decoders break); over the first 4 KiB.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "encoding.hpp"  // private to mt_ingest: TextSource
#include "fuzz_check.hpp"
#include "mt/ingest/csv.hpp"

namespace {

using mt::ingest::ByteSource;
using mt::ingest::CsvDialect;
using mt::ingest::Encoding;
using mt::ingest::ReaderLimits;

/// The input, read front to back.
class MemorySource final : public ByteSource {
public:
    explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
    mt::Result<std::size_t> Read(char* data, std::size_t size) override {
        const std::size_t n = std::min(size, bytes_.size());
        if (n > 0) std::memcpy(data, bytes_.data(), n);
        bytes_.remove_prefix(n);
        return n;
    }

private:
    std::string_view bytes_;
};

/// An unnamed in-memory file holding the input; its path is /proc/self/fd/N while it lives.
class MemoryFile {
public:
    explicit MemoryFile(std::string_view bytes) : fd_(::memfd_create("mt-fuzz-csv", MFD_CLOEXEC)) {
        MT_FUZZ_CHECK(fd_ >= 0);
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
            MT_FUZZ_CHECK(n > 0);
            done += static_cast<std::size_t>(n);
        }
    }
    ~MemoryFile() { ::close(fd_); }
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    [[nodiscard]] std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

private:
    int fd_;
};

/// Reads every row; returns how many. Offsets and lines may only grow.
std::size_t ReadAll(mt::ingest::CsvRowReader& reader, const ReaderLimits& limits, std::size_t input_size) {
    std::vector<std::string> cells;
    std::size_t rows = 0;
    std::int64_t last_line = 0;
    std::uint64_t last_offset = 0;
    while (true) {
        auto more = reader.Next(cells);
        if (!more) {
            MT_FUZZ_CHECK(!more.error().message.empty());
            break;
        }
        if (!*more) break;
        ++rows;
        MT_FUZZ_CHECK(!cells.empty() && cells.size() <= limits.max_columns);
        std::size_t row_bytes = 0;
        bool any = false;
        for (const std::string& cell : cells) {
            MT_FUZZ_CHECK(cell.size() <= limits.max_cell_bytes);
            row_bytes += cell.size();
            any = any || !cell.empty();
        }
        MT_FUZZ_CHECK(any);  // rows of empty cells are skipped
        MT_FUZZ_CHECK(row_bytes <= limits.max_row_bytes);
        MT_FUZZ_CHECK(reader.line() > last_line && reader.row_end_line() >= reader.line());
        last_line = reader.line();
        if (auto offset = reader.row_end_offset()) {
            MT_FUZZ_CHECK(*offset > last_offset && *offset <= input_size);
            last_offset = *offset;
        }
    }
    return rows;
}

/// The whole text of `bytes` in `encoding`, decoded in chunks of `chunk` bytes.
std::string Decode(std::string_view bytes, Encoding encoding, std::size_t chunk) {
    mt::ingest::detail::TextSource source(std::make_unique<MemorySource>(bytes), encoding, chunk);
    std::string text;
    while (true) {
        auto next = source.Next();
        MT_FUZZ_CHECK(next.ok());  // a memory source never fails
        if (next->empty()) break;
        text.append(*next);
    }
    MT_FUZZ_CHECK(source.bytes_read() == bytes.size());
    return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const MemoryFile file(input);

    // The name changes the delimiter preference; which one is used follows the input's length, so that both are
    // fuzzed without reading every input twice (each pass allocates and clears 1 MiB buffers: the slow part).
    const std::string name = size % 2 == 0 ? "upload.csv" : "upload.tsv";
    auto dialect = mt::ingest::SniffCsv(file.path(), name);
    if (dialect) {
        const ReaderLimits limits;
        auto reader = mt::ingest::OpenCsv(file.path(), *dialect, name, limits);
        if (reader) ReadAll(**reader, limits, size);

        // A part of a load: no BOM or sep= line expected at its start, tight limits.
        CsvDialect part = *dialect;
        part.has_bom = false;
        part.sep_line = false;
        const ReaderLimits tight{.max_cell_bytes = 64, .max_columns = 8, .max_row_bytes = 160};
        auto at = mt::ingest::OpenCsvAt(std::make_unique<MemorySource>(input), part, name, 1, tight);
        ReadAll(*at, tight, size);
    } else {
        MT_FUZZ_CHECK(!dialect.error().message.empty());
    }

    // Every chunk boundary exercises the carry: the first 4 KiB hold plenty, and keep each run fast.
    const std::string_view head = input.substr(0, 4096);
    for (const Encoding encoding : {Encoding::kUtf8, Encoding::kWindows1252, Encoding::kUtf8WithWindows1252,
                                    Encoding::kUtf16Le, Encoding::kUtf16Be}) {
        const std::string whole = Decode(head, encoding, std::max<std::size_t>(head.size(), 1));
        for (const std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}}) {
            MT_FUZZ_CHECK(Decode(head, encoding, chunk) == whole);
        }
    }
    return 0;
}
