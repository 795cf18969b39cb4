#include "model/crypto/ore.h"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "model/base/check.h"
#include "model/crypto/sodium.h"

namespace fluence::crypto {

namespace {

size_t bits_of(OreBlockBits block_bits) { return static_cast<size_t>(block_bits); }
size_t block_count(OreBlockBits block_bits) { return kOreValueBits / bits_of(block_bits); }
size_t block_domain(OreBlockBits block_bits) { return size_t{1} << bits_of(block_bits); }

bool valid_block_bits(uint8_t bits) {
  return bits == 1 || bits == 2 || bits == 4 || bits == 8 || bits == 16;
}

// The blocks before `block`, right-aligned; with the block index it names the
// prefix unambiguously.
uint64_t prefix_of(uint64_t value, size_t block, OreBlockBits block_bits) {
  size_t bits = block * bits_of(block_bits);
  return bits == 0 ? 0 : value >> (kOreValueBits - bits);
}

uint32_t block_of(uint64_t value, size_t block, OreBlockBits block_bits) {
  size_t shift = kOreValueBits - (block + 1) * bits_of(block_bits);
  return static_cast<uint32_t>((value >> shift) & (block_domain(block_bits) - 1));
}

void put_be(uint8_t* out, uint64_t value, size_t size) {
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(value >> (8 * (size - 1 - i)));
}

// Keyed BLAKE2b is the PRF F and plain BLAKE2b the random oracle H; the
// first message byte separates their uses.
enum HashUse : uint8_t { kDeriveBlockKey = 1, kShuffleDraws = 2, kMask = 3 };

void keyed_blake2b(ByteView key, ByteView message, std::span<uint8_t> out) {
  FL_ASSERT(key.size() >= crypto_generichash_KEYBYTES_MIN &&
            key.size() <= crypto_generichash_KEYBYTES_MAX);
  FL_ASSERT(out.size() >= crypto_generichash_BYTES_MIN &&
            out.size() <= crypto_generichash_BYTES_MAX);
  crypto_generichash(out.data(), out.size(), message.data(), message.size(), key.data(),
                     key.size());
}

// F(k1, i, prefix, j): the key that hides cell j of block i under a prefix.
OreBlockKey block_key(const Secret<32>& prf_key, size_t block, uint64_t prefix, uint32_t j) {
  uint8_t message[12];
  message[0] = kDeriveBlockKey;
  message[1] = static_cast<uint8_t>(block);
  put_be(message + 2, prefix, 8);
  put_be(message + 10, j, 2);
  OreBlockKey out;
  keyed_blake2b(prf_key.view(), message, out);
  return out;
}

// H(k', r) in Z_3, the random oracle of the paper. Unkeyed, so that the
// 33-byte input is one BLAKE2b compression where keyed mode spends two: this
// is the whole cost of a compare. 2^64 mod 3 = 1, so the reduction's bias is
// 2^-64.
uint8_t mask(const OreBlockKey& key, const OreNonce& nonce) {
  uint8_t message[1 + kOreBlockKeyBytes + kOreNonceBytes];
  message[0] = kMask;
  std::copy(key.begin(), key.end(), message + 1);
  std::copy(nonce.begin(), nonce.end(), message + 1 + kOreBlockKeyBytes);
  uint8_t digest[16];
  crypto_generichash(digest, sizeof digest, message, sizeof message, nullptr, 0);
  uint64_t word = 0;
  for (size_t i = 0; i < 8; ++i) word = (word << 8) | digest[i];
  // While encrypting, the cell keys and masks would unblind the cells.
  wipe(message, sizeof message);
  wipe(digest, sizeof digest);
  return static_cast<uint8_t>(word % 3);
}

// The draws of one block's Fisher-Yates shuffle: F(k2, i, prefix, counter) in
// counter mode, 16 words of 32 bits per call.
class ShuffleDraws {
 public:
  ShuffleDraws(const Secret<32>& permutation_key, size_t block, uint64_t prefix)
      : key_(permutation_key) {
    message_[0] = kShuffleDraws;
    message_[1] = static_cast<uint8_t>(block);
    put_be(message_ + 2, prefix, 8);
  }
  ~ShuffleDraws() { wipe(buffer_, sizeof buffer_); }
  ShuffleDraws(const ShuffleDraws&) = delete;
  ShuffleDraws& operator=(const ShuffleDraws&) = delete;

  // Uniform in [0, bound): Lemire's multiply-and-reject, exact given uniform
  // words. A rejection has probability below bound / 2^32 <= 2^-16, so the
  // bound on retries is never met by a working PRF.
  uint32_t uniform(uint32_t bound) {
    FL_ASSERT(bound > 0);
    const uint32_t threshold = (0u - bound) % bound;
    for (int attempt = 0; attempt < 64; ++attempt) {
      uint64_t product = uint64_t{next_word()} * bound;
      if (static_cast<uint32_t>(product) >= threshold) return static_cast<uint32_t>(product >> 32);
    }
    FL_ASSERT_MSG(false, "ore shuffle: 64 rejections in a row");
    return 0;
  }

