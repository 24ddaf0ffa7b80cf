#include "styrmin/graphql/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace styrmin::graphql {
namespace {

std::vector<Token> LexAll(const std::string& text) {
  Source source(text);
  Lexer lexer(source);
  std::vector<Token> out;
  for (int i = 0; i < 10000; ++i) {
    auto token = lexer.Next();
    EXPECT_TRUE(token) << text << ": " << token.error().message;
    if (!token || token->kind == TokenKind::kEof) break;
    out.push_back(*token);
  }
  return out;
}

SyntaxError LexError(const std::string& text) {
  Source source(text);
  Lexer lexer(source);
  for (int i = 0; i < 10000; ++i) {
    auto token = lexer.Next();
    if (!token) return token.error();
    if (token->kind == TokenKind::kEof) break;
  }
  ADD_FAILURE() << "no error lexing: " << text;
  return {};
}

TEST(Lexer, SkipsIgnoredTokensAndComments) {
  auto tokens = LexAll("\xEF\xBB\xBF  query , # a comment\n\t{ a }");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kName);
  EXPECT_EQ(tokens[0].value, "query");
  EXPECT_EQ(tokens[1].kind, TokenKind::kBraceL);
  EXPECT_EQ(tokens[3].kind, TokenKind::kBraceR);
}

TEST(Lexer, ReadsEveryPunctuator) {
  auto tokens = LexAll("! $ & ( ) ... : = @ [ ] { | }");
  const TokenKind expected[] = {TokenKind::kBang,     TokenKind::kDollar,   TokenKind::kAmp,
                                TokenKind::kParenL,   TokenKind::kParenR,   TokenKind::kSpread,
                                TokenKind::kColon,    TokenKind::kEquals,   TokenKind::kAt,
                                TokenKind::kBracketL, TokenKind::kBracketR, TokenKind::kBraceL,
                                TokenKind::kPipe,     TokenKind::kBraceR};
  ASSERT_EQ(tokens.size(), std::size(expected));
  for (std::size_t i = 0; i < tokens.size(); ++i) EXPECT_EQ(tokens[i].kind, expected[i]) << i;
}

TEST(Lexer, ReadsNumbersAsWritten) {
  auto tokens = LexAll("0 -0 42 -7 1.5 -0.25e10 6E-3 1e+2");
  ASSERT_EQ(tokens.size(), 8u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kInt);
  EXPECT_EQ(tokens[3].value, "-7");
  EXPECT_EQ(tokens[4].kind, TokenKind::kFloat);
  EXPECT_EQ(tokens[5].value, "-0.25e10");
  EXPECT_EQ(tokens[7].kind, TokenKind::kFloat);
}

TEST(Lexer, DecodesStringEscapes) {
  auto tokens = LexAll(R"("a\"b\\c\/d\b\f\n\r\t" "\u00e9\u{1F600}\uD83D\uDE00" "日本")");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].value, "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(tokens[1].value, "é😀😀");
  EXPECT_EQ(tokens[2].value, "日本");
}

TEST(Lexer, DedentsBlockStrings) {
  auto tokens =
      LexAll("\"\"\"\n    Hello,\n      World!\n\n    Yours,\n      \\\"\"\" GraphQL.\n  \"\"\"");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kBlockString);
  EXPECT_EQ(tokens[0].value, "Hello,\n  World!\n\nYours,\n  \"\"\" GraphQL.");
}

TEST(Lexer, BlockStringsNormaliseLineTerminators) {
  auto tokens = LexAll("\"\"\"a\r\nb\rc\"\"\"");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].value, "a\nb\nc");
}

struct ErrorCase {
  const char* input;
  const char* message;
  std::size_t offset;
};

class LexerErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(LexerErrors, AreWordedAsGraphqlJsWordsThem) {
  const auto& c = GetParam();
  const SyntaxError e = LexError(c.input);
  EXPECT_EQ(e.message, c.message) << c.input;
  EXPECT_EQ(e.offset, c.offset) << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    Table, LexerErrors,
    ::testing::Values(
        ErrorCase{"?", "Unexpected character: \"?\".", 0},
        ErrorCase{"'a'",
                  "Unexpected single quote character ('), did you mean to use a double "
                  "quote (\")?",
                  0},
        ErrorCase{"\x01", "Unexpected character: U+0001.", 0},
        ErrorCase{"a \xC3\xA9", "Unexpected character: U+00E9.", 2},
        ErrorCase{"..", "Unexpected \"..\", did you mean \"...\"?", 0},
        ErrorCase{".123", "Invalid number, expected digit before \".\", did you mean \"0.123\"?",
                  0},
        ErrorCase{"01", "Invalid number, unexpected digit after 0: \"1\".", 1},
        ErrorCase{"1.", "Invalid number, expected digit but got: <EOF>.", 2},
        ErrorCase{"1.A", "Invalid number, expected digit but got: \"A\".", 2},
        ErrorCase{"-A", "Invalid number, expected digit but got: \"A\".", 1},
        ErrorCase{"1.0e", "Invalid number, expected digit but got: <EOF>.", 4},
        ErrorCase{"1.2.3", "Invalid number, expected digit but got: \".\".", 3},
        ErrorCase{"123abc", "Invalid number, expected digit but got: \"a\".", 3},
        ErrorCase{"1\"", "Unterminated string.", 2}, ErrorCase{"\"abc", "Unterminated string.", 4},
        ErrorCase{"\"a\nb\"", "Unterminated string.", 2},
        ErrorCase{"\"\\z\"", "Invalid character escape sequence: \"\\z\".", 1},
        ErrorCase{"\"\\u12\"", "Invalid Unicode escape sequence: \"\\u12\"\".", 1},
        ErrorCase{"\"\\uD800\"", "Invalid Unicode escape sequence: \"\\uD800\".", 1},
        ErrorCase{"\"\\u{}\"", "Invalid Unicode escape sequence: \"\\u{}\".", 1},
        ErrorCase{"\"\\u{110000}\"", "Invalid Unicode escape sequence: \"\\u{110000}\".", 1},
        ErrorCase{"\"\\u{12345678901}\"", "Invalid Unicode escape sequence: \"\\u{123456789\".", 1},
        ErrorCase{"\"\"\"abc", "Unterminated string.", 6},
        ErrorCase{"\"\xFF\"", "Invalid UTF-8 sequence.", 1},
        ErrorCase{"\xED\xA0\x80", "Invalid UTF-8 sequence.", 0}));

}  // namespace
}  // namespace styrmin::graphql
