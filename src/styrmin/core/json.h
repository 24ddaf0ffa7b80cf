// JSON helpers over nlohmann::json that never throw past their boundary: every failure is an
// `Error` naming the offending input (a byte offset for syntax, a key path for shape).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "styrmin/core/status.h"

namespace styrmin {

using Json = nlohmann::json;
// Keeps object members in document order, where the order is visible to users (GraphQL
// variables and arguments echo back in the order they were written).
using OrderedJson = nlohmann::ordered_json;

// Parses `text` as one JSON value. Rejects trailing garbage and invalid UTF-8 in strings.
// `max_depth` bounds nesting so hostile input cannot exhaust the stack.
Result<Json> ParseJson(std::string_view text, int max_depth = 512);
// The same, keeping object members in document order.
Result<OrderedJson> ParseOrderedJson(std::string_view text, int max_depth = 512);

// The parser ParseJson and ParseOrderedJson try first, exposed for the differential tests and
// the fuzzer: the value of `text` when it is a valid document within `max_depth` of the kind
// stored and exchanged most (strings of printable ASCII with the short escapes, integers of up
// to 18 digits, no key twice in an object); nullopt for anything else, which then goes to
// nlohmann's parser. Where it answers, it answers what nlohmann's parser would, types included.
std::optional<Json> ParseJsonFastPath(std::string_view text, int max_depth = 512);
std::optional<OrderedJson> ParseOrderedJsonFastPath(std::string_view text, int max_depth = 512);

// Serialises compactly; invalid UTF-8 in strings is replaced rather than throwing.
std::string DumpJson(const Json& value);

// Typed member access: `NotFound`-free, every failure is `kInvalidArgument` with the key in the
// message ("field \"replicas\": expected integer, got string"). `object` must be an object.
Result<std::string> GetString(const Json& object, std::string_view key);
Result<std::int64_t> GetInt(const Json& object, std::string_view key);
Result<bool> GetBool(const Json& object, std::string_view key);
Result<Json> GetObject(const Json& object, std::string_view key);
Result<Json> GetArray(const Json& object, std::string_view key);

// The JSON type name used in messages: "object", "array", "string", "integer", "number",
// "boolean", "null".
std::string_view JsonTypeName(const Json& value);

}  // namespace styrmin
