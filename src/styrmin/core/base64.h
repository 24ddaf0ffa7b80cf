// Base64 (RFC 4648), in the standard alphabet (kubeconfig data, stored binary files, sealed
// secrets) and the URL-safe one (token secrets).
#pragma once

#include <string>
#include <string_view>

#include "styrmin/core/status.h"

namespace styrmin {

enum class Base64Alphabet {
  kStandard,  // A-Z a-z 0-9 + /, written with '=' padding
  kUrl,       // A-Z a-z 0-9 - _, written without padding
};

std::string EncodeBase64(std::string_view data,
                         Base64Alphabet alphabet = Base64Alphabet::kStandard);

// Text in `alphabet`, with or without padding; ASCII whitespace is ignored. kInvalidArgument
// for any other character, a character after padding, or a final group too short to hold a
// byte ("a").
Result<std::string> DecodeBase64(std::string_view text,
                                 Base64Alphabet alphabet = Base64Alphabet::kStandard);

}  // namespace styrmin
