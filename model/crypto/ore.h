// Order-revealing encryption for server-side range queries over an encrypted
// index.
//
// Scheme: K. Lewi and D. J. Wu, "Order-Revealing Encryption: New
// Constructions, Applications, and Lower Bounds", ACM CCS 2016: the
// small-domain ORE with left and right ciphertexts, extended to 64-bit
// values by splitting them into blocks of d bits (most significant first) and
// keying each block's permutation and PRF inputs by the blocks before it.
//
//   left(x)  = for each block i: (F(k1, i, x|i, pi_{x|i}(x_i)), pi_{x|i}(x_i))
//   right(y) = nonce r, and for each block i and each j in [0, 2^d):
//              cmp(pi_{y|i}^-1(j), y_i) + H(F(k1, i, y|i, j), r)  (mod 3)
//   compare  = at each block, the right cell the left ciphertext points at,
//              minus H(the left block key, r) (mod 3); the first non-zero
//              block gives the order, all zero means equal.
// where x|i is the prefix of blocks before block i, F is keyed BLAKE2b, H is
// BLAKE2b reduced mod 3 (the paper's random oracle), and pi_p is a
// pseudorandom permutation of [0, 2^d) for prefix p.
//
// The permutation: a Fisher-Yates shuffle of [0, 2^d) whose draws come from
// keyed BLAKE2b in counter mode on (block index, prefix, counter), turned into
// exactly uniform integers by rejection. With truly uniform draws, the (2^d)!
// sequences of choices give each of the (2^d)! permutations once, so the result
// is a uniform permutation; the shuffle is a public, efficient function of
// the PRF's outputs, so telling it from a uniform permutation would tell the
// PRF from a random function. Distinct prefixes are distinct PRF inputs,
// hence independent permutations, as the paper's domain extension requires.
// The domain is small enough to tabulate, so pi and pi^-1 are both exact.
//
// LEAKAGE (the paper's leakage function for the block construction):
// - Right ciphertexts alone are semantically secure (H modelled as a random
//   oracle, nonces unique): any set of them reveals only how many there are
//   and their block size.
//   Two right ciphertexts cannot be compared with each other.
// - A left ciphertext compared with a right one reveals the order of the two
//   plaintexts and the index of the first block in which they differ, i.e.
//   how many leading d-bit blocks they share.
// - Left ciphertexts are deterministic and block i depends only on the
//   blocks up to i, so any two left ciphertexts reveal whether the values are
//   equal and the index of their first differing block (not their order).
// For a node storing an index: rows carry right ciphertexts only, so at rest
// the node learns nothing about the indexed values, and it cannot sort them;
// a range query's bounds arrive as left ciphertexts and the node scans
// (see bench/micro_ore.cc). Each query tells the node, for every row it
// compares, which side of each bound the row lies and how many leading blocks
// it shares with the bound: with d = 8, a row that agrees with a bound in its
// first 7 bytes is pinned to the 256 values that share them. Over many queries the
// node partially sorts the rows by the bounds seen, and anything it learns of
// one plaintext bound (a guessed "age >= 18") is learnt about the rows near
// it. Never store a row's left ciphertext on a node: left(x) against
// right(y) for all rows would give the node the full order of the column.
//
// Keys: comparing a left ciphertext with a right ciphertext made under
// another key is not detected; each block's difference is then a
// pseudorandom element of Z_3, so the result is "less" or "greater" at random
// and "equal" with probability 3^-blocks. An index must record which key its
// ciphertexts were made with.
//
// Sizes with the default d = 8: left 8 * 17 + 1 = 137 bytes, right 16 + 512
// + 1 = 529 bytes (two bits per cell, so compare reads one cell directly).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <utility>
#include <vector>

#include "model/base/bytes.h"
#include "model/base/status.h"
#include "model/codec/codec.h"
#include "model/crypto/secret.h"
#include "model/env/random.h"

namespace fluence::crypto {

// Bits per block. Larger blocks give shorter left ciphertexts and leak the
// first differing block at coarser grain, but right ciphertexts grow as
// 2^d / d, and so does the time to make them: d = 16 makes 64 KiB right
// ciphertexts at about a quarter of a second each.
enum class OreBlockBits : uint8_t { k1 = 1, k2 = 2, k4 = 4, k8 = 8, k16 = 16 };
inline constexpr OreBlockBits kOreDefaultBlockBits = OreBlockBits::k8;
inline constexpr size_t kOreValueBits = 64;
inline constexpr size_t kOreBlockKeyBytes = 16;
inline constexpr size_t kOreNonceBytes = 16;

using OreBlockKey = std::array<uint8_t, kOreBlockKeyBytes>;
using OreNonce = std::array<uint8_t, kOreNonceBytes>;

class OreLeftCiphertext;
class OreRightCiphertext;

// The two PRF keys of one index column, derived from a 32-byte secret;
// move-only, like the Secrets it holds.
class OreKey {
 public:
  static OreKey derive(const Secret<32>& secret, OreBlockBits block_bits = kOreDefaultBlockBits);
  OreBlockBits block_bits() const { return block_bits_; }

