#include "styrmin/graphql/source.h"

#include <gtest/gtest.h>

namespace styrmin::graphql {
namespace {

TEST(Source, LinesEndAtEveryKindOfLineTerminator) {
  Source s("a\nb\r\nc\rd");
  EXPECT_EQ(s.LocationOf(0), (SourceLocation{1, 1}));
  EXPECT_EQ(s.LocationOf(2), (SourceLocation{2, 1}));
  EXPECT_EQ(s.LocationOf(5), (SourceLocation{3, 1}));
  EXPECT_EQ(s.LocationOf(7), (SourceLocation{4, 1}));
  EXPECT_EQ(s.LocationOf(8), (SourceLocation{4, 2})) << "the end of input has a location";
}

TEST(Source, ColumnsCountUtf16CodeUnits) {
  // "é" is one UTF-16 unit (2 UTF-8 bytes); "😀" is two (4 bytes).
  Source s("\"é😀\" x");
  EXPECT_EQ(s.LocationOf(8), (SourceLocation{1, 6}));
  EXPECT_EQ(s.LocationOf(9), (SourceLocation{1, 7}));
}

TEST(Source, OffsetsPastTheEndClampToTheEnd) {
  Source s("ab");
  EXPECT_EQ(s.LocationOf(100), (SourceLocation{1, 3}));
}

}  // namespace
}  // namespace styrmin::graphql
