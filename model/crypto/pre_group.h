// ristretto255 arithmetic and hashing for the proxy re-encryption scheme
// (pre.h). Internal to model/crypto/pre*.cc.
//
// Scalars and points are 32-byte spans so that public values (Scalar, Point)
// and secret ones (Secret<32>, wiped on destruction) go through the same
// operations without copies of secrets into unwiped buffers.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "model/base/bytes.h"
#include "model/base/status.h"
#include "model/crypto/pre.h"

namespace fluence::crypto::pre {

using In = std::span<const uint8_t, 32>;
using Out = std::span<uint8_t, 32>;

inline Out out(Secret<32>& secret) { return Out(secret.data(), 32); }
inline Out out(Point& point) { return point.bytes; }
inline Out out(Scalar& scalar) { return scalar.bytes; }

bool is_reduced_scalar(ByteView bytes);

// Reduces a 64-byte domain-separated BLAKE2b to a scalar (bias below 2^-250).
// A zero result would mean a broken hash, so it is asserted away: every
// scalar the scheme draws is non-zero.
void hash_to_scalar(Out scalar, std::string_view domain, std::initializer_list<ByteView> parts);
// A scalar drawn from the caller's randomness, hashed so that any stream,
// even a degenerate one, gives a valid non-zero scalar. A stream that repeats
// still repeats scalars: see the randomness note in pre.h.
void random_scalar(Out scalar, env::Random& random);
// Elligator map of a 64-byte domain-separated hash: a point with unknown
// logarithm.
Point hash_to_point(std::string_view domain, std::initializer_list<ByteView> parts);
// U, the second generator of the re-encryption proofs.
Point second_generator();

void scalar_add(Out sum, In a, In b);
void scalar_sub(Out difference, In a, In b);
void scalar_mul(Out product, In a, In b);

// Group operations that remember their first failure instead of making every
// step return: libsodium refuses invalid points, a zero scalar and an
// identity product, and a computation of many steps then checks once at its
// end (the pattern of codec::Reader). After a failure the remaining steps
// are skipped and write zeros.
class Group {
 public:
  Group();
  void mul(Out product, In scalar, In point, const char* what);
  void mul_base(Out product, In scalar, const char* what);
  void add(Out sum, In p, In q, const char* what);
  void invert(Out inverse, In scalar, const char* what);

  bool ok() const { return failed_step_ == nullptr; }
  // kInvalidArgument naming the first step that failed.
  Status status() const;

 private:
  void step(int rc, Out result, const char* what);
  const char* failed_step_ = nullptr;
};

}  // namespace fluence::crypto::pre
