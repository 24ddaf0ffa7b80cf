#include "styrmin/runtime/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace styrmin::runtime {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

SpawnOptions Shell(const std::string& script) {
  return {{"/bin/sh", "-c", script}, {}, {"PATH=/usr/bin:/bin"}};
}

std::vector<LineReader::Line> ReadAll(ChildProcess& child, milliseconds timeout,
                                      LineReader::Outcome* last = nullptr) {
  LineReader reader(child.stdout_fd(), child.stderr_fd(), 1 << 20);
  std::vector<LineReader::Line> lines;
  LineReader::Line line;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto outcome = reader.Next(deadline, line);
    if (outcome != LineReader::Outcome::kLine) {
      if (last != nullptr) *last = outcome;
      return lines;
    }
    lines.push_back(line);
  }
}

bool Alive(pid_t pid) { return ::kill(pid, 0) == 0; }

TEST(ChildProcess, SeparatesStdoutAndStderrLines) {
  auto child = ChildProcess::Spawn(Shell("echo out1; echo err1 >&2; printf 'out2'"));
  ASSERT_TRUE(child) << child.error().ToString();
  LineReader::Outcome last{};
  const auto lines = ReadAll(*child, milliseconds(10000), &last);
  EXPECT_EQ(last, LineReader::Outcome::kClosed);
  std::vector<std::string> out;
  std::vector<std::string> err;
  for (const auto& l : lines) {
    (l.stream == LineReader::Stream::kStdout ? out : err).push_back(l.text);
  }
  EXPECT_EQ(out, (std::vector<std::string>{"out1", "out2"}));
  EXPECT_EQ(err, std::vector<std::string>{"err1"});
  EXPECT_EQ(child->Wait(milliseconds(10000)), 0);
}

TEST(ChildProcess, PassesStdinAndTheEnvironmentWithoutAShell) {
  SpawnOptions options{{"/bin/cat"}, {}, {}};
  auto child = ChildProcess::Spawn(options);
  ASSERT_TRUE(child);
  ASSERT_TRUE(child->WriteStdin("$HOME `id` ; not expanded\n"));
  child->CloseStdin();
  const auto lines = ReadAll(*child, milliseconds(10000));
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].text, "$HOME `id` ; not expanded");
  auto env = ChildProcess::Spawn(Shell("echo \"$PATH\"; exit 3"));
  ASSERT_TRUE(env);
  EXPECT_EQ(ReadAll(*env, milliseconds(10000)).at(0).text, "/usr/bin:/bin");
  EXPECT_EQ(env->Wait(milliseconds(10000)), 3);
}

TEST(ChildProcess, ReportsAProgramThatCannotStart) {
  auto child = ChildProcess::Spawn({{"/nonexistent/python3"}, {}, {}});
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(child.error().message().find("/nonexistent/python3"), std::string::npos);
}

TEST(ChildProcess, KillingTheGroupEndsGrandchildrenToo) {
  // The shell starts a background sleep and reports its pid, then sleeps itself.
  auto child = ChildProcess::Spawn(Shell("sleep 300 & echo $!; sleep 300"));
  ASSERT_TRUE(child);
  LineReader reader(child->stdout_fd(), child->stderr_fd(), 1024);
  LineReader::Line line;
  ASSERT_EQ(reader.Next(Clock::now() + milliseconds(10000), line), LineReader::Outcome::kLine);
  const pid_t grandchild = std::stoi(line.text);
  EXPECT_TRUE(Alive(grandchild));
  EXPECT_EQ(reader.Next(Clock::now() + milliseconds(100), line), LineReader::Outcome::kTimeout);
  EXPECT_EQ(child->Wait(milliseconds(0)), 128 + SIGKILL);  // no time left: killed
  // The grandchild was reparented; it is gone once the kill lands (bounded wait).
  const auto deadline = Clock::now() + milliseconds(10000);
  while (Alive(grandchild) && Clock::now() < deadline) {
    // A zombie still answers kill(0) until init reaps it; /proc says which.
    std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
    std::string content;
    std::getline(stat, content);
    if (content.find(") Z") != std::string::npos) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
  std::string content;
  std::getline(stat, content);
  EXPECT_TRUE(content.empty() || content.find(") Z") != std::string::npos) << content;
}

TEST(ChildProcess, WritingToAChildThatExitedIsAnErrorNotASignal) {
  auto child = ChildProcess::Spawn(Shell("exit 0"));
  ASSERT_TRUE(child);
  EXPECT_EQ(child->Wait(milliseconds(10000)), 0);
  Status status = OkStatus();
  for (int i = 0; i < 100 && status; ++i) status = child->WriteStdin(std::string(65536, 'x'));
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), ErrorCode::kUnavailable);
}

TEST(LineReader, RefusesLinesOverTheLimit) {
  auto child = ChildProcess::Spawn(Shell("head -c 100000 /dev/zero | tr '\\\\0' a"));
  ASSERT_TRUE(child);
  LineReader reader(child->stdout_fd(), child->stderr_fd(), 1000);
  LineReader::Line line;
  EXPECT_EQ(reader.Next(Clock::now() + milliseconds(10000), line), LineReader::Outcome::kTooLong);
  child->KillGroup();
  child->Wait(milliseconds(10000));
}

}  // namespace
}  // namespace styrmin::runtime
