// ORE index scans answered by the cluster: each member scans its own replica
// and signs the page; the asker accepts a page once `signatures` members
// signed the same page for the same query.
#include <gtest/gtest.h>

#include "model/cluster/cluster_chain.h"
#include "tests/model/cluster/cluster_fixture.h"

namespace fluence::cluster {
namespace {

using std::chrono::seconds;

Bytes b(std::string_view text) { return Bytes(text.begin(), text.end()); }

crypto::OreKey ore_key() {
  std::array<uint8_t, 32> bytes{};
  bytes.fill(0x42);
  return crypto::OreKey::derive(crypto::Secret<32>(std::span<const uint8_t, 32>(bytes)));
}

class OreScanReadTest : public testing_support::ClusterFixture {
 protected:
  // Documents 10..29 under "age/", document n indexed by n, in one write.
  void write_index() {
    std::vector<storage::Mutation> rows;
    for (int n = 10; n < 30; ++n) rows.push_back(index_row(n, n));
    std::optional<Result<uint64_t>> written;
    world->node(0).write(id, std::move(rows), [&](Result<uint64_t> r) { written = std::move(r); });
    world->run_for(seconds(5));
    ASSERT_TRUE(written.has_value() && written->is_ok());
  }
  storage::Mutation index_row(int n, uint64_t value) {
    return {storage::Mutation::Kind::kPutRow, b("age/" + std::to_string(n)),
            storage::encode_ore_row_value(crypto::ore_encrypt_right(key, value, random), b("doc" + std::to_string(n))),
            {},
            {}};
  }
  storage::OreScanQuery query(uint64_t low, uint64_t high) {
    storage::OreScanQuery q;
    q.prefix = b("age/");
    q.lower = storage::OreBound{crypto::ore_encrypt_left(key, low), true};
    q.upper = storage::OreBound{crypto::ore_encrypt_left(key, high), false};
    return q;
  }
  Result<OreScanResult> scan(size_t via, const storage::OreScanQuery& q, size_t signatures) {
    std::optional<Result<OreScanResult>> out;
    chain(via).scan_ore(q, signatures, [&](Result<OreScanResult> r) { out = std::move(r); });
    world->run_for(seconds(3));
    EXPECT_TRUE(out.has_value()) << "the scan never finished";
    return out.value_or(Status::error(ErrorCode::kTimeout, "never finished"));
  }
  static std::vector<std::string> payloads(const storage::OreScanPage& page) {
    std::vector<std::string> out;
    for (const storage::OreScanRow& row : page.rows) out.emplace_back(row.payload.begin(), row.payload.end());
    return out;
  }

