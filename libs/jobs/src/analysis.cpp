#include "mt/jobs/analysis.hpp"

#include <numeric>

#include "mt/core/json.hpp"

namespace mt::jobs {
namespace {

std::optional<ingest::Encoding> ParseEncoding(std::string_view text) {
    for (auto e : {ingest::Encoding::kUtf8, ingest::Encoding::kWindows1252, ingest::Encoding::kUtf8WithWindows1252,
                   ingest::Encoding::kUtf16Le, ingest::Encoding::kUtf16Be}) {
        if (ingest::Name(e) == text) return e;
    }
    return std::nullopt;
}

/// Reads members of one JSON object, collecting the first problem (a record we wrote ourselves: any problem is a
/// bug or a record from an incompatible version, reported as kInternal).
class Fields {
public:
    Fields(const rapidjson::Value& object, std::string_view what) : object_(object), what_(what) {}
    const rapidjson::Value* Get(std::string_view key) {
        const auto* v = object_.IsObject() ? json::Find(object_, key) : nullptr;
        if (!v && missing_.empty()) missing_ = std::string(key);
        return v;
    }
    std::string String(std::string_view key) {
        const auto* v = Get(key);
        return v && v->IsString() ? std::string(json::Text(*v)) : std::string();
    }
    std::int64_t Int(std::string_view key) {
        const auto* v = Get(key);
        return v && v->IsInt64() ? v->GetInt64() : 0;
    }
    std::uint64_t Uint(std::string_view key) {
        const auto* v = Get(key);
        return v && v->IsUint64() ? v->GetUint64() : 0;
    }
    bool Bool(std::string_view key) {
        const auto* v = Get(key);
        return v && v->IsBool() && v->GetBool();
    }
    Status Check() const {
        if (missing_.empty()) return Ok();
        return Internal(std::string(what_) + " record without \"" + missing_ + "\"");
    }

private:
    const rapidjson::Value& object_;
    std::string_view what_;
    std::string missing_;
};

Result<rapidjson::Document> ParseNumbers(std::string_view text) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError()) return Internal("stored job record is not valid JSON");
    return doc;
}

}  // namespace

std::int64_t AnalysisRecord::total_rows() const {
    return std::accumulate(files.begin(), files.end(), std::int64_t{0},
                           [](std::int64_t n, const FileReading& f) { return n + f.rows; });
}

std::int64_t FirstRowOfFile(const AnalysisRecord& record, std::size_t file) {
    std::int64_t first = 0;
    for (std::size_t i = 0; i < file && i < record.files.size(); ++i) first += record.files[i].rows;
    return first;
}

