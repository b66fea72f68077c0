// Fuzz target: the query compiler of SPEC §8 (libs/store: CompileFilter, ParseProjection, ParseSortObject,
// DecodeCursor) over a fixed set of columns of every type, as POST /:id/query reads the parts of a body.
//
// Properties: a compiled filter is SQL made only of our own words, the quoted names of the fixed columns and `$n`
// placeholders numbered within the parameters it appended (so nothing of the input reaches the SQL text), with
// balanced parentheses and within every bound; a refusal is a QUERY_SYNTAX_ERROR naming one path under `filter`
// and leaves the caller's parameters as they were. Projections and sorts name only known columns; a cursor
// decodes to one value per sort key or is refused.
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mt/core/json.hpp"
#include "mt/store/filter.hpp"
#include "mt/store/query.hpp"
#include "mt/types/identifier.hpp"

namespace {

using mt::types::ColumnType;

const std::vector<mt::types::Column> kColumns = {
    {"name", "Name", ColumnType::kText, true},        {"qty", "Qty", ColumnType::kInteger, true},
    {"amount", "Amount", ColumnType::kDecimal, true}, {"ok", "Ok", ColumnType::kBoolean, true},
    {"day", "Day", ColumnType::kDate, false},         {"at", "At", ColumnType::kDatetime, true},
    {"select", "Reserved", ColumnType::kText, true},
};

bool Known(std::string_view name) {
    if (name == "id") return true;
    for (const auto& c : kColumns)
        if (c.name == name) return true;
    return false;
}

/// `sql` with every quoted identifier checked against the columns and every `$n` against the parameter count;
/// what is left may hold only the letters, digits and punctuation our own SQL uses.
void CheckSql(std::string_view sql, std::size_t first_param, std::size_t params) {
    int depth = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        char c = sql[i];
        if (c == '"') {
            std::size_t end = sql.find('"', i + 1);
            MT_FUZZ_CHECK(end != std::string_view::npos);
            MT_FUZZ_CHECK(Known(sql.substr(i + 1, end - i - 1)));
            i = end;
        } else if (c == '$') {
            std::size_t n = 0, j = i + 1;
            for (; j < sql.size() && sql[j] >= '0' && sql[j] <= '9'; ++j)
                n = n * 10 + static_cast<std::size_t>(sql[j] - '0');
            MT_FUZZ_CHECK(j > i + 1);
            MT_FUZZ_CHECK(n > first_param && n <= params);
            i = j - 1;
        } else if (c == '(') {
            ++depth;
        } else if (c == ')') {
            MT_FUZZ_CHECK(--depth >= 0);
        } else {
            const bool word = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            MT_FUZZ_CHECK(word || std::string_view(" ,:=<>~*").find(c) != std::string_view::npos);
        }
    }
    MT_FUZZ_CHECK(depth == 0);
}

void CheckRefusal(const mt::Error& e, std::string_view root) {
    MT_FUZZ_CHECK(e.code == "QUERY_SYNTAX_ERROR");
    MT_FUZZ_CHECK(e.kind == mt::ErrorKind::kBadRequest);
    MT_FUZZ_CHECK(e.details.size() == 1);
    MT_FUZZ_CHECK(e.details[0].field.rfind(root, 0) == 0);
    MT_FUZZ_CHECK(e.details[0].field.size() < 4096);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<mt::store::SortKey> keys = {{"qty", true}, {"day", false}, {"id", false}};
    (void)mt::store::DecodeCursor(input, keys, kColumns);  // any text as a cursor: refused or decoded, no crash

    auto doc = mt::json::ParseJson(input);
    if (!doc) return 0;
    mt::pg::Params params = {std::string("caller's")};
    auto sql = mt::store::CompileFilter(*doc, kColumns, params);
    if (sql) {
        MT_FUZZ_CHECK(params.size() - 1 <= mt::store::FilterLimits{}.max_params);
        CheckSql(*sql, 1, params.size());
    } else {
        CheckRefusal(sql.error(), "filter");
        MT_FUZZ_CHECK(params.size() == 1);
    }
    // A whole query body: its filter member compiled the same way.
    if (const rapidjson::Value* inner = doc->IsObject() ? mt::json::Find(*doc, "filter") : nullptr) {
        mt::pg::Params inner_params;
        if (auto inner_sql = mt::store::CompileFilter(*inner, kColumns, inner_params)) {
            CheckSql(*inner_sql, 0, inner_params.size());
        } else {
            CheckRefusal(inner_sql.error(), "filter");
        }
    }
    if (auto projection = mt::store::ParseProjection(*doc, kColumns)) {
        for (const auto& c : projection->columns) MT_FUZZ_CHECK(Known(c.name));
    } else {
        CheckRefusal(projection.error(), "projection");
    }
    if (auto sort = mt::store::ParseSortObject(*doc, kColumns)) {
        MT_FUZZ_CHECK(sort->size() <= 16);
        for (const auto& k : *sort) MT_FUZZ_CHECK(Known(k.column));
    } else {
        CheckRefusal(sort.error(), "sort");
    }
    return 0;
}
