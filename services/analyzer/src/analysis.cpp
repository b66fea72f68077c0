#include "analysis.hpp"

#include <algorithm>
#include <map>

#include "mt/core/json.hpp"
#include "mt/ingest/header_detection.hpp"
#include "mt/store/records.hpp"
#include "mt/types/identifier.hpp"
#include "table_shape.hpp"

namespace mt::analyzer {
namespace {

constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);  // a file column that feeds no table column

std::string Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
}

/// "2 GiB", "16 MiB", or a byte count.
std::string HumanBytes(std::uint64_t n) {
    if (n >= (1ull << 30) && n % (1ull << 30) == 0) return std::to_string(n >> 30) + " GiB";
    if (n >= (1ull << 20) && n % (1ull << 20) == 0) return std::to_string(n >> 20) + " MiB";
    return std::to_string(n) + " bytes";
}

Error AtLine(const std::string& file, std::int64_t line, std::string message) {
    Error e = Validation("file \"" + file + "\", line " + std::to_string(line) + ": " + message);
    e.location = ValueLocation{file, line, "", ""};
    return e;
}

Error WithFile(Error e, const std::string& file) {
    if (!e.location) e.location = ValueLocation{file, 0, "", ""};
    return e;
}

/// Widen the file's column list to `width`; columns that appear late were empty in the rows before.
void EnsureWidth(FileAnalysis& fa, std::size_t width, const types::InferenceHints& hints) {
    while (fa.columns.size() < width) {
        FileColumn c{"", "", types::ColumnInference(hints)};
        if (fa.rows > 0) c.inference.Observe("");
        fa.columns.push_back(std::move(c));
    }
}

void ObserveRow(FileAnalysis& fa, const std::vector<std::string>& cells, const types::InferenceHints& hints,
                const AnalysisLimits& limits) {
    EnsureWidth(fa, cells.size(), hints);
    for (std::size_t i = 0; i < fa.columns.size(); ++i) {
        fa.columns[i].inference.Observe(i < cells.size() ? std::string_view(cells[i]) : std::string_view());
    }
    if (fa.sample.size() < kSampleRows && fa.sample_bytes < limits.sample_bytes) {
        std::vector<std::string> cut;
        cut.reserve(cells.size());
        for (const auto& c : cells) {
            cut.push_back(CutText(c, limits.sample_cell_chars));
            fa.sample_bytes += cut.back().size() + 8;
        }
        fa.sample.push_back(std::move(cut));
    }
    ++fa.rows;
}

void NameColumns(FileAnalysis& fa, const std::vector<std::string>& header, const AnalysisLimits& limits) {
    std::vector<std::string> raw(fa.columns.size());
    for (std::size_t i = 0; i < raw.size() && i < header.size(); ++i) {
        raw[i] = CutText(header[i], limits.sample_cell_chars);
    }
    auto names = types::NormalizeHeaders(raw);
    for (std::size_t i = 0; i < fa.columns.size(); ++i) {
        fa.columns[i].name = names[i];
        std::string display = Trim(raw[i]);
        fa.columns[i].display_name = display.empty() ? "Column " + std::to_string(i + 1) : display;
    }
}

/// Numbers such as "1.234" read either way; the delimiter's hint decided them while reading. A file writes all
/// its numbers one way, though, so a column that can only be read one way ("0,750", "3.14", "2.000.000") decides
/// the ambiguous columns of the same file — unless the file has unambiguous columns of both kinds.
void SettleDecimalSeparators(FileAnalysis& fa) {
    bool point = false, comma = false;
    for (const auto& c : fa.columns) {
        auto inferred = c.inference.Result();
        const bool number =
            inferred.type == types::ColumnType::kDecimal || inferred.type == types::ColumnType::kInteger;
        if (!number || c.inference.separator_ambiguous()) continue;
        (inferred.format.decimal_separator == types::DecimalSeparator::kComma ? comma : point) = true;
    }
    if (point == comma) return;
    for (auto& c : fa.columns) c.inference.PreferDecimalComma(comma);
}