 private:
  uint32_t next_word() {
    if (used_ == sizeof buffer_) {
      put_be(message_ + 10, counter_++, 4);
      keyed_blake2b(key_.view(), message_, buffer_);
      used_ = 0;
    }
    uint32_t word = 0;
    for (size_t i = 0; i < 4; ++i) word = (word << 8) | buffer_[used_ + i];
    used_ += 4;
    return word;
  }

  const Secret<32>& key_;
  uint8_t message_[14];
  uint32_t counter_ = 0;
  uint8_t buffer_[64];
  size_t used_ = sizeof buffer_;
};

// Runs the shuffle of [0, domain): calls swap(j, r) for each exchange, from
// j = domain - 1 down to 1 with r uniform in [0, j].
template <typename Swap>
void shuffle(const Secret<32>& permutation_key, OreBlockBits block_bits, size_t block,
             uint64_t prefix, Swap&& swap) {
  ShuffleDraws draws(permutation_key, block, prefix);
  for (size_t j = block_domain(block_bits) - 1; j >= 1; --j) {
    swap(static_cast<uint32_t>(j), draws.uniform(static_cast<uint32_t>(j + 1)));
  }
}

// cmp(a, b) of the paper with -1 written as 2, so that it adds in Z_3.
uint8_t compare_in_z3(uint32_t a, uint32_t b) { return a == b ? 0 : (a > b ? 1 : 2); }

}  // namespace

OreKey OreKey::derive(const Secret<32>& secret, OreBlockBits block_bits) {
  FL_ASSERT(valid_block_bits(static_cast<uint8_t>(block_bits)));
  ensure_sodium();
  Secret<32> prf_key, permutation_key;
  keyed_blake2b(secret.view(), as_bytes("fluence.ore.prf"), std::span<uint8_t>(prf_key.data(), 32));
  keyed_blake2b(secret.view(), as_bytes("fluence.ore.permutation"),
                std::span<uint8_t>(permutation_key.data(), 32));
  return OreKey(std::move(prf_key), std::move(permutation_key), block_bits);
}

OreLeftCiphertext::OreLeftCiphertext(OreBlockBits block_bits)
    : block_bits_(block_bits), blocks_(block_count(block_bits)) {}

OreRightCiphertext::OreRightCiphertext(OreBlockBits block_bits)
    : block_bits_(block_bits), cells_(block_count(block_bits) * block_domain(block_bits) / 4, 0) {}

uint8_t OreRightCiphertext::cell(size_t block, size_t j) const {
  FL_ASSERT(block < block_count(block_bits_) && j < block_domain(block_bits_));
  size_t index = block * block_domain(block_bits_) + j;
  return (cells_[index / 4] >> (6 - 2 * (index % 4))) & 3;
}

void OreRightCiphertext::set_cell(size_t block, size_t j, uint8_t value) {
  FL_ASSERT(value < 3 && cell(block, j) == 0);
  size_t index = block * block_domain(block_bits_) + j;
  cells_[index / 4] = static_cast<uint8_t>(cells_[index / 4] | (value << (6 - 2 * (index % 4))));
}

OreLeftCiphertext ore_encrypt_left(const OreKey& key, uint64_t value) {
  OreLeftCiphertext out(key.block_bits());
  for (size_t i = 0; i < out.blocks_.size(); ++i) {
    uint64_t prefix = prefix_of(value, i, key.block_bits());
    // pi(x_i): follow x_i through the shuffle instead of tabulating it.
    uint32_t position = block_of(value, i, key.block_bits());
    shuffle(key.permutation_key_, key.block_bits(), i, prefix, [&](uint32_t j, uint32_t r) {
      if (position == j) {
        position = r;
      } else if (position == r) {
        position = j;
      }
    });
    FL_ASSERT(position < block_domain(key.block_bits()));
    out.blocks_[i].position = static_cast<uint16_t>(position);
    out.blocks_[i].key = block_key(key.prf_key_, i, prefix, position);
  }
  return out;
}

OreRightCiphertext ore_encrypt_right(const OreKey& key, uint64_t value, env::Random& random) {
  OreRightCiphertext out(key.block_bits());
  random.fill(out.nonce_);
  const size_t domain = block_domain(key.block_bits());
  // at[j] = pi^-1(j), the plaintext block that lands in cell j.
  std::vector<uint32_t> at(domain);
  for (size_t i = 0; i < block_count(key.block_bits()); ++i) {
    uint64_t prefix = prefix_of(value, i, key.block_bits());
    uint32_t plain = block_of(value, i, key.block_bits());
    for (size_t j = 0; j < domain; ++j) at[j] = static_cast<uint32_t>(j);
    shuffle(key.permutation_key_, key.block_bits(), i, prefix,
            [&](uint32_t j, uint32_t r) { std::swap(at[j], at[r]); });
    for (size_t j = 0; j < domain; ++j) {
      OreBlockKey cell_key = block_key(key.prf_key_, i, prefix, static_cast<uint32_t>(j));
      uint8_t hidden = (compare_in_z3(at[j], plain) + mask(cell_key, out.nonce_)) % 3;
      out.set_cell(i, j, hidden);
      wipe(cell_key.data(), cell_key.size());
    }
  }
  wipe(at.data(), at.size() * sizeof(uint32_t));
  return out;
}

Result<std::strong_ordering> ore_compare(const OreLeftCiphertext& left,
                                         const OreRightCiphertext& right) {
  if (left.block_bits() != right.block_bits()) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "ore compare: left has " + std::to_string(bits_of(left.block_bits())) +
                             "-bit blocks, right has " +
                             std::to_string(bits_of(right.block_bits())));
  }
  const std::vector<OreLeftCiphertext::Block>& blocks = left.blocks();
  FL_ASSERT(blocks.size() == block_count(left.block_bits()));
  for (size_t i = 0; i < blocks.size(); ++i) {
    uint8_t cell = right.cell(i, blocks[i].position);
    uint8_t order = static_cast<uint8_t>((cell + 3 - mask(blocks[i].key, right.nonce())) % 3);
    if (order == 1) return std::strong_ordering::greater;
    if (order == 2) return std::strong_ordering::less;
  }
  return std::strong_ordering::equal;
}

