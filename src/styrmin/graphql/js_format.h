// How graphql-js formats JavaScript values in its messages and responses, for values this engine
// holds as JSON: numbers as JavaScript's Number::toString writes them, and `inspect` (the
// value shown after "found:" in coercion errors).
#pragma once

#include <string>

#include "styrmin/core/json.h"

namespace styrmin::graphql {

// ECMAScript Number::toString: "1", "1.5", "1e+21", "1.5e-7", "NaN", "Infinity"; -0 is "0".
std::string JsNumberToString(double value);

// graphql-js's inspect(): strings quoted as JSON.stringify quotes them, objects as
// `{ a: 1, b: "x" }`, arrays as `[1, 2]`, nesting past two levels as `[Object]`/`[Array]`,
// arrays past ten items cut with "... N more items".
std::string Inspect(const OrderedJson& value);

// JSON.stringify of a string: quotes, backslash escapes for `"`, `\` and control characters,
// everything else as is (invalid UTF-8 becomes U+FFFD so the result is always valid JSON).
void AppendJsonString(std::string& out, std::string_view value);

}  // namespace styrmin::graphql
