// The pinned version: what a replica answers a proof-of-retrievability
// challenge about an older committed state from.
#include <gtest/gtest.h>

#include "model/storage/dataset.h"

namespace fluence::storage {
namespace {

Bytes b(std::string_view text) { return Bytes(text.begin(), text.end()); }

DatasetId test_id() {
  DatasetId id{};
  id[0] = 0x91;
  return id;
}

JournalEntry entry(uint64_t sequence, std::vector<Mutation> mutations) { return {sequence, std::move(mutations)}; }
Mutation put(std::string_view key, std::string_view value) { return {Mutation::Kind::kPutRow, b(key), b(value), {}, {}}; }
Mutation erase(std::string_view key) { return {Mutation::Kind::kDeleteRow, b(key), {}, {}, {}}; }

// Every entry of a version, in key order, as (value) strings.
std::vector<Bytes> values(const Dataset& d, Dataset::Version version) {
  std::vector<Bytes> out;
  for (uint64_t i = 0; i < d.entry_count(version); ++i) {
    Result<Bytes> v = d.entry_value(i, version);
    EXPECT_TRUE(v.is_ok()) << v.status().to_string();
    out.push_back(v ? *v : Bytes{});
  }
  return out;
}

TEST(PinnedVersionTest, KeepsTheStateOfThePinWhileWritesGoOn) {
  env::MemoryStore store;
  Result<Dataset> d = Dataset::open(store, test_id());
  ASSERT_TRUE(d.is_ok());
  ASSERT_TRUE(d->apply(entry(1, {put("a", "a1"), put("b", "b1"), put("c", "c1")})).is_ok());
  EXPECT_FALSE(d->pinned().has_value());
  ASSERT_TRUE(d->pin().is_ok());
  Hash256 root = d->state_root();
  std::vector<Bytes> before = values(*d, Dataset::Version::kCurrent);

  // Overwrite twice in one entry, delete, insert: every kind of change.
  ASSERT_TRUE(d->apply(entry(2, {put("a", "a2"), put("a", "a3"), erase("b"), put("d", "d1")})).is_ok());
  ASSERT_TRUE(d->apply(entry(3, {put("c", "c2"), put("a", "a4")})).is_ok());
  ASSERT_NE(d->state_root(), root);
  ASSERT_TRUE(d->pinned().has_value());
  EXPECT_EQ(d->pinned()->sequence, 1u);
  EXPECT_EQ(d->pinned()->root, root);
  EXPECT_EQ(d->pinned()->entries, 3u);
  EXPECT_EQ(values(*d, Dataset::Version::kPinned), before);
  for (uint64_t i = 0; i < 3; ++i) {
    MerkleProof proof = d->open_entry(i, Dataset::Version::kPinned);
    EXPECT_TRUE(verify_proof(root, 3, i, proof));
    EXPECT_EQ(proof.value_hash, value_hash(before[i]));
  }

  // A restart rebuilds the pinned version from the store.
  Result<Dataset> reopened = Dataset::open(store, test_id());
  ASSERT_TRUE(reopened.is_ok());
  ASSERT_TRUE(reopened->pinned().has_value());
  EXPECT_EQ(reopened->pinned()->root, root);
  EXPECT_EQ(reopened->pinned()->sequence, 1u);
  EXPECT_EQ(values(*reopened, Dataset::Version::kPinned), before);
  EXPECT_EQ(reopened->state_root(), d->state_root());

  // Changes after the restart still keep the pin's values.
  ASSERT_TRUE(reopened->apply(entry(4, {erase("c"), erase("a")})).is_ok());
  EXPECT_EQ(values(*reopened, Dataset::Version::kPinned), before);
  EXPECT_EQ(reopened->pinned()->root, root);

  // Pinning again moves the pin to the present.
  ASSERT_TRUE(reopened->pin().is_ok());
  EXPECT_EQ(reopened->pinned()->root, reopened->state_root());
  EXPECT_EQ(values(*reopened, Dataset::Version::kPinned), values(*reopened, Dataset::Version::kCurrent));
  Result<Dataset> again = Dataset::open(store, test_id());
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->pinned()->root, again->state_root());
}

TEST(PinnedVersionTest, ForgettingAnEntryLosesItsPinnedValueToo) {
  env::MemoryStore store;
  Result<Dataset> d = Dataset::open(store, test_id());
  ASSERT_TRUE(d->apply(entry(1, {put("a", "a1"), put("b", "b1")})).is_ok());
  ASSERT_TRUE(d->pin().is_ok());
  ASSERT_TRUE(d->apply(entry(2, {put("a", "a2")})).is_ok());
  ASSERT_TRUE(d->silently_forget(0).is_ok());  // "a", changed since the pin
  EXPECT_EQ(d->entry_value(0, Dataset::Version::kPinned).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(d->entry_value(0).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(d->entry_value(1, Dataset::Version::kPinned).is_ok());
}

TEST(PinnedVersionTest, ASnapshotDropsThePin) {
  env::MemoryStore store;
  Result<Dataset> d = Dataset::open(store, test_id());
  ASSERT_TRUE(d->apply(entry(1, {put("a", "a1")})).is_ok());
  ASSERT_TRUE(d->pin().is_ok());
  ASSERT_TRUE(d->install_snapshot({{row_entry_key(b("z")), b("z9")}}, 40).is_ok());
  EXPECT_FALSE(d->pinned().has_value());
  Result<Dataset> reopened = Dataset::open(store, test_id());
  ASSERT_TRUE(reopened.is_ok());
  EXPECT_FALSE(reopened->pinned().has_value());
}

}  // namespace
}  // namespace fluence::storage
