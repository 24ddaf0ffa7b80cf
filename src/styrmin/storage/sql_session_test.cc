#include "styrmin/storage/sql_session.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace styrmin::storage {
namespace {

SqlRows ThreeRows() {
  SqlRows rows(3);
  rows.AddRow();
  rows.AddText("first");
  rows.AddNull();
  rows.AddText("42");
  rows.AddRow();
  rows.AddText("");
  rows.AddText("a longer value, well past any small-string buffer");
  rows.AddText("-7x");
  rows.AddRow();
  rows.AddNull();
  rows.AddNull();
  rows.AddNull();
  return rows;
}

TEST(SqlRows, KeepsEveryRowsTextNullsAndEmptyTextApart) {
  const SqlRows rows = ThreeRows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].Text(0), "first");
  EXPECT_EQ(rows[0].OptionalText(1), std::nullopt);
  EXPECT_EQ(rows[0].Text(1), "");  // NULL reads as "" through Text
  EXPECT_EQ(rows[1].OptionalText(0), std::optional<std::string_view>(""));
  EXPECT_EQ(rows[1].Text(1), "a longer value, well past any small-string buffer");
  EXPECT_EQ(rows[2].OptionalText(2), std::nullopt);
}

TEST(SqlRows, ReadsIntegersOnlyWhenTheWholeTextIsOne) {
  const SqlRows rows = ThreeRows();
  EXPECT_EQ(rows[0].Int(2), 42);
  EXPECT_EQ(rows[1].Int(2), std::nullopt);  // "-7x"
  EXPECT_EQ(rows[0].Int(1), std::nullopt);  // NULL
}

TEST(SqlRows, IteratesInOrderAndViewsStayValidAsTheBufferGrows) {
  SqlRows rows(1);
  rows.AddRow();
  rows.AddText("kept");
  const SqlRow first = rows.front();
  for (int i = 0; i < 1000; ++i) {  // many reallocations of the text buffer
    rows.AddRow();
    rows.AddText(std::to_string(i));
  }
  EXPECT_EQ(first.Text(0), "kept");  // rows are read through offsets, not saved pointers
  std::vector<std::string> seen;
  for (const SqlRow& row : rows) seen.emplace_back(row.Text(0));
  ASSERT_EQ(seen.size(), 1001u);
  EXPECT_EQ(seen[1], "0");
  EXPECT_EQ(seen.back(), "999");
  EXPECT_TRUE(SqlRows(2).empty());
}

TEST(SqlRowsDeathTest, RefusesAColumnTheStatementDoesNotSelect) {
  const SqlRows rows = ThreeRows();
  EXPECT_DEATH((void)rows[0].Text(3), "a column the statement does not select");
}

}  // namespace
}  // namespace styrmin::storage
