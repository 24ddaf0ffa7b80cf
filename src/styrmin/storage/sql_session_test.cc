#include "styrmin/storage/sql_session.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "styrmin/core/json.h"
#include "styrmin/storage/sql_store_internal.h"

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

TEST(SqlRowsDeathTest, RefusesARowOrColumnTheResultDoesNotHave) {
  const SqlRows rows = ThreeRows();
  EXPECT_DEATH((void)rows[0].Text(3), "a column the statement does not select");
  EXPECT_DEATH((void)rows[3].Text(0), "a row the result does not have");
  EXPECT_DEATH((void)SqlRows(1).front().Text(0), "a row the result does not have");
}

// JsonList writes plain ids itself; it must say exactly what the JSON library says.
TEST(JsonList, WritesWhatTheJsonLibraryWrites) {
  const auto library = [](const std::vector<std::string>& texts) {
    Json list = Json::array();
    for (const auto& text : texts) list.push_back(text);
    return DumpJson(list);
  };
  const std::vector<std::vector<std::string>> cases = {
      {},
      {""},
      {"d-1"},
      {"dep_01JD2X9ZK4", "dep_01JD2XA0B7", "with space", "~!@#$%^&*()"},
      {"plain", "a \"quote\""},
      {"back\\slash", "plain"},
      {"tab\tand\nnewline", "\x01"},
      {"ünïcödé"},
      {"\xff not UTF-8"},
  };
  for (const auto& texts : cases) EXPECT_EQ(sql::JsonList(texts), library(texts));
  EXPECT_EQ(sql::JsonList(std::vector<DeploymentId>{DeploymentId("a"), DeploymentId("b")}),
            R"(["a","b"])");
}

}  // namespace
}  // namespace styrmin::storage
