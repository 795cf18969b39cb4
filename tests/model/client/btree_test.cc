#include "model/client/btree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "model/client/key_store.h"

namespace fluence::client {
namespace {

storage::DatasetId dataset() {
  storage::DatasetId id{};
  id[0] = 0xb7;
  return id;
}

// Distinctive enough that a chance match inside random ciphertext is out of
// the question, so the plaintext scan can only find real leaks.
Bytes key_of(uint64_t n) {
  char text[32];
  std::snprintf(text, sizeof(text), "key-%08llu-K", static_cast<unsigned long long>(n));
  return Bytes(text, text + std::char_traits<char>::length(text));
}

Bytes value_of(uint64_t n, uint64_t version = 0) {
  char text[40];
  std::snprintf(text, sizeof(text), "doc:%08llu/v%llu", static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(version));
  return Bytes(text, text + std::char_traits<char>::length(text));
}

bool contains(ByteView haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

// The nodes, with the faults and attacks a test arms: a put that fails, rows
// served altered, dropped or from an earlier version.
class AdversarialRowSource final : public RowSource {
 public:
  explicit AdversarialRowSource(MemoryRowSource& inner) : inner_(&inner) {}

  Result<std::optional<Bytes>> get(ByteView key) override {
    auto forged = served_.find(Bytes(key.begin(), key.end()));
    if (forged != served_.end()) return forged->second;
    return inner_->get(key);
  }
  Status put(ByteView key, ByteView value) override {
    if (fail_put_in_ > 0 && --fail_put_in_ == 0) {
      return Status::error(ErrorCode::kUnavailable, "node unreachable (injected)");
    }
    history_[Bytes(key.begin(), key.end())].emplace_back(value.begin(), value.end());
    return inner_->put(key, value);
  }
  Status erase(ByteView key) override { return inner_->erase(key); }

  // The n-th put from now fails (1 = the next one).
  void fail_put(int n) { fail_put_in_ = n; }
  // What get() returns for `key` instead of the stored row (nullopt: "no such row").
  void serve(const Bytes& key, std::optional<Bytes> row) { served_[key] = std::move(row); }
  void serve_honestly() { served_.clear(); }
  // Every value ever put under each row key, oldest first.
  const std::map<Bytes, std::vector<Bytes>>& history() const { return history_; }

 private:
  MemoryRowSource* inner_;
  int fail_put_in_ = 0;
  std::map<Bytes, std::optional<Bytes>> served_;
  std::map<Bytes, std::vector<Bytes>> history_;
};

class BTreeTest : public ::testing::Test {
 protected:
  BTreeTest() : keys_(*store_.create(dataset(), random_)), nodes_(memory_) {}

  BTree open(const BTreeDescriptor& descriptor, size_t cached_levels = 0) {
    return std::move(*BTree::open(descriptor, dataset_bucket_cipher(*keys_), nodes_, random_, cached_levels));
  }
  BTree fresh(size_t max_entries, size_t cached_levels = 0) {
    return open(*BTreeDescriptor::empty(as_bytes("ix/age/"), max_entries), cached_levels);
  }
  // Inserts keys 0..count-1 in a shuffled order, collecting garbage as it goes.
  void fill(BTree& tree, uint64_t count, std::map<Bytes, Bytes>& oracle) {
    std::vector<uint64_t> order(count);
    for (uint64_t i = 0; i < count; ++i) order[i] = i;
    for (uint64_t i = count; i > 1; --i) std::swap(order[i - 1], order[random_.uniform(i)]);
    for (uint64_t n : order) {
      ASSERT_TRUE(*tree.insert(key_of(n), value_of(n)));
      ASSERT_TRUE(tree.collect_garbage().is_ok());
      oracle[key_of(n)] = value_of(n);
    }
  }
  static std::vector<BTreeEntry> entries(const std::map<Bytes, Bytes>& oracle) {
    std::vector<BTreeEntry> out;
    for (const auto& [key, value] : oracle) out.push_back({key, value});
    return out;
  }
  // Every key the oracle holds, and the whole scan, as the oracle says.
  void expect_matches(BTree& tree, const std::map<Bytes, Bytes>& oracle) {
    EXPECT_EQ(tree.size(), oracle.size());
    for (const auto& [key, value] : oracle) {
      Result<std::optional<Bytes>> found = tree.find(key);
      ASSERT_TRUE(found.is_ok()) << found.status().to_string();
      ASSERT_EQ(*found, std::optional<Bytes>(value));
    }
    Result<std::vector<BTreeEntry>> all = tree.range({}, {}, kMaxBtreeRangeEntries);
    ASSERT_TRUE(all.is_ok()) << all.status().to_string();
    EXPECT_EQ(*all, entries(oracle));
  }

  env::DeterministicRandom random_{2016};
  KeyStore store_;
  const DatasetKeys* keys_;
  MemoryRowSource memory_;
  AdversarialRowSource nodes_;
};

// Random inserts, replacements, erases, lookups and ranges against std::map,
// with buckets small enough for a tall tree and as big as the format allows.
struct OracleCase {
  size_t max_entries;
  size_t cached_levels;
  size_t min_height;
};

class BTreeOracleTest : public BTreeTest, public ::testing::WithParamInterface<OracleCase> {};

TEST_P(BTreeOracleTest, AgreesWithStdMap) {
  const OracleCase& param = GetParam();
  BTree tree = fresh(param.max_entries, param.cached_levels);
  std::map<Bytes, Bytes> oracle;
  const uint64_t key_space = 3000;
  size_t max_height = 0;
  for (int step = 0; step < 12000; ++step) {
    uint64_t n = random_.uniform(key_space);
    uint64_t dice = random_.uniform(100);
    if (dice < 55) {
      Bytes value = value_of(n, random_.uniform(3));
      Result<bool> added = tree.insert(key_of(n), value);
      ASSERT_TRUE(added.is_ok()) << added.status().to_string();
      EXPECT_EQ(*added, oracle.count(key_of(n)) == 0);
      oracle[key_of(n)] = value;
    } else if (dice < 80) {
      Result<bool> erased = tree.erase(key_of(n));
      ASSERT_TRUE(erased.is_ok()) << erased.status().to_string();
      EXPECT_EQ(*erased, oracle.erase(key_of(n)) == 1);
    } else if (dice < 95) {
      Result<std::optional<Bytes>> found = tree.find(key_of(n));
      ASSERT_TRUE(found.is_ok()) << found.status().to_string();
      auto it = oracle.find(key_of(n));
      EXPECT_EQ(*found, it == oracle.end() ? std::nullopt : std::optional<Bytes>(it->second));
      EXPECT_LE(tree.last_round_trips().gets, tree.height());
    } else {
      uint64_t lo = random_.uniform(key_space);
      uint64_t hi = lo + random_.uniform(400);
      size_t limit = 1 + random_.uniform(300);
      Result<std::vector<BTreeEntry>> got = tree.range(key_of(lo), key_of(hi), limit);
      ASSERT_TRUE(got.is_ok()) << got.status().to_string();
      std::vector<BTreeEntry> want;
      for (auto it = oracle.lower_bound(key_of(lo));
           it != oracle.end() && it->first < key_of(hi) && want.size() < limit; ++it) {
        want.push_back({it->first, it->second});
      }
      ASSERT_EQ(*got, want);
    }
    ASSERT_EQ(tree.size(), oracle.size());
    ASSERT_TRUE(tree.collect_garbage().is_ok());
    max_height = std::max(max_height, tree.height());
  }
  EXPECT_GE(max_height, param.min_height);
  expect_matches(tree, oracle);

  // Every row the tree ever wrote is erased once it is obsolete: nothing leaks.
  for (const auto& [key, value] : std::map<Bytes, Bytes>(oracle)) {
    ASSERT_TRUE(*tree.erase(key));
    ASSERT_TRUE(tree.collect_garbage().is_ok());
  }
  EXPECT_EQ(tree.height(), 0u);
  EXPECT_EQ(tree.size(), 0u);
  EXPECT_TRUE(memory_.rows().empty());
}

INSTANTIATE_TEST_SUITE_P(BucketSizes, BTreeOracleTest,
                         ::testing::Values(OracleCase{4, 0, 5}, OracleCase{5, 1, 4},
                                           OracleCase{8, 2, 3}, OracleCase{64, 1, 2},
                                           OracleCase{120, 0, 2}));

TEST_F(BTreeTest, LookupCostsHeightMinusCachedLevelsRoundTrips) {
  BTree writer = fresh(8);
  std::map<Bytes, Bytes> oracle;
  fill(writer, 3000, oracle);
  const size_t height = writer.height();
  ASSERT_GE(height, 4u);
  for (size_t cached = 0; cached <= height + 1; ++cached) {
    SCOPED_TRACE("cached levels " + std::to_string(cached));
    BTree reader = open(writer.descriptor(), cached);
    // A fresh client fetches every level once, then keeps the top ones.
    for (const auto& [key, value] : oracle) {
      ASSERT_EQ(**reader.find(key), value);
      ASSERT_LE(reader.last_round_trips().gets, height);
    }
    for (const auto& [key, value] : oracle) {
      ASSERT_EQ(**reader.find(key), value);
      ASSERT_EQ(reader.last_round_trips(),
                (RoundTrips{cached >= height ? 0 : height - cached, 0, 0}));
    }
    // Absent keys cost the same.
    ASSERT_FALSE(reader.find(as_bytes("key-99999999-K"))->has_value());
    ASSERT_EQ(reader.last_round_trips().gets, cached >= height ? 0 : height - cached);
  }
}

TEST_F(BTreeTest, WritesKeepTheCacheCurrent) {
  BTree tree = fresh(6, 2);
  std::map<Bytes, Bytes> oracle;
  fill(tree, 1000, oracle);
  ASSERT_GE(tree.height(), 4u);
  // After its own writes the client needs no warm-up: the buckets it wrote
  // are the cache.
  for (const auto& [key, value] : oracle) {
    ASSERT_EQ(**tree.find(key), value);
    ASSERT_EQ(tree.last_round_trips().gets, tree.height() - 2);
  }
}

TEST_F(BTreeTest, RangeScanWalksLeavesWithoutRefetchingThePath) {
  BTree writer = fresh(16);
  std::map<Bytes, Bytes> oracle;
  fill(writer, 2000, oracle);
  BTree reader = open(writer.descriptor(), 0);
  Result<std::vector<BTreeEntry>> got = reader.range(key_of(500), key_of(1500), 1000);
  ASSERT_TRUE(got.is_ok());
  ASSERT_EQ(got->size(), 1000u);
  EXPECT_EQ(got->front().key, key_of(500));
  EXPECT_EQ(got->back().key, key_of(1499));
  // Leaves hold 8..16 entries: a path down, then at most one leaf per 8
  // entries plus one internal bucket per 8 leaves (with a bucket or two of
  // slack at each end).
  uint64_t gets = reader.last_round_trips().gets;
  EXPECT_GE(gets, reader.height() - 1 + 1000 / 16);
  EXPECT_LE(gets, reader.height() + 2 + 1000 / 8 + 1000 / 64 + 2);
  // A range that ends at a separator does not fetch the leaf beyond it, and
  // a limit stops the scan where it is.
  ASSERT_EQ(reader.range(key_of(0), {}, 1)->size(), 1u);
  EXPECT_EQ(reader.last_round_trips().gets, reader.height());
}

TEST_F(BTreeTest, RangeBoundsAndLimits) {
  BTree tree = fresh(4);
  std::map<Bytes, Bytes> oracle;
  fill(tree, 100, oracle);
  EXPECT_EQ(tree.range(key_of(10), key_of(10), 5)->size(), 0u);
  EXPECT_EQ(tree.range(key_of(20), key_of(10), 5)->size(), 0u);
  EXPECT_EQ(tree.range(key_of(98), {}, 5)->size(), 2u);
  EXPECT_EQ(tree.range({}, key_of(3), 10)->size(), 3u);
  EXPECT_EQ(tree.range(as_bytes("a"), as_bytes("z"), 1000)->size(), 100u);
  EXPECT_EQ(tree.range({}, {}, 0).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.range({}, {}, kMaxBtreeRangeEntries + 1).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.range(Bytes(kMaxBtreeKeyBytes + 1, 1), {}, 1).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(BTreeTest, RejectsKeysAndValuesOutOfBounds) {
  BTree tree = fresh(4);
  EXPECT_EQ(tree.insert({}, as_bytes("v")).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.insert(Bytes(kMaxBtreeKeyBytes + 1, 1), as_bytes("v")).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.insert(as_bytes("k"), Bytes(kMaxBtreeValueBytes + 1, 1)).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.find({}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tree.erase({}).status().code(), ErrorCode::kInvalidArgument);
  // The largest entries fit, in the largest buckets.
  BTree big = fresh(kMaxBucketEntries);
  for (uint8_t n = 0; n < 2 * kMaxBucketEntries; ++n) {
    Bytes key(kMaxBtreeKeyBytes, n);
    ASSERT_TRUE(*big.insert(key, Bytes(kMaxBtreeValueBytes, n)));
  }
  EXPECT_EQ(big.height(), 2u);
  EXPECT_EQ(**big.find(Bytes(kMaxBtreeKeyBytes, 7)), Bytes(kMaxBtreeValueBytes, 7));
}

TEST_F(BTreeTest, ReplacingWithAnEqualValueWritesNothing) {
  BTree tree = fresh(4);
  std::map<Bytes, Bytes> oracle;
  fill(tree, 50, oracle);
  BTreeDescriptor before = tree.descriptor();
  EXPECT_FALSE(*tree.insert(key_of(7), value_of(7)));
  EXPECT_EQ(tree.last_round_trips().puts, 0u);
  EXPECT_EQ(tree.descriptor(), before);
  EXPECT_FALSE(*tree.insert(key_of(7), as_bytes("other")));
  EXPECT_EQ(tree.last_round_trips().puts, tree.height());
  EXPECT_EQ(**tree.find(key_of(7)), Bytes(as_bytes("other").begin(), as_bytes("other").end()));
  EXPECT_EQ(tree.descriptor().generation, before.generation + 1);
  EXPECT_FALSE(*tree.erase(key_of(1000)));
  EXPECT_EQ(tree.last_round_trips().puts, 0u);
}

TEST_F(BTreeTest, NodesNeverSeePlaintext) {
  BTree tree = fresh(8, 1);
  std::map<Bytes, Bytes> oracle;
  fill(tree, 600, oracle);
  // Leave obsolete rows in place too: they must be as opaque.
  for (uint64_t n = 0; n < 100; ++n) ASSERT_TRUE(tree.insert(key_of(n), value_of(n, 1)).is_ok());
  for (uint64_t n = 0; n < 100; ++n) oracle[key_of(n)] = value_of(n, 1);
  ASSERT_GT(tree.obsolete_buckets(), 0u);
  auto hits = [&](const MemoryRowSource& rows) {
    size_t count = 0;
    for (const auto& [row_key, row] : rows.rows()) {
      for (const auto& [key, value] : oracle) {
        count += contains(row, key) + contains(row, value) + contains(row_key, key);
      }
    }
    return count;
  };
  EXPECT_EQ(hits(memory_), 0u);
  // The scan does find plaintext when it is there.
  MemoryRowSource leaky;
  ASSERT_TRUE(leaky.put(as_bytes("row"), value_of(3, 1)).is_ok());
  EXPECT_EQ(hits(leaky), 1u);
  // Every row key is the tree's prefix and an 8-byte bucket id.
  for (const auto& [row_key, row] : memory_.rows()) {
    ASSERT_EQ(row_key.size(), 7u + 8u);
    ASSERT_TRUE(std::equal(row_key.begin(), row_key.begin() + 7, as_bytes("ix/age/").begin()));
  }
}

// Each attack is tried on every bucket in turn: a lookup either gives the
// right answer (its path avoids the bucket) or fails with kAuthentication,
// some lookup fails, and a full scan, which reads every bucket, fails.
class BTreeTamperTest : public BTreeTest {
 protected:
  void SetUp() override {
    BTree writer = fresh(4);
    fill(writer, 120, oracle_);
    descriptor_ = writer.descriptor();
    ASSERT_GE(descriptor_.height, 3u);
  }

  void expect_caught(const std::string& attack) {
    SCOPED_TRACE(attack);
    BTree reader = open(descriptor_, 0);
    std::vector<Bytes> caught;
    for (const auto& [key, value] : oracle_) {
      Result<std::optional<Bytes>> found = reader.find(key);
      if (found.is_ok()) {
        ASSERT_EQ(*found, std::optional<Bytes>(value));
      } else {
        ASSERT_EQ(found.status().code(), ErrorCode::kAuthentication) << found.status().to_string();
        caught.push_back(key);
      }
    }
    ASSERT_FALSE(caught.empty());
    Result<std::vector<BTreeEntry>> all = reader.range({}, {}, kMaxBtreeRangeEntries);
    ASSERT_FALSE(all.is_ok());
    EXPECT_EQ(all.status().code(), ErrorCode::kAuthentication) << all.status().to_string();
    // A write through the bad bucket fails the same way and changes nothing.
    Result<bool> erased = reader.erase(caught.front());
    EXPECT_EQ(erased.status().code(), ErrorCode::kAuthentication);
    EXPECT_EQ(reader.last_round_trips().puts, 0u);
    EXPECT_EQ(reader.descriptor(), descriptor_);
    nodes_.serve_honestly();
  }

  std::vector<Bytes> row_keys() const {
    std::vector<Bytes> out;
    for (const auto& [key, row] : memory_.rows()) out.push_back(key);
    return out;
  }

  std::map<Bytes, Bytes> oracle_;
  BTreeDescriptor descriptor_;
};

TEST_F(BTreeTamperTest, FlippedByte) {
  for (const Bytes& key : row_keys()) {
    for (size_t at : {size_t{0}, size_t{30}, memory_.rows().at(key).size() - 1}) {
      Bytes row = memory_.rows().at(key);
      row[at] ^= 0x01;
      nodes_.serve(key, row);
      expect_caught("byte " + std::to_string(at) + " of " + to_hex(key));
    }
  }
}

TEST_F(BTreeTamperTest, DroppedBucket) {
  for (const Bytes& key : row_keys()) {
    nodes_.serve(key, std::nullopt);
    expect_caught("dropped " + to_hex(key));
  }
}

TEST_F(BTreeTamperTest, SwappedBuckets) {
  std::vector<Bytes> keys = row_keys();
  for (size_t i = 0; i < keys.size(); ++i) {
    const Bytes& other = keys[(i + 1 + i * 7) % keys.size()];
    if (other == keys[i]) continue;
    nodes_.serve(keys[i], memory_.rows().at(other));
    nodes_.serve(other, memory_.rows().at(keys[i]));
    expect_caught("swapped " + to_hex(keys[i]) + " and " + to_hex(other));
  }
}

TEST_F(BTreeTamperTest, OlderVersionOfABucket) {
  // A write that fails part-way leaves rows under ids the retry reuses, so a
  // node holds two versions of those rows, both sealed under the right row
  // key: only the parent's hash tells them apart.
  BTree writer = open(descriptor_, 0);
  nodes_.fail_put(3);
  ASSERT_FALSE(writer.insert(key_of(1000), value_of(1000)).is_ok());
  ASSERT_TRUE(*writer.insert(key_of(1000), value_of(1000, 1)));
  ASSERT_TRUE(writer.collect_garbage().is_ok());
  descriptor_ = writer.descriptor();
  oracle_[key_of(1000)] = value_of(1000, 1);
  std::vector<std::pair<Bytes, Bytes>> replays;  // a live row and its first version
  for (const auto& [key, versions] : nodes_.history()) {
    if (versions.size() >= 2 && memory_.rows().contains(key))
      replays.emplace_back(key, versions.front());
  }
  EXPECT_EQ(replays.size(), 2u);
  for (const auto& [key, first] : replays) {
    nodes_.serve(key, first);
    expect_caught("replayed " + to_hex(key));
  }
}

TEST_F(BTreeTamperTest, RolledBackDataset) {
  // The nodes serve the dataset as it was before the last write.
  MemoryRowSource before = memory_;
  BTree writer = open(descriptor_, 0);
  ASSERT_TRUE(*writer.insert(key_of(1000), value_of(1000)));
  ASSERT_TRUE(writer.collect_garbage().is_ok());
  Result<BTree> stale = BTree::open(writer.descriptor(), dataset_bucket_cipher(*keys_), before, random_, 0);
  Result<std::optional<Bytes>> found = stale->find(key_of(1000));
  EXPECT_EQ(found.status().code(), ErrorCode::kAuthentication);
  EXPECT_EQ(stale->range({}, {}, 1000).status().code(), ErrorCode::kAuthentication);
}

TEST_F(BTreeTamperTest, CachedBucketsAreStillChecked) {
  // A client that cached the root keeps answering from it while the node
  // forges the root row; a root it has not seen is fetched and caught.
  BTree reader = open(descriptor_, 1);
  ASSERT_TRUE(reader.find(key_of(1)).is_ok());
  Bytes root_key = bucket_row_key(descriptor_.row_prefix, descriptor_.root.id);
  nodes_.serve(root_key, std::nullopt);
  EXPECT_EQ(**reader.find(key_of(1)), value_of(1));
  BTree cold = open(descriptor_, 1);
  EXPECT_EQ(cold.find(key_of(1)).status().code(), ErrorCode::kAuthentication);
}

TEST_F(BTreeTest, FailedPutLeavesTheOldRootReadable) {
  BTree tree = fresh(4);
  std::map<Bytes, Bytes> oracle;
  fill(tree, 200, oracle);
  size_t failures = 0;
  for (uint64_t n = 1000; n < 1040; ++n) {
    for (int k = 1;; ++k) {
      BTreeDescriptor before = tree.descriptor();
      nodes_.fail_put(k);
      Result<bool> added =
          n % 2 == 0 ? tree.insert(key_of(n), value_of(n)) : tree.erase(key_of(n - 1000));
      nodes_.fail_put(0);
      if (added.is_ok()) {
        if (n % 2 == 0) {
          oracle[key_of(n)] = value_of(n);
        } else {
          oracle.erase(key_of(n - 1000));
        }
        ASSERT_TRUE(tree.collect_garbage().is_ok());
        break;
      }
      ++failures;
      EXPECT_EQ(added.status().code(), ErrorCode::kUnavailable);
      EXPECT_EQ(tree.descriptor(), before);
      // A client restarted from the persisted descriptor reads the old tree.
      BTree restarted = open(before, 0);
      expect_matches(restarted, oracle);
    }
    expect_matches(tree, oracle);
  }
  EXPECT_GE(failures, 40u * 4);
}

TEST_F(BTreeTest, PreviousDescriptorStaysValidUntilGarbageIsCollected) {
  BTree tree = fresh(4);
  std::map<Bytes, Bytes> oracle;
  fill(tree, 200, oracle);
  BTreeDescriptor persisted = tree.descriptor();
  std::map<Bytes, Bytes> old = oracle;
  for (uint64_t n = 0; n < 50; ++n) {
    ASSERT_TRUE(tree.erase(key_of(n)).is_ok());
    ASSERT_TRUE(tree.insert(key_of(n + 500), value_of(n)).is_ok());
    oracle.erase(key_of(n));
    oracle[key_of(n + 500)] = value_of(n);
  }
  // Crash before the new descriptor was persisted: the old one still holds.
  BTree restarted = open(persisted, 0);
  expect_matches(restarted, old);
  expect_matches(tree, oracle);
  ASSERT_TRUE(tree.collect_garbage().is_ok());
  EXPECT_EQ(tree.obsolete_buckets(), 0u);
  expect_matches(tree, oracle);
  BTree stale = open(persisted, 0);
  EXPECT_EQ(stale.range({}, {}, 1000).status().code(), ErrorCode::kAuthentication);
}

TEST_F(BTreeTest, DescriptorRoundTrips) {
  BTree tree = fresh(5);
  EXPECT_EQ(*codec::decode<BTreeDescriptor>(codec::encode(tree.descriptor())), tree.descriptor());
  std::map<Bytes, Bytes> oracle;
  fill(tree, 100, oracle);
  Bytes encoded = codec::encode(tree.descriptor());
  EXPECT_EQ(*codec::decode<BTreeDescriptor>(encoded), tree.descriptor());
  // What a restarted client reads back opens the same tree.
  BTree restarted = open(*codec::decode<BTreeDescriptor>(encoded), 0);
  expect_matches(restarted, oracle);
}

TEST_F(BTreeTest, OpenRejectsADescriptorOutOfBounds) {
  BTree tree = fresh(5);
  std::map<Bytes, Bytes> oracle;
  fill(tree, 20, oracle);
  BTreeDescriptor bad = tree.descriptor();
  bad.next_bucket_id = bad.root.id;
  EXPECT_EQ(BTree::open(bad, dataset_bucket_cipher(*keys_), nodes_, random_, 0).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      BTree::open(tree.descriptor(), dataset_bucket_cipher(*keys_), nodes_, random_, kMaxBtreeHeight + 1)
          .status()
          .code(),
      ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fluence::client
