#include "part_stream.hpp"

#include <charconv>

#include "mt/core/ids.hpp"
#include "mt/jobs/blob_store.hpp"
#include "mt/types/value.hpp"

namespace mt::inserter {
namespace {

constexpr std::size_t kChunkBytes = 1 << 20;

/// A byte range of a stored file, for the CSV reader.
class BlobSource final : public ingest::ByteSource {
public:
    BlobSource(pg::Connection& control, std::string blob_id, std::uint64_t begin, std::uint64_t end)
        : reader_(control, std::move(blob_id), begin, end) {}
    Result<std::size_t> Read(char* data, std::size_t size) override { return reader_.Read(data, size); }

private:
    jobs::BlobRangeReader reader_;
};

}  // namespace

PartStream::PartStream(const LoadPlan& plan, const jobs::PartSpec& spec, std::uint64_t id_base_ms,
                       pg::Connection& control, ProgressFn progress, const std::atomic<bool>& stop)
    : plan_(plan),
      spec_(spec),
      id_base_ms_(id_base_ms),
      control_(control),
      progress_(std::move(progress)),
      stop_(stop) {}

Status PartStream::OpenSegment() {
    const jobs::Segment& seg = spec_.segments[segment_];
    if (seg.file >= plan_.files.size()) return Internal("a part names a file the analysis does not have");
    const FilePlan& fp = plan_.files[seg.file];
    // A staged copy is UTF-8 CSV with `,` and `"`; an upload read as is keeps the dialect analysis found.
    const ingest::CsvDialect dialect = fp.staged ? ingest::CsvDialect{} : fp.dialect;
    reader_ = ingest::OpenCsvAt(std::make_unique<BlobSource>(control_, fp.blob_id, seg.begin, seg.end), dialect,
                                fp.display_name, seg.line);
    segment_rows_left_ = seg.rows;
    next_row_ = fp.first_row + seg.first_row;
    return Ok();
}

Status PartStream::AppendRow(std::string& out) {
    const FilePlan& fp = plan_.files[spec_.segments[segment_].file];
    std::int64_t line = reader_->line();
    if (fp.staged && !cells_.empty()) {
        std::from_chars(cells_[0].data(), cells_[0].data() + cells_[0].size(), line);
    }
    pg::AppendCopyField(out, UuidV7At(id_base_ms_, static_cast<std::uint64_t>(next_row_)));
    for (std::size_t c = 0; c < plan_.target.size(); ++c) {
        out.push_back('\t');
        const int src = fp.source_index[c];
        const types::Column& col = plan_.target[c];
        // Both branches string_view: a ternary of std::string& and "" would build a temporary std::string.
        std::string_view raw = src >= 0 && static_cast<std::size_t>(src) < cells_.size()
                                   ? std::string_view(cells_[static_cast<std::size_t>(src)])
                                   : std::string_view();
        auto value = src < 0 ? Result<std::optional<std::string_view>>(std::nullopt)
                             : types::ConvertCellView(col.type, raw, fp.formats[c], scratch_);
        if (value && !*value && !col.nullable) value = Validation("empty value in NOT NULL column");
        if (!value) {
            Error e = std::move(value).error();
            e.message = "Value \"" + std::string(raw.substr(0, 200)) + "\" in column \"" + col.name + "\" of file \"" +
                        fp.display_name + "\", line " + std::to_string(line) + ": " + e.message;
            e.location = ValueLocation{fp.display_name, line, col.name, std::string(raw.substr(0, 1000))};
            return e;
        }
        pg::AppendCopyField(out, *value);
    }
    out.push_back('\n');
    return Ok();
}

Result<bool> PartStream::Fill(std::string& out) {
    while (out.size() < kChunkBytes) {
        if (!reader_) {
            if (segment_ >= spec_.segments.size()) return false;
            MT_TRY(OpenSegment());
        }
        if (segment_rows_left_ == 0) {
            reader_.reset();
            ++segment_;
            continue;
        }
        MT_ASSIGN_OR_RETURN(bool more, reader_->Next(cells_));
        if (!more) {
            return Internal("file \"" + plan_.files[spec_.segments[segment_].file].display_name +
                            "\" ended before the rows its analysis counted");
        }
        MT_TRY(AppendRow(out));
        --segment_rows_left_;
        ++next_row_;
        ++written_;
        if (written_ % kProgressEvery == 0 && progress_) MT_TRY(progress_(written_));
        if (written_ % kStopCheckEvery == 0 && stop_.load(std::memory_order_relaxed)) {
            return Unavailable("worker stopping");
        }
    }
    return true;
}

}  // namespace mt::inserter
