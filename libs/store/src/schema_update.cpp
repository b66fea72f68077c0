#include "mt/store/schema_update.hpp"

#include "mt/types/identifier.hpp"

namespace mt::store {
namespace {

const types::Column* Find(const std::vector<types::Column>& columns, const std::string& name) {
    for (const auto& c : columns)
        if (c.name == name) return &c;
    return nullptr;
}

}  // namespace

std::vector<types::Column> UpdatedSchema(const std::vector<types::Column>& table,
                                         const std::vector<types::Column>& incoming) {
    std::vector<types::Column> out = table;
    for (const auto& in : incoming) {
        bool found = false;
        for (auto& c : out) {
            if (c.name != in.name) continue;
            c.type = types::Widen(c.type, in.type);
            found = true;
        }
        if (!found) {
            types::Column added = in;
            added.nullable = true;
            out.push_back(std::move(added));
        }
    }
    return out;
}

Status AlterForUpload(pg::Connection& company, const std::string& qualified_table,
                      const std::vector<types::Column>& before, const std::vector<types::Column>& after) {
    std::string actions;
    for (const auto& c : after) {
        const std::string col = types::QuoteIdentifier(c.name);
        const std::string pg_type(types::PgType(c.type));
        const types::Column* old = Find(before, c.name);
        if (!old) {
            actions += std::string(actions.empty() ? "" : ", ") + "ADD COLUMN " + col + " " + pg_type;
        } else if (old->type != c.type) {
            // Through text, like every column change (table_update.cpp): one rule for every pair of types.
            actions += std::string(actions.empty() ? "" : ", ") + "ALTER COLUMN " + col + " TYPE " + pg_type +
                       " USING " + col + "::text::" + pg_type;
        }
    }
    if (actions.empty()) return Ok();
    return company.Run("ALTER TABLE " + qualified_table + " " + actions);  // one statement: one table rewrite
}

}  // namespace mt::store
