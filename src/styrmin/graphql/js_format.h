// How graphql-js formats JavaScript values in its messages and responses, for values this engine
// holds as JSON: numbers as JavaScript's Number::toString writes them, and `inspect` (the
// value shown after "found:" in coercion errors).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "styrmin/core/json.h"

namespace styrmin::graphql {

// ECMAScript Number::toString: "1", "1.5", "1e+21", "1.5e-7", "NaN", "Infinity"; -0 is "0".
std::string JsNumberToString(double value);
// The same written at `out`, which has room for kMaxJsNumberSize bytes; returns its end.
inline constexpr std::size_t kMaxJsNumberSize = 32;
char* WriteJsNumber(char* out, double value);
// The same from the specification's algorithm alone, without WriteJsNumber's shortcut for
// plain decimals; for tests that check the shortcut.
std::string JsNumberToStringSlow(double value);

// graphql-js's inspect(): strings quoted as JSON.stringify quotes them, objects as
// `{ a: 1, b: "x" }`, arrays as `[1, 2]`, nesting past two levels as `[Object]`/`[Array]`,
// arrays past ten items cut with "... N more items".
std::string Inspect(const OrderedJson& value);

// JSON.stringify of a string: quotes, backslash escapes for `"`, `\` and control characters,
// everything else as is (invalid UTF-8 becomes U+FFFD so the result is always valid JSON).
void AppendJsonString(std::string& out, std::string_view value);
// The same written at `out`, which has room for MaxJsonStringSize(value.size()) bytes; returns
// the end of what it wrote.
char* WriteJsonString(char* out, std::string_view value);
// Each byte becomes at most six ("\u001f"), plus the quotes.
constexpr std::size_t MaxJsonStringSize(std::size_t size) { return 6 * size + 2; }

}  // namespace styrmin::graphql
