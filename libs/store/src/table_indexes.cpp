// Indexes of managed tables (SPEC §8): validation, physical names, builds without blocking writes (CREATE INDEX
// CONCURRENTLY) under an intent, and the metadata taken from what pg_index holds.
#include <cstdio>
#include <set>

#include "mt/core/log.hpp"
#include "mt/store/provisioning.hpp"
#include "mt/types/identifier.hpp"
#include "table_change.hpp"

namespace mt::store {
namespace {

std::string IndexField(std::size_t i) { return "indexes[" + std::to_string(i) + "]"; }

bool SameDefinition(const IndexSpec& a, const IndexSpec& b) {
    return a.name == b.name && a.columns == b.columns && a.unique == b.unique;
}

/// `("a", "b")` quoted, for DDL.
std::string ColumnTuple(const IndexSpec& spec) {
    std::string out;
    for (const auto& c : spec.columns) out += (out.empty() ? "" : ", ") + types::QuoteIdentifier(c);
    return "(" + out + ")";
}

std::string CreateIndexSql(const std::string& table_id, const std::string& qualified_table, const IndexSpec& spec,
                           bool concurrently) {
    return std::string("CREATE ") + (spec.unique ? "UNIQUE " : "") + "INDEX " + (concurrently ? "CONCURRENTLY " : "") +
           types::QuoteIdentifier(PhysicalIndexName(table_id, spec)) + " ON " + qualified_table + " " +
           ColumnTuple(spec);
}

/// Up to 5 keys that occur more than once among rows without NULLs in the index's columns, as 422 details.
Result<std::vector<FieldError>> DuplicateKeys(pg::Connection& company, const std::string& qualified_table,
                                              const IndexSpec& spec, const std::string& field) {
    std::string cols, not_null;
    for (const auto& c : spec.columns) {
        cols += (cols.empty() ? "" : ", ") + types::QuoteIdentifier(c);
        not_null += (not_null.empty() ? "" : " AND ") + types::QuoteIdentifier(c) + " IS NOT NULL";
    }
    MT_ASSIGN_OR_RETURN(auto rows, company.Exec("SELECT ROW(" + cols + ")::text, count(*) FROM " + qualified_table +
                                                " WHERE " + not_null + " GROUP BY " + cols +
                                                " HAVING count(*) > 1 ORDER BY count(*) DESC LIMIT 5"));
    std::vector<FieldError> out;
    std::string names;
    for (const auto& c : spec.columns) names += (names.empty() ? "" : ", ") + c;
    for (int r = 0; r < rows.size(); ++r) {
        out.push_back({field, "duplicate key (" + names + ")=" + Quoted(rows.Get(r, 0), 200) + " in " +
                                  std::string(rows.Get(r, 1)) + " rows"});
    }
    return out;
}

}  // namespace

std::string PhysicalIndexName(const std::string& table_id, const IndexSpec& spec) {
    // FNV-1a over the definition: a changed definition under the same name gets a new physical index, so the new
    // one is built before the old one is dropped.
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](std::string_view s) {
        for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
        h = (h ^ 0xFF) * 1099511628211ull;
    };
    mix(spec.name);
    for (const auto& c : spec.columns) mix(c);
    mix(spec.unique ? "u" : "n");
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(h ^ (h >> 32)));
    // mtix_ + 24-hex table id (unique per table, kept across renames) + up to 16 bytes of the name + hash: <= 55.
    return "mtix_" + table_id + "_" + spec.name.substr(0, 16) + "_" + hex;
}

Status ValidateIndexes(const std::vector<IndexSpec>& indexes, const std::vector<types::Column>& columns) {
    std::vector<FieldError> details;
    if (indexes.size() > kMaxIndexesPerTable) {
        details.push_back({"indexes", "at most " + std::to_string(kMaxIndexesPerTable) + " indexes per table"});
    }
    std::set<std::string> names, known{"id"};
    for (const auto& c : columns) known.insert(c.name);
    for (std::size_t i = 0; i < indexes.size() && i < kMaxIndexesPerTable; ++i) {
        const IndexSpec& ix = indexes[i];
        const std::string at = IndexField(i);
        auto name_ok = types::ValidateIdentifier(ix.name, at + ".name");
        if (!name_ok) {
            for (auto& d : name_ok.error().details) details.push_back(d);
        } else if (!names.insert(ix.name).second) {
            details.push_back({at + ".name", "duplicate index name \"" + ix.name + "\""});
        }
        if (ix.columns.empty() || ix.columns.size() > kMaxColumnsPerIndex) {
            details.push_back({at + ".columns", "must list 1 to " + std::to_string(kMaxColumnsPerIndex) + " columns"});
            continue;
        }
        std::set<std::string> seen;
        for (std::size_t c = 0; c < ix.columns.size(); ++c) {
            const std::string& col = ix.columns[c];
            const std::string cat = at + ".columns[" + std::to_string(c) + "]";
            if (!known.count(col)) {
                details.push_back({cat, "unknown column " + Quoted(col)});
            } else if (!seen.insert(col).second) {
                details.push_back({cat, "column \"" + col + "\" appears twice"});
            }
        }
    }
    if (!details.empty()) return Validation("Invalid indexes", std::move(details));
    return Ok();
}

