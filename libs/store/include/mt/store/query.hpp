#pragma once
/// Reading rows by query (SPEC §8): POST /:id/query and GET /:id/data share QueryRows, which pages by offset or by
/// an opaque keyset cursor and counts exactly, by estimate, or not at all. Writing by filter: UpdateByFilter and
/// DeleteByFilter, each one statement. Filters, projections and sorts come from mt/store/filter.hpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "mt/core/json.hpp"
#include "mt/store/audit.hpp"
#include "mt/store/databases.hpp"
#include "mt/store/filter.hpp"
#include "mt/store/tables.hpp"

namespace mt::store {

enum class CountMode { kExact, kEstimated, kNone };

inline constexpr std::int64_t kDefaultQueryLimit = 100;
inline constexpr std::int64_t kMaxQueryLimit = 1000;
inline constexpr std::int64_t kMaxQueryOffset = 100'000'000;
inline constexpr std::size_t kMaxCursorBytes = 16'384;

/// One page request. `filter` points into a document the caller keeps alive (nullptr: every row).
struct QuerySpec {
    const rapidjson::Value* filter = nullptr;
    std::optional<Projection> projection;  // nullopt: id and every column
    std::vector<SortKey> sort;             // ties (and an empty sort) are broken by id ascending
    std::int64_t limit = kDefaultQueryLimit;
    std::int64_t offset = 0;
    std::string cursor;  // "" for the first page; never together with an offset
    CountMode count = CountMode::kExact;
};

/// A POST /:id/query body: `{filter, projection, sort, limit, offset, cursor, count}`, every key optional, others
/// refused. Errors are 400 QUERY_SYNTAX_ERROR naming the key. `spec.filter` points into `body`.
Result<QuerySpec> ParseQueryBody(const rapidjson::Value& body, const std::vector<types::Column>& columns);

/// Writes `{"total"?, "quantity", "records", "next_cursor"}`; `total` is absent with CountMode::kNone.
/// A cursor that is malformed, tampered with, or made for another sort → 400 QUERY_SYNTAX_ERROR (field "cursor").
/// `version` (when given) gets the table's version read in the same statement as the page (its ETag).
Status QueryRows(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table, const QuerySpec& spec,
                 json::Writer& out, std::int64_t* version = nullptr);

struct UpdateByFilterResult {
    std::int64_t matched = 0;
    std::int64_t modified = 0;               // rows whose values actually changed
    std::optional<std::string> upserted_id;  // the inserted row's id when `upsert` inserted one
};

/// PATCH /:id/data: `{filter, update: {$set, $inc, $unset}, upsert, limit, all}` in one statement. An empty
/// filter needs `all: true`. With `upsert` and no match, one row is inserted from the filter's top-level equality
/// fields, then $set values, then $inc values (as the field's value).
/// `condition` (If-Match) is checked in the statement's transaction (CheckVersion): 412 with nothing written.
Result<UpdateByFilterResult> UpdateByFilter(Databases& dbs, const ConnectionRecord& connection,
                                            const TableRecord& table, const rapidjson::Value& body,
                                            const AuditContext& who, const VersionCondition& condition = {});

/// DELETE /:id/data: `{filter, limit, all}` in one statement; returns the deleted count.
/// Both record their audit event (rows.updated_by_filter / rows.deleted_by_filter: the filter cut at 4 KiB, the
/// counts) in the company database, in the write's own transaction.
Result<std::int64_t> DeleteByFilter(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                                    const rapidjson::Value& body, const AuditContext& who,
                                    const VersionCondition& condition = {});

/// The opaque cursor: base64url of `{"v":1,"s":[[key,±1]…],"k":[values…]}` (the effective sort, id last, and the
/// last row's key values: PostgreSQL text, booleans as true/false, NULL as null). Exposed for tests.
std::string EncodeCursor(const std::vector<SortKey>& keys, const std::vector<pg::Param>& values,
                         const std::vector<types::Column>& columns);
/// Decodes a cursor made for `keys` into canonical key values (parsed by the type library like inserted values).
Result<std::vector<pg::Param>> DecodeCursor(std::string_view cursor, const std::vector<SortKey>& keys,
                                            const std::vector<types::Column>& columns);

}  // namespace mt::store
