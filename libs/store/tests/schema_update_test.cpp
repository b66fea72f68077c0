#include <catch2/catch.hpp>

#include "mt/store/schema_update.hpp"

using mt::types::Column;
using mt::types::ColumnType;

namespace {

std::vector<Column> Table() {
    return {{"sku", "SKU", ColumnType::kText, false},
            {"qty", "Qty", ColumnType::kInteger, false},
            {"day", "Day", ColumnType::kDate, true},
            {"ok", "Ok", ColumnType::kBoolean, true}};
}

}  // namespace

TEST_CASE("update_schema widens the table's types along integer-decimal-text and date-datetime-text") {
    auto after = mt::store::UpdatedSchema(Table(), {{"qty", "file qty", ColumnType::kDecimal, true},
                                                    {"day", "file day", ColumnType::kDatetime, true},
                                                    {"ok", "file ok", ColumnType::kInteger, true},
                                                    {"sku", "file sku", ColumnType::kInteger, true}});
    REQUIRE(after.size() == 4);
    CHECK(after[0].type == ColumnType::kText);  // text holds an integer file column: stays text
    CHECK(after[1].type == ColumnType::kDecimal);
    CHECK(after[2].type == ColumnType::kDatetime);
    CHECK(after[3].type == ColumnType::kText);  // boolean and integer have no narrower common type
    // The table's names, display names and NOT NULL are kept.
    CHECK(after[1].display_name == "Qty");
    CHECK_FALSE(after[1].nullable);
    CHECK_FALSE(after[0].nullable);
}

TEST_CASE("update_schema appends the file's new columns as nullable and applying it twice changes nothing") {
    auto after = mt::store::UpdatedSchema(Table(), {{"cor", "Cor", ColumnType::kText, false},
                                                    {"qty", "q", ColumnType::kInteger, false},
                                                    {"peso", "Peso", ColumnType::kDecimal, false}});
    REQUIRE(after.size() == 6);
    CHECK(after[4].name == "cor");
    CHECK(after[4].nullable);  // the table's rows have no value for it
    CHECK(after[5].name == "peso");
    CHECK(after[5].type == ColumnType::kDecimal);
    CHECK(after[1].type == ColumnType::kInteger);  // same type: unchanged
    auto again = mt::store::UpdatedSchema(after, {{"cor", "Cor", ColumnType::kText, false},
                                                  {"qty", "q", ColumnType::kInteger, false},
                                                  {"peso", "Peso", ColumnType::kDecimal, false}});
    REQUIRE(again.size() == after.size());
    for (std::size_t i = 0; i < after.size(); ++i) {
        CHECK(again[i].name == after[i].name);
        CHECK(again[i].type == after[i].type);
        CHECK(again[i].nullable == after[i].nullable);
    }
}