Status CheckIndexedColumnsKept(const std::vector<IndexSpec>& indexes, const std::vector<types::Column>& columns) {
    std::set<std::string> kept{"id"};
    for (const auto& c : columns) kept.insert(c.name);
    std::vector<FieldError> details;
    for (const auto& ix : indexes) {
        for (const auto& col : ix.columns) {
            if (kept.count(col)) continue;
            details.push_back({"columns", "column \"" + col + "\" is used by index \"" + ix.name +
                                              "\": leave the index out of `indexes` in the same request to drop it"});
        }
    }
    if (!details.empty()) return Validation("A column to drop is indexed", std::move(details));
    return Ok();
}

Status CreateIndexes(pg::Connection& company, const std::string& table_id, const std::string& qualified_table,
                     const std::vector<IndexSpec>& indexes) {
    for (std::size_t i = 0; i < indexes.size(); ++i) {
        auto built = company.Run(CreateIndexSql(table_id, qualified_table, indexes[i], false));
        if (built) continue;
        Error e = MapDdlError(std::move(built).error());
        if (e.code == "VALIDATION_ERROR" && e.details.empty()) e.details.push_back({IndexField(i), e.message});
        return e;
    }
    return Ok();
}

Result<std::vector<IndexSpec>> IndexesInPlace(pg::Connection& company, const std::string& table_id,
                                              const std::string& qualified_table,
                                              const std::vector<IndexSpec>& candidates) {
    MT_ASSIGN_OR_RETURN(auto rows, company.Exec("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = "
                                                "i.indexrelid WHERE i.indrelid = to_regclass($1) AND i.indisvalid",
                                                {qualified_table}));
    std::set<std::string> valid;
    for (int r = 0; r < rows.size(); ++r) valid.insert(std::string(rows.Get(r, 0)));
    std::vector<IndexSpec> out;
    std::set<std::string> names;
    for (const auto& spec : candidates) {
        if (valid.count(PhysicalIndexName(table_id, spec)) && names.insert(spec.name).second) out.push_back(spec);
    }
    return out;
}

Status DropInvalidIndexes(pg::Connection& company, const std::string& table_id, const std::string& qualified_table) {
    MT_ASSIGN_OR_RETURN(auto rows, company.Exec("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = "
                                                "i.indexrelid WHERE i.indrelid = to_regclass($1) AND NOT i.indisvalid "
                                                "AND starts_with(c.relname, $2)",
                                                {qualified_table, "mtix_" + table_id + "_"}));
    for (int r = 0; r < rows.size(); ++r) {
        MT_TRY(company.Run("DROP INDEX IF EXISTS public." + types::QuoteIdentifier(rows.Get(r, 0))));
    }
    return Ok();
}

