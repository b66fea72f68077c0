// POST /:id/data with on_conflict (SPEC §8): rows are COPYed into a temporary table, checked for repeated keys,
// then merged into the managed table by one INSERT … SELECT … ON CONFLICT, all in one company transaction.
#include <algorithm>

#include "mt/store/rows.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"
#include "mt/types/value.hpp"
#include "row_copy.hpp"

namespace mt::store {
namespace {

constexpr std::size_t kMaxReportedKeys = 5;
constexpr std::size_t kMaxKeyText = 100;
// The request's rows, for the length of the transaction (ON COMMIT DROP; a rollback drops it too).
constexpr std::string_view kStaging = "pg_temp.mt_upsert_rows";

Error ConflictError(std::string message, std::string field_message) {
    return Validation(std::move(message), {{"on_conflict", std::move(field_message)}});
}

Error NoUniqueIndex() {
    return ConflictError("on_conflict must be the columns of a unique index",
                         "no unique index of the table has exactly these columns");
}

const types::Column* FindColumn(const TableRecord& table, std::string_view name) {
    for (const auto& c : table.columns)
        if (c.name == name) return &c;
    return nullptr;
}

std::string QuotedList(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + types::QuoteIdentifier(n);
    return out;
}

/// The columns an update sets: every non-key column that some row names (others keep their values).
std::vector<std::string> ColumnsToUpdate(const TableRecord& table, const rapidjson::Value& rows,
                                         const std::vector<std::string>& keys) {
    std::vector<std::string> out;
    for (const auto& c : table.columns) {
        if (std::find(keys.begin(), keys.end(), c.name) != keys.end()) continue;
        for (const auto& row : rows.GetArray()) {
            if (row.HasMember(c.name.c_str())) {
                out.push_back(c.name);
                break;
            }
        }
    }
    return out;
}

/// 422 naming up to five keys that more than one row of the request carries (keys with a NULL never conflict).
Status CheckRepeatedKeys(pg::Connection& conn, const std::vector<std::string>& keys) {
    MT_ASSIGN_OR_RETURN(auto repeated, RepeatedKeys(conn, std::string(kStaging), keys));
    if (repeated.empty()) return Ok();
    std::vector<FieldError> details;
    for (const auto& key : repeated)
        details.push_back({"on_conflict", "key (" + key + ") appears in more than one row"});
    return Validation("Two rows of the request have the same on_conflict key", std::move(details));
}

/// The company database's errors that this statement can meet, in our words; the rest as MapDdlError.
Error MapUpsertError(Error error) {
    Error mapped;
    if (error.code == "42P10") {  // the index went away between the check and the statement
        mapped = NoUniqueIndex();
    } else if (error.code == "21000") {  // a repeated key our check did not see as equal (should not happen)
        mapped = ConflictError("Two rows of the request have the same on_conflict key",
                               "a key appears in more than one row");
    } else if (error.code == "23505") {
        mapped = Validation("A row duplicates the key of another unique index of the table",
                            {{"rows", "a value repeats the key of a unique index other than on_conflict's"}});
    } else {
        return MapDdlError(std::move(error));
    }
    mapped.internal = "SQLSTATE " + error.code + ": " + error.message;
    return mapped;
}

}  // namespace

/// True when a valid, non-partial unique index of `qualified` has exactly `columns` (plain columns, any order).
Result<bool> HasUniqueIndexOn(pg::Connection& conn, const std::string& qualified,
                              const std::vector<std::string>& columns) {
    pg::Params params{qualified, std::to_string(columns.size())};
    std::string wanted;
    for (const auto& c : columns) {
        params.push_back(c);
        wanted += (wanted.empty() ? "$" : ", $") + std::to_string(params.size()) + "::text";
    }
    // indexprs/indpred NULL: no expression or partial index (ON CONFLICT (cols) would not infer those);
    // indnatts = indnkeyatts: no INCLUDE columns; indisvalid: not an index still being built or a failed build.
    MT_ASSIGN_OR_RETURN(
        auto rows,
        conn.Exec("SELECT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = $1::regclass AND i.indisunique "
                  "AND i.indisvalid AND i.indisready AND i.indislive AND i.indpred IS NULL AND i.indexprs IS NULL "
                  "AND i.indnatts = i.indnkeyatts AND i.indnkeyatts = $2::int "
                  "AND (SELECT array_agg(a.attname::text ORDER BY a.attname::text) FROM pg_attribute a "
                  "WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])) = "
                  "(SELECT array_agg(k ORDER BY k) FROM unnest(ARRAY[" +
                      wanted + "]) k))",
                  params));
    return rows.Get(0, 0) == "t";
}

Result<std::vector<std::string>> RepeatedKeys(pg::Connection& conn, const std::string& source,
                                              const std::vector<std::string>& keys) {
    std::string texts;
    std::string not_null;
    for (const auto& k : keys) {
        texts += (texts.empty() ? "" : ", ") + types::QuoteIdentifier(k) + "::text";
        not_null += (not_null.empty() ? "" : " AND ") + types::QuoteIdentifier(k) + " IS NOT NULL";
    }
    MT_ASSIGN_OR_RETURN(auto rows,
                        conn.Exec("SELECT " + texts + " FROM " + source + " WHERE " + not_null + " GROUP BY " +
                                  QuotedList(keys) + " HAVING count(*) > 1 LIMIT " + std::to_string(kMaxReportedKeys)));
    std::vector<std::string> out;
    for (int r = 0; r < rows.size(); ++r) {
        std::string key;
        for (int c = 0; c < rows.columns(); ++c) {
            // Quoted cuts at a character boundary: a value cut mid-character would not be valid UTF-8.
            key += (c ? ", " : "") + keys[static_cast<std::size_t>(c)] + " = " + Quoted(rows.Get(r, c), kMaxKeyText);
        }
        out.push_back(key);
    }
    return out;
}

std::string MergeSql(const std::string& target, const std::string& source, const std::string& column_list,
                     const OnConflict& on_conflict, const std::vector<std::string>& updated_columns) {
    std::string sql = "WITH w AS (INSERT INTO " + target + " AS t (" + column_list + ") SELECT " + column_list +
                      " FROM " + source + " ORDER BY id ON CONFLICT (" + QuotedList(on_conflict.columns) + ") ";
    if (on_conflict.action == ConflictAction::kIgnore) {
        sql += "DO NOTHING RETURNING true AS ins";
    } else {
        // Nothing else to set: rewrite a key column with itself so that the matched row still counts as updated.
        const auto& set =
            updated_columns.empty() ? std::vector<std::string>{on_conflict.columns.front()} : updated_columns;
        std::string sets;
        for (const auto& c : set) {
            sets += (sets.empty() ? "" : ", ") + types::QuoteIdentifier(c) + " = EXCLUDED." + types::QuoteIdentifier(c);
        }
        // xmax is 0 on a freshly inserted tuple and the updating transaction's id on an updated one.
        sql += "DO UPDATE SET " + sets + " RETURNING (t.xmax = 0) AS ins";
    }
    return sql + ") SELECT count(*) FILTER (WHERE ins), count(*) FILTER (WHERE NOT ins) FROM w";
}

Status CheckConflictKey(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                        const std::vector<std::string>& columns, const std::string& field) {
    MT_ASSIGN_OR_RETURN(auto conn, dbs.Company(connection));
    MT_ASSIGN_OR_RETURN(bool indexed, HasUniqueIndexOn(*conn, QualifiedName(table.physical_name), columns));
    if (indexed) return Ok();
    return Validation(field + " must be the columns of a unique index",
                      {{field, "no unique index of the table has exactly these columns"}});
}

Result<std::optional<OnConflict>> ParseOnConflict(const rapidjson::Value& body, const TableRecord& table) {
    const rapidjson::Value* columns = json::Find(body, "on_conflict");
    const rapidjson::Value* action = json::Find(body, "on_conflict_action");
    if (!columns && !action) return std::optional<OnConflict>();
    if (!columns) {
        return Validation("on_conflict_action needs on_conflict",
                          {{"on_conflict", "is required with on_conflict_action"}});
    }
    OnConflict out;
    if (action) {
        std::string_view a = action->IsString() ? json::Text(*action) : std::string_view();
        if (a == "ignore") {
            out.action = ConflictAction::kIgnore;
        } else if (a != "update") {
            return Validation("Invalid on_conflict_action",
                              {{"on_conflict_action", "must be \"update\" or \"ignore\""}});
        }
    }
    if (!columns->IsArray() || columns->Empty()) {
        return ConflictError("Invalid on_conflict", "must be a non-empty array of column names");
    }
    if (columns->Size() > kMaxConflictColumns) {
        return ConflictError("Invalid on_conflict", "at most 32 columns");
    }
    for (rapidjson::SizeType i = 0; i < columns->Size(); ++i) {
        const auto& c = (*columns)[i];
        std::string field = "on_conflict[" + std::to_string(i) + "]";
        if (!c.IsString()) return Validation("Invalid on_conflict", {{field, "must be a column name"}});
        std::string_view name = json::Text(c);
        if (name == "id") return Validation("Invalid on_conflict", {{field, "id is generated: rows never carry it"}});
        if (!FindColumn(table, name)) return Validation("Invalid on_conflict", {{field, "unknown column"}});
        if (std::find(out.columns.begin(), out.columns.end(), name) != out.columns.end()) {
            return Validation("Invalid on_conflict", {{field, "column listed twice"}});
        }
        out.columns.emplace_back(name);
    }
    return std::optional<OnConflict>(std::move(out));
}

Result<UpsertCounts> UpsertRows(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                                const rapidjson::Value& rows, const OnConflict& on_conflict,
                                const VersionCondition& condition) {
    MT_ASSIGN_OR_RETURN(auto copy_data, RowsToCopyData(table, rows));
    std::string qualified = QualifiedName(table.physical_name);
    std::string staging = "CREATE TEMP TABLE mt_upsert_rows (id uuid";
    for (const auto& c : table.columns) {
        staging += ", " + types::QuoteIdentifier(c.name) + " " + std::string(types::PgType(c.type));
    }
    staging += ") ON COMMIT DROP";
    std::string merge = MergeSql(qualified, std::string(kStaging), RowSelectList(table), on_conflict,
                                 ColumnsToUpdate(table, rows, on_conflict.columns));

    MT_ASSIGN_OR_RETURN(auto conn, dbs.Company(connection));
    UpsertCounts counts;
    Status done = pg::InTransaction(*conn, [&]() -> Status {
        if (!condition.any) MT_TRY(CheckVersion(*conn, table, condition));  // If-Match, under the counter row's lock
        MT_ASSIGN_OR_RETURN(bool indexed, HasUniqueIndexOn(*conn, qualified, on_conflict.columns));
        if (!indexed) return NoUniqueIndex();
        MT_TRY(conn->Run(staging));
        bool sent = false;
        MT_TRY(conn->CopyIn("COPY " + std::string(kStaging) + " (" + RowSelectList(table) + ") FROM STDIN",
                            [&](std::string& chunk) -> Result<bool> {
                                if (!sent) chunk.swap(copy_data);
                                sent = true;
                                return false;
                            }));
        MT_TRY(CheckRepeatedKeys(*conn, on_conflict.columns));
        MT_ASSIGN_OR_RETURN(auto result, conn->Exec(merge));
        counts.inserted = std::stoll(std::string(result.Get(0, 0)));
        counts.updated = std::stoll(std::string(result.Get(0, 1)));
        return Ok();
    });
    if (!done) {
        const ErrorKind kind = done.error().kind;
        if (kind == ErrorKind::kValidation || kind == ErrorKind::kPrecondition) return std::move(done).error();
        return MapUpsertError(std::move(done).error());
    }
    return counts;
}

}  // namespace mt::store
