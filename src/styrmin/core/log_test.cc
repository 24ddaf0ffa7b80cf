#include "styrmin/core/log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "styrmin/core/testing/fake_clock.h"

namespace styrmin {
namespace {

struct Captured {
  std::vector<std::string> lines;
  Logger::Sink Sink() {
    return [this](std::string_view line) { lines.emplace_back(line); };
  }
};

TEST(Logger, WritesJsonLinesWithFixedLeadingKeys) {
  testing::FakeClock clock;
  Captured out;
  Logger log(out.Sink(), LogFormat::kJson, LogLevel::kInfo, clock);
  log.Info("run claimed", {{"run", "r-1"}, {"attempt", 2}});
  ASSERT_EQ(out.lines.size(), 1u);
  EXPECT_EQ(out.lines[0], R"({"ts":"2026-01-01T00:00:00.000Z","level":"info","msg":"run claimed",)"
                          R"("run":"r-1","attempt":2})"
                          "\n");
  EXPECT_TRUE(ParseJson(out.lines[0]));
}

TEST(Logger, WritesReadableTextWithQuotedValuesWhenNeeded) {
  testing::FakeClock clock;
  Captured out;
  Logger log(out.Sink(), LogFormat::kText, LogLevel::kDebug, clock);
  log.Warn("step failed", {{"step", "pre/migrate"}, {"error", "exit status 1"}, {"ok", false}});
  ASSERT_EQ(out.lines.size(), 1u);
  EXPECT_EQ(out.lines[0],
            "2026-01-01T00:00:00.000Z WARN  step failed step=pre/migrate "
            "error=\"exit status 1\" ok=false\n");
}

TEST(Logger, DropsLinesBelowTheMinimumLevel) {
  testing::FakeClock clock;
  Captured out;
  Logger log(out.Sink(), LogFormat::kJson, LogLevel::kWarn, clock);
  log.Debug("a");
  log.Info("b");
  log.Error("c");
  ASSERT_EQ(out.lines.size(), 1u);
  EXPECT_NE(out.lines[0].find("\"msg\":\"c\""), std::string::npos);
  EXPECT_FALSE(log.Enabled(LogLevel::kInfo));
}

TEST(Logger, WithAddsContextFieldsAndSharesTheSink) {
  testing::FakeClock clock;
  Captured out;
  Logger log(out.Sink(), LogFormat::kText, LogLevel::kInfo, clock);
  Logger run_log = log.With({{"run", "r-7"}});
  run_log.Info("started", {{"step", 1}});
  log.Info("plain");
  ASSERT_EQ(out.lines.size(), 2u);
  EXPECT_NE(out.lines[0].find("started run=r-7 step=1"), std::string::npos) << out.lines[0];
  EXPECT_EQ(out.lines[1].find("run="), std::string::npos);
}

TEST(Logger, EscapesControlCharactersInJson) {
  testing::FakeClock clock;
  Captured out;
  Logger log(out.Sink(), LogFormat::kJson, LogLevel::kInfo, clock);
  log.Info("line\nbreak", {{"quote", "say \"hi\""}});
  auto parsed = ParseJson(out.lines.at(0));
  ASSERT_TRUE(parsed) << out.lines[0];
  EXPECT_EQ((*parsed)["msg"], "line\nbreak");
  EXPECT_EQ((*parsed)["quote"], "say \"hi\"");
}

// Review finding: a message with a line break wrote two lines in text format.
TEST(Logger, TextLinesCannotBeSplitByTheMessageOrKeys) {
  testing::FakeClock clock;
  Captured out;
  Logger log(out.Sink(), LogFormat::kText, LogLevel::kInfo, clock);
  log.Info("first\n2026-01-01T00:00:00.000Z ERROR forged", {{"k\ney", "v\x01"}});
  ASSERT_EQ(out.lines.size(), 1u);
  EXPECT_EQ(std::count(out.lines[0].begin(), out.lines[0].end(), '\n'), 1);
  EXPECT_NE(out.lines[0].find("first\\n2026"), std::string::npos) << out.lines[0];
  EXPECT_NE(out.lines[0].find("k\\ney="), std::string::npos) << out.lines[0];
}

TEST(LogLevel, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(ParseLogLevel("WARN").value(), LogLevel::kWarn);
  EXPECT_EQ(ParseLogLevel("debug").value(), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("verbose").error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace styrmin