namespace {

/// The builds and drops of one change, on a dedicated session (CONCURRENTLY runs outside transactions) holding the
/// change's advisory lock: new indexes first (a failure drops what this change built, invalid leftovers included,
/// so nothing is half-done), then the indexes no longer wanted.
Status BuildAndDrop(pg::Connection& company, const Intent& intent) {
    const std::string table = QualifiedName(intent.physical_before);
    std::vector<std::string> built;
    auto undo = [&]() {
        for (const auto& name : built) {
            (void)company.Run("DROP INDEX CONCURRENTLY IF EXISTS public." + types::QuoteIdentifier(name));
        }
    };
    for (std::size_t i = 0; i < intent.indexes_after.size(); ++i) {
        const IndexSpec& spec = intent.indexes_after[i];
        bool existing = false;
        for (const auto& old : intent.indexes_before) existing = existing || SameDefinition(old, spec);
        if (existing) continue;
        const std::string name = PhysicalIndexName(intent.table_id, spec);
        built.push_back(name);  // also when the build fails: it leaves an INVALID index behind
        auto ran = company.Run(CreateIndexSql(intent.table_id, table, spec, true));
        if (ran) continue;
        Error e = std::move(ran).error();
        undo();
        if (e.code == "23505") {
            auto keys = DuplicateKeys(company, table, spec, IndexField(i));
            Error dup = Validation("The unique index " + Quoted(spec.name) +
                                   " cannot be built: the table has "
                                   "duplicate keys");
            if (keys) dup.details = std::move(*keys);
            if (dup.details.empty()) dup.details.push_back({IndexField(i), "duplicate keys were written meanwhile"});
            dup.internal = "SQLSTATE 23505: " + e.message;
            return dup;
        }
        return MapDdlError(std::move(e));
    }
    for (const auto& old : intent.indexes_before) {
        bool kept = false;
        for (const auto& spec : intent.indexes_after) kept = kept || SameDefinition(old, spec);
        if (kept) continue;
        MT_TRY(company.Run("DROP INDEX CONCURRENTLY IF EXISTS public." +
                           types::QuoteIdentifier(PhysicalIndexName(intent.table_id, old))));
    }
    return Ok();
}

}  // namespace

Status ChangeIndexes(Databases& dbs, const ConnectionRecord& connection, const std::string& company_id,
                     const std::string& table_id, const std::vector<IndexSpec>& indexes,
                     const VersionCondition& condition, const AuditContext& who) {
    MT_ASSIGN_OR_RETURN(auto control, dbs.control().Acquire());
    bool unchanged = false;
    auto plan = [&](const TableRecord& current, Intent& intent, pg::Connection&) -> Status {
        MT_TRY(ValidateIndexes(indexes, current.columns));
        intent.indexes_after = indexes;
        unchanged = intent.indexes_before.size() == indexes.size();
        for (std::size_t i = 0; unchanged && i < indexes.size(); ++i) {
            unchanged = SameDefinition(intent.indexes_before[i], indexes[i]);
        }
        // Recorded when the reconciliation finds pg_index changed (a failed build is undone: no event).
        intent.audit = AuditEvent{company_id,
                                  "table.updated",
                                  who.actor,
                                  "table",
                                  table_id,
                                  who.request_id,
                                  AuditDetails({{"fields", "[\"indexes\"]"}})};
        return Ok();
    };
    MT_ASSIGN_OR_RETURN(auto intent, BeginChange(dbs, *control, company_id, table_id, "indexes", plan));
    MT_ASSIGN_OR_RETURN(std::string url, dbs.CompanyUrl(connection));
    MT_ASSIGN_OR_RETURN(auto company, pg::Connection::Open(url, dbs.session()));
    dbs.ForgetTable(table_id);
    // A session lock: the reconciler leaves the change alone while this session lives (it dies with a crash).
    MT_TRY(company.Exec("SELECT pg_advisory_lock(" + std::string(kChangeLockClass) + ", hashtext($1))", {table_id}));
    TableRecord locked;
    locked.id = table_id;
    locked.physical_name = intent.physical_before;
    const std::string table = QualifiedName(intent.physical_before);
    auto bump = [&]() { return RaiseVersion(company, table); };
    // If-Match is checked and the version raised in one transaction before the build (a concurrent writer with
    // the same ETag then gets 412), and raised again once the indexes are in place.
    Status ran = pg::InTransaction(company, [&]() -> Status {
        MT_TRY(CheckVersion(company, locked, condition));
        if (!unchanged) MT_TRY(bump());
        return Ok();
    });
    if (ran && !unchanged) {
        ran = BuildAndDrop(company, intent);
        if (ran) {
            auto bumped = bump();
            if (!bumped) ran = std::move(bumped).error();
        }
    }
    // The metadata follows pg_index, whatever happened above.
    auto resolved = ReconcileIntent(*control, company, table_id, dbs.settings().ddl_lock_timeout);
    (void)company.Exec("SELECT pg_advisory_unlock(" + std::string(kChangeLockClass) + ", hashtext($1))", {table_id});
    dbs.ForgetTable(table_id);
    if (!ran) return std::move(ran).error();
    if (!resolved) return std::move(resolved).error();
    return Ok();
}

}  // namespace mt::store
