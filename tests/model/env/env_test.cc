#include <gtest/gtest.h>

#include <cmath>

#include "model/base/bytes.h"
#include "model/env/random.h"
#include "model/env/store.h"

namespace fluence::env {
namespace {

TEST(RandomTest, SameSeedSameStreamOtherStreamOtherNumbers) {
  DeterministicRandom a(42, 7), b(42, 7), c(42, 8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    differs = differs || x != c.next_u64();
  }
  EXPECT_TRUE(differs);
}

TEST(RandomTest, UniformIsBoundedAndRoughlyFlat) {
  DeterministicRandom random(3);
  constexpr int kBins = 10, kDraws = 100000;
  int counts[kBins] = {};
  for (int i = 0; i < kDraws; ++i) {
    uint64_t x = random.uniform(kBins);
    ASSERT_LT(x, static_cast<uint64_t>(kBins));
    ++counts[x];
  }
  double chi2 = 0;
  for (int c : counts) chi2 += std::pow(c - kDraws / kBins, 2) / (kDraws / kBins);
  EXPECT_LT(chi2, 27.9) << "chi-square with 9 degrees of freedom at p = 0.001";
  double u = random.unit();
  EXPECT_GE(u, 0.0);
  EXPECT_LT(u, 1.0);
}

TEST(MemoryStoreTest, BatchesApplyInOrderAndKeysSortBytewise) {
  MemoryStore store;
  WriteBatch batch;
  Bytes a = {'a'}, ab = {'a', 'b'}, a0 = {'a', 0}, b = {'b'};
  batch.put(b, Bytes{2});
  batch.put(ab, Bytes{3});
  batch.put(a, Bytes{1});
  batch.erase(ab);
  batch.put(a0, Bytes{4});
  ASSERT_TRUE(store.write(batch).is_ok());
  EXPECT_FALSE(store.get(ab)->has_value());
  EXPECT_EQ(**store.get(a), Bytes{1});
  auto it = store.iterate();
  std::vector<Bytes> keys;
  for (it->seek(a); it->valid(); it->next()) keys.emplace_back(it->key().begin(), it->key().end());
  EXPECT_EQ(keys, (std::vector<Bytes>{a, a0, b}));
  it->seek(Bytes{'a', 1});
  ASSERT_TRUE(it->valid());
  EXPECT_EQ(Bytes(it->key().begin(), it->key().end()), b);
  EXPECT_EQ(store.size(), 3u);
}

TEST(BytesTest, HexRoundTripAndErrors) {
  Bytes data = {0x00, 0xab, 0xff};
  EXPECT_EQ(to_hex(data), "00abff");
  EXPECT_EQ(*from_hex("00ABff"), data);
  EXPECT_NE(from_hex("abc").status().message().find("odd length"), std::string::npos);
  EXPECT_NE(from_hex("zz").status().message().find("non-hex character at offset 0"), std::string::npos);
  EXPECT_NE(fixed_from_hex<2>("00", "key").status().message().find("key: expected 4 hex digits"), std::string::npos);
}

}  // namespace
}  // namespace fluence::env