  crypto::OreKey key = ore_key();
  env::DeterministicRandom random{3};
};

using L = std::vector<std::string>;

TEST_F(OreScanReadTest, PagesCarryAsManyMemberSignaturesAsAsked) {
  build();
  write_index();
  Result<OreScanResult> one = scan(2, query(15, 19), 1);
  ASSERT_TRUE(one.is_ok()) << one.status().to_string();
  EXPECT_EQ(payloads(one->page), (L{"doc15", "doc16", "doc17", "doc18"}));
  EXPECT_TRUE(one->page.complete);
  ASSERT_EQ(one->answers.size(), 1u);
  EXPECT_EQ(one->answers[0].signer, members[2].key);

  Result<OreScanResult> all = scan(0, query(15, 19), kMembers);
  ASSERT_TRUE(all.is_ok()) << all.status().to_string();
  EXPECT_EQ(all->page, one->page);
  std::set<crypto::PublicKey> signers;
  for (const OreScanAnswer& a : all->answers) {
    EXPECT_TRUE(a.signature_valid());
    EXPECT_EQ(a.page, one->page);
    EXPECT_EQ(a.query_hash, ore_scan_query_hash(query(15, 19)));
    EXPECT_EQ(a.sequence, world->node(0).dataset(id)->applied_sequence());
    signers.insert(a.signer);
  }
  EXPECT_EQ(signers.size(), kMembers);

  // Pages through the cluster, two rows at a time.
  storage::OreScanQuery q = query(12, 20);
  q.limit = 2;
  L rows;
  for (int page = 0; page < 10; ++page) {
    Result<OreScanResult> r = scan(static_cast<size_t>(page) % kMembers, q, 3);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    for (const std::string& p : payloads(r->page)) rows.push_back(p);
    if (r->page.complete) break;
    q.after = r->page.resume_after;
  }
  EXPECT_EQ(rows, (L{"doc12", "doc13", "doc14", "doc15", "doc16", "doc17", "doc18", "doc19"}));

  storage::OreScanQuery bad = query(1, 2);
  bad.limit = 0;
  EXPECT_EQ(scan(0, bad, 1).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(scan(0, query(1, 2), 0).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(scan(0, query(1, 2), kMembers + 1).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(OreScanReadTest, ALyingMemberCannotMakeItsPagePass) {
  build();
  write_index();
  Result<OreScanResult> honest = scan(0, query(15, 19), 1);
  ASSERT_TRUE(honest.is_ok());
  // Member 3's replica hides document 16 and invents a document 17 twin:
  // it would sign that page, and with one signature a client asking it
  // gets it (the integrity a single signature buys).
  storage::Dataset& lying = *world->node(3).dataset(id);
  ASSERT_TRUE(lying.apply({lying.applied_sequence() + 1,
                           {{storage::Mutation::Kind::kDeleteRow, b("age/16"), {}, {}, {}}, index_row(99, 17)}})
                  .is_ok());
  Result<OreScanResult> lie = scan(3, query(15, 19), 1);
  ASSERT_TRUE(lie.is_ok());
  EXPECT_EQ(payloads(lie->page), (L{"doc15", "doc17", "doc18", "doc99"}));
  // Two signatures: the liar's own page finds no second signer, the honest
  // one does.
  Result<OreScanResult> two = scan(3, query(15, 19), 2);
  ASSERT_TRUE(two.is_ok()) << two.status().to_string();
  EXPECT_EQ(two->page, honest->page);
  for (const OreScanAnswer& a : two->answers) EXPECT_NE(a.signer, members[3].key) << "the liar signed the accepted page";
  // All n: the liar keeps the scan from agreeing; n - 1 agree without it.
  EXPECT_EQ(scan(0, query(15, 19), kMembers).status().code(), ErrorCode::kUnavailable);
  Result<OreScanResult> six = scan(1, query(15, 19), kMembers - 1);
  ASSERT_TRUE(six.is_ok()) << six.status().to_string();
  EXPECT_EQ(six->page, honest->page);
}

TEST_F(OreScanReadTest, AnswersToAnotherQueryOrWithAForgedPageCountForNothing) {
  build();
  write_index();
  // Members 1..6 answer every scan with a page for another query (signed,
  // so only the query hash gives it away), or with a forged page under a
  // signature made for the real one.
  for (size_t i = 1; i < kMembers; ++i) {
    world->node(i).rpc().replace_handler(rpc::Protocol::kCluster, [this, i](const env::Peer&, rpc::Kind kind, ByteView body) {
      Result<ClusterMessage> request = codec::decode<ClusterMessage>(body);
      if (kind != rpc::Kind::kRequest || !request || request->type != ClusterMessage::Type::kOreScanRequest) {
        return std::optional<Bytes>();
      }
      const storage::Dataset& replica = *world->node(i).dataset(id);
      if (i % 2 == 0) {
        return std::optional<Bytes>(codec::encode(*OreScanAnswer::make(world->identity(i, 0).key, replica, query(10, 30))));
      }
      OreScanAnswer forged = *OreScanAnswer::make(world->identity(i, 0).key, replica, *request->ore_scan);
      forged.page.rows.pop_back();
      return std::optional<Bytes>(codec::encode(forged));
    });
  }
  Result<OreScanResult> two = scan(0, query(15, 19), 2);
  EXPECT_EQ(two.status().code(), ErrorCode::kUnavailable);
  Result<OreScanResult> one = scan(0, query(15, 19), 1);
  ASSERT_TRUE(one.is_ok());
  EXPECT_EQ(payloads(one->page), (L{"doc15", "doc16", "doc17", "doc18"}));
}

TEST(OreScanAnswerTest, AgreeNeedsDistinctMembersSigningTheSamePage) {
  env::MemoryStore store;
  storage::Dataset dataset = std::move(*storage::Dataset::open(store, storage::DatasetId{5}));
  storage::OreScanQuery q;
  q.prefix = b("p/");
  std::vector<crypto::SigningKey> keys;
  std::vector<crypto::PublicKey> members;
  for (uint8_t i = 1; i <= 3; ++i) {
    std::array<uint8_t, 32> seed{};
    seed.fill(i);
    keys.push_back(crypto::SigningKey::from_seed(crypto::Secret<32>(std::span<const uint8_t, 32>(seed))));
    members.push_back(keys.back().public_key());
  }
  std::vector<OreScanAnswer> answers;
  for (const crypto::SigningKey& k : keys) answers.push_back(*OreScanAnswer::make(k, dataset, q));
  Result<OreScanAnswer> round_trip = codec::decode<OreScanAnswer>(codec::encode(answers[0]));
  ASSERT_TRUE(round_trip.is_ok());
  EXPECT_EQ(*round_trip, answers[0]);
  EXPECT_TRUE(agree(answers, dataset.id(), q, 3, members).is_ok());
  // The same member twice counts once; an outsider not at all.
  std::vector<OreScanAnswer> twice = {answers[0], answers[0], answers[1]};
  EXPECT_FALSE(agree(twice, dataset.id(), q, 3, members).is_ok());
  EXPECT_FALSE(agree(answers, dataset.id(), q, 3, {members[0], members[1]}).is_ok());
  // A forged answer in member 0's name, first, does not shut out its real one.
  OreScanAnswer forged = answers[0];
  forged.page.skipped = 9;
  std::vector<OreScanAnswer> with_forgery = {forged, answers[0], answers[1], answers[2]};
  EXPECT_TRUE(agree(with_forgery, dataset.id(), q, 3, members).is_ok());
  // Answers for another dataset do not count.
  EXPECT_FALSE(agree(answers, storage::DatasetId{6}, q, 1, members).is_ok());
  EXPECT_EQ(agree(answers, dataset.id(), q, 0, members).status().code(), ErrorCode::kInvalidArgument);
  // An invalid query is no answer.
  q.prefix.clear();
  EXPECT_FALSE(OreScanAnswer::make(keys[0], dataset, q).is_ok());
}

}  // namespace
}  // namespace fluence::cluster
