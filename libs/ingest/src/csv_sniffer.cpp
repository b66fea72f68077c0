// Dialect detection: encoding over the whole file (encoding.cpp), then the delimiter over the first chunk.
//
// For each candidate delimiter the sample is split into rows and fields with the same quoting rule as the
// reader (a quote opens a quoted field only at the start of a field), and the candidate is scored by how
// consistent its field count is across rows, as DuckDB's dialect detection does. A delimiter that also occurs
// as decimal comma ("89,90") or inside text loses because it splits rows unevenly.
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <unordered_map>
#include <vector>

#include "encoding.hpp"
#include "mt/ingest/csv.hpp"

namespace mt::ingest {
namespace {

constexpr std::array<char, 4> kCandidates = {',', ';', '\t', '|'};  // and ' ', when none of them splits rows

struct Score {
    char delimiter = ',';
    bool skip_initial_space = false;
    std::size_t rows = 0;         // rows in the sample
    std::size_t consistent = 0;   // rows with the modal field count
    std::size_t fields = 1;       // the modal field count
    std::size_t occurrences = 0;  // delimiters outside quotes
};

// The reader's rule (csv_reader.cpp, ReadQuoted) for a quoted field still open at a line end at `i`: it is a stray
// quote unless a later lone quote closes it cleanly (a delimiter, a line end or the end of the sample after it).
// A quote never closed in the sample counts as stray only when the sample is the whole file — see `complete`.
bool StrayQuote(std::string_view sample, std::size_t i, char delimiter, char quote) {
    for (std::size_t j = i; j < sample.size(); ++j) {
        if (sample[j] != quote) continue;
        if (j + 1 < sample.size() && sample[j + 1] == quote) {
            ++j;
            continue;
        }
        if (j + 1 == sample.size()) return false;
        const char next = sample[j + 1];
        return next != delimiter && next != '\n' && next != '\r';
    }
    return true;
}

// Field count of every non-blank row of `sample` with `delimiter`. When the sample is only the beginning of
// the file, the last (possibly cut) row is dropped.
std::vector<std::size_t> FieldCounts(std::string_view sample, char delimiter, char quote, bool skip_space,
                                     bool complete, std::size_t& occurrences) {
    std::vector<std::size_t> counts;
    bool in_quotes = false;
    std::size_t quote_at = 0;  // where the open quoted field started
    bool checked = false;      // whether that field was already judged stray or not
    bool field_start = true;
    bool row_has_content = false;
    std::size_t fields = 1;
    for (std::size_t i = 0; i < sample.size(); ++i) {
        const char c = sample[i];
        if (in_quotes) {
            if (c == quote) {
                const bool doubled = i + 1 < sample.size() && sample[i + 1] == quote;
                if (doubled) ++i;  // a literal quote; the field stays open
                in_quotes = doubled;
            } else if ((c == '\n' || c == '\r') && !checked) {
                checked = true;  // decided at the first line end, as the reader's verdict depends on the close alone
                if (StrayQuote(sample, i, delimiter, quote)) {
                    in_quotes = false;  // as the reader does: the quote is literal; read on from just after it
                    i = quote_at;
                }
            }
            continue;
        }
        if (c == '\n' || c == '\r') {
            if (row_has_content) counts.push_back(fields);
            fields = 1;
            field_start = true;
            row_has_content = false;
            continue;
        }
        row_has_content = true;
        if (c == delimiter) {
            ++fields;
            ++occurrences;
            field_start = true;
        } else if (c == ' ' && field_start && skip_space) {
            // spaces before a field are skipped; the field has not started yet
        } else {
            in_quotes = field_start && c == quote;
            if (in_quotes) {
                quote_at = i;
                checked = false;
            }
            field_start = false;
        }
    }
    // A cut row is kept only when it is all there is (a header wider than the sample): better than nothing.
    if (row_has_content && !in_quotes && (complete || counts.empty())) counts.push_back(fields);
    return counts;
}

// True when nearly every `delimiter` in the sample is followed by a space ("a, b, c"): a comma+space file.
bool SpaceFollows(std::string_view sample, char delimiter) {
    std::size_t occurrences = 0, spaced = 0;
    for (std::size_t i = 0; i + 1 < sample.size(); ++i) {
        if (sample[i] != delimiter) continue;
        ++occurrences;
        if (sample[i + 1] == ' ') ++spaced;
    }
    return occurrences > 0 && spaced * 10 >= occurrences * 9;
}

Score ScoreDelimiter(std::string_view sample, char delimiter, char quote, bool complete) {
    Score score;
    score.delimiter = delimiter;
    score.skip_initial_space = delimiter == ' ' || SpaceFollows(sample, delimiter);
    const std::vector<std::size_t> counts =
        FieldCounts(sample, delimiter, quote, score.skip_initial_space, complete, score.occurrences);
    score.rows = counts.size();
    std::unordered_map<std::size_t, std::size_t> histogram;
    for (const std::size_t n : counts) {
        const std::size_t seen = ++histogram[n];
        // Mode; on equal frequency the wider count, so "a,b\n1,2" with one header-only row still reads wide.
        if (seen > score.consistent || (seen == score.consistent && n > score.fields)) {
            score.consistent = seen;
            score.fields = n;
        }
    }
    return score;
}

// True when `a` is a better delimiter than `b`. Both split rows (modal field count > 1).
bool Better(const Score& a, const Score& b) {
    // Consistency ratio compared exactly: a.consistent / a.rows vs b.consistent / b.rows.
    const std::size_t lhs = a.consistent * b.rows;
    const std::size_t rhs = b.consistent * a.rows;
    if (lhs != rhs) return lhs > rhs;
    if (a.fields != b.fields) return a.fields > b.fields;
    return a.occurrences > b.occurrences;
}

bool HasTsvExtension(std::string_view name) {
    if (name.size() < 4) return false;
    std::string ext(name.substr(name.size() - 4));
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".tsv";
}

// The space delimiter, for files no other candidate splits: only when it splits every row of the sample into the
// same number of fields and the sample holds a digit (so "Ana Silva" lines of a one-column list stay one column).
std::optional<Score> SpaceDelimiter(std::string_view sample, bool complete, char quote) {
    Score score = ScoreDelimiter(sample, ' ', quote, complete);
    if (score.fields < 2 || score.rows < 2 || score.consistent != score.rows) return std::nullopt;
    if (sample.find_first_of("0123456789") == std::string_view::npos) return std::nullopt;
    return score;
}

Score ChooseDelimiter(std::string_view sample, bool complete, char quote, std::string_view display_name) {
    std::vector<Score> usable;
    for (const char delimiter : kCandidates) {
        Score score = ScoreDelimiter(sample, delimiter, quote, complete);
        if (score.fields > 1) usable.push_back(score);
    }
    if (HasTsvExtension(display_name)) {
        for (const Score& score : usable) {
            if (score.delimiter == '\t') return score;
        }
    }
    if (usable.empty()) {
        if (auto space = SpaceDelimiter(sample, complete, quote)) return *space;
        Score single;  // a single column
        single.delimiter = HasTsvExtension(display_name) ? '\t' : ',';
        return single;
    }
    return *std::max_element(usable.begin(), usable.end(), [](const Score& a, const Score& b) { return Better(b, a); });
}

bool IsFieldStart(std::string_view sample, std::size_t i) {
    if (i == 0) return true;
    const char before = sample[i - 1];  // a space too: "a, 'b'" and space-delimited files
    return before == '\n' || before == '\r' || before == ' ' ||
           std::find(kCandidates.begin(), kCandidates.end(), before) != kCandidates.end();
}

// ' quotes the fields of some open-data exports ('a, b'). It is the quote only when no field of the sample starts
// with ", at least two fields are 'quoted' (a ' at the start of a field closed by a ' before a delimiter or the
// line end), and those are most of the fields that start with ' (so "'90s" or "'s-Hertogenbosch" do not count).
char ChooseQuote(std::string_view sample) {
    std::size_t double_quoted = 0, single_closed = 0, single_open = 0;
    for (std::size_t i = 0; i < sample.size(); ++i) {
        const char c = sample[i];
        if ((c != '"' && c != '\'') || !IsFieldStart(sample, i)) continue;
        if (c == '"') {
            ++double_quoted;
            continue;
        }
        std::size_t j = i + 1;
        while (j < sample.size() && sample[j] != '\'' && sample[j] != '\n' && sample[j] != '\r') ++j;
        const bool closes = j < sample.size() && sample[j] == '\'' &&
                            (j + 1 == sample.size() || sample[j + 1] == '\n' || sample[j + 1] == '\r' ||
                             std::find(kCandidates.begin(), kCandidates.end(), sample[j + 1]) != kCandidates.end() ||
                             sample[j + 1] == ' ');
        ++(closes ? single_closed : single_open);
        if (closes) i = j;
    }
    return double_quoted == 0 && single_closed >= 2 && single_closed > 2 * single_open ? '\'' : '"';
}

/// The delimiter named by an Excel "sep=X" first line, if the sample starts with one.
std::optional<char> SepLineDelimiter(std::string_view sample, char quote) {
    if (sample.size() < 5) return std::nullopt;
    for (std::size_t i = 0; i < 4; ++i) {
        if (std::tolower(static_cast<unsigned char>(sample[i])) != "sep="[i]) return std::nullopt;
    }
    const char delimiter = sample[4];
    if (delimiter == quote || delimiter == '\r' || delimiter == '\n' || delimiter == '\0') return std::nullopt;
    if (sample.size() > 5 && sample[5] != '\r' && sample[5] != '\n') return std::nullopt;
    return delimiter;
}

}  // namespace

Result<CsvDialect> SniffCsv(const std::string& path, std::string_view display_name) {
    MT_ASSIGN_OR_RETURN(detail::EncodingGuess guess, detail::DetectEncoding(path, display_name));
    CsvDialect dialect;
    dialect.encoding = guess.encoding;
    dialect.has_bom = guess.has_bom;

    MT_ASSIGN_OR_RETURN(detail::TextSource source,
                        detail::TextSource::Open(path, dialect.encoding, dialect.has_bom, display_name));
    MT_ASSIGN_OR_RETURN(std::string_view sample, source.Next());
    if (auto named = SepLineDelimiter(sample, dialect.quote)) {
        dialect.delimiter = *named;
        dialect.sep_line = true;
        return dialect;
    }
    const bool complete = source.bytes_read() >= guess.size;
    dialect.quote = ChooseQuote(sample);
    const Score chosen = ChooseDelimiter(sample, complete, dialect.quote, display_name);
    dialect.delimiter = chosen.delimiter;
    dialect.skip_initial_space = chosen.skip_initial_space;
    return dialect;
}

}  // namespace mt::ingest
