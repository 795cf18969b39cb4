#include "model/crypto/aead.h"

#include <sodium.h>

#include "model/crypto/sodium.h"

namespace fluence::crypto {

static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kAeadKeyBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kAeadNonceBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kAeadTagBytes);

Bytes aead_seal(const AeadKey& key, const AeadNonce& nonce, ByteView associated_data,
                ByteView plaintext) {
  ensure_sodium();
  Bytes sealed(plaintext.size() + kAeadTagBytes);
  unsigned long long sealed_size = 0;
  int rc = crypto_aead_xchacha20poly1305_ietf_encrypt(
      sealed.data(), &sealed_size, plaintext.data(), plaintext.size(), associated_data.data(),
      associated_data.size(), nullptr, nonce.data(), key.data());
  FL_ASSERT(rc == 0 && sealed_size == sealed.size());
  return sealed;
}

Result<Bytes> aead_open(const AeadKey& key, const AeadNonce& nonce, ByteView associated_data,
                        ByteView sealed) {
  ensure_sodium();
  if (sealed.size() < kAeadTagBytes) {
    return Status::error(ErrorCode::kAuthentication,
                         "sealed message of " + std::to_string(sealed.size()) +
                             " bytes is shorter than its tag");
  }
  Bytes plaintext(sealed.size() - kAeadTagBytes);
  unsigned long long plaintext_size = 0;
  int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      plaintext.data(), &plaintext_size, nullptr, sealed.data(), sealed.size(),
      associated_data.data(), associated_data.size(), nonce.data(), key.data());
  if (rc != 0) return Status::error(ErrorCode::kAuthentication, "AEAD tag does not verify");
  FL_ASSERT(plaintext_size == plaintext.size());
  return plaintext;
}

}  // namespace fluence::crypto
