#include "styrmin/secrets/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "styrmin/core/base64.h"

namespace styrmin::secrets {
namespace {

std::string FromHex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

class TempDir {
 public:
  TempDir() {
    path_ =
        std::filesystem::temp_directory_path() /
        ("styrmin-secrets-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(SecretBox, SealedValuesOpenForTheirPurposeOnly) {
  const SecretBox box = SecretBox::Generate();
  for (const std::string& plaintext :
       {std::string(), std::string("hunter2-hunter2"), std::string("\xc3\xa9t\xc3\xa9\0x", 6),
        std::string(100000, 'k')}) {
    const std::string sealed = box.Seal(plaintext, "deployment/d-1/parameter/password");
    EXPECT_TRUE(SecretBox::IsSealed(sealed));
    if (!plaintext.empty()) {
      EXPECT_EQ(sealed.find(plaintext), std::string::npos);
    }
    EXPECT_EQ(box.Open(sealed, "deployment/d-1/parameter/password").value(), plaintext);
    const auto elsewhere = box.Open(sealed, "deployment/d-2/parameter/password");
    ASSERT_FALSE(elsewhere);
    EXPECT_EQ(elsewhere.error().code(), ErrorCode::kPermissionDenied);
  }
  // A random nonce per value: the same secret sealed twice reads differently.
  EXPECT_NE(box.Seal("same", "p"), box.Seal("same", "p"));
}

TEST(SecretBox, RefusesAnotherKeyAlteredTextAndNonSealedText) {
  const SecretBox box = SecretBox::Generate();
  const SecretBox other = SecretBox::Generate();
  EXPECT_NE(box.fingerprint(), other.fingerprint());
  const std::string sealed = box.Seal("s3cret", "p");
  EXPECT_EQ(other.Open(sealed, "p").error().code(), ErrorCode::kPermissionDenied);
  // The message names this server's key, never the value.
  EXPECT_NE(other.Open(sealed, "p").error().message().find(other.fingerprint()), std::string::npos);
  std::string altered = sealed;
  const std::size_t at = std::string_view("stm-sealed:v1:").size() + 20;  // inside the ciphertext
  altered[at] = altered[at] == 'A' ? 'B' : 'A';
  EXPECT_EQ(box.Open(altered, "p").error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(box.Open("s3cret", "p").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(box.Open("stm-sealed:v1:AAAA", "p").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(box.Open("stm-sealed:v1:!!!!", "p").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(SecretBox::IsSealed("stm-sealed:v2:AAAA"));
}

TEST(SecretBox, OpensTheGcmSpecificationsAes256TestCase) {
  // McGrew and Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 60-byte
  // plaintext, 20 bytes of associated data): the sealed form is nonce | ciphertext | tag.
  const auto box = SecretBox::FromKey(
      FromHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"));
  ASSERT_TRUE(box);
  const std::string sealed =
      "stm-sealed:v1:" +
      EncodeBase64(FromHex("cafebabefacedbaddecaf888") +
                   FromHex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e"
                           "48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662") +
                   FromHex("76fc6ece0f4e1768cddf8853bb2d551b"));
  const auto opened = box->Open(sealed, FromHex("feedfacedeadbeeffeedfacedeadbeefabaddad2"));
  ASSERT_TRUE(opened) << opened.error().ToString();
  EXPECT_EQ(*opened,
            FromHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c"
                    "95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"));
}

TEST(SecretBox, DigestsFollowValuePurposeAndKey) {
  const auto box = SecretBox::FromKey(std::string(32, 'k'));
  const auto other = SecretBox::FromKey(std::string(32, 'j'));
  ASSERT_TRUE(box && other);
  const std::string digest = box->Digest("hunter2", "p");
  EXPECT_TRUE(digest.starts_with("hmac-sha256:"));
  EXPECT_EQ(digest.size(), 12U + 16U);
  EXPECT_EQ(digest, box->Digest("hunter2", "p"));
  EXPECT_NE(digest, box->Digest("hunter3", "p"));
  EXPECT_NE(digest, box->Digest("hunter2", "q"));
  EXPECT_NE(digest, other->Digest("hunter2", "p"));
  // The purpose and the value are kept apart: ("a", "b\0c") is not ("a\0b", "c").
  EXPECT_NE(box->Digest(std::string("b\0c", 3), "a"), box->Digest("c", std::string("a\0b", 3)));
}

TEST(SecretBox, KeysAreThirtyTwoBytes) {
  EXPECT_EQ(SecretBox::FromKey("short").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(SecretBox::FromKey(std::string(32, 'k')));
  // The fingerprint follows the key, and only the key.
  EXPECT_EQ(SecretBox::FromKey(std::string(32, 'k'))->fingerprint(),
            SecretBox::FromKey(std::string(32, 'k'))->fingerprint());
  EXPECT_EQ(SecretBox::FromKey(std::string(32, 'k'))->fingerprint().size(), 7U + 16U);
}

TEST(SecretBoxKeyFile, IsCreatedOnceOwnerOnlyAndReadBack) {
  TempDir dir;
  const auto path = dir.path() / "sub" / "secret.key";
  EXPECT_EQ(SecretBox::LoadKeyFile(path, false).error().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path));  // nothing created without `create`
  const auto created = SecretBox::LoadKeyFile(path, true);
  ASSERT_TRUE(created) << created.error().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
  const auto again = SecretBox::LoadKeyFile(path, true);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->fingerprint(), created->fingerprint());
  EXPECT_EQ(again->Open(created->Seal("v", "p"), "p").value(), "v");
  // No temporary files left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(path.parent_path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(SecretBoxKeyFile, ConcurrentCreatorsAgreeOnOneKey) {
  TempDir dir;
  const auto path = dir.path() / "secret.key";
  std::vector<std::string> fingerprints(8);
  std::vector<std::thread> threads;
  threads.reserve(fingerprints.size());
  for (std::size_t i = 0; i < fingerprints.size(); ++i) {
    threads.emplace_back([&, i] {
      auto box = SecretBox::LoadKeyFile(path, true);
      fingerprints[i] = box ? box->fingerprint() : box.error().ToString();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& f : fingerprints) EXPECT_EQ(f, fingerprints.front());
  EXPECT_TRUE(fingerprints.front().starts_with("sha256:"));
}

TEST(SecretBoxKeyFile, RefusesAFileThatIsNotAKey) {
  TempDir dir;
  for (const std::string& content :
       {std::string("not base64 !"), EncodeBase64("16 bytes only...")}) {
    const auto path = dir.path() / "bad.key";
    std::ofstream(path) << content;
    const auto box = SecretBox::LoadKeyFile(path, true);
    ASSERT_FALSE(box);
    EXPECT_EQ(box.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(box.error().message().find(path.string()), std::string::npos);
    // The file is left as it was: a bad key is never replaced by a new one.
    std::ifstream in(path);
    std::ostringstream back;
    back << in.rdbuf();
    EXPECT_EQ(back.str(), content);
  }
}

}  // namespace
}  // namespace styrmin::secrets