/// One cell of the samples: as read when `type` is null; otherwise as it will be stored (ConvertCell, the
/// inserter's conversion: "2026-04-03", "1234.56", "true", null for NULL). A sample cell longer than
/// sample_cell_chars was cut, and a cut number may not convert: it is then shown as read.
void WriteSampleCell(json::Writer& w, std::string_view raw, const types::ColumnType* type,
                     const types::CellFormat& format) {
    if (type == nullptr) {
        json::WriteString(w, json::SanitizeUtf8(raw));
        return;
    }
    auto stored = types::ConvertCell(*type, raw, format);
    if (stored && !*stored) {
        w.Null();
        return;
    }
    json::WriteString(w, json::SanitizeUtf8(stored ? std::string_view(**stored) : raw));
}

/// A cell of the staged copy: quoted only when it has to be.
void AppendCsvCell(std::string& out, std::string_view cell) {
    if (cell.find_first_of(",\"\r\n") == std::string_view::npos) {
        out.append(cell);
        return;
    }
    out.push_back('"');
    for (const char c : cell) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

/// One file's rows as they are read: charged to the job's usage, staged when the file needs a copy, and
/// positioned (byte offset and line where the next row starts) for checkpoints.
class RowFeed {
public:
    RowFeed(const SourceFile& file, OpenedSource& opened, Staging staging, const AnalysisLimits& limits,
            JobUsage& usage)
        : file_(file), opened_(opened), staging_(staging), limits_(limits), usage_(usage) {}

    Result<bool> Next(std::vector<std::string>& cells) {
        auto more = opened_.reader->Next(cells);
        if (!more) return WithFile(std::move(more).error(), file_.display_name);
        if (!*more) return false;
        // Blank lines (or rows of empty cells, which readers skip) before this row: a CSV row starts past the line
        // where the last one ended; a sheet's row number jumps.
        const std::int64_t row_line = line();
        after_gap_ = row_line > (prev_end_line_ < 0 ? row_line : prev_end_line_);
        prev_end_line_ = opened_.csv ? opened_.csv->row_end_line() : row_line + 1;
        std::uint64_t bytes = cells.size();
        for (const auto& c : cells) bytes += c.size();
        usage_.bytes += bytes;
        ++usage_.rows;
        if (usage_.bytes > limits_.max_job_bytes) {
            return AtLine(file_.display_name, line(),
                          "the upload holds more than " + HumanBytes(limits_.max_job_bytes) +
                              " of data once decoded (all files and ZIP members together), the limit of one upload");
        }
        if (usage_.rows > limits_.max_job_rows) {
            return AtLine(file_.display_name, line(),
                          "the upload has more than " + std::to_string(limits_.max_job_rows) +
                              " rows (all files and ZIP members together), the limit of one upload");
        }
        if (staging_.writer) {
            row_.clear();
            row_.append(std::to_string(line()));
            for (const auto& c : cells) {
                row_.push_back(',');
                AppendCsvCell(row_, c);
            }
            row_.push_back('\n');
            auto appended = staging_.writer->Append(row_);
            if (!appended) return std::move(appended).error();
        }
        return true;
    }

    [[nodiscard]] std::int64_t line() const { return opened_.reader->line(); }
    [[nodiscard]] bool after_gap() const { return after_gap_; }
    /// Where the row after the last one read starts: byte offset in the loaded text and physical line.
    [[nodiscard]] jobs::Checkpoint Position(std::int64_t next_row) const {
        if (staging_.writer) return {staging_.writer->size(), next_row, line() + 1};
        return {opened_.csv->row_end_offset().value_or(0), next_row, opened_.csv->row_end_line()};
    }

private:
    const SourceFile& file_;
    OpenedSource& opened_;
    Staging staging_;
    const AnalysisLimits& limits_;
    JobUsage& usage_;
    std::string row_;
    std::int64_t prev_end_line_ = -1;  // where the row before ended (the line after it)
    bool after_gap_ = false;
};

/// The table's width and the usual field count of its data rows: the header's width, or the field count most data
/// rows of the probe have when that is larger (the trailing delimiter of every data row) or there is no header.
/// Rows after the first blank line are left out: a second table may start there.
std::pair<std::size_t, std::size_t> TableWidth(const std::vector<std::vector<std::string>>& probe,
                                               const std::vector<bool>& gap, std::size_t from,
                                               std::size_t header_width) {
    std::map<std::size_t, std::size_t> histogram;
    std::size_t modal = 0, seen = 0;
    for (std::size_t r = from; r < probe.size() && (r == from || !gap[r]); ++r) {
        const std::size_t n = ++histogram[probe[r].size()];
        if (n > seen || (n == seen && probe[r].size() > modal)) {
            seen = n;
            modal = probe[r].size();
        }
    }
    if (seen == 0) modal = header_width;
    return {std::max(header_width, modal), modal};
}

void AddTitleWarnings(FileAnalysis& fa, const std::vector<std::vector<std::string>>& probe,
                      const std::vector<std::int64_t>& probe_line, bool two_header_rows, const std::string& header) {
    for (std::size_t r = 0; r < fa.title_rows; ++r) {
        const auto& row = probe[r];
        const auto first = std::find_if(row.begin(), row.end(), [](const std::string& c) { return !c.empty(); });
        fa.warnings.Add(fa.display_name, probe_line[r],
                        "a title above the table was not loaded: \"" +
                            CutText(first == row.end() ? std::string_view() : std::string_view(*first), 80) + "\"");
    }
    if (two_header_rows) {
        fa.warnings.Add(
            fa.display_name, probe_line[fa.title_rows + 1],
            "read as a second header row: column names join the group above (\"" + CutText(header, 80) + "\")");
    }
}

}  // namespace

