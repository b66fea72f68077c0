#include "mt/store/rows.hpp"

#include <functional>

#include "mt/core/ids.hpp"
#include "mt/store/tables.hpp"
#include "mt/types/identifier.hpp"
#include "mt/types/value.hpp"
#include "row_copy.hpp"

namespace mt::store {
namespace {

constexpr std::size_t kMaxDetails = 100;

Error RowNotFound() { return NotFound("ROW_NOT_FOUND", "Linha não encontrada"); }

const types::Column* FindColumn(const TableRecord& table, std::string_view name) {
    for (const auto& c : table.columns)
        if (c.name == name) return &c;
    return nullptr;
}

/// "id", "col1", … in metadata order, quoted.
std::string SelectList(const TableRecord& table) {
    std::string out = "id";
    for (const auto& c : table.columns) out += ", " + types::QuoteIdentifier(c.name);
    return out;
}

void WriteRow(const TableRecord& table, const pg::Rows& rows, int r, json::Writer& w) {
    w.StartObject();
    w.Key("id");
    json::WriteString(w, rows.Get(r, 0));
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
        const auto& c = table.columns[i];
        json::WriteKey(w, c.name);
        int col = static_cast<int>(i) + 1;
        if (rows.IsNull(r, col))
            w.Null();
        else
            types::WriteJson(w, c.type, rows.Get(r, col));
    }
    w.EndObject();
}

/// Converts one row object to canonical values in column order; problems are appended to `details`.
std::vector<pg::Param> ConvertRow(const TableRecord& table, const rapidjson::Value& row, std::size_t index,
                                  bool partial, std::vector<FieldError>& details) {
    std::string prefix = partial ? "" : "rows[" + std::to_string(index) + "].";
    std::vector<pg::Param> values(table.columns.size());
    std::vector<bool> present(table.columns.size(), false);
    if (!row.IsObject()) {
        details.push_back({partial ? "body" : "rows[" + std::to_string(index) + "]", "must be an object"});
        return values;
    }
    for (const auto& m : row.GetObject()) {
        std::string_view key = json::Text(m.name);
        const types::Column* col = FindColumn(table, key);
        if (!col) {
            details.push_back(
                {prefix + std::string(key), key == "id" ? "id is generated and cannot be set" : "unknown column"});
            continue;
        }
        auto i = static_cast<std::size_t>(col - table.columns.data());
        present[i] = true;
        auto value = types::FromJson(col->type, m.value);
        if (!value) {
            details.push_back({prefix + col->name, value.error().message});
        } else if (!*value && !col->nullable) {
            details.push_back({prefix + col->name, "must not be null"});
        } else {
            values[i] = std::move(*value);
        }
    }
    if (!partial) {
        for (std::size_t i = 0; i < table.columns.size(); ++i)
            if (!present[i] && !table.columns[i].nullable)
                details.push_back({prefix + table.columns[i].name, "is required"});
    }
    return values;
}

/// Runs `write` on `conn`; with an If-Match, inside a transaction that first checks (and locks) the version.
Status Conditionally(pg::Connection& conn, const TableRecord& table, const VersionCondition& condition,
                     const std::function<Status()>& write) {
    if (condition.any) return write();
    return pg::InTransaction(conn, [&]() -> Status {
        MT_TRY(CheckVersion(conn, table, condition));
        return write();
    });
}

Error InvalidRows(std::vector<FieldError> details) {
    if (details.size() > kMaxDetails) details.resize(kMaxDetails);
    return Validation("Invalid rows", std::move(details));
}

}  // namespace

Result<std::vector<SortKey>> ParseSort(std::string_view sort_by, const TableRecord& table) {
    std::vector<SortKey> keys;
    while (!sort_by.empty()) {
        auto comma = sort_by.find(',');
        std::string_view item = sort_by.substr(0, comma);
        sort_by = comma == std::string_view::npos ? std::string_view() : sort_by.substr(comma + 1);
        SortKey key;
        if (!item.empty() && (item.front() == '-' || item.front() == '+')) {
            key.descending = item.front() == '-';
            item.remove_prefix(1);
        }
        if (item != "id" && !FindColumn(table, item)) {
            return BadRequest("Invalid sort_by: unknown column \"" + std::string(item.substr(0, 100)) + "\"");
        }
        key.column = item;
        keys.push_back(std::move(key));
    }
    return keys;
}

