// The GraphQL lexer (spec section 2.1): UTF-8 source text in, tokens out, comments and other
// ignored tokens skipped. Error messages match graphql-js word for word, so differential tests
// can compare them; invalid UTF-8, which a JavaScript string cannot hold, has its own message.
//
// Not thread-safe: one Lexer per parse.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "styrmin/graphql/source.h"

namespace styrmin::graphql {

enum class TokenKind {
  kSof,
  kEof,
  kBang,
  kDollar,
  kAmp,
  kParenL,
  kParenR,
  kSpread,
  kColon,
  kEquals,
  kAt,
  kBracketL,
  kBracketR,
  kBraceL,
  kPipe,
  kBraceR,
  kName,
  kInt,
  kFloat,
  kString,
  kBlockString,
};

// "Name", "Int", ... for value tokens; the quoted punctuator ("\"{\"") otherwise, as graphql-js
// describes token kinds in messages.
std::string TokenKindDescription(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::kSof;
  std::size_t start = 0;  // byte offsets into the source
  std::size_t end = 0;
  std::string value;  // names, numbers (as written), decoded string values
};

// `Name "x"`, `"{"`, `<EOF>`: a token as messages name it.
std::string TokenDescription(const Token& token);

struct SyntaxError {
  std::string message;  // without the "Syntax Error: " prefix
  std::size_t offset = 0;
};

class Lexer final {
 public:
  // `source` must outlive the lexer.
  explicit Lexer(const Source& source) : body_(source.body()) {}

  // The next significant token; kEof at the end, repeatedly.
  tl::expected<Token, SyntaxError> Next();

 private:
  tl::expected<Token, SyntaxError> ReadNumber(std::size_t start);
  tl::expected<Token, SyntaxError> ReadString(std::size_t start);
  tl::expected<Token, SyntaxError> ReadBlockString(std::size_t start);
  tl::expected<std::size_t, SyntaxError> ReadDigits(std::size_t start);
  // The byte offset `units` UTF-16 code units after `start`, whole characters only: where
  // graphql-js would end a slice of the same text.
  std::size_t SliceUnits(std::size_t start, std::size_t units) const;
  // "\"x\"", "'\"'", "U+00E9" or "<EOF>" for the character at `offset`.
  std::string DescribeAt(std::size_t offset) const;

  std::string_view body_;
  std::size_t position_ = 0;
};

// The spec's BlockStringValue(): common indentation and leading/trailing blank lines removed.
std::string BlockStringValue(std::string_view raw);

}  // namespace styrmin::graphql