std::string CutText(std::string_view text, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
        if (chars++ == max_chars) return std::string(text.substr(0, i));
    }
    return std::string(text);
}

bool NeedsStaging(const SourceFile& file, const OpenedSource& opened) {
    return !(file.kind == ingest::FileKind::kCsv && !file.blob_id.empty() && opened.csv && opened.dialect &&
             opened.dialect->encoding == ingest::Encoding::kUtf8);
}

Result<FileAnalysis> AnalyzeFile(const SourceFile& file, OpenedSource opened, Staging staging,
                                 const AnalysisLimits& limits, JobUsage& usage,
                                 const std::function<bool()>& keep_going) {
    FileAnalysis fa;
    fa.display_name = file.display_name;
    jobs::FileReading& reading = fa.reading;
    reading.display_name = file.display_name;
    reading.staged = staging.writer != nullptr;
    reading.blob_id = reading.staged ? staging.blob_id : file.blob_id;
    if (!reading.staged) reading.dialect = *opened.dialect;  // a staged copy is UTF-8 CSV with `,` and `"`
    types::InferenceHints hints;
    hints.prefer_decimal_comma = opened.dialect && opened.dialect->delimiter == ';';

    RowFeed feed(file, opened, staging, limits, usage);
    const jobs::Checkpoint start = feed.Position(0);
    // The first rows decide the layout (titles, header); they are kept, but never more than probe_bytes of them.
    std::vector<std::vector<std::string>> probe;
    std::vector<jobs::Checkpoint> probe_end;  // where the row after each probe row starts
    std::vector<std::int64_t> probe_line;
    std::vector<bool> probe_gap;  // blank lines before the row
    std::size_t probe_bytes = 0;
    std::vector<std::string> cells;
    bool at_end = false;
    while (probe.size() < kHeaderProbeRows && probe_bytes < limits.probe_bytes) {
        MT_ASSIGN_OR_RETURN(bool more, feed.Next(cells));
        if (!more) {
            at_end = true;
            break;
        }
        probe_line.push_back(feed.line());
        probe_gap.push_back(feed.after_gap());
        probe_end.push_back(feed.Position(0));
        for (const auto& c : cells) probe_bytes += c.size() + sizeof(std::string);
        probe.push_back(cells);
    }
    const ingest::TableLayout layout = ingest::DetectLayout(probe);
    fa.title_rows = layout.title_rows;
    fa.has_header = layout.has_header && fa.title_rows < probe.size();
    const bool two_header_rows = fa.has_header && layout.two_header_rows && fa.title_rows + 1 < probe.size();
    const std::size_t header_rows = fa.has_header ? (two_header_rows ? 2 : 1) : 0;
    const std::size_t data_start = std::min(probe.size(), fa.title_rows + header_rows);
    std::vector<std::string> header;
    if (fa.has_header) {
        header = two_header_rows ? ingest::CombineHeaderRows(probe[fa.title_rows], probe[fa.title_rows + 1])
                                 : probe[fa.title_rows];
    }
    const auto [width, fields] = TableWidth(probe, probe_gap, data_start, header.size());
    EnsureWidth(fa, width, hints);
    std::string joined;  // the first name a second header row joined with its group, for the warning
    for (std::size_t i = 0; two_header_rows && joined.empty() && i < header.size(); ++i) {
        const auto& names = probe[fa.title_rows + 1];
        if (i >= names.size() || header[i] != names[i]) joined = header[i];
    }
    AddTitleWarnings(fa, probe, probe_line, two_header_rows, joined);

    jobs::Checkpoint next = data_start == 0 ? start : probe_end[data_start - 1];
    std::int64_t last_checkpoint_row = -1;
    std::uint64_t last_checkpoint_offset = 0;
    auto observe = [&](const std::vector<std::string>& row, std::int64_t line, const jobs::Checkpoint& after) {
        if (last_checkpoint_row < 0 || fa.rows - last_checkpoint_row >= limits.checkpoint_rows ||
            next.offset - last_checkpoint_offset >= limits.checkpoint_bytes) {
            reading.checkpoints.push_back({next.offset, fa.rows, reading.staged ? line : next.line});
            last_checkpoint_row = fa.rows;
            last_checkpoint_offset = next.offset;
        }
        ObserveRow(fa, row, hints, limits);
        next = after;
    };
    ColumnTypes column_types{[&fa](std::size_t i) { return fa.columns[i].inference.Result().type; },
                             [&fa](std::size_t i, std::string_view value) {
                                 types::ColumnInference with = fa.columns[i].inference;
                                 with.Observe(value);
                                 return with.Result().type == types::ColumnType::kText;
                             }};
    TableShaper shaper(file.display_name, width, fields, opened.csv != nullptr, std::move(column_types), fa.warnings);
    const TableShaper::Emit emit = observe;
    for (std::size_t r = data_start; r < probe.size(); ++r) {
        shaper.Add(probe[r], probe_line[r], probe_gap[r], probe_end[r], emit);
    }
    probe.clear();
    probe.shrink_to_fit();
    std::int64_t read_rows = 0;
    while (!at_end) {
        MT_ASSIGN_OR_RETURN(bool more, feed.Next(cells));
        if (!more) break;
        shaper.Add(cells, feed.line(), feed.after_gap(), feed.Position(0), emit);
        if ((++read_rows & 0xFFF) == 0 && !keep_going()) return Unavailable("worker stopping");
    }
    shaper.Finish();
    for (const auto& warning : opened.reader->warnings())
        fa.warnings.Add(file.display_name, warning.line, warning.message);
    fa.warnings.count += opened.reader->warning_count() - static_cast<std::int64_t>(opened.reader->warnings().size());
    std::stable_sort(fa.warnings.items.begin(), fa.warnings.items.end(),
                     [](const jobs::ImportWarning& a, const jobs::ImportWarning& b) { return a.line < b.line; });
    if (fa.columns.empty()) {
        return WithFile(Validation("file \"" + file.display_name + "\" has no data"), file.display_name);
    }
    reading.end_offset = next.offset;
    reading.rows = fa.rows;
    reading.title_rows = static_cast<std::int64_t>(fa.title_rows);
    reading.has_header = fa.has_header;
    NameColumns(fa, header, limits);
    for (std::size_t i = 0; i < fa.columns.size(); ++i) {
        const auto& inference = fa.columns[i].inference;
        fa.columns[i].dropped = inference.non_null_count() == 0 && inference.marker_count() == 0 &&
                                (i >= header.size() || types::IsNullToken(header[i]));
    }
    SettleDecimalSeparators(fa);
    return fa;
}