 private:
  friend OreLeftCiphertext ore_encrypt_left(const OreKey&, uint64_t);
  friend OreRightCiphertext ore_encrypt_right(const OreKey&, uint64_t, env::Random&);
  OreKey(Secret<32> prf_key, Secret<32> permutation_key, OreBlockBits block_bits)
      : prf_key_(std::move(prf_key)),
        permutation_key_(std::move(permutation_key)),
        block_bits_(block_bits) {}
  Secret<32> prf_key_;          // k1: the block keys and their cells
  Secret<32> permutation_key_;  // k2: the per-prefix permutations
  OreBlockBits block_bits_;
};

// Deterministic; made by the client for the bounds of a query.
class OreLeftCiphertext {
 public:
  struct Block {
    OreBlockKey key{};
    uint16_t position = 0;  // pi_{x|i}(x_i) < 2^d
    bool operator==(const Block&) const = default;
  };

  OreBlockBits block_bits() const { return block_bits_; }
  const std::vector<Block>& blocks() const { return blocks_; }
  bool operator==(const OreLeftCiphertext&) const = default;

  // block_bits (u8), then per block: key (16 bytes), position (u8, or u16
  // for d = 16). The block count follows from d, so there is none to forge.
  void encode(codec::Writer& writer) const;
  static OreLeftCiphertext decode(codec::Reader& reader);

 private:
  friend OreLeftCiphertext ore_encrypt_left(const OreKey&, uint64_t);
  explicit OreLeftCiphertext(OreBlockBits block_bits);
  OreBlockBits block_bits_;
  std::vector<Block> blocks_;
};

// Randomized; stored on the nodes next to the encrypted row.
class OreRightCiphertext {
 public:
  OreBlockBits block_bits() const { return block_bits_; }
  const OreNonce& nonce() const { return nonce_; }
  // Cell j of block i, in Z_3.
  uint8_t cell(size_t block, size_t j) const;
  bool operator==(const OreRightCiphertext&) const = default;

  // block_bits (u8), nonce (16 bytes), then the 64 / d * 2^d cells packed
  // four to a byte, first cell in the high bits; a cell of 3 is malformed.
  void encode(codec::Writer& writer) const;
  static OreRightCiphertext decode(codec::Reader& reader);

 private:
  friend OreRightCiphertext ore_encrypt_right(const OreKey&, uint64_t, env::Random&);
  explicit OreRightCiphertext(OreBlockBits block_bits);
  void set_cell(size_t block, size_t j, uint8_t value);
  OreBlockBits block_bits_;
  OreNonce nonce_{};
  Bytes cells_;
};

// Deterministic: equal values give equal left ciphertexts.
OreLeftCiphertext ore_encrypt_left(const OreKey& key, uint64_t value);
// The nonce is drawn from `random`. Semantic security needs nonces that never
// repeat under one key and that the node cannot predict: the runtime's
// OS-seeded stream, not the simulator's deterministic one, for real data.
OreRightCiphertext ore_encrypt_right(const OreKey& key, uint64_t value, env::Random& random);

// The order of left's plaintext relative to right's, without the key.
// Fails with kInvalidArgument if their block sizes differ; ciphertexts made
// under different keys compare at random (see above).
Result<std::strong_ordering> ore_compare(const OreLeftCiphertext& left,
                                         const OreRightCiphertext& right);

// The same comparisons on a right ciphertext read in place from its encoding,
// for a node scanning stored rows (storage/ore_scan.h): no copy, no
// allocation. Both read the encoding at the start of the bytes they are given
// and nothing after it (in a row value, the payload follows).
//
// The size of the encoding at the start of `encoded`; kMalformed exactly when
// OreRightCiphertext::decode of those bytes fails (same checks: block size,
// length, every cell), with decode's message.
Result<size_t> ore_right_encoded_size(ByteView encoded);
// ore_compare(left, decode(encoded_right)), reading only the block size, the
// nonce and the cells the comparison needs. Fails as decoding then comparing
// would: kMalformed for a bad block size or too few bytes, then
// kInvalidArgument if the block sizes differ, then kMalformed if a cell it
// reads is 3. A cell of 3 that it does not read goes unnoticed: a caller that
// must reject every malformed encoding checks ore_right_encoded_size() first.
Result<std::strong_ordering> ore_compare_encoded(const OreLeftCiphertext& left, ByteView encoded_right);

// Order-preserving maps into the 64-bit domain: a < b implies map(a) <=
// map(b), with equality only where noted.
inline uint64_t ore_point_from_uint64(uint64_t value) { return value; }
// Flipping the sign bit puts negatives below zero in unsigned order.
inline uint64_t ore_point_from_int64(int64_t value) {
  return static_cast<uint64_t>(value) ^ (uint64_t{1} << 63);
}
// IEEE 754's total-order trick (flip every bit of a negative, the sign bit of
// a positive), with -0.0 folded into +0.0 so that the order agrees with
// operator<, which holds them equal. NaN has no place in that order and fails
// with kInvalidArgument.
Result<uint64_t> ore_point_from_double(double value);
// The first kOrePrefixBytes bytes, big-endian, zero-padded. Strings equal in
// their first 8 bytes compare equal, and so do "a" and "a\0": a range query
// over this index returns a superset, and the caller must re-check each row
// after decrypting it.
inline constexpr size_t kOrePrefixBytes = 8;
uint64_t ore_point_from_prefix(ByteView bytes);

}  // namespace fluence::crypto
