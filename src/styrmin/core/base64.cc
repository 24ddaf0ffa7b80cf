#include "styrmin/core/base64.h"

#include <array>
#include <cstdint>

namespace styrmin {
namespace {

constexpr std::string_view kStandardAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int, 256> DecodeTable(std::string_view alphabet) {
  std::array<int, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  }
  return table;
}

}  // namespace

std::string EncodeBase64(std::string_view data, Base64Alphabet alphabet) {
  const std::string_view chars =
      alphabet == Base64Alphabet::kStandard ? kStandardAlphabet : kUrlAlphabet;
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : data) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += chars[(buffer >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += chars[(buffer << (6 - bits)) & 0x3F];
  if (alphabet == Base64Alphabet::kStandard) {
    while (out.size() % 4 != 0) out += '=';
  }
  return out;
}

Result<std::string> DecodeBase64(std::string_view text, Base64Alphabet alphabet) {
  static constexpr std::array<int, 256> kStandard = DecodeTable(kStandardAlphabet);
  static constexpr std::array<int, 256> kUrl = DecodeTable(kUrlAlphabet);
  const std::array<int, 256>& table = alphabet == Base64Alphabet::kStandard ? kStandard : kUrl;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  bool padding = false;
  for (const char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0 || padding) return InvalidArgument("invalid base64");
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  if (bits >= 6) return InvalidArgument("invalid base64 (truncated)");
  return out;
}

}  // namespace styrmin