Result<std::string> RowsToCopyData(const TableRecord& table, const rapidjson::Value& rows) {
    if (!rows.IsArray() || rows.Empty()) return Validation("rows is required", {{"rows", "must be a non-empty array"}});
    if (rows.Size() > kMaxRowsPerInsert) {
        return Validation("Too many rows", {{"rows", "at most 10000 rows per request"}});
    }
    std::vector<FieldError> details;
    std::string copy_data;
    for (rapidjson::SizeType i = 0; i < rows.Size(); ++i) {
        auto values = ConvertRow(table, rows[i], i, false, details);
        if (!details.empty()) continue;  // keep validating to report every problem, but stop building data
        pg::AppendCopyField(copy_data, NewUuidV7());
        for (const auto& v : values) {
            copy_data.push_back('\t');
            pg::AppendCopyField(copy_data, v ? std::optional<std::string_view>(*v) : std::nullopt);
        }
        copy_data.push_back('\n');
    }
    if (!details.empty()) return InvalidRows(std::move(details));
    return copy_data;
}

std::string RowSelectList(const TableRecord& table) { return SelectList(table); }

Result<std::int64_t> InsertRows(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                                const rapidjson::Value& rows, const VersionCondition& condition) {
    MT_ASSIGN_OR_RETURN(auto copy_data, RowsToCopyData(table, rows));
    std::string copy = "COPY " + QualifiedName(table.physical_name) + " (" + SelectList(table) + ") FROM STDIN";
    MT_ASSIGN_OR_RETURN(auto conn, dbs.Company(connection));
    bool sent = false;
    std::int64_t inserted = 0;
    Status done = Conditionally(*conn, table, condition, [&]() -> Status {
        auto copied = conn->CopyIn(copy, [&](std::string& chunk) -> Result<bool> {
            if (!sent) chunk.swap(copy_data);
            sent = true;
            return false;
        });
        if (!copied) return MapDdlError(std::move(copied).error());
        inserted = *copied;
        return Ok();
    });
    if (!done) return std::move(done).error();
    return inserted;
}

Status UpdateRow(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                 const std::string& row_id, const rapidjson::Value& fields, json::Writer& out,
                 const VersionCondition& condition) {
    if (!IsUuid(row_id)) return RowNotFound();
    std::vector<FieldError> details;
    auto values = ConvertRow(table, fields, 0, true, details);
    if (!details.empty()) return Validation("Invalid row", std::move(details));
    std::string sets;
    pg::Params params{row_id};
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
        if (!fields.HasMember(table.columns[i].name.c_str())) continue;
        params.push_back(values[i]);
        sets += (sets.empty() ? "" : ", ") + types::QuoteIdentifier(table.columns[i].name) + " = $" +
                std::to_string(params.size()) + "::" + std::string(types::PgType(table.columns[i].type));
    }
    std::string table_name = QualifiedName(table.physical_name);
    std::string sql =
        sets.empty() ? "SELECT " + SelectList(table) + " FROM " + table_name + " WHERE id = $1::uuid"
                     : "UPDATE " + table_name + " SET " + sets + " WHERE id = $1::uuid RETURNING " + SelectList(table);
    MT_ASSIGN_OR_RETURN(auto conn, dbs.Company(connection));
    pg::Rows updated(nullptr);
    MT_TRY(Conditionally(*conn, table, condition, [&]() -> Status {
        auto rows = conn->Exec(sql, params);
        if (!rows) return MapDdlError(std::move(rows).error());
        if (rows->empty()) return RowNotFound();
        updated = std::move(*rows);
        return Ok();
    }));
    WriteRow(table, updated, 0, out);  // after COMMIT: only a row that was written is answered
    return Ok();
}

Status DeleteRow(Databases& dbs, const ConnectionRecord& connection, const TableRecord& table,
                 const std::string& row_id, const VersionCondition& condition) {
    if (!IsUuid(row_id)) return RowNotFound();
    MT_ASSIGN_OR_RETURN(auto conn, dbs.Company(connection));
    return Conditionally(*conn, table, condition, [&]() -> Status {
        MT_ASSIGN_OR_RETURN(
            auto rows,
            conn->Exec("DELETE FROM " + QualifiedName(table.physical_name) + " WHERE id = $1::uuid", {row_id}));
        if (rows.affected() == 0) return RowNotFound();
        return Ok();
    });
}

}  // namespace mt::store
