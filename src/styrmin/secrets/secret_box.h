// Secrets at rest: secret deployment parameters and backup location credentials are sealed
// with the server's key before they reach the database, and opened only where they are used
// (the agent that materialises them, the run-log redaction).
//
// Sealing is AES-256-GCM with a random 96-bit nonce per value. The sealed form is text, so it
// sits in the JSON documents the store keeps:
//
//   stm-sealed:v1:<base64 of nonce (12 bytes) | ciphertext | tag (16 bytes)>
//
// `purpose` is authenticated with the value (GCM's associated data), so a sealed value opens
// only where it was sealed for ("deployment/d-1/parameter/admin_password"): one copied into
// another row or parameter does not open.
//
// The key is 32 random bytes, kept base64-encoded in a key file (by default in the data
// directory, created mode 0600 on first start). Its fingerprint (a hash, safe to store and to
// log) is recorded in the database, so a server started with another key is refused before it
// writes anything it could not read back.
//
// Thread-safety: a SecretBox is immutable; Seal and Open may run concurrently.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "styrmin/core/status.h"

namespace styrmin::secrets {

class SecretBox final {
 public:
  static constexpr std::size_t kKeySize = 32;

  // kInvalidArgument unless `key` is kKeySize bytes.
  static Result<SecretBox> FromKey(std::string_view key);
  // A box with a new random key.
  static SecretBox Generate();
  // Reads the key file: the base64 text of kKeySize bytes (whitespace ignored). When the file
  // does not exist and `create` is set, writes a new random key to it first (mode 0600; a
  // concurrent creator's key wins, and is read back). kNotFound when it does not exist and
  // `create` is not set; kInvalidArgument naming the file when its content is not a key.
  static Result<SecretBox> LoadKeyFile(const std::filesystem::path& path, bool create);

  // `plaintext` sealed for `purpose`.
  std::string Seal(std::string_view plaintext, std::string_view purpose) const;
  // The plaintext of `sealed`. kInvalidArgument when it is not a sealed value at all;
  // kPermissionDenied when it does not open with this key for `purpose` (another key,
  // another purpose, or altered text).
  Result<std::string> Open(std::string_view sealed, std::string_view purpose) const;
  // A keyed digest of `value` for `purpose`: "hmac-sha256:" and 16 hex digits. It changes when
  // the value does, and reveals nothing of it without the key: contexts carry it so that a
  // changed secret changes the Instance, and so makes a run.
  std::string Digest(std::string_view value, std::string_view purpose) const;
  // Whether `text` has the sealed form's prefix (whether it opens is Open's business).
  static bool IsSealed(std::string_view text);

  // "sha256:" and 16 hex digits identifying the key; it reveals nothing of the key.
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  explicit SecretBox(const std::array<unsigned char, kKeySize>& key);

  std::array<unsigned char, kKeySize> key_;
  std::string fingerprint_;
};

}  // namespace styrmin::secrets
