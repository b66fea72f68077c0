// The pure parts of table indexes: validation against the columns, physical names, unique-key lookup.
#include <catch2/catch.hpp>

#include "mt/store/tables.hpp"

namespace mt::store {
namespace {

const std::vector<types::Column> kColumns = {{"name", "name", types::ColumnType::kText, false},
                                             {"qty", "qty", types::ColumnType::kInteger, true}};

std::vector<std::string> Fields(const Status& s) {
    std::vector<std::string> out;
    if (!s) {
        for (const auto& d : s.error().details) out.push_back(d.field);
    }
    return out;
}

TEST_CASE("ValidateIndexes accepts known columns and id and names every problem", "[store][indexes]") {
    CHECK(ValidateIndexes({{"a", {"name"}, true}, {"b", {"qty", "id"}, false}}, kColumns));
    CHECK(ValidateIndexes({}, kColumns));
    CHECK(Fields(ValidateIndexes({{"Bad", {"name"}, false}}, kColumns)) == std::vector<std::string>{"indexes[0].name"});
    CHECK(Fields(ValidateIndexes({{"a", {"name"}, false}, {"a", {"qty"}, false}}, kColumns)) ==
          std::vector<std::string>{"indexes[1].name"});
    CHECK(Fields(ValidateIndexes({{"a", {"nope", "name", "name"}, false}}, kColumns)) ==
          std::vector<std::string>{"indexes[0].columns[0]", "indexes[0].columns[2]"});
    CHECK(Fields(ValidateIndexes({{"a", {}, false}}, kColumns)) == std::vector<std::string>{"indexes[0].columns"});
    std::vector<std::string> nine(kMaxColumnsPerIndex + 1, "qty");
    CHECK(Fields(ValidateIndexes({{"a", nine, false}}, kColumns)) == std::vector<std::string>{"indexes[0].columns"});
    std::vector<IndexSpec> many;
    for (std::size_t i = 0; i <= kMaxIndexesPerTable; ++i) many.push_back({"i" + std::to_string(i), {"qty"}, false});
    CHECK(Fields(ValidateIndexes(many, kColumns)) == std::vector<std::string>{"indexes"});
    many.pop_back();
    CHECK(ValidateIndexes(many, kColumns));
}

TEST_CASE("PhysicalIndexName is short and stable and differs per table and per definition", "[store][indexes]") {
    const std::string table = "0123456789abcdef01234567";
    const IndexSpec ix{std::string(63, 'x'), {"name"}, false};
    const std::string name = PhysicalIndexName(table, ix);
    CHECK(name.size() <= 63);
    CHECK(name.rfind("mtix_" + table + "_", 0) == 0);
    CHECK(name == PhysicalIndexName(table, ix));
    CHECK(name != PhysicalIndexName("fedcba9876543210fedcba98", ix));
    CHECK(name != PhysicalIndexName(table, {ix.name, {"qty"}, false}));
    CHECK(name != PhysicalIndexName(table, {ix.name, {"name"}, true}));
    // Names sharing their first 16 bytes still differ.
    CHECK(PhysicalIndexName(table, {std::string(16, 'a') + "1", {"name"}, false}) !=
          PhysicalIndexName(table, {std::string(16, 'a') + "2", {"name"}, false}));
}

}  // namespace
}  // namespace mt::store
