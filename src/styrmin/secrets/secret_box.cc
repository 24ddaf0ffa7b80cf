#include "styrmin/secrets/secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "styrmin/core/base64.h"

namespace styrmin::secrets {
namespace {

constexpr std::string_view kPrefix = "stm-sealed:v1:";
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext NewContext() {
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  STYRMIN_CHECK(ctx != nullptr, "OpenSSL allocates a cipher context");
  return ctx;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string Hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xF];
  }
  return out;
}

std::string ErrnoText() { return std::strerror(errno); }

std::array<unsigned char, SecretBox::kKeySize> RandomKey() {
  std::array<unsigned char, SecretBox::kKeySize> key{};
  STYRMIN_CHECK(RAND_bytes(key.data(), static_cast<int>(key.size())) == 1,
                "the system's random number generator works");
  return key;
}

// Writes a new random key to `path`, failing with EEXIST when the file is there.
Status CreateKeyFile(const std::filesystem::path& path) {
  const auto key = RandomKey();
  const std::string text =
      EncodeBase64(std::string_view(reinterpret_cast<const char*>(key.data()), key.size())) + "\n";
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  // A unique temporary name, then a link to the final name: the key file appears whole or
  // not at all, and link() fails when another process created it first.
  const std::filesystem::path temporary =
      path.string() + ".tmp-" + std::to_string(::getpid()) + "-" + Hex(key.data(), 4);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return FailedPrecondition("cannot create the secret key file " + temporary.string() + ": " +
                              ErrnoText());
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::link(temporary.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    if (written && saved == EEXIST) return OkStatus();  // another process made it first
    errno = saved;
    return FailedPrecondition("cannot write the secret key file " + path.string() + ": " +
                              ErrnoText());
  }
  ::unlink(temporary.c_str());
  return OkStatus();
}

}  // namespace

SecretBox::SecretBox(const std::array<unsigned char, kKeySize>& key) : key_(key) {
  // A domain-separated hash: the fingerprint is no hash of the key that could be used elsewhere.
  constexpr std::string_view kDomain = "styrmin secret key fingerprint v1";
  std::string input(kDomain);
  input.push_back('\0');
  input.append(reinterpret_cast<const char*>(key_.data()), key_.size());
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  STYRMIN_CHECK(
      EVP_Digest(input.data(), input.size(), digest.data(), &size, EVP_sha256(), nullptr) == 1,
      "SHA-256 works");
  fingerprint_ = "sha256:" + Hex(digest.data(), 8);
}

Result<SecretBox> SecretBox::FromKey(std::string_view key) {
  if (key.size() != kKeySize) {
    return InvalidArgument("a secret key is " + std::to_string(kKeySize) + " bytes, not " +
                           std::to_string(key.size()));
  }
  std::array<unsigned char, kKeySize> bytes{};
  std::memcpy(bytes.data(), key.data(), kKeySize);
  return SecretBox(bytes);
}

SecretBox SecretBox::Generate() { return SecretBox(RandomKey()); }

Result<SecretBox> SecretBox::LoadKeyFile(const std::filesystem::path& path, bool create) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (!create) return NotFound("secret key file " + path.string() + " does not exist");
    STYRMIN_RETURN_IF_ERROR(CreateKeyFile(path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return FailedPrecondition("cannot read the secret key file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  auto key = DecodeBase64(text.str());
  if (!key || key->size() != kKeySize) {
    return InvalidArgument("secret key file " + path.string() + ": expected the base64 text of " +
                           std::to_string(kKeySize) + " random bytes");
  }
  return FromKey(*key);
}

std::string SecretBox::Seal(std::string_view plaintext, std::string_view purpose) const {
  std::string raw(kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  STYRMIN_CHECK(RAND_bytes(out, static_cast<int>(kNonceSize)) == 1,
                "the system's random number generator works");
  const CipherContext ctx = NewContext();
  int n = 0;
  STYRMIN_CHECK(EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), out) == 1 &&
                    EVP_EncryptUpdate(ctx.get(), nullptr, &n, Bytes(purpose),
                                      static_cast<int>(purpose.size())) == 1 &&
                    EVP_EncryptUpdate(ctx.get(), out + kNonceSize, &n, Bytes(plaintext),
                                      static_cast<int>(plaintext.size())) == 1 &&
                    EVP_EncryptFinal_ex(ctx.get(), out + kNonceSize + n, &n) == 1 &&
                    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                                        out + kNonceSize + plaintext.size()) == 1,
                "AES-256-GCM encryption works");
  return std::string(kPrefix) + EncodeBase64(raw);
}

Result<std::string> SecretBox::Open(std::string_view sealed, std::string_view purpose) const {
  if (!IsSealed(sealed)) return InvalidArgument("not a sealed secret");
  auto raw = DecodeBase64(sealed.substr(kPrefix.size()));
  if (!raw || raw->size() < kNonceSize + kTagSize) {
    return InvalidArgument("a sealed secret that is cut short or not base64");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(raw->data());
  const std::size_t size = raw->size() - kNonceSize - kTagSize;
  std::string plaintext(size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  std::array<unsigned char, kTagSize> tag{};
  std::memcpy(tag.data(), in + kNonceSize + size, kTagSize);
  const CipherContext ctx = NewContext();
  int n = 0;
  const bool ok =
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), in) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, Bytes(purpose), static_cast<int>(purpose.size())) ==
          1 &&
      EVP_DecryptUpdate(ctx.get(), out, &n, in + kNonceSize, static_cast<int>(size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), out + n, &n) == 1;
  if (!ok) {
    return PermissionDenied("a sealed secret does not open with this server's key (key " +
                            fingerprint_ +
                            "): it was sealed with another key, for another place, or altered");
  }
  return plaintext;
}

std::string SecretBox::Digest(std::string_view value, std::string_view purpose) const {
  // The purpose's length first: no (purpose, value) pair reads as another.
  std::string input = std::to_string(purpose.size()) + ":";
  input.append(purpose);
  input.append(value);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int size = 0;
  STYRMIN_CHECK(HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), Bytes(input),
                     input.size(), mac.data(), &size) != nullptr,
                "HMAC-SHA-256 works");
  return "hmac-sha256:" + Hex(mac.data(), 8);
}

bool SecretBox::IsSealed(std::string_view text) { return text.starts_with(kPrefix); }

}  // namespace styrmin::secrets
