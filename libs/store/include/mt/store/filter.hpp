#pragma once
/// The query language of SPEC §8 compiled to SQL, in one place: Mongo-style filters, projections and sorts.
///
/// Used by POST /:id/query, GET /:id/data?filter=, and update/delete by filter alike. Nothing from a request is
/// spliced into SQL: a key is only ever matched against the table's column names (then quoted), and every value
/// is parsed by types::FromJson exactly like an inserted value and sent as a `$n::<PgType>` parameter appended to
/// the caller's parameter list (so a filter, a cursor predicate and update SETs share one list).
/// Errors are 400 QUERY_SYNTAX_ERROR with one detail naming the JSON path (`filter.$or[1].amount.$gte`).
/// Pure functions, thread-safe; no I/O.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "mt/core/result.hpp"
#include "mt/pg/connection.hpp"
#include "mt/types/column_type.hpp"

namespace mt::store {

/// The bounds every compiled filter respects; each one has a test that breaks it.
struct FilterLimits {
    std::size_t max_depth = 16;             // nested $and/$or/$nor/$not levels
    std::size_t max_nodes = 1'000;          // operators and field conditions in total
    std::size_t max_in_values = 1'000;      // elements of one $in/$nin list
    std::size_t max_regex_bytes = 1'000;    // one $regex pattern
    std::size_t max_params = 10'000;        // parameters one filter may add (libpq's hard limit is 65,535)
    std::size_t max_filter_bytes = 65'536;  // the filter's JSON text
};

/// A sort key: a column of the table or "id".
struct SortKey {
    std::string column;
    bool descending = false;
};

/// The columns a query returns; `columns` in metadata order.
struct Projection {
    bool include_id = true;
    std::vector<types::Column> columns;
};

/// Compile `filter` (a JSON object; `{}` matches every row) against `columns` (plus the row id `id`) into a
/// boolean SQL expression over unqualified column names. Values are appended to `params` and referenced as
/// `$n` with n counted from params.size() on entry. NULL semantics are Mongo's: `{col: null}` / `$eq: null`
/// match NULL, `$ne`/`$nin` also match NULL rows, `$not`/`$nor` match rows whose inner condition is false or
/// unknown (NULL). Range operators work on every type (booleans: false < true; text: the database collation).
/// `$regex` only applies to text columns.
Result<std::string> CompileFilter(const rapidjson::Value& filter, const std::vector<types::Column>& columns,
                                  pg::Params& params, const FilterLimits& limits = {});

/// True when `filter` is an object with no members (matches every row).
bool IsEmptyFilter(const rapidjson::Value& filter);

/// `{col: 1, …}` (include) or `{col: 0, …}` (exclude), 1/0 or true/false; not mixed except `id: 0`. `id` is
/// returned unless `id: 0`. Errors name `projection.<col>`.
Result<Projection> ParseProjection(const rapidjson::Value& projection, const std::vector<types::Column>& columns);

/// `{col: 1 | -1, …}` in key order (at most 16 keys, each once). Errors name `sort.<col>`.
Result<std::vector<SortKey>> ParseSortObject(const rapidjson::Value& sort, const std::vector<types::Column>& columns);

/// The equality fields at the top level of a filter (`{col: v}` and `{col: {$eq: v}}`), as canonical values
/// by column name ("id" included): the row an upsert inserts starts from them. Precondition: the filter compiled.
std::vector<std::pair<std::string, pg::Param>> TopLevelEqualities(const rapidjson::Value& filter,
                                                                  const std::vector<types::Column>& columns);

/// A request key as it appears in an error path: the user's text cut to 100 bytes on a character boundary.
std::string PathKey(std::string_view key);

}  // namespace mt::store