Result<UploadAnalysis> CombineFiles(std::vector<FileAnalysis> files, std::string_view suggested_source,
                                    const AnalysisLimits& limits) {
    struct Merged {
        std::string name, display_name;
        types::ColumnType type = types::ColumnType::kText;
        bool nullable = false;
        bool typed = false;
        std::int64_t rows_present = 0;
    };
    std::vector<Merged> merged;
    std::map<std::string, std::size_t> index;
    std::vector<std::vector<std::size_t>> file_map(files.size());
    UploadAnalysis out;
    for (std::size_t f = 0; f < files.size(); ++f) {
        out.total_rows += files[f].rows;
        for (auto& warning : files[f].warnings.items) {
            if (out.warnings.size() < jobs::kMaxJobWarnings) out.warnings.push_back(std::move(warning));
        }
        out.warning_count += files[f].warnings.count;
        for (const auto& c : files[f].columns) {
            if (c.dropped) {
                file_map[f].push_back(kNoColumn);
                continue;
            }
            auto [it, fresh] = index.emplace(c.name, merged.size());
            if (fresh) merged.push_back({c.name, c.display_name});
            Merged& m = merged[it->second];
            auto inferred = c.inference.Result();
            // A column with no value in this file says nothing about the type.
            if (c.inference.non_null_count() > 0) {
                m.type = m.typed ? types::Widen(m.type, inferred.type) : inferred.type;
                m.typed = true;
            }
            m.nullable = m.nullable || inferred.nullable;
            m.rows_present += files[f].rows;
            file_map[f].push_back(it->second);
        }
    }
    if (merged.size() > kMaxTableColumns) {
        return Validation("The files have " + std::to_string(merged.size()) +
                          " columns; a table holds at most 1599 (PostgreSQL's 1600 less the row id)");
    }
    for (auto& m : merged) m.nullable = m.nullable || m.rows_present < out.total_rows;

    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("suggested_table_name");
    std::string suggested = types::NormalizeHeader(suggested_source);
    json::WriteString(w, suggested.empty() ? "upload" : suggested);
    w.Key("columns");
    std::vector<types::Column> columns;
    for (const auto& m : merged) columns.push_back({m.name, m.display_name, m.type, m.nullable});
    store::WriteColumns(w, columns);
    // The first rows twice: as they will be stored under the inferred types (each file's cells read with that file's
    // formats, as the inserter reads them), and as read.
    std::vector<std::vector<types::CellFormat>> formats(files.size());
    for (std::size_t f = 0; f < files.size(); ++f) {
        for (const auto& c : files[f].columns) formats[f].push_back(c.inference.Result().format);
    }
    const auto write_samples = [&](bool as_stored) {
        w.StartArray();
        std::size_t samples = 0;
        for (std::size_t f = 0; f < files.size() && samples < kSampleRows; ++f) {
            for (const auto& row : files[f].sample) {
                if (samples++ >= kSampleRows) break;
                w.StartObject();
                for (std::size_t m = 0; m < merged.size(); ++m) {
                    json::WriteKey(w, merged[m].name);
                    auto pos = std::find(file_map[f].begin(), file_map[f].end(), m);
                    if (pos == file_map[f].end()) {
                        w.Null();
                        continue;
                    }
                    auto i = static_cast<std::size_t>(pos - file_map[f].begin());
                    const std::string_view raw = i < row.size() ? std::string_view(row[i]) : std::string_view();
                    WriteSampleCell(w, raw, as_stored ? &merged[m].type : nullptr, formats[f][i]);
                }
                w.EndObject();
            }
        }
        w.EndArray();
    };
    w.Key("sample_rows");
    write_samples(true);
    w.Key("sample_rows_raw");
    write_samples(false);
    w.Key("total_row_count_estimate");
    w.Int64(out.total_rows);
    w.EndObject();
    if (sb.GetSize() > limits.max_schema_bytes) {
        return Validation("The inferred schema of these files is larger than " + HumanBytes(limits.max_schema_bytes) +
                          " (too many or too long column names)");
    }
    out.inferred_schema_json.assign(sb.GetString(), sb.GetSize());

    for (std::size_t f = 0; f < files.size(); ++f) {
        jobs::FileReading& reading = files[f].reading;
        reading.columns.clear();
        for (std::size_t i = 0; i < files[f].columns.size(); ++i) {
            auto inferred = files[f].columns[i].inference.Result();
            jobs::ColumnReading column;
            column.merged = file_map[f][i] == kNoColumn ? std::string() : merged[file_map[f][i]].name;
            column.format = inferred.format;
            reading.columns.push_back(std::move(column));
        }
        out.record.files.push_back(std::move(reading));
    }
    return out;
}

}  // namespace mt::analyzer
