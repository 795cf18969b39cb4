#include "model/economy/share_seal.h"

#include <sodium.h>

#include "model/crypto/hash.h"
#include "model/crypto/sodium.h"

namespace fluence::economy {

namespace {

static_assert(crypto_scalarmult_BYTES == kSealEphemeralBytes);
static_assert(crypto_scalarmult_SCALARBYTES == 32);

using X25519Point = std::array<uint8_t, crypto_scalarmult_BYTES>;

// The all-zero nonce is safe: each key seals exactly one message (see header).
constexpr crypto::AeadNonce kNonce{};

Result<X25519Point> holder_point(const crypto::PublicKey& holder) {
  X25519Point point{};
  if (crypto_sign_ed25519_pk_to_curve25519(point.data(), holder.bytes.data()) != 0) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "share seal: holder key is not a valid Ed25519 point");
  }
  return point;
}

crypto::AeadKey seal_key(const crypto::Secret<crypto_scalarmult_BYTES>& shared, const X25519Point& ephemeral,
                         const X25519Point& holder) {
  crypto::Hash256 digest = crypto::blake2b_256("fluence/economy/share-seal", {shared.view(), ephemeral, holder});
  crypto::AeadKey key{std::span<const uint8_t, crypto::kAeadKeyBytes>(digest)};
  crypto::wipe(digest.data(), digest.size());
  return key;
}

}  // namespace

void SealedKeyFrag::encode(codec::Writer& writer) const {
  writer.fixed(ephemeral);
  writer.fixed(box);
}

SealedKeyFrag SealedKeyFrag::decode(codec::Reader& reader) {
  SealedKeyFrag s;
  s.ephemeral = reader.fixed<kSealEphemeralBytes>("sealed_kfrag.ephemeral");
  s.box = reader.fixed<kSealedKeyFragBoxBytes>("sealed_kfrag.box");
  return s;
}

Result<SealedKeyFrag> seal_keyfrag(const crypto::PublicKey& holder, ByteView associated_data,
                                   const pre::KeyFrag& kfrag, env::Random& random) {
  crypto::ensure_sodium();
  Result<X25519Point> to = holder_point(holder);
  if (!to) return to.status();
  crypto::Secret<32> ephemeral_secret;
  crypto::Secret<crypto_scalarmult_BYTES> shared;
  SealedKeyFrag sealed;
  // A zero draw would give an all-zero S below; redraw (it never happens
  // with a working rng, and the bound keeps a broken one from looping).
  for (int attempt = 0;; ++attempt) {
    FL_ASSERT(attempt < 8);
    random.fill(std::span<uint8_t>(ephemeral_secret.data(), ephemeral_secret.size()));
    if (crypto_scalarmult_base(sealed.ephemeral.data(), ephemeral_secret.data()) == 0 &&
        crypto_scalarmult(shared.data(), ephemeral_secret.data(), to->data()) == 0) {
      break;
    }
  }
  crypto::AeadKey key = seal_key(shared, sealed.ephemeral, *to);
  Bytes plaintext = codec::encode(kfrag);
  FL_ASSERT(plaintext.size() == kKeyFragBytes);
  Bytes box = crypto::aead_seal(key, kNonce, associated_data, plaintext);
  crypto::wipe(plaintext.data(), plaintext.size());
  FL_ASSERT(box.size() == kSealedKeyFragBoxBytes);
  std::copy(box.begin(), box.end(), sealed.box.begin());
  return sealed;
}

Result<pre::KeyFrag> open_keyfrag(const crypto::SigningKey& holder, ByteView associated_data,
                                  const SealedKeyFrag& sealed) {
  crypto::ensure_sodium();
  Result<X25519Point> own = holder_point(holder.public_key());
  FL_ASSERT(own.is_ok());  // a key made by SigningKey is always a valid point
  // libsodium's expanded Ed25519 secret (seed || public key), then its X25519 half.
  crypto::Secret<crypto_sign_SECRETKEYBYTES> expanded;
  crypto::Secret<32> x_secret;
  crypto::PublicKey ignored;
  int rc = crypto_sign_seed_keypair(ignored.bytes.data(), expanded.data(), holder.seed().data());
  FL_ASSERT(rc == 0);
  rc = crypto_sign_ed25519_sk_to_curve25519(x_secret.data(), expanded.data());
  FL_ASSERT(rc == 0);
  crypto::Secret<crypto_scalarmult_BYTES> shared;
  if (crypto_scalarmult(shared.data(), x_secret.data(), sealed.ephemeral.data()) != 0) {
    return Status::error(ErrorCode::kAuthentication, "share seal: ephemeral key is a low-order point");
  }
  crypto::AeadKey key = seal_key(shared, sealed.ephemeral, *own);
  Result<Bytes> plaintext = crypto::aead_open(key, kNonce, associated_data, sealed.box);
  if (!plaintext) {
    return Status::error(ErrorCode::kAuthentication,
                         "share seal: fragment not sealed to this node for this place, or altered");
  }
  Result<pre::KeyFrag> kfrag = codec::decode<pre::KeyFrag>(*plaintext);
  crypto::wipe(plaintext->data(), plaintext->size());
  if (!kfrag) return kfrag.status().with_context("share seal: opened fragment");
  return kfrag;
}

}  // namespace fluence::economy