void OreLeftCiphertext::encode(codec::Writer& writer) const {
  writer.u8(static_cast<uint8_t>(block_bits_));
  for (const Block& block : blocks_) {
    writer.fixed(block.key);
    if (block_bits_ == OreBlockBits::k16) {
      writer.u16(block.position);
    } else {
      writer.u8(static_cast<uint8_t>(block.position));
    }
  }
}

OreLeftCiphertext OreLeftCiphertext::decode(codec::Reader& reader) {
  uint8_t bits = reader.u8("ore_left.block_bits");
  if (reader.ok() && !valid_block_bits(bits)) {
    reader.fail("ore_left.block_bits", "must be 1, 2, 4, 8 or 16, got " + std::to_string(bits));
  }
  if (!reader.ok()) return OreLeftCiphertext(kOreDefaultBlockBits);
  OreLeftCiphertext out(static_cast<OreBlockBits>(bits));
  const size_t domain = block_domain(out.block_bits_);
  for (Block& block : out.blocks_) {
    block.key = reader.fixed<kOreBlockKeyBytes>("ore_left.key");
    uint32_t position = out.block_bits_ == OreBlockBits::k16 ? reader.u16("ore_left.position")
                                                             : reader.u8("ore_left.position");
    if (reader.ok() && position >= domain) {
      reader.fail("ore_left.position",
                  std::to_string(position) + " is outside [0, " + std::to_string(domain) + ")");
    }
    if (!reader.ok()) return OreLeftCiphertext(kOreDefaultBlockBits);
    block.position = static_cast<uint16_t>(position);
  }
  return out;
}

void OreRightCiphertext::encode(codec::Writer& writer) const {
  writer.u8(static_cast<uint8_t>(block_bits_));
  writer.fixed(nonce_);
  writer.raw(cells_);
}

OreRightCiphertext OreRightCiphertext::decode(codec::Reader& reader) {
  uint8_t bits = reader.u8("ore_right.block_bits");
  if (reader.ok() && !valid_block_bits(bits)) {
    reader.fail("ore_right.block_bits", "must be 1, 2, 4, 8 or 16, got " + std::to_string(bits));
  }
  if (!reader.ok()) return OreRightCiphertext(kOreDefaultBlockBits);
  OreRightCiphertext out(static_cast<OreBlockBits>(bits));
  out.nonce_ = reader.fixed<kOreNonceBytes>("ore_right.nonce");
  ByteView cells = reader.raw("ore_right.cells", out.cells_.size());
  if (!reader.ok()) return OreRightCiphertext(kOreDefaultBlockBits);
  for (size_t i = 0; i < cells.size(); ++i) {
    // A pair of bits 11 is 3, which is not in Z_3.
    if ((cells[i] & (cells[i] >> 1) & 0x55) != 0) {
      reader.fail("ore_right.cells", "byte " + std::to_string(i) + " holds a cell of 3");
      return OreRightCiphertext(kOreDefaultBlockBits);
    }
    out.cells_[i] = cells[i];
  }
  return out;
}

Result<uint64_t> ore_point_from_double(double value) {
  if (std::isnan(value)) {
    return Status::error(ErrorCode::kInvalidArgument, "ore: NaN has no place in the order");
  }
  uint64_t bits = std::bit_cast<uint64_t>(value == 0.0 ? 0.0 : value);
  constexpr uint64_t kSign = uint64_t{1} << 63;
  return (bits & kSign) != 0 ? ~bits : bits | kSign;
}

uint64_t ore_point_from_prefix(ByteView bytes) {
  uint64_t point = 0;
  for (size_t i = 0; i < kOrePrefixBytes; ++i) {
    point = (point << 8) | (i < bytes.size() ? bytes[i] : 0);
  }
  return point;
}

}  // namespace fluence::crypto
