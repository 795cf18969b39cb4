// Lewi-Wu ORE: compare() agrees with the plaintext order, leaks what the
// header says and no more of what we can check, and its encodings are
// canonical.
#include "model/crypto/ore.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <set>

#include "model/crypto/hash.h"

namespace fluence::crypto {
namespace {

Secret<32> fixed_secret(uint8_t start) {
  std::array<uint8_t, 32> bytes;
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(start + i);
  return Secret<32>(std::span<const uint8_t, 32>(bytes));
}

OreKey test_key(OreBlockBits bits = kOreDefaultBlockBits, uint8_t start = 0) {
  return OreKey::derive(fixed_secret(start), bits);
}

std::strong_ordering compare_ok(const OreLeftCiphertext& left, const OreRightCiphertext& right) {
  Result<std::strong_ordering> order = ore_compare(left, right);
  EXPECT_TRUE(order.is_ok()) << order.status().to_string();
  return order.is_ok() ? *order : std::strong_ordering::equivalent;
}

// Checks every (left, right) pair of `points` against the plaintext order.
void expect_order_agrees(const OreKey& key, const std::vector<uint64_t>& points, env::Random& random) {
  std::vector<OreLeftCiphertext> lefts;
  std::vector<OreRightCiphertext> rights;
  for (uint64_t p : points) {
    lefts.push_back(ore_encrypt_left(key, p));
    rights.push_back(ore_encrypt_right(key, p, random));
  }
  for (size_t a = 0; a < points.size(); ++a) {
    for (size_t b = 0; b < points.size(); ++b) {
      ASSERT_EQ(compare_ok(lefts[a], rights[b]), points[a] <=> points[b])
          << std::hex << points[a] << " vs " << points[b];
    }
  }
}

// Values chosen to exercise the edges: equal, the extremes, and pairs that
// differ only in the first or only in the last block of any size.
std::vector<uint64_t> edge_and_random_points(env::Random& random, size_t random_count) {
  std::vector<uint64_t> points = {0, 1, 2, UINT64_MAX, UINT64_MAX - 1, uint64_t{1} << 63,
                                  (uint64_t{1} << 63) - 1, 0xff, 0x100, 0xff00000000000000};
  uint64_t r = 0x0123456789abcdef;
  points.insert(points.end(), {r, r ^ 1, r ^ 0x8000000000000000, r ^ 0x80, r ^ 0xf000000000000000,
                               r + 0x100, r - 1});
  for (size_t i = 0; i < random_count; ++i) points.push_back(random.next_u64());
  return points;
}

class OreBlockSizeTest : public testing::TestWithParam<OreBlockBits> {};

TEST_P(OreBlockSizeTest, CompareAgreesWithPlaintextOrder) {
  env::DeterministicRandom random(11);
  OreKey key = test_key(GetParam());
  expect_order_agrees(key, edge_and_random_points(random, 25), random);
}

TEST_P(OreBlockSizeTest, EncodingRoundTrips) {
  env::DeterministicRandom random(12);
  OreKey key = test_key(GetParam());
  OreLeftCiphertext left = ore_encrypt_left(key, 0xfedcba9876543210);
  OreRightCiphertext right = ore_encrypt_right(key, 0xfedcba9876543210, random);
  Result<OreLeftCiphertext> left_again = codec::decode<OreLeftCiphertext>(codec::encode(left));
  Result<OreRightCiphertext> right_again = codec::decode<OreRightCiphertext>(codec::encode(right));
  ASSERT_TRUE(left_again.is_ok()) << left_again.status().to_string();
  ASSERT_TRUE(right_again.is_ok()) << right_again.status().to_string();
  EXPECT_EQ(*left_again, left);
  EXPECT_EQ(*right_again, right);
  EXPECT_EQ(compare_ok(*left_again, *right_again), std::strong_ordering::equal);
}

INSTANTIATE_TEST_SUITE_P(BlockSizes, OreBlockSizeTest,
                         testing::Values(OreBlockBits::k1, OreBlockBits::k2, OreBlockBits::k4,
                                         OreBlockBits::k8));

// d = 16 costs about a quarter of a second per right ciphertext: a few points.
TEST(OreTest, SixteenBitBlocksCompare) {
  env::DeterministicRandom random(13);
  OreKey key = test_key(OreBlockBits::k16);
  expect_order_agrees(key, {0x0123456789abcdef, 0x0123456789abcdee, 0x1123456789abcdef}, random);
}

TEST(OreTest, EachBlockPermutationIsABijection) {
  for (OreBlockBits bits : {OreBlockBits::k4, OreBlockBits::k8}) {
    OreKey key = test_key(bits);
    size_t domain = size_t{1} << static_cast<size_t>(bits);
    std::set<uint16_t> first, last;
    for (uint64_t v = 0; v < domain; ++v) {
      first.insert(ore_encrypt_left(key, v << (64 - static_cast<size_t>(bits))).blocks().front().position);
      last.insert(ore_encrypt_left(key, v).blocks().back().position);
    }
    EXPECT_EQ(first.size(), domain);
    EXPECT_EQ(last.size(), domain);
  }
}

TEST(OreTest, SignedIntegersKeepTheirOrder) {
  env::DeterministicRandom random(14);
  std::vector<int64_t> values = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::min() + 1,
                                 -1000000, -256, -255, -1, 0, 1, 255, 256, 1000000,
                                 std::numeric_limits<int64_t>::max()};
  std::vector<uint64_t> points;
  for (int64_t v : values) points.push_back(ore_point_from_int64(v));
  for (size_t a = 0; a < values.size(); ++a) {
    for (size_t b = 0; b < values.size(); ++b) ASSERT_EQ(points[a] <=> points[b], values[a] <=> values[b]);
  }
  expect_order_agrees(test_key(), points, random);
}

TEST(OreTest, DoublesKeepTheirOrderAndZeroesAreEqual) {
  env::DeterministicRandom random(15);
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> values = {-inf, -DBL_MAX, -1e300, -1.5, -1.0, -DBL_MIN, -4.9e-324, -0.0,
                                0.0, 4.9e-324, DBL_MIN, 1.0, 1.5, 1e300, DBL_MAX, inf};
  std::vector<uint64_t> points;
  for (double v : values) {
    Result<uint64_t> point = ore_point_from_double(v);
    ASSERT_TRUE(point.is_ok());
    points.push_back(*point);
  }
  for (size_t a = 0; a < values.size(); ++a) {
    for (size_t b = 0; b < values.size(); ++b) {
      std::partial_ordering expected = values[a] <=> values[b];
      ASSERT_EQ(points[a] <=> points[b], expected) << values[a] << " vs " << values[b];
    }
  }
  EXPECT_EQ(*ore_point_from_double(-0.0), *ore_point_from_double(0.0));
  expect_order_agrees(test_key(), points, random);
}

TEST(OreTest, NanIsRejected) {
  for (double nan : {std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::signaling_NaN()}) {
    Result<uint64_t> point = ore_point_from_double(nan);
    ASSERT_FALSE(point.is_ok());
    EXPECT_EQ(point.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(point.status().message().find("NaN"), std::string::npos);
  }
}

TEST(OreTest, StringsCompareByTheirPrefix) {
  auto point = [](std::string_view s) { return ore_point_from_prefix(as_bytes(s)); };
  EXPECT_LT(point(""), point("a"));
  EXPECT_LT(point("apple"), point("banana"));
  EXPECT_LT(point("abcdefgg"), point("abcdefgh"));
  EXPECT_LT(point("\x7f"), point("\x80"));  // bytes are unsigned
  // The documented loss: equal in the first 8 bytes, or differing only by
  // trailing zero bytes, compares equal.
  EXPECT_EQ(point("abcdefgh1"), point("abcdefgh2"));
  EXPECT_EQ(point("a"), point(std::string_view("a\0", 2)));
  EXPECT_EQ(point("abcdefgh"), 0x6162636465666768u);
}

TEST(OreTest, RightCiphertextsAreRandomized) {
  env::DeterministicRandom random(16);
  OreKey key = test_key();
  OreRightCiphertext a = ore_encrypt_right(key, 42, random);
  OreRightCiphertext b = ore_encrypt_right(key, 42, random);
  EXPECT_NE(a.nonce(), b.nonce());
  EXPECT_NE(codec::encode(a), codec::encode(b));
  // Not just the nonce: the cells differ too.
  Bytes cells_a = codec::encode(a), cells_b = codec::encode(b);
  EXPECT_FALSE(std::equal(cells_a.begin() + 17, cells_a.end(), cells_b.begin() + 17));
  OreLeftCiphertext left = ore_encrypt_left(key, 42);
  EXPECT_EQ(compare_ok(left, a), std::strong_ordering::equal);
  EXPECT_EQ(compare_ok(left, b), std::strong_ordering::equal);
}

TEST(OreTest, LeftCiphertextsAreDeterministicAndLeakOnlyTheCommonPrefix) {
  OreKey key = test_key();
  EXPECT_EQ(ore_encrypt_left(key, 7), ore_encrypt_left(key, 7));
  EXPECT_EQ(ore_encrypt_left(test_key(), 7), ore_encrypt_left(key, 7));
  // 0x1122334455667788 and 0x1122334455aa0000 share three blocks (bytes).
  OreLeftCiphertext x = ore_encrypt_left(key, 0x1122334455667788);
  OreLeftCiphertext y = ore_encrypt_left(key, 0x1122334455aa0000);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(x.blocks()[i], y.blocks()[i]) << i;
  for (size_t i = 5; i < 8; ++i) EXPECT_NE(x.blocks()[i].key, y.blocks()[i].key) << i;
}

// Under another key each block's difference is pseudorandom in Z_3, so the
// outcome ignores the plaintexts: about half the pairs come out in the right
// order, and equal values almost never compare equal.
TEST(OreTest, DifferentKeysDoNotCompareMeaningfully) {
  env::DeterministicRandom random(17);
  OreKey key = test_key(kOreDefaultBlockBits, 0);
  OreKey other = test_key(kOreDefaultBlockBits, 100);
  int agree = 0, equal_seen_equal = 0, pairs = 0;
  for (int i = 0; i < 200; ++i) {
    uint64_t x = random.next_u64(), y = i % 4 == 0 ? x : random.next_u64();
    std::strong_ordering order = compare_ok(ore_encrypt_left(other, x), ore_encrypt_right(key, y, random));
    agree += order == (x <=> y) ? 1 : 0;
    equal_seen_equal += x == y && order == std::strong_ordering::equal ? 1 : 0;
    ++pairs;
  }
  EXPECT_GT(agree, pairs / 4);
  EXPECT_LT(agree, pairs * 3 / 4);
  EXPECT_EQ(equal_seen_equal, 0);
}

TEST(OreTest, MismatchedBlockSizesAreAnError) {
  env::DeterministicRandom random(18);
  Result<std::strong_ordering> order =
      ore_compare(ore_encrypt_left(test_key(OreBlockBits::k4), 1),
                  ore_encrypt_right(test_key(OreBlockBits::k8), 1, random));
  ASSERT_FALSE(order.is_ok());
  EXPECT_EQ(order.status().code(), ErrorCode::kInvalidArgument);
}

TEST(OreTest, SizesAreAsDocumented) {
  env::DeterministicRandom random(19);
  OreKey key = test_key();
  EXPECT_EQ(codec::encode(ore_encrypt_left(key, 5)).size(), 137u);
  EXPECT_EQ(codec::encode(ore_encrypt_right(key, 5, random)).size(), 529u);
}

template <typename T>
std::string decode_error(const Bytes& bytes) {
  Result<T> decoded = codec::decode<T>(bytes);
  EXPECT_FALSE(decoded.is_ok());
  if (decoded.is_ok()) return "";
  EXPECT_EQ(decoded.status().code(), ErrorCode::kMalformed);
  return decoded.status().message();
}

TEST(OreTest, MalformedLeftCiphertextsAreRejected) {
  Bytes good = codec::encode(ore_encrypt_left(test_key(OreBlockBits::k4), 0x0123456789abcdef));
  ASSERT_EQ(good.size(), 1u + 16 * 17);
  EXPECT_NE(decode_error<OreLeftCiphertext>({}).find("ore_left.block_bits"), std::string::npos);
  for (uint8_t bits : {0, 3, 5, 32, 255}) {
    Bytes bad = good;
    bad[0] = bits;
    EXPECT_NE(decode_error<OreLeftCiphertext>(bad).find("ore_left.block_bits"), std::string::npos);
  }
  Bytes wrong_size = good;
  wrong_size[0] = 8;  // a 4-bit encoding read as 8-bit blocks is too long
  EXPECT_NE(decode_error<OreLeftCiphertext>(wrong_size), "");
  Bytes truncated(good.begin(), good.end() - 1);
  EXPECT_NE(decode_error<OreLeftCiphertext>(truncated).find("ore_left.position"), std::string::npos);
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_NE(decode_error<OreLeftCiphertext>(trailing), "");
  Bytes out_of_domain = good;
  out_of_domain[17] = 16;  // first position, outside [0, 16)
  EXPECT_NE(decode_error<OreLeftCiphertext>(out_of_domain).find("ore_left.position"), std::string::npos);
}

TEST(OreTest, MalformedRightCiphertextsAreRejected) {
  env::DeterministicRandom random(20);
  Bytes good = codec::encode(ore_encrypt_right(test_key(), 99, random));
  EXPECT_NE(decode_error<OreRightCiphertext>({}).find("ore_right.block_bits"), std::string::npos);
  Bytes bad_bits = good;
  bad_bits[0] = 7;
  EXPECT_NE(decode_error<OreRightCiphertext>(bad_bits).find("ore_right.block_bits"), std::string::npos);
  Bytes other_bits = good;
  other_bits[0] = 4;  // 4-bit blocks take 64 bytes of cells, not 512
  EXPECT_NE(decode_error<OreRightCiphertext>(other_bits), "");
  EXPECT_NE(decode_error<OreRightCiphertext>(Bytes(good.begin(), good.begin() + 10)).find("ore_right.nonce"),
            std::string::npos);
  EXPECT_NE(decode_error<OreRightCiphertext>(Bytes(good.begin(), good.end() - 1)).find("ore_right.cells"),
            std::string::npos);
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_NE(decode_error<OreRightCiphertext>(trailing), "");
  for (uint8_t three : {0xc0, 0x30, 0x0c, 0x03}) {
    Bytes bad_cell = good;
    bad_cell[100] = three;
    EXPECT_NE(decode_error<OreRightCiphertext>(bad_cell).find("ore_right.cells"), std::string::npos);
  }
  Bytes all_twos = good;
  for (size_t i = 17; i < all_twos.size(); ++i) all_twos[i] = 0xaa;
  EXPECT_TRUE(codec::decode<OreRightCiphertext>(all_twos).is_ok());
}

// The in-place readers a node's scan uses (ore_right_encoded_size,
// ore_compare_encoded) give exactly what decoding then comparing gives.
Status reader_decode_status(ByteView bytes) {
  codec::Reader reader(bytes);
  OreRightCiphertext::decode(reader);
  return reader.status();
}

TEST_P(OreBlockSizeTest, InPlaceCompareAgreesWithDecodedCompare) {
  env::DeterministicRandom random(21);
  OreKey key = test_key(GetParam());
  std::vector<uint64_t> points = edge_and_random_points(random, 10);
  std::vector<OreLeftCiphertext> lefts;
  for (uint64_t p : points) lefts.push_back(ore_encrypt_left(key, p));
  for (uint64_t p : points) {
    OreRightCiphertext right = ore_encrypt_right(key, p, random);
    Bytes encoded = codec::encode(right);
    Bytes with_payload = encoded;
    with_payload.insert(with_payload.end(), {0xff, 0xff, 0x00, 0x42});  // a row value: bytes after it are not read
    for (const Bytes& bytes : {encoded, with_payload}) {
      Result<size_t> size = ore_right_encoded_size(bytes);
      ASSERT_TRUE(size.is_ok()) << size.status().to_string();
      EXPECT_EQ(*size, encoded.size());
      for (size_t a = 0; a < points.size(); ++a) {
        Result<std::strong_ordering> in_place = ore_compare_encoded(lefts[a], bytes);
        ASSERT_TRUE(in_place.is_ok()) << in_place.status().to_string();
        ASSERT_EQ(*in_place, compare_ok(lefts[a], right)) << std::hex << points[a] << " vs " << p;
        ASSERT_EQ(*in_place, points[a] <=> p);
      }
    }
  }
}

TEST(OreTest, InPlaceReadersRejectWhatDecodeRejects) {
  env::DeterministicRandom random(22);
  OreKey key = test_key();
  OreLeftCiphertext left = ore_encrypt_left(key, 99);
  Bytes good = codec::encode(ore_encrypt_right(key, 99, random));
  Bytes bad_bits = good;
  bad_bits[0] = 7;
  std::vector<Bytes> malformed = {{}, bad_bits, Bytes(good.begin(), good.begin() + 10),
                                  Bytes(good.begin(), good.end() - 1), Bytes(1, 8)};
  for (uint8_t three : {0xc0, 0x30, 0x0c, 0x03}) {
    Bytes bad_cell = good;
    bad_cell[100] = three;
    malformed.push_back(bad_cell);
  }
  for (const Bytes& bytes : malformed) {
    Status expected = reader_decode_status(bytes);
    ASSERT_FALSE(expected.is_ok());
    Result<size_t> size = ore_right_encoded_size(bytes);
    ASSERT_FALSE(size.is_ok()) << to_hex(bytes);
    EXPECT_EQ(size.status().code(), ErrorCode::kMalformed);
    EXPECT_EQ(size.status().message(), expected.message()) << "the decoder's own message";
  }
  // A bad header or length fails the comparison too, with the decoder's error.
  for (size_t i = 0; i < 5; ++i) {
    Result<std::strong_ordering> order = ore_compare_encoded(left, malformed[i]);
    ASSERT_FALSE(order.is_ok());
    EXPECT_EQ(order.status().code(), ErrorCode::kMalformed);
    EXPECT_EQ(order.status().message(), reader_decode_status(malformed[i]).message());
  }
}

TEST(OreTest, InPlaceCompareChecksTheCellsItReads) {
  env::DeterministicRandom random(23);
  OreKey key = test_key();
  // 0x10... and 0x20... differ in the first block: one cell is read.
  OreLeftCiphertext left = ore_encrypt_left(key, 0x1000000000000000);
  Bytes good = codec::encode(ore_encrypt_right(key, 0x2000000000000000, random));
  ASSERT_EQ(*ore_compare_encoded(left, good), std::strong_ordering::less);
  const size_t read = left.blocks()[0].position;  // cell `read` of block 0
  const size_t byte = 17 + read / 4, shift = 6 - 2 * (read % 4);

  Bytes read_cell_is_three = good;
  read_cell_is_three[byte] |= static_cast<uint8_t>(3 << shift);
  Result<std::strong_ordering> order = ore_compare_encoded(left, read_cell_is_three);
  ASSERT_FALSE(order.is_ok());
  EXPECT_EQ(order.status().code(), ErrorCode::kMalformed);
  EXPECT_NE(order.status().message().find("ore_right.cells"), std::string::npos);
  EXPECT_FALSE(ore_right_encoded_size(read_cell_is_three).is_ok());

  // A cell of 3 elsewhere (the last block's) is not read: the comparison
  // answers, and only the full check sees it. The scan checks first.
  Bytes other_cell_is_three = good;
  other_cell_is_three.back() |= 0x03;
  EXPECT_EQ(*ore_compare_encoded(left, other_cell_is_three), std::strong_ordering::less);
  EXPECT_FALSE(ore_right_encoded_size(other_cell_is_three).is_ok());
}

TEST(OreTest, InPlaceCompareOfOtherBlockSizesIsAnError) {
  env::DeterministicRandom random(24);
  OreLeftCiphertext left8 = ore_encrypt_left(test_key(OreBlockBits::k8), 1);
  OreRightCiphertext right4 = ore_encrypt_right(test_key(OreBlockBits::k4), 1, random);
  Bytes encoded4 = codec::encode(right4);
  Result<std::strong_ordering> order = ore_compare_encoded(left8, encoded4);
  ASSERT_FALSE(order.is_ok());
  EXPECT_EQ(order.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(order.status().message(), ore_compare(left8, right4).status().message());
  // Labelled 8-bit, the 4-bit encoding is too short: malformed, before any
  // block size is compared, as decoding comes before comparing.
  Bytes relabelled = encoded4;
  relabelled[0] = 8;
  order = ore_compare_encoded(left8, relabelled);
  ASSERT_FALSE(order.is_ok());
  EXPECT_EQ(order.status().code(), ErrorCode::kMalformed);
  // Labelled 4-bit, an 8-bit encoding is a sound 4-bit one with bytes after it.
  Bytes long_one = codec::encode(ore_encrypt_right(test_key(), 1, random));
  long_one[0] = 4;
  EXPECT_EQ(*ore_right_encoded_size(long_one), 1u + 16 + 64);
  EXPECT_EQ(ore_compare_encoded(left8, long_one).status().code(), ErrorCode::kInvalidArgument);
}

// Catches any change to the scheme, the key derivation or the encoding: these
// ciphertexts would no longer compare with ones already stored. The bytes
// were checked against an independent Python model of the header's formulas
// (hashlib.blake2b), using the nonce this stream draws.
TEST(OreTest, FixedKeyAndRandomnessGiveKnownCiphertexts) {
  OreKey key = test_key();
  env::DeterministicRandom random(2026);
  OreRightCiphertext right = ore_encrypt_right(key, 0x0123456789abcdef, random);
  OreLeftCiphertext left = ore_encrypt_left(key, 0x0123456789abcdef);
  EXPECT_EQ(to_hex(blake2b_256(codec::encode(right))), "45f08774a365ff6a4d102cb8e12cb31332ee5d1e7b5a4999723eacd527666431");
  EXPECT_EQ(to_hex(blake2b_256(codec::encode(left))), "754ada2b19f88f0b1ec2b216f193afa1d198791c8194bb9a28ba652c27c4638d");
}

}  // namespace
}  // namespace fluence::crypto
