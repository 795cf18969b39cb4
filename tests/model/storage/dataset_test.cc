#include "model/storage/dataset.h"

#include <gtest/gtest.h>

namespace fluence::storage {
namespace {

Bytes b(std::string_view text) { return Bytes(text.begin(), text.end()); }

DatasetId test_id() {
  DatasetId id{};
  id[0] = 0xda;
  return id;
}

Mutation put_row(std::string_view key, std::string_view value) {
  return {Mutation::Kind::kPutRow, b(key), b(value), {}, {}};
}
Mutation put_index(std::string_view row, std::string_view index, Bytes key) {
  return {Mutation::Kind::kPutIndex, b(row), {}, b(index), std::move(key)};
}

std::vector<JournalEntry> sample_journal(int entries) {
  std::vector<JournalEntry> journal;
  for (int i = 1; i <= entries; ++i) {
    JournalEntry e{static_cast<uint64_t>(i), {}};
    std::string row = "row" + std::to_string(i % 7);
    e.mutations.push_back(put_row(row, "cipher-" + std::to_string(i)));
    e.mutations.push_back(put_index(row, "age", b(std::to_string(100 + i))));
    if (i % 5 == 0) e.mutations.push_back({Mutation::Kind::kDeleteRow, b("row" + std::to_string((i + 3) % 7)), {}, {}, {}});
    journal.push_back(std::move(e));
  }
  return journal;
}

TEST(DatasetTest, ReplicasThatApplyTheSameJournalAgree) {
  env::MemoryStore store_a, store_b;
  Result<Dataset> a = Dataset::open(store_a, test_id());
  Result<Dataset> b_ = Dataset::open(store_b, test_id());
  ASSERT_TRUE(a.is_ok() && b_.is_ok());
  for (const JournalEntry& e : sample_journal(30)) {
    ASSERT_TRUE(a->apply(e).is_ok());
    ASSERT_TRUE(b_->apply(e).is_ok());
    EXPECT_EQ(a->state_root(), b_->state_root());
  }
  EXPECT_EQ(a->applied_sequence(), 30u);
  EXPECT_NE(a->state_root(), MerkleTreap::empty_root());

  // A restart rebuilds the same state from the store alone.
  Result<Dataset> reopened = Dataset::open(store_a, test_id());
  ASSERT_TRUE(reopened.is_ok());
  EXPECT_EQ(reopened->state_root(), a->state_root());
  EXPECT_EQ(reopened->applied_sequence(), 30u);
}

TEST(DatasetTest, EntriesMustComeInOrderAndValid) {
  env::MemoryStore store;
  Result<Dataset> d = Dataset::open(store, test_id());
  std::vector<JournalEntry> journal = sample_journal(3);
  Status skipped = d->apply(journal[1]);
  EXPECT_EQ(skipped.code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(d->apply(journal[0]).is_ok());
  EXPECT_FALSE(d->apply(journal[0]).is_ok()) << "a replayed entry must not apply twice";

  JournalEntry bad{2, {put_index("r", std::string("a\0b", 3), b("k"))}};
  Status invalid = d->apply(bad);
  ASSERT_FALSE(invalid.is_ok());
  EXPECT_NE(invalid.message().find("mutation 0: index_name"), std::string::npos) << invalid.message();
  EXPECT_EQ(d->applied_sequence(), 1u);
}

TEST(DatasetTest, RowsAndIndexScansReadBack) {
  env::MemoryStore store;
  Result<Dataset> d = Dataset::open(store, test_id());
  JournalEntry e{1, {}};
  // Index keys with zero bytes and shared prefixes must still sort correctly.
  std::vector<Bytes> keys = {b("b"), b("a"), Bytes{'a', 0}, b("ab"), Bytes{'a', 0, 0}, b("c")};
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string row = "r" + std::to_string(i);
    e.mutations.push_back(put_row(row, "v" + std::to_string(i)));
    e.mutations.push_back(put_index(row, "name", keys[i]));
  }
  e.mutations.push_back(put_index("r0", "other", b("a")));
  ASSERT_TRUE(d->apply(e).is_ok());

  EXPECT_EQ(**d->get_row(b("r3")), b("v3"));
  EXPECT_FALSE(d->get_row(b("nope"))->has_value());

  Result<std::vector<IndexHit>> all = d->scan_index(b("name"), {}, {}, 100);
  ASSERT_TRUE(all.is_ok());
  std::vector<Bytes> order;
  for (const IndexHit& hit : *all) order.push_back(hit.index_key);
  std::vector<Bytes> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(order, sorted);

  Result<std::vector<IndexHit>> range = d->scan_index(b("name"), Bytes{'a', 0}, b("b"), 100);
  ASSERT_TRUE(range.is_ok());
  ASSERT_EQ(range->size(), 3u);  // "a\0", "a\0\0", "ab"
  EXPECT_EQ((*range)[0].index_key, (Bytes{'a', 0}));
  EXPECT_EQ((*range)[0].row_key, b("r2"));
  EXPECT_EQ((*range)[2].index_key, b("ab"));

  Result<std::vector<IndexHit>> limited = d->scan_index(b("name"), {}, {}, 2);
  EXPECT_EQ(limited->size(), 2u);
}

TEST(DatasetTest, RowsVisitByPrefixInKeyOrderAfterAKey) {
  env::MemoryStore store;
  Result<Dataset> d = Dataset::open(store, test_id());
  JournalEntry e{1, {}};
  for (const char* row : {"ix/b", "ix/a", "ix", "ix/", "ix/a\xff", "iy/a", "ix0", "iw"}) {
    e.mutations.push_back(put_row(row, std::string("v:") + row));
  }
  e.mutations.push_back(put_index("ix/a", "ix/", b("k")));  // index entries are not rows
  ASSERT_TRUE(d->apply(e).is_ok());
  auto visit = [&](std::string_view prefix, std::string_view after, size_t stop_after = 100) {
    std::vector<std::string> seen;
    Status s = d->visit_rows(b(prefix), b(after), [&](ByteView key, ByteView value) {
      seen.emplace_back(key.begin(), key.end());
      EXPECT_EQ(std::string(value.begin(), value.end()), "v:" + seen.back());
      return seen.size() < stop_after;
    });
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return seen;
  };
  using L = std::vector<std::string>;
  EXPECT_EQ(visit("ix/", ""), (L{"ix/", "ix/a", "ix/a\xff", "ix/b"}));
  EXPECT_EQ(visit("ix/", "ix/a"), (L{"ix/a\xff", "ix/b"}));
  EXPECT_EQ(visit("ix/", "ix/b"), L{});
  EXPECT_EQ(visit("ix/", "ia"), (L{"ix/", "ix/a", "ix/a\xff", "ix/b"})) << "an `after` before the prefix";
  EXPECT_EQ(visit("ix/", "", 2), (L{"ix/", "ix/a"})) << "the visitor stops it";
  EXPECT_EQ(visit("ix", "ix/b"), (L{"ix0"}));
  EXPECT_EQ(visit("", "iy/a"), L{});
  EXPECT_EQ(visit("", "").size(), 8u);
}

TEST(DatasetTest, CompactionThenSnapshotCatchUp) {
  env::MemoryStore leader_store, late_store;
  Result<Dataset> leader = Dataset::open(leader_store, test_id());
  std::vector<JournalEntry> journal = sample_journal(40);
  for (const JournalEntry& e : journal) ASSERT_TRUE(leader->apply(e).is_ok());
  ASSERT_TRUE(leader->compact_journal(31).is_ok());
  EXPECT_EQ(leader->first_journal_sequence(), 31u);
  EXPECT_EQ(leader->journal_entry(12).status().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(leader->journal_entry(35).is_ok());
  EXPECT_EQ(*leader->journal_entry(35), journal[34]);

  // A replica that missed everything takes the snapshot as of entry 30 from a
  // peer that kept one, then replays the journal tail.
  env::MemoryStore peer_store;
  Result<Dataset> peer = Dataset::open(peer_store, test_id());
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(peer->apply(journal[i]).is_ok());
  Result<Dataset> late = Dataset::open(late_store, test_id());
  ASSERT_TRUE(late->install_snapshot(*peer->snapshot_entries(), 30).is_ok());
  EXPECT_EQ(late->state_root(), peer->state_root());
  for (uint64_t s = 31; s <= 40; ++s) ASSERT_TRUE(late->apply(*leader->journal_entry(s)).is_ok());
  EXPECT_EQ(late->state_root(), leader->state_root());
  Result<Dataset> late_reopened = Dataset::open(late_store, test_id());
  EXPECT_EQ(late_reopened->state_root(), leader->state_root());
  EXPECT_EQ(late_reopened->applied_sequence(), 40u);
}

TEST(DatasetTest, EntriesOpenAgainstTheStateRoot) {
  env::MemoryStore store;
  Result<Dataset> d = Dataset::open(store, test_id());
  for (const JournalEntry& e : sample_journal(20)) ASSERT_TRUE(d->apply(e).is_ok());
  for (uint64_t i = 0; i < d->entry_count(); ++i) {
    MerkleProof proof = d->open_entry(i);
    Result<Bytes> value = d->entry_value(i);
    ASSERT_TRUE(value.is_ok());
    EXPECT_EQ(value_hash(*value), proof.value_hash);
    EXPECT_TRUE(verify_proof(d->state_root(), d->entry_count(), i, proof));
  }
}

TEST(DatasetTest, ForgottenEntryIsMissingButTheRootStillClaimsIt) {
  env::MemoryStore store;
  Result<Dataset> d = Dataset::open(store, test_id());
  for (const JournalEntry& e : sample_journal(10)) ASSERT_TRUE(d->apply(e).is_ok());
  Hash256 root = d->state_root();
  ASSERT_TRUE(d->silently_forget(2).is_ok());
  EXPECT_EQ(d->state_root(), root);
  EXPECT_EQ(d->entry_value(2).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(d->entry_value(3).is_ok());
}

class FailingStore final : public env::Store {
 public:
  Result<std::optional<Bytes>> get(ByteView key) override { return inner.get(key); }
  Status write(const env::WriteBatch& batch) override {
    if (fail) return Status::error(ErrorCode::kIo, "disk full");
    return inner.write(batch);
  }
  std::unique_ptr<env::StoreIterator> iterate() override { return inner.iterate(); }
  env::MemoryStore inner;
  bool fail = false;
};

TEST(DatasetTest, AFailedWriteChangesNothing) {
  FailingStore store;
  Result<Dataset> d = Dataset::open(store, test_id());
  std::vector<JournalEntry> journal = sample_journal(2);
  ASSERT_TRUE(d->apply(journal[0]).is_ok());
  Hash256 root = d->state_root();
  store.fail = true;
  Status failed = d->apply(journal[1]);
  EXPECT_EQ(failed.code(), ErrorCode::kIo);
  EXPECT_EQ(d->applied_sequence(), 1u);
  EXPECT_EQ(d->state_root(), root);
  store.fail = false;
  EXPECT_TRUE(d->apply(journal[1]).is_ok());
}

TEST(DatasetTest, SnapshotOutOfOrderIsRejected) {
  env::MemoryStore store;
  Result<Dataset> d = Dataset::open(store, test_id());
  Status status = d->install_snapshot({{b("rb"), b("1")}, {b("ra"), b("2")}}, 5);
  EXPECT_EQ(status.code(), ErrorCode::kMalformed);
  EXPECT_EQ(d->applied_sequence(), 0u);
}

TEST(JournalCodecTest, RoundTripAndNamedErrors) {
  JournalEntry entry = sample_journal(5).back();
  Bytes encoded = codec::encode(entry);
  Result<JournalEntry> decoded = codec::decode<JournalEntry>(encoded);
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_EQ(*decoded, entry);
  Bytes bad = encoded;
  bad[9] = 0x7f;  // first mutation's kind
  Result<JournalEntry> error = codec::decode<JournalEntry>(bad);
  ASSERT_FALSE(error.is_ok());
  EXPECT_NE(error.status().message().find("mutation.kind"), std::string::npos) << error.status().message();
}

}  // namespace
}  // namespace fluence::storage
