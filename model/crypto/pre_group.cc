#include "model/crypto/pre_group.h"

#include <sodium.h>

#include "model/crypto/hash.h"
#include "model/crypto/sodium.h"

namespace fluence::crypto::pre {

static_assert(crypto_core_ristretto255_BYTES == kPointBytes);
static_assert(crypto_core_ristretto255_SCALARBYTES == kScalarBytes);
static_assert(crypto_core_ristretto255_NONREDUCEDSCALARBYTES == kHash512Bytes);
static_assert(crypto_core_ristretto255_HASHBYTES == kHash512Bytes);

namespace {

// ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr std::array<uint8_t, kScalarBytes> kGroupOrder = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

}  // namespace

Result<Point> point_from_bytes(ByteView bytes) {
  ensure_sodium();
  if (bytes.size() != kPointBytes) {
    return Status::error(ErrorCode::kMalformed, "ristretto255 point: expected 32 bytes, got " +
                                                    std::to_string(bytes.size()));
  }
  Point point;
  std::copy(bytes.begin(), bytes.end(), point.bytes.begin());
  // libsodium 1.0.18's canonicity check ignores the top bit, so a second
  // encoding of every point would pass it (fixed in later releases).
  if ((point.bytes[kPointBytes - 1] & 0x80) != 0 ||
      crypto_core_ristretto255_is_valid_point(point.bytes.data()) != 1) {
    return Status::error(ErrorCode::kMalformed, "not a canonical ristretto255 point");
  }
  if (sodium_is_zero(point.bytes.data(), point.bytes.size()) == 1) {
    return Status::error(ErrorCode::kMalformed, "ristretto255 identity is not accepted");
  }
  return point;
}

bool is_reduced_scalar(ByteView bytes) {
  FL_ASSERT(bytes.size() == kScalarBytes);
  // Compare as little-endian integers, most significant byte first. Scalars
  // checked here are public, so an early exit leaks nothing.
  for (size_t i = kScalarBytes; i-- > 0;) {
    if (bytes[i] != kGroupOrder[i]) return bytes[i] < kGroupOrder[i];
  }
  return false;  // equal to ℓ
}

void hash_to_scalar(Out scalar, std::string_view domain, std::initializer_list<ByteView> parts) {
  Hash512 wide = blake2b_512(domain, parts);
  crypto_core_ristretto255_scalar_reduce(scalar.data(), wide.data());
  wipe(wide.data(), wide.size());
  FL_ASSERT(sodium_is_zero(scalar.data(), scalar.size()) == 0);
}

void random_scalar(Out scalar, env::Random& random) {
  Secret<kHash512Bytes> drawn;
  random.fill(std::span<uint8_t>(drawn.data(), drawn.size()));
  hash_to_scalar(scalar, "fluence/pre/random-scalar", {drawn.view()});
}

Point hash_to_point(std::string_view domain, std::initializer_list<ByteView> parts) {
  Hash512 wide = blake2b_512(domain, parts);
  Point point;
  int rc = crypto_core_ristretto255_from_hash(point.bytes.data(), wide.data());
  FL_ASSERT(rc == 0);
  return point;
}

Point second_generator() { return hash_to_point("fluence/pre/generator-u", {}); }

void scalar_add(Out sum, In a, In b) {
  crypto_core_ristretto255_scalar_add(sum.data(), a.data(), b.data());
}

void scalar_sub(Out difference, In a, In b) {
  crypto_core_ristretto255_scalar_sub(difference.data(), a.data(), b.data());
}

void scalar_mul(Out product, In a, In b) {
  crypto_core_ristretto255_scalar_mul(product.data(), a.data(), b.data());
}

Group::Group() { ensure_sodium(); }

void Group::step(int rc, Out result, const char* what) {
  if (rc == 0) return;
  sodium_memzero(result.data(), result.size());
  if (ok()) failed_step_ = what;
}

void Group::mul(Out product, In scalar, In point, const char* what) {
  int rc = ok() ? crypto_scalarmult_ristretto255(product.data(), scalar.data(), point.data()) : -1;
  step(rc, product, what);
}

void Group::mul_base(Out product, In scalar, const char* what) {
  int rc = ok() ? crypto_scalarmult_ristretto255_base(product.data(), scalar.data()) : -1;
  step(rc, product, what);
}

void Group::add(Out sum, In p, In q, const char* what) {
  int rc = ok() ? crypto_core_ristretto255_add(sum.data(), p.data(), q.data()) : -1;
  step(rc, sum, what);
}

void Group::invert(Out inverse, In scalar, const char* what) {
  int rc = ok() ? crypto_core_ristretto255_scalar_invert(inverse.data(), scalar.data()) : -1;
  step(rc, inverse, what);
}

Status Group::status() const {
  if (ok()) return Status::ok();
  return Status::error(ErrorCode::kInvalidArgument,
                       std::string(failed_step_) +
                           ": invalid ristretto255 point, zero scalar or identity result");
}

}  // namespace fluence::crypto::pre
