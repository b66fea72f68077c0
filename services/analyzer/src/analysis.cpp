#include "analysis.hpp"

#include <algorithm>
#include <map>

#include "mt/core/json.hpp"
#include "mt/ingest/header_detection.hpp"
#include "mt/store/records.hpp"
#include "mt/types/identifier.hpp"

namespace mt::analyzer {
namespace {

constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);  // a file column that feeds no table column

std::string Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
}

/// Widen the file's column list to `width`; columns that appear late were empty in the rows before.
void EnsureWidth(FileAnalysis& fa, std::size_t width, const types::InferenceHints& hints) {
    while (fa.columns.size() < width) {
        FileColumn c{"", "", types::ColumnInference(hints)};
        if (fa.rows > 0) c.inference.Observe("");
        fa.columns.push_back(std::move(c));
    }
}

void ObserveRow(FileAnalysis& fa, const std::vector<std::string>& cells, const types::InferenceHints& hints) {
    EnsureWidth(fa, cells.size(), hints);
    for (std::size_t i = 0; i < fa.columns.size(); ++i) {
        fa.columns[i].inference.Observe(i < cells.size() ? std::string_view(cells[i]) : std::string_view());
    }
    if (fa.sample.size() < kSampleRows) fa.sample.push_back(cells);
    ++fa.rows;
}

void NameColumns(FileAnalysis& fa, const std::vector<std::string>& header) {
    std::vector<std::string> raw(fa.columns.size());
    for (std::size_t i = 0; i < raw.size() && i < header.size(); ++i) raw[i] = header[i];
    auto names = types::NormalizeHeaders(raw);
    for (std::size_t i = 0; i < fa.columns.size(); ++i) {
        fa.columns[i].name = names[i];
        std::string display = Trim(raw[i]);
        fa.columns[i].display_name = display.empty() ? "Column " + std::to_string(i + 1) : display;
    }
}

/// Numbers such as "1.234" read either way; the delimiter's hint decided them while reading. A file writes all
/// its numbers one way, though, so a column that can only be read one way ("0,750", "3.14") decides the
/// ambiguous columns of the same file — unless the file has unambiguous columns of both kinds.
void SettleDecimalSeparators(FileAnalysis& fa) {
    bool point = false, comma = false;
    for (const auto& c : fa.columns) {
        auto inferred = c.inference.Result();
        if (inferred.type != types::ColumnType::kDecimal || c.inference.separator_ambiguous()) continue;
        (inferred.format.decimal_separator == types::DecimalSeparator::kComma ? comma : point) = true;
    }
    if (point == comma) return;
    for (auto& c : fa.columns) c.inference.PreferDecimalComma(comma);
}

Error WithFile(Error e, const std::string& file) {
    if (!e.location) e.location = ValueLocation{file, 0, "", ""};
    return e;
}

}  // namespace

Result<FileAnalysis> AnalyzeFile(const jobs::SourceFile& file, const std::atomic<bool>& stop) {
    MT_ASSIGN_OR_RETURN(auto opened, jobs::OpenSource(file));
    FileAnalysis fa;
    fa.display_name = file.display_name;
    fa.kind = file.kind;
    fa.dialect = opened.dialect;
    types::InferenceHints hints;
    hints.prefer_decimal_comma = opened.dialect && opened.dialect->delimiter == ';';

    std::vector<std::vector<std::string>> probe;
    std::vector<std::string> cells;
    bool at_end = false;
    while (probe.size() < kHeaderProbeRows) {
        MT_ASSIGN_OR_RETURN(bool more, opened.reader->Next(cells));
        if (!more) {
            at_end = true;
            break;
        }
        probe.push_back(cells);
    }
    const ingest::TableLayout layout = ingest::DetectLayout(probe);
    fa.title_rows = layout.title_rows;
    fa.has_header = layout.has_header;
    std::vector<std::string> header;
    for (std::size_t r = fa.title_rows; r < probe.size(); ++r) {
        if (r == fa.title_rows && fa.has_header) {
            header = probe[r];
            EnsureWidth(fa, header.size(), hints);
            continue;
        }
        ObserveRow(fa, probe[r], hints);
    }
    while (!at_end) {
        auto more = opened.reader->Next(cells);
        if (!more) return WithFile(std::move(more).error(), file.display_name);
        if (!*more) break;
        ObserveRow(fa, cells, hints);
        if ((fa.rows & 0xFFFF) == 0 && stop.load()) return Unavailable("worker stopping");
    }
    if (fa.columns.empty()) {
        return WithFile(Validation("file \"" + file.display_name + "\" has no data"), file.display_name);
    }
    NameColumns(fa, header);
    for (std::size_t i = 0; i < fa.columns.size(); ++i) {
        fa.columns[i].dropped =
            fa.columns[i].inference.non_null_count() == 0 && (i >= header.size() || types::IsNullToken(header[i]));
    }
    SettleDecimalSeparators(fa);
    return fa;
}

Result<UploadAnalysis> CombineFiles(const std::vector<FileAnalysis>& files, std::string_view suggested_source) {
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
    w.Key("sample_rows");
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
                } else {
                    auto i = static_cast<std::size_t>(pos - file_map[f].begin());
                    json::WriteString(w, i < row.size() ? std::string_view(row[i]) : std::string_view());
                }
            }
            w.EndObject();
        }
    }
    w.EndArray();
    w.Key("total_row_count_estimate");
    w.Int64(out.total_rows);
    w.EndObject();
    out.inferred_schema_json.assign(sb.GetString(), sb.GetSize());

    rapidjson::StringBuffer ab;
    json::Writer a(ab);
    a.StartObject();
    a.Key("files");
    a.StartArray();
    for (std::size_t f = 0; f < files.size(); ++f) {
        const auto& fa = files[f];
        a.StartObject();
        a.Key("display_name");
        json::WriteString(a, fa.display_name);
        a.Key("title_rows");
        a.Uint64(fa.title_rows);
        a.Key("has_header");
        a.Bool(fa.has_header);
        a.Key("rows");
        a.Int64(fa.rows);
        a.Key("columns");
        a.StartArray();
        for (std::size_t i = 0; i < fa.columns.size(); ++i) {
            auto inferred = fa.columns[i].inference.Result();
            a.StartObject();
            a.Key("merged");  // "" for a dropped column: no table column reads it
            json::WriteString(a, file_map[f][i] == kNoColumn ? std::string_view() : merged[file_map[f][i]].name);
            a.Key("decimal_separator");
            json::WriteString(a, types::Name(inferred.format.decimal_separator));
            a.Key("date_order");
            json::WriteString(a, types::Name(inferred.format.date_order));
            a.EndObject();
        }
        a.EndArray();
        a.EndObject();
    }
    a.EndArray();
    a.EndObject();
    out.analysis_json.assign(ab.GetString(), ab.GetSize());
    return out;
}

}  // namespace mt::analyzer
