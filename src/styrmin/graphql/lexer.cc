#include "styrmin/graphql/lexer.h"

#include <cstdint>
#include <cstdio>
#include <vector>

namespace styrmin::graphql {
namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;

struct Decoded {
  char32_t code = kInvalid;  // kInvalid for a malformed sequence
  std::size_t size = 1;
};

// Decodes one UTF-8 sequence strictly: no overlongs, no surrogates, nothing past U+10FFFF.
Decoded DecodeUtf8(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  std::size_t size = 0;
  char32_t code = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    size = 2, code = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    size = 3, code = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    size = 4, code = b0 & 0x07, min = 0x10000;
  } else {
    return {};
  }
  if (i + size > s.size()) return {};
  for (std::size_t k = 1; k < size; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {};
    code = (code << 6) | (b & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {};
  return {code, size};
}

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool IsDigit(int c) { return c >= '0' && c <= '9'; }
bool IsNameStart(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameContinue(int c) { return IsNameStart(c) || IsDigit(c); }

int HexValue(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool IsScalarValue(std::int64_t c) {
  return (c >= 0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0x10FFFF);
}

SyntaxError At(std::size_t offset, std::string message) {
  return SyntaxError{std::move(message), offset};
}

}  // namespace

std::string TokenKindDescription(TokenKind kind) {
  switch (kind) {
    case TokenKind::kSof:
      return "<SOF>";
    case TokenKind::kEof:
      return "<EOF>";
    case TokenKind::kBang:
      return "\"!\"";
    case TokenKind::kDollar:
      return "\"$\"";
    case TokenKind::kAmp:
      return "\"&\"";
    case TokenKind::kParenL:
      return "\"(\"";
    case TokenKind::kParenR:
      return "\")\"";
    case TokenKind::kSpread:
      return "\"...\"";
    case TokenKind::kColon:
      return "\":\"";
    case TokenKind::kEquals:
      return "\"=\"";
    case TokenKind::kAt:
      return "\"@\"";
    case TokenKind::kBracketL:
      return "\"[\"";
    case TokenKind::kBracketR:
      return "\"]\"";
    case TokenKind::kBraceL:
      return "\"{\"";
    case TokenKind::kPipe:
      return "\"|\"";
    case TokenKind::kBraceR:
      return "\"}\"";
    case TokenKind::kName:
      return "Name";
    case TokenKind::kInt:
      return "Int";
    case TokenKind::kFloat:
      return "Float";
    case TokenKind::kString:
      return "String";
    case TokenKind::kBlockString:
      return "BlockString";
  }
  return "<unknown>";
}

std::string TokenDescription(const Token& token) {
  std::string out = TokenKindDescription(token.kind);
  switch (token.kind) {
    case TokenKind::kName:
    case TokenKind::kInt:
    case TokenKind::kFloat:
    case TokenKind::kString:
    case TokenKind::kBlockString:
      out += " \"" + token.value + "\"";
      break;
    default:
      break;
  }
  return out;
}

std::size_t Lexer::SliceUnits(std::size_t start, std::size_t units) const {
  std::size_t end = start;
  std::size_t counted = 0;
  while (end < body_.size() && counted < units) {
    const Decoded d = DecodeUtf8(body_, end);
    counted += d.code != kInvalid && d.code >= 0x10000 ? 2 : 1;
    end += d.size;
  }
  return end;
}

std::string Lexer::DescribeAt(std::size_t offset) const {
  if (offset >= body_.size()) return "<EOF>";
  const Decoded d = DecodeUtf8(body_, offset);
  if (d.code == kInvalid) return "invalid UTF-8";
  if (d.code >= 0x20 && d.code <= 0x7E) {
    return d.code == '"' ? "'\"'" : "\"" + std::string(1, static_cast<char>(d.code)) + "\"";
  }
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(d.code));
  return buffer;
}

tl::expected<Token, SyntaxError> Lexer::Next() {
  const std::size_t size = body_.size();
  auto punct = [this](TokenKind kind, std::size_t width) {
    Token t{kind, position_, position_ + width, {}};
    position_ += width;
    return t;
  };
  while (position_ < size) {
    const auto c = static_cast<unsigned char>(body_[position_]);
    switch (c) {
      case '\t':
      case ' ':
      case ',':
      case '\n':
      case '\r':
        ++position_;
        continue;
      case 0xEF:  // U+FEFF, the byte order mark, is ignored like white space
        if (body_.substr(position_, 3) == "\xEF\xBB\xBF") {
          position_ += 3;
          continue;
        }
        break;
      case '#':
        while (position_ < size && body_[position_] != '\n' && body_[position_] != '\r') {
          const Decoded d = DecodeUtf8(body_, position_);
          if (d.code == kInvalid) break;
          position_ += d.size;
        }
        continue;
      case '!':
        return punct(TokenKind::kBang, 1);
      case '$':
        return punct(TokenKind::kDollar, 1);
      case '&':
        return punct(TokenKind::kAmp, 1);
      case '(':
        return punct(TokenKind::kParenL, 1);
      case ')':
        return punct(TokenKind::kParenR, 1);
      case '.':
        if (body_.substr(position_, 3) == "...") return punct(TokenKind::kSpread, 3);
        if (body_.substr(position_, 2) == "..") {
          return tl::unexpected(At(position_, "Unexpected \"..\", did you mean \"...\"?"));
        }
        if (position_ + 1 < size && IsDigit(body_[position_ + 1])) {
          std::size_t end = position_ + 1;
          while (end < size && IsDigit(body_[end])) ++end;
          return tl::unexpected(
              At(position_, "Invalid number, expected digit before \".\", did you mean \"0." +
                                std::string(body_.substr(position_ + 1, end - position_ - 1)) +
                                "\"?"));
        }
        break;
      case ':':
        return punct(TokenKind::kColon, 1);
      case '=':
        return punct(TokenKind::kEquals, 1);
      case '@':
        return punct(TokenKind::kAt, 1);
      case '[':
        return punct(TokenKind::kBracketL, 1);
      case ']':
        return punct(TokenKind::kBracketR, 1);
      case '{':
        return punct(TokenKind::kBraceL, 1);
      case '|':
        return punct(TokenKind::kPipe, 1);
      case '}':
        return punct(TokenKind::kBraceR, 1);
      case '"':
        if (body_.substr(position_, 3) == "\"\"\"") return ReadBlockString(position_);
        return ReadString(position_);
      default:
        break;
    }
    if (IsDigit(c) || c == '-') return ReadNumber(position_);
    if (IsNameStart(c)) {
      const std::size_t start = position_;
      while (position_ < size && IsNameContinue(body_[position_])) ++position_;
      return Token{TokenKind::kName, start, position_,
                   std::string(body_.substr(start, position_ - start))};
    }
    if (c == '\'') {
      return tl::unexpected(At(position_,
                               "Unexpected single quote character ('), did you mean to use a "
                               "double quote (\")?"));
    }
    const Decoded d = DecodeUtf8(body_, position_);
    if (d.code == kInvalid) return tl::unexpected(At(position_, "Invalid UTF-8 sequence."));
    return tl::unexpected(At(position_, "Unexpected character: " + DescribeAt(position_) + "."));
  }
  return Token{TokenKind::kEof, size, size, {}};
}

tl::expected<std::size_t, SyntaxError> Lexer::ReadDigits(std::size_t start) {
  if (start >= body_.size() || !IsDigit(body_[start])) {
    return tl::unexpected(
        At(start, "Invalid number, expected digit but got: " + DescribeAt(start) + "."));
  }
  std::size_t p = start + 1;
  while (p < body_.size() && IsDigit(body_[p])) ++p;
  return p;
}

tl::expected<Token, SyntaxError> Lexer::ReadNumber(std::size_t start) {
  const std::size_t size = body_.size();
  auto at = [&](std::size_t p) -> int { return p < size ? body_[p] : -1; };
  std::size_t p = start;
  bool is_float = false;
  if (at(p) == '-') ++p;
  if (at(p) == '0') {
    ++p;
    if (IsDigit(at(p))) {
      return tl::unexpected(
          At(p, "Invalid number, unexpected digit after 0: " + DescribeAt(p) + "."));
    }
  } else {
    auto end = ReadDigits(p);
    if (!end) return tl::unexpected(end.error());
    p = *end;
  }
  if (at(p) == '.') {
    is_float = true;
    auto end = ReadDigits(p + 1);
    if (!end) return tl::unexpected(end.error());
    p = *end;
  }
  if (at(p) == 'e' || at(p) == 'E') {
    is_float = true;
    ++p;
    if (at(p) == '+' || at(p) == '-') ++p;
    auto end = ReadDigits(p);
    if (!end) return tl::unexpected(end.error());
    p = *end;
  }
  if (at(p) == '.' || IsNameStart(at(p))) {
    return tl::unexpected(At(p, "Invalid number, expected digit but got: " + DescribeAt(p) + "."));
  }
  position_ = p;
  return Token{is_float ? TokenKind::kFloat : TokenKind::kInt, start, p,
               std::string(body_.substr(start, p - start))};
}

tl::expected<Token, SyntaxError> Lexer::ReadString(std::size_t start) {
  const std::size_t size = body_.size();
  std::size_t p = start + 1;
  std::string value;
  while (p < size) {
    const char c = body_[p];
    if (c == '"') {
      position_ = p + 1;
      return Token{TokenKind::kString, start, position_, std::move(value)};
    }
    if (c == '\n' || c == '\r') break;
    if (c == '\\') {
      const int next = p + 1 < size ? body_[p + 1] : -1;
      if (next == 'u') {
        if (p + 2 < size && body_[p + 2] == '{') {
          // \u{...}: up to 8 hex digits naming a scalar value.
          // Accumulated as a 32-bit signed value, so that very long escapes fail where
          // graphql-js's do and the message quotes the same characters.
          std::int32_t point = 0;
          std::size_t k = p + 3;
          bool ok = false;
          // graphql-js reads at most 12 UTF-16 units from the backslash; characters are
          // consumed whole so the quoted escape stays valid UTF-8.
          std::size_t units = 3;
          while (k < size && units < 12) {
            ++units;
            if (body_[k] == '}') {
              ok = units >= 5 && IsScalarValue(point);
              ++k;
              break;
            }
            const int h = HexValue(body_[k]);
            k += DecodeUtf8(body_, k).size;
            if (h < 0) break;
            point = static_cast<std::int32_t>((static_cast<std::uint32_t>(point) << 4) |
                                              static_cast<std::uint32_t>(h));
            if (point < 0) break;
          }
          if (!ok) {
            return tl::unexpected(At(p, "Invalid Unicode escape sequence: \"" +
                                            std::string(body_.substr(p, k - p)) + "\"."));
          }
          AppendUtf8(value, static_cast<char32_t>(point));
          p = k;
          continue;
        }
        auto read16 = [&](std::size_t q) -> std::int64_t {
          if (q + 4 > size) return -1;
          std::int64_t v = 0;
          for (std::size_t k = q; k < q + 4; ++k) {
            const int h = HexValue(body_[k]);
            if (h < 0) return -1;
            v = (v << 4) | h;
          }
          return v;
        };
        const std::int64_t code = read16(p + 2);
        if (code >= 0 && IsScalarValue(code)) {
          AppendUtf8(value, static_cast<char32_t>(code));
          p += 6;
          continue;
        }
        if (code >= 0xD800 && code <= 0xDBFF && body_.substr(p + 6, 2) == "\\u") {
          const std::int64_t trailing = read16(p + 8);
          if (trailing >= 0xDC00 && trailing <= 0xDFFF) {
            AppendUtf8(value, static_cast<char32_t>(0x10000 + ((code - 0xD800) << 10) +
                                                    (trailing - 0xDC00)));
            p += 12;
            continue;
          }
        }
        return tl::unexpected(At(p, "Invalid Unicode escape sequence: \"" +
                                        std::string(body_.substr(p, SliceUnits(p, 6) - p)) +
                                        "\"."));
      }
      char decoded = 0;
      switch (next) {
        case '"':
          decoded = '"';
          break;
        case '\\':
          decoded = '\\';
          break;
        case '/':
          decoded = '/';
          break;
        case 'b':
          decoded = '\b';
          break;
        case 'f':
          decoded = '\f';
          break;
        case 'n':
          decoded = '\n';
          break;
        case 'r':
          decoded = '\r';
          break;
        case 't':
          decoded = '\t';
          break;
        default: {
          // The escape as written: a backslash and the next whole character.
          std::size_t width = 1;
          if (p + 1 < size) width += DecodeUtf8(body_, p + 1).size;
          return tl::unexpected(At(p, "Invalid character escape sequence: \"" +
                                          std::string(body_.substr(p, width)) + "\"."));
        }
      }
      value += decoded;
      p += 2;
      continue;
    }
    const Decoded d = DecodeUtf8(body_, p);
    if (d.code == kInvalid) return tl::unexpected(At(p, "Invalid UTF-8 sequence."));
    value.append(body_.substr(p, d.size));
    p += d.size;
  }
  return tl::unexpected(At(p, "Unterminated string."));
}

tl::expected<Token, SyntaxError> Lexer::ReadBlockString(std::size_t start) {
  const std::size_t size = body_.size();
  std::size_t p = start + 3;
  std::string raw;
  while (p < size) {
    if (body_.substr(p, 3) == "\"\"\"") {
      position_ = p + 3;
      return Token{TokenKind::kBlockString, start, position_, BlockStringValue(raw)};
    }
    if (body_.substr(p, 4) == "\\\"\"\"") {
      raw += "\"\"\"";
      p += 4;
      continue;
    }
    if (body_[p] == '\r') {
      // Every line terminator reads as "\n" in the value.
      raw += '\n';
      p += body_.substr(p, 2) == "\r\n" ? 2 : 1;
      continue;
    }
    const Decoded d = DecodeUtf8(body_, p);
    if (d.code == kInvalid) return tl::unexpected(At(p, "Invalid UTF-8 sequence."));
    raw.append(body_.substr(p, d.size));
    p += d.size;
  }
  return tl::unexpected(At(p, "Unterminated string."));
}

std::string BlockStringValue(std::string_view raw) {
  std::vector<std::string_view> lines;
  std::size_t begin = 0;
  while (true) {
    const auto nl = raw.find('\n', begin);
    lines.push_back(raw.substr(begin, nl == std::string_view::npos ? nl : nl - begin));
    if (nl == std::string_view::npos) break;
    begin = nl + 1;
  }
  auto indent_of = [](std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    return i;
  };
  std::size_t common = std::string_view::npos;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::size_t indent = indent_of(lines[i]);
    if (indent < lines[i].size() && indent < common) common = indent;
  }
  if (common != std::string_view::npos) {
    for (std::size_t i = 1; i < lines.size(); ++i) {
      lines[i].remove_prefix(std::min(common, lines[i].size()));
    }
  }
  auto blank = [&](std::string_view line) { return indent_of(line) == line.size(); };
  std::size_t first = 0;
  std::size_t last = lines.size();
  while (first < last && blank(lines[first])) ++first;
  while (last > first && blank(lines[last - 1])) --last;
  std::string out;
  for (std::size_t i = first; i < last; ++i) {
    if (i > first) out += '\n';
    out.append(lines[i]);
  }
  return out;
}

}  // namespace styrmin::graphql
