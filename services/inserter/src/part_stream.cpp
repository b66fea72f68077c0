#include "part_stream.hpp"

#include "mt/core/ids.hpp"
#include "mt/pg/connection.hpp"
#include "mt/types/value.hpp"

namespace mt::inserter {
namespace {

constexpr std::size_t kChunkBytes = 1 << 20;

}  // namespace

PartStream::PartStream(const LoadPlan& plan, const std::vector<jobs::SourceFile>& files, PartRange range,
                       ProgressFn progress)
    : plan_(plan), files_(files), range_(range), progress_(std::move(progress)) {}

Status PartStream::OpenNextFile() {
    // Skip whole files that end before the range.
    while (file_ < plan_.files.size() && plan_.files[file_].first_row + plan_.files[file_].rows <= range_.first_row)
        ++file_;
    reader_.reset();
    if (file_ >= plan_.files.size() || plan_.files[file_].first_row >= range_.end_row) return Ok();
    if (file_ >= files_.size()) return Internal("the job's files changed since analysis");
    MT_ASSIGN_OR_RETURN(auto opened, jobs::OpenSource(files_[file_]));
    reader_ = std::move(opened.reader);
    next_row_ = plan_.files[file_].first_row;
    const std::size_t skip = plan_.files[file_].title_rows + (plan_.files[file_].has_header ? 1 : 0);
    for (std::size_t i = 0; i < skip; ++i) {
        MT_ASSIGN_OR_RETURN(bool more, reader_->Next(cells_));
        (void)more;
    }
    return Ok();
}

Status PartStream::AppendRow(std::string& out) {
    const FilePlan& fp = plan_.files[file_];
    pg::AppendCopyField(out, UuidV7At(range_.id_base_ms, static_cast<std::uint64_t>(next_row_)));
    for (std::size_t c = 0; c < plan_.target.size(); ++c) {
        out.push_back('\t');
        int src = fp.source_index[c];
        const types::Column& col = plan_.target[c];
        // Both branches string_view: a ternary of std::string& and "" would build a temporary std::string.
        std::string_view raw = src >= 0 && static_cast<std::size_t>(src) < cells_.size()
                                   ? std::string_view(cells_[static_cast<std::size_t>(src)])
                                   : std::string_view();
        auto value = src < 0 ? Result<std::optional<std::string>>(std::nullopt)
                             : types::ConvertCell(col.type, raw, fp.formats[c]);
        if (value && !*value && !col.nullable) value = Validation("empty value in NOT NULL column");
        if (!value) {
            Error e = std::move(value).error();
            e.message = "Value \"" + std::string(raw.substr(0, 200)) + "\" in column \"" + col.name + "\" of file \"" +
                        fp.display_name + "\", line " + std::to_string(reader_->line()) + ": " + e.message;
            e.location = ValueLocation{fp.display_name, reader_->line(), col.name, std::string(raw.substr(0, 1000))};
            return e;
        }
        pg::AppendCopyField(out, *value ? std::optional<std::string_view>(**value) : std::nullopt);
    }
    out.push_back('\n');
    return Ok();
}

Result<bool> PartStream::Fill(std::string& out) {
    while (out.size() < kChunkBytes) {
        if (!reader_) {
            MT_TRY(OpenNextFile());
            if (!reader_) return false;
        }
        MT_ASSIGN_OR_RETURN(bool more, reader_->Next(cells_));
        if (!more) {
            ++file_;
            reader_.reset();
            continue;
        }
        std::int64_t row = next_row_;
        if (row >= range_.end_row) return false;
        if (row >= range_.first_row) {
            MT_TRY(AppendRow(out));
            ++written_;
            if (written_ % kProgressEvery == 0 && progress_) MT_TRY(progress_(written_));
        }
        ++next_row_;
    }
    return true;
}

}  // namespace mt::inserter
