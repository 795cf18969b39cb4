#include "runtime/admin_token.h"

#include <sodium.h>

#include "runtime/atomic_file.h"

namespace fluence::runtime {

namespace {

bool is_token(const std::string& text) {
  if (text.size() != kAdminTokenHexDigits) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Result<std::string> read_admin_token(const std::string& path) {
  Result<Bytes> bytes = read_file(path);
  if (!bytes) return bytes.status();
  std::string text(bytes->begin(), bytes->end());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (!is_token(text)) {
    return Status::error(ErrorCode::kMalformed,
                         path + ": an admin token file holds " + std::to_string(kAdminTokenHexDigits) +
                             " lowercase hex digits (and maybe a newline)");
  }
  return text;
}

Result<std::string> load_or_create_admin_token(const std::string& path) {
  Result<std::string> existing = read_admin_token(path);
  if (existing || existing.status().code() != ErrorCode::kNotFound) return existing;
  FL_ASSERT(sodium_init() >= 0);
  uint8_t secret[kAdminTokenHexDigits / 2];
  randombytes_buf(secret, sizeof secret);
  std::string token = to_hex(ByteView(secret, sizeof secret));
  sodium_memzero(secret, sizeof secret);
  std::string line = token + "\n";
  FL_RETURN_IF_ERROR(write_file_atomically(path, ByteView(reinterpret_cast<const uint8_t*>(line.data()), line.size())));
  return token;
}

bool admin_token_matches(const std::string& expected, const std::string& offered) {
  if (expected.size() != offered.size()) return false;  // the length is no secret: always 64
  return sodium_memcmp(expected.data(), offered.data(), expected.size()) == 0;
}

}  // namespace fluence::runtime