std::string AnalysisJson(const AnalysisRecord& record) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("files");
    w.StartArray();
    for (const auto& f : record.files) {
        w.StartObject();
        w.Key("display_name");
        json::WriteString(w, json::SanitizeUtf8(f.display_name));
        w.Key("blob_id");
        json::WriteString(w, f.blob_id);
        w.Key("staged");
        w.Bool(f.staged);
        w.Key("encoding");
        json::WriteString(w, ingest::Name(f.dialect.encoding));
        w.Key("has_bom");
        w.Bool(f.dialect.has_bom);
        w.Key("delimiter");
        json::WriteString(w, std::string_view(&f.dialect.delimiter, 1));
        w.Key("quote");
        json::WriteString(w, std::string_view(&f.dialect.quote, 1));
        w.Key("skip_initial_space");
        w.Bool(f.dialect.skip_initial_space);
        w.Key("end_offset");
        w.Uint64(f.end_offset);
        w.Key("rows");
        w.Int64(f.rows);
        w.Key("title_rows");
        w.Int64(f.title_rows);
        w.Key("has_header");
        w.Bool(f.has_header);
        w.Key("checkpoints");
        w.StartArray();
        for (const auto& c : f.checkpoints) {
            w.StartArray();
            w.Uint64(c.offset);
            w.Int64(c.row);
            w.Int64(c.line);
            w.EndArray();
        }
        w.EndArray();
        w.Key("columns");
        w.StartArray();
        for (const auto& c : f.columns) {
            w.StartObject();
            w.Key("merged");
            json::WriteString(w, c.merged);
            w.Key("decimal_separator");
            json::WriteString(w, types::Name(c.format.decimal_separator));
            w.Key("date_order");
            json::WriteString(w, types::Name(c.format.date_order));
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return {sb.GetString(), sb.GetSize()};
}

Result<AnalysisRecord> ParseAnalysis(std::string_view text) {
    MT_ASSIGN_OR_RETURN(auto doc, ParseNumbers(text));
    AnalysisRecord record;
    const auto* files = doc.IsObject() ? json::Find(doc, "files") : nullptr;
    if (!files || !files->IsArray()) return Internal("analysis record without files");
    for (const auto& f : files->GetArray()) {
        Fields in(f, "analysis file");
        FileReading file;
        file.display_name = in.String("display_name");
        file.blob_id = in.String("blob_id");
        file.staged = in.Bool("staged");
        auto encoding = ParseEncoding(in.String("encoding"));
        if (!encoding) return Internal("analysis record with an unknown encoding");
        file.dialect.encoding = *encoding;
        file.dialect.has_bom = in.Bool("has_bom");
        const std::string delimiter = in.String("delimiter");
        const std::string quote = in.String("quote");
        if (delimiter.size() != 1 || quote.size() != 1) return Internal("analysis record with a bad dialect");
        file.dialect.delimiter = delimiter[0];
        file.dialect.quote = quote[0];
        // Optional: records written before the key existed read as false, which is what they meant.
        const auto* skip = json::Find(f, "skip_initial_space");
        file.dialect.skip_initial_space = skip && skip->IsBool() && skip->GetBool();
        file.end_offset = in.Uint("end_offset");
        file.rows = in.Int("rows");
        file.title_rows = in.Int("title_rows");
        file.has_header = in.Bool("has_header");
        if (const auto* checkpoints = in.Get("checkpoints"); checkpoints && checkpoints->IsArray()) {
            for (const auto& c : checkpoints->GetArray()) {
                if (!c.IsArray() || c.Size() != 3 || !c[0].IsUint64() || !c[1].IsInt64() || !c[2].IsInt64())
                    return Internal("analysis record with a bad checkpoint");
                file.checkpoints.push_back({c[0].GetUint64(), c[1].GetInt64(), c[2].GetInt64()});
            }
        }
        if (const auto* columns = in.Get("columns"); columns && columns->IsArray()) {
            for (const auto& c : columns->GetArray()) {
                Fields col(c, "analysis column");
                ColumnReading reading;
                reading.merged = col.String("merged");
                reading.format.decimal_separator = types::ParseDecimalSeparator(col.String("decimal_separator"))
                                                       .value_or(types::DecimalSeparator::kPoint);
                reading.format.date_order =
                    types::ParseDateOrder(col.String("date_order")).value_or(types::DateOrder::kDayFirst);
                MT_TRY(col.Check());
                file.columns.push_back(std::move(reading));
            }
        }
        MT_TRY(in.Check());
        record.files.push_back(std::move(file));
    }
    return record;
}

std::int64_t PartSpec::rows() const {
    return std::accumulate(segments.begin(), segments.end(), std::int64_t{0},
                           [](std::int64_t n, const Segment& s) { return n + s.rows; });
}

std::string PartSpecJson(const PartSpec& spec) {
    rapidjson::StringBuffer sb;
    json::Writer w(sb);
    w.StartObject();
    w.Key("segments");
    w.StartArray();
    for (const auto& s : spec.segments) {
        w.StartObject();
        w.Key("file");
        w.Uint64(s.file);
        w.Key("begin");
        w.Uint64(s.begin);
        w.Key("end");
        w.Uint64(s.end);
        w.Key("first_row");
        w.Int64(s.first_row);
        w.Key("rows");
        w.Int64(s.rows);
        w.Key("line");
        w.Int64(s.line);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return {sb.GetString(), sb.GetSize()};
}

Result<PartSpec> ParsePartSpec(std::string_view text) {
    MT_ASSIGN_OR_RETURN(auto doc, ParseNumbers(text));
    const auto* segments = doc.IsObject() ? json::Find(doc, "segments") : nullptr;
    if (!segments || !segments->IsArray()) return Internal("part spec without segments");
    PartSpec spec;
    for (const auto& s : segments->GetArray()) {
        Fields in(s, "part segment");
        Segment seg;
        seg.file = static_cast<std::size_t>(in.Uint("file"));
        seg.begin = in.Uint("begin");
        seg.end = in.Uint("end");
        seg.first_row = in.Int("first_row");
        seg.rows = in.Int("rows");
        seg.line = in.Int("line");
        MT_TRY(in.Check());
        spec.segments.push_back(seg);
    }
    return spec;
}

std::vector<PartSpec> PlanParts(const AnalysisRecord& record, std::int64_t part_rows) {
    std::vector<PartSpec> parts;
    PartSpec current;
    std::int64_t current_rows = 0;
    auto close = [&] {
        if (current.segments.empty()) return;
        parts.push_back(std::move(current));
        current = {};
        current_rows = 0;
    };
    for (std::size_t f = 0; f < record.files.size(); ++f) {
        const FileReading& file = record.files[f];
        if (file.rows == 0 || file.checkpoints.empty()) continue;
        // Cut points: checkpoints where the part being built has reached part_rows.
        std::size_t start = 0;
        for (std::size_t c = 1; c <= file.checkpoints.size(); ++c) {
            const bool last = c == file.checkpoints.size();
            const std::int64_t row_at_c = last ? file.rows : file.checkpoints[c].row;
            const std::int64_t rows = row_at_c - file.checkpoints[start].row;
            if (!last && current_rows + rows < part_rows) continue;
            const Checkpoint& from = file.checkpoints[start];
            Segment seg{f, from.offset, last ? file.end_offset : file.checkpoints[c].offset, from.row, rows, from.line};
            if (rows > 0) {
                current.segments.push_back(seg);
                current_rows += rows;
            }
            if (current_rows >= part_rows) close();
            start = c;
        }
    }
    close();
    if (parts.empty()) parts.emplace_back();  // no rows at all: one empty part still creates the table
    return parts;
}

}  // namespace mt::jobs
