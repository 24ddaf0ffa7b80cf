#include "styrmin/graphql/js_format.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace styrmin::graphql {
namespace {

constexpr std::size_t kMaxArrayLength = 10;
constexpr std::size_t kMaxRecursiveDepth = 2;

// The length of the well-formed UTF-8 sequence at `s[i]`, or 0 when it is not one.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;
    if (c == 0xF4 && b(1) >= 0x90) return 0;
    return 4;
  }
  return 0;
}

std::string FormatValue(const OrderedJson& value, std::size_t depth);

std::string FormatArray(const OrderedJson& value, std::size_t depth) {
  if (value.empty()) return "[]";
  if (depth > kMaxRecursiveDepth) return "[Array]";
  const std::size_t shown = std::min(kMaxArrayLength, value.size());
  const std::size_t remaining = value.size() - shown;
  std::string out = "[";
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out += ", ";
    out += FormatValue(value[i], depth);
  }
  if (remaining == 1) {
    out += ", ... 1 more item";
  } else if (remaining > 1) {
    out += ", ... " + std::to_string(remaining) + " more items";
  }
  return out + "]";
}

std::string FormatObject(const OrderedJson& value, std::size_t depth) {
  if (value.empty()) return "{}";
  if (depth > kMaxRecursiveDepth) return "[Object]";
  std::string out = "{ ";
  bool first = true;
  for (const auto& [key, member] : value.items()) {
    if (!first) out += ", ";
    first = false;
    out += key + ": " + FormatValue(member, depth);
  }
  return out + " }";
}

std::string FormatValue(const OrderedJson& value, std::size_t depth) {
  switch (value.type()) {
    case OrderedJson::value_t::null:
    case OrderedJson::value_t::discarded:
      return "null";
    case OrderedJson::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case OrderedJson::value_t::number_integer:
      return std::to_string(value.get<std::int64_t>());
    case OrderedJson::value_t::number_unsigned:
      return JsNumberToString(static_cast<double>(value.get<std::uint64_t>()));
    case OrderedJson::value_t::number_float:
      return JsNumberToString(value.get<double>());
    case OrderedJson::value_t::string: {
      std::string out;
      AppendJsonString(out, value.get_ref<const std::string&>());
      return out;
    }
    case OrderedJson::value_t::array:
      return FormatArray(value, depth + 1);
    case OrderedJson::value_t::object:
      return FormatObject(value, depth + 1);
    case OrderedJson::value_t::binary:
      return "[Binary]";
  }
  return "null";
}

}  // namespace

std::string JsNumberToString(double value) {
  if (std::isnan(value)) return "NaN";
  if (value == 0) return "0";
  if (std::isinf(value)) return value < 0 ? "-Infinity" : "Infinity";
  std::string sign;
  if (value < 0) {
    sign = "-";
    value = -value;
  }
  // The shortest digits that round-trip, as "d.ddde+XX".
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
  const std::size_t e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits += c;
  }
  const int exponent = std::atoi(std::string(text.substr(e + 1)).c_str());
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // value = 0.digits * 10^n
  std::string out;
  if (k <= n && n <= 21) {
    out = digits + std::string(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out = digits.substr(0, static_cast<std::size_t>(n)) + "." +
          digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out = "0." + std::string(static_cast<std::size_t>(-n), '0') + digits;
  } else {
    const int shown = n - 1;
    out = digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += shown < 0 ? "e-" : "e+";
    out += std::to_string(shown < 0 ? -shown : shown);
  }
  return sign + out;
}

std::string Inspect(const OrderedJson& value) { return FormatValue(value, 0); }

namespace {

// The index of the first byte of `value` that JSON output must escape or check (control
// characters, quote, backslash, non-ASCII), or its size; eight bytes at a time.
std::size_t PlainPrefix(std::string_view value) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  std::size_t i = 0;
  while (i + 8 <= value.size()) {
    std::uint64_t word;
    std::memcpy(&word, value.data() + i, 8);
    const std::uint64_t control = (word - kOnes * 0x20) & ~word;
    const std::uint64_t quote = word ^ (kOnes * '"');
    const std::uint64_t backslash = word ^ (kOnes * '\\');
    const std::uint64_t special =
        control | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | word;
    if ((special & kHigh) != 0) break;
    i += 8;
  }
  while (i < value.size()) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
    ++i;
  }
  return i;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t i = PlainPrefix(value);
  if (i == value.size()) {
    // The common case: one copy between the quotes.
    out += '"';
    out.append(value.data(), value.size());
    out += '"';
    return;
  }
  out += '"';
  out.append(value.data(), i);
  while (i < value.size()) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      // Copy the run of plain ASCII at once.
      std::size_t j = i + 1;
      while (j < value.size()) {
        const auto d = static_cast<unsigned char>(value[j]);
        if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
        ++j;
      }
      out.append(value.data() + i, j - i);
      i = j;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        ++i;
        continue;
      case '\\':
        out += "\\\\";
        ++i;
        continue;
      case '\b':
        out += "\\b";
        ++i;
        continue;
      case '\f':
        out += "\\f";
        ++i;
        continue;
      case '\n':
        out += "\\n";
        ++i;
        continue;
      case '\r':
        out += "\\r";
        ++i;
        continue;
      case '\t':
        out += "\\t";
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      ++i;
      continue;
    }
    const std::size_t length = Utf8SequenceLength(value, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(value.data() + i, length);
      i += length;
    }
  }
  out += '"';
}

}  // namespace styrmin::graphql
