#include "styrmin/core/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace styrmin {
namespace {

TEST(Base64, EncodesRfc4648TestVectors) {
  // RFC 4648 §10.
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(EncodeBase64(plain), encoded);
    EXPECT_EQ(DecodeBase64(encoded).value(), plain);
  }
}

TEST(Base64, UrlAlphabetHasNoPaddingAndNoPlusOrSlash) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(EncodeBase64(bytes), "+/+/");
  EXPECT_EQ(EncodeBase64(bytes, Base64Alphabet::kUrl), "-_-_");
  EXPECT_EQ(EncodeBase64("f", Base64Alphabet::kUrl), "Zg");
  EXPECT_EQ(DecodeBase64("-_-_", Base64Alphabet::kUrl).value(), bytes);
  EXPECT_FALSE(DecodeBase64("-_-_"));                        // not the standard alphabet
  EXPECT_FALSE(DecodeBase64("+/+/", Base64Alphabet::kUrl));  // not the URL-safe one
}

TEST(Base64, DecodesWithoutPaddingAndAcrossWhitespace) {
  EXPECT_EQ(DecodeBase64("aGVsbG8=").value(), "hello");
  EXPECT_EQ(DecodeBase64("aGVsbG8").value(), "hello");
  EXPECT_EQ(DecodeBase64("aGVs\nbG8=\n").value(), "hello");
  EXPECT_EQ(DecodeBase64("").value(), "");
}

TEST(Base64, RefusesMalformedText) {
  EXPECT_FALSE(DecodeBase64("a"));      // six bits: no byte
  EXPECT_FALSE(DecodeBase64("aG=Vs"));  // data after padding
  EXPECT_FALSE(DecodeBase64("aGV*"));   // outside the alphabet
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  for (std::size_t size = 0; size <= all.size(); size += 37) {
    const std::string data = all.substr(0, size);
    EXPECT_EQ(DecodeBase64(EncodeBase64(data)).value(), data);
    EXPECT_EQ(DecodeBase64(EncodeBase64(data, Base64Alphabet::kUrl), Base64Alphabet::kUrl).value(),
              data);
  }
}

}  // namespace
}  // namespace styrmin
