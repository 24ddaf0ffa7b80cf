#include "styrmin/graphql/js_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

char* WriteJsNumber(char* out, double value) {
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e-6 && magnitude < 9007199254740992.0) {
    // Where JavaScript writes plain decimals, its digits are the shortest that round-trip,
    // which is what to_chars writes in fixed notation as long as every integer digit is
    // significant (below 2^53; above, to_chars writes the exact integer, JavaScript zeros).
    return std::to_chars(out, out + kMaxJsNumberSize, value, std::chars_format::fixed).ptr;
  }
  const std::string text = JsNumberToStringSlow(value);
  return std::copy(text.begin(), text.end(), out);
}

std::string JsNumberToString(double value) {
  char buffer[kMaxJsNumberSize];
  return {buffer, WriteJsNumber(buffer, value)};
}

std::string JsNumberToStringSlow(double value) {
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

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHigh = 0x8080808080808080ULL;

// The high bit of each byte of `word` that JSON output must escape or check: control
// characters, quote, backslash, non-ASCII.
constexpr std::uint64_t SpecialBytes(std::uint64_t word) {
  const std::uint64_t control = (word - kOnes * 0x20) & ~word;
  const std::uint64_t quote = word ^ (kOnes * '"');
  const std::uint64_t backslash = word ^ (kOnes * '\\');
  return (control | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | word) & kHigh;
}

bool IsSpecial(unsigned char c) { return c < 0x20 || c >= 0x80 || c == '"' || c == '\\'; }

// Whether the sixteen bytes at `in` are all plain (nothing SpecialBytes flags).
[[gnu::always_inline]] inline bool Plain16(const char* in) {
#if defined(__SSE2__)
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
  // Signed: below 0x20 holds control characters and every byte from 0x80 on.
  const __m128i special = _mm_or_si128(
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
  return _mm_movemask_epi8(special) == 0;
#else
  std::uint64_t a;
  std::uint64_t b;
  std::memcpy(&a, in, 8);
  std::memcpy(&b, in + 8, 8);
  return (SpecialBytes(a) | SpecialBytes(b)) == 0;
#endif
}

// Copies the plain prefix of `value` (up to the first byte SpecialBytes flags) to `out`; `out`
// has room for all of `value`. Returns the prefix's size. Values of up to 32 bytes, the most
// common in responses, take two overlapping loads and two stores, with no loop.
[[gnu::always_inline]] inline std::size_t CopyPlainPrefix(char* out, std::string_view value) {
  const std::size_t n = value.size();
  const char* in = value.data();
  std::size_t i = 0;  // copied so far
  if (n >= 16) {
    if (n <= 32) {
      if (Plain16(in)) {
        std::memcpy(out, in, 16);
        i = 16;
        if (Plain16(in + n - 16)) {
          std::memcpy(out + n - 16, in + n - 16, 16);
          return n;
        }
      }
    } else {
      while (i + 16 <= n && Plain16(in + i)) {
        std::memcpy(out + i, in + i, 16);
        i += 16;
      }
      if (i + 16 > n && Plain16(in + n - 16)) {
        std::memcpy(out + n - 16, in + n - 16, 16);
        return n;
      }
    }
  } else if (n >= 8) {
    std::uint64_t head;
    std::uint64_t tail;
    std::memcpy(&head, in, 8);
    std::memcpy(&tail, in + n - 8, 8);
    if ((SpecialBytes(head) | SpecialBytes(tail)) == 0) {
      std::memcpy(out, &head, 8);
      std::memcpy(out + n - 8, &tail, 8);
      return n;
    }
  } else if (n >= 4) {
    std::uint32_t head;
    std::uint32_t tail;
    std::memcpy(&head, in, 4);
    std::memcpy(&tail, in + n - 4, 4);
    if (SpecialBytes(head | (std::uint64_t{tail} << 32)) == 0) {
      std::memcpy(out, &head, 4);
      std::memcpy(out + n - 4, &tail, 4);
      return n;
    }
  }
  // Short values, and the bytes up to a special one.
  while (i < n && !IsSpecial(static_cast<unsigned char>(in[i]))) {
    out[i] = in[i];
    ++i;
  }
  return i;
}

}  // namespace

char* WriteJsonString(char* out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto put = [&out](std::string_view text) {
    std::memcpy(out, text.data(), text.size());
    out += text.size();
  };
  *out++ = '"';
  std::size_t i = CopyPlainPrefix(out, value);  // the common case: all of it
  out += i;
  while (i < value.size()) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (!IsSpecial(c)) {
      const std::size_t run = CopyPlainPrefix(out, value.substr(i));
      out += run;
      i += run;
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        put("\\\"");
        continue;
      case '\\':
        put("\\\\");
        continue;
      case '\b':
        put("\\b");
        continue;
      case '\f':
        put("\\f");
        continue;
      case '\n':
        put("\\n");
        continue;
      case '\r':
        put("\\r");
        continue;
      case '\t':
        put("\\t");
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      put("\\u00");
      *out++ = kHex[c >> 4];
      *out++ = kHex[c & 0xF];
      continue;
    }
    const std::size_t length = Utf8SequenceLength(value, i - 1);
    if (length == 0) {
      put("\xEF\xBF\xBD");  // U+FFFD
    } else {
      put(value.substr(i - 1, length));
      i += length - 1;
    }
  }
  *out++ = '"';
  return out;
}

void AppendJsonString(std::string& out, std::string_view value) {
  const std::size_t start = out.size();
  out.resize(start + MaxJsonStringSize(value.size()));
  out.resize(static_cast<std::size_t>(WriteJsonString(out.data() + start, value) - out.data()));
}

}  // namespace styrmin::graphql
