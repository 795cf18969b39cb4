#include "model/crypto/ore.h"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <optional>
#include <span>
#include <string>

#include "model/base/check.h"
#include "model/crypto/sodium.h"

namespace fluence::crypto {

namespace {

size_t bits_of(OreBlockBits block_bits) { return static_cast<size_t>(block_bits); }
size_t block_count(OreBlockBits block_bits) { return kOreValueBits / bits_of(block_bits); }
size_t block_domain(OreBlockBits block_bits) { return size_t{1} << bits_of(block_bits); }
// Cells of a right ciphertext, packed four to a byte.
size_t cell_bytes(OreBlockBits block_bits) { return block_count(block_bits) * block_domain(block_bits) / 4; }
// The encoding of a right ciphertext: block bits, nonce, cells.
constexpr size_t kRightNonceAt = 1;
constexpr size_t kRightCellsAt = kRightNonceAt + kOreNonceBytes;

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

// The first 8 bytes of the unkeyed 16-byte BLAKE2b digest (RFC 7693) of a
// message of one block (at most 128 bytes), as a little-endian word: the
// compression function alone. H's input is one block, and H is the whole
// cost of a comparison; libsodium's crypto_generichash spends about as long
// again on its streaming state (set up, padded, wiped) as on the compression
// (bench/README.md, ORE range queries). The digest is the one libsodium and
// Python's hashlib compute: FixedKeyAndRandomnessGiveKnownCiphertexts
// (ore_test.cc) pins it through the 2,048 cells of a right ciphertext.
uint64_t blake2b_128_one_block_word(const uint8_t* message, size_t size) {
  static constexpr uint64_t kIv[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                                      0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                                      0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
  static constexpr uint8_t kSigma[12][16] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
      {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
      {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
      {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
      {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};
  constexpr uint64_t kDigestBytes = 16;
  FL_ASSERT(size <= 128);
  uint64_t m[16] = {};
  for (size_t i = 0; i < size; ++i) m[i / 8] |= uint64_t{message[i]} << (8 * (i % 8));
  // h = IV ^ parameter block (digest length, no key, fanout and depth 1).
  const uint64_t h0 = kIv[0] ^ 0x01010000 ^ kDigestBytes;
  uint64_t v[16] = {h0,     kIv[1], kIv[2], kIv[3], kIv[4], kIv[5], kIv[6], kIv[7],
                    kIv[0], kIv[1], kIv[2], kIv[3], kIv[4] ^ size, kIv[5], ~kIv[6], kIv[7]};
  auto g = [&](size_t r, size_t i, uint64_t& a, uint64_t& b, uint64_t& c, uint64_t& d) {
    a = a + b + m[kSigma[r][2 * i]];
    d = std::rotr(d ^ a, 32);
    c = c + d;
    b = std::rotr(b ^ c, 24);
    a = a + b + m[kSigma[r][2 * i + 1]];
    d = std::rotr(d ^ a, 16);
    c = c + d;
    b = std::rotr(b ^ c, 63);
  };
#pragma GCC unroll 12
  for (size_t r = 0; r < 12; ++r) {
    g(r, 0, v[0], v[4], v[8], v[12]);
    g(r, 1, v[1], v[5], v[9], v[13]);
    g(r, 2, v[2], v[6], v[10], v[14]);
    g(r, 3, v[3], v[7], v[11], v[15]);
    g(r, 4, v[0], v[5], v[10], v[15]);
    g(r, 5, v[1], v[6], v[11], v[12]);
    g(r, 6, v[2], v[7], v[8], v[13]);
    g(r, 7, v[3], v[4], v[9], v[14]);
  }
  const uint64_t word = h0 ^ v[0] ^ v[8];
  // While encrypting, the message holds a cell key and the state the mask.
  wipe(m, sizeof m);
  wipe(v, sizeof v);
  return word;
}

// H(k', r) in Z_3, the random oracle of the paper. Unkeyed, so that the
// 33-byte input is one BLAKE2b compression where keyed mode spends two: this
// is the whole cost of a compare. The digest's first 8 bytes, big-endian,
// reduced mod 3; 2^64 mod 3 = 1, so the reduction's bias is 2^-64.
uint8_t mask(const OreBlockKey& key, std::span<const uint8_t, kOreNonceBytes> nonce) {
  uint8_t message[1 + kOreBlockKeyBytes + kOreNonceBytes];
  message[0] = kMask;
  std::copy(key.begin(), key.end(), message + 1);
  std::copy(nonce.begin(), nonce.end(), message + 1 + kOreBlockKeyBytes);
  const uint64_t digest_le = blake2b_128_one_block_word(message, sizeof message);
  uint64_t word = 0;
  for (size_t i = 0; i < 8; ++i) word = (word << 8) | ((digest_le >> (8 * i)) & 0xff);
  // While encrypting, the cell keys and masks would unblind the cells.
  wipe(message, sizeof message);
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

// Cell j of block i in cells packed four to a byte, first cell in the high
// bits; 0..3, where 3 is malformed.
uint8_t packed_cell(const uint8_t* cells, OreBlockBits block_bits, size_t block, size_t j) {
  size_t index = block * block_domain(block_bits) + j;
  return static_cast<uint8_t>((cells[index / 4] >> (6 - 2 * (index % 4))) & 3);
}

// Whether every packed cell is in Z_3, i.e. no pair of bits is 11; eight
// bytes at a time. Each byte sits in its own 8-bit lane of the word, and the
// mask keeps, per pair, the low bit ANDed with the high bit of the same byte.
bool cells_in_z3(ByteView cells) {
  uint64_t threes = 0;
  size_t i = 0;
  for (; i + 8 <= cells.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, cells.data() + i, 8);
    threes |= word & (word >> 1);
  }
  for (; i < cells.size(); ++i) threes |= static_cast<uint64_t>(cells[i] & (cells[i] >> 1));
  return (threes & 0x5555555555555555) == 0;
}

// The comparison rule of the header, the one place it lives: at each block,
// the cell the left ciphertext points at (`cell_at(block, j)`) minus
// H(the left block key, nonce) in Z_3; the first non-zero block gives the
// order. nullopt if a cell read is 3, which no right ciphertext holds.
template <typename CellAt>
std::optional<std::strong_ordering> compare_blocks(const OreLeftCiphertext& left,
                                                   std::span<const uint8_t, kOreNonceBytes> nonce,
                                                   CellAt&& cell_at) {
  const std::vector<OreLeftCiphertext::Block>& blocks = left.blocks();
  FL_ASSERT(blocks.size() == block_count(left.block_bits()));
  for (size_t i = 0; i < blocks.size(); ++i) {
    uint8_t cell = cell_at(i, blocks[i].position);
    if (cell > 2) return std::nullopt;
    uint8_t order = static_cast<uint8_t>((cell + 3 - mask(blocks[i].key, nonce)) % 3);
    if (order == 1) return std::strong_ordering::greater;
    if (order == 2) return std::strong_ordering::less;
  }
  return std::strong_ordering::equal;
}

Status block_size_mismatch(OreBlockBits left, OreBlockBits right) {
  return Status::error(ErrorCode::kInvalidArgument, "ore compare: left has " + std::to_string(bits_of(left)) +
                                                        "-bit blocks, right has " + std::to_string(bits_of(right)));
}

// The decoder's verdict on an encoding the in-place checks found malformed:
// its error, word for word. The checks are the decoder's, so it fails too.
Status decode_error(ByteView encoded) {
  codec::Reader reader(encoded);
  OreRightCiphertext::decode(reader);
  FL_ASSERT_MSG(!reader.ok(), "ore: in-place checks and the decoder disagree");
  return reader.status();
}

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
  if (left.block_bits() != right.block_bits()) return block_size_mismatch(left.block_bits(), right.block_bits());
  std::optional<std::strong_ordering> order =
      compare_blocks(left, right.nonce(), [&](size_t block, size_t j) { return right.cell(block, j); });
  FL_ASSERT(order.has_value());  // decode and encrypt make cells in Z_3 only
  return *order;
}

Result<size_t> ore_right_encoded_size(ByteView encoded) {
  if (encoded.empty() || !valid_block_bits(encoded[0])) return decode_error(encoded);
  const OreBlockBits block_bits = static_cast<OreBlockBits>(encoded[0]);
  const size_t size = kRightCellsAt + cell_bytes(block_bits);
  if (encoded.size() < size || !cells_in_z3(encoded.subspan(kRightCellsAt, cell_bytes(block_bits)))) {
    return decode_error(encoded);
  }
  return size;
}

Result<std::strong_ordering> ore_compare_encoded(const OreLeftCiphertext& left, ByteView encoded_right) {
  if (encoded_right.empty() || !valid_block_bits(encoded_right[0])) return decode_error(encoded_right);
  const OreBlockBits block_bits = static_cast<OreBlockBits>(encoded_right[0]);
  if (encoded_right.size() < kRightCellsAt + cell_bytes(block_bits)) return decode_error(encoded_right);
  if (left.block_bits() != block_bits) return block_size_mismatch(left.block_bits(), block_bits);
  const uint8_t* cells = encoded_right.data() + kRightCellsAt;
  std::optional<std::strong_ordering> order =
      compare_blocks(left, encoded_right.subspan<kRightNonceAt, kOreNonceBytes>(),
                     [&](size_t block, size_t j) { return packed_cell(cells, block_bits, block, j); });
  if (!order) return decode_error(encoded_right);
  return *order;
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
  if (!cells_in_z3(cells)) {
    // A pair of bits 11 is 3, which is not in Z_3: name the first byte that holds one.
    size_t i = 0;
    while (cells_in_z3(cells.subspan(i, 1))) ++i;
    reader.fail("ore_right.cells", "byte " + std::to_string(i) + " holds a cell of 3");
    return OreRightCiphertext(kOreDefaultBlockBits);
  }
  std::copy(cells.begin(), cells.end(), out.cells_.begin());
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
