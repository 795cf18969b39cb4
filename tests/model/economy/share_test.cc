// Sharing contracts on the ledger (model/economy/share.h, ledger_share.cc):
// open, fund, charge, revoke, the price rule, every refusal, and the sealed
// fragments only their node opens.
#include <gtest/gtest.h>

#include <limits>

#include "model/economy/ledger.h"

namespace fluence::economy {
namespace {

crypto::SigningKey key(uint8_t seed) {
  crypto::Secret<32> secret;
  secret.data()[0] = seed;
  secret.data()[1] = 0x5a;
  return crypto::SigningKey::from_seed(secret);
}

bool mentions(const Status& status, const std::string& text) {
  return status.message().find(text) != std::string::npos;
}

constexpr uint64_t kPeriod = 24;
constexpr uint64_t kGasPrice = 10;

class ShareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint8_t i = 0; i < 3; ++i) nodes.push_back(key(10 + i));
    for (uint8_t i = 0; i < 2; ++i) arbiters.push_back(key(20 + i));
    mint(owner.public_key(), 10'000'000);
    mint(receiver.public_key(), 1'000'000);
    StorageContract c;
    c.id = contract_id;
    c.client = owner.public_key();
    c.valid_until_tick = kPeriod;
    for (const auto& n : nodes) c.nodes.push_back(n.public_key());
    for (const auto& a : arbiters) c.arbiters.push_back(a.public_key());
    c.replication_factor = 3;
    c.allocation_bytes = kBytesPerGb;
    c.price_per_gb_month = 7'200'000;  // 10,000 per node per tick
    c.gas_price = kGasPrice;
    c.period_ticks = kPeriod;
    c.sla = {4, 3};
    SignedContract s{c, {ContractSignature::make(owner, c)}};
    for (const auto& n : nodes) s.signatures.push_back(ContractSignature::make(n, c));
    for (const auto& a : arbiters) s.signatures.push_back(ContractSignature::make(a, c));
    ASSERT_TRUE(ledger.apply({OpenContract::make(owner, chain, std::move(s), 2'000'000, nonce(owner))}, 0).is_ok());
  }

  void mint(const crypto::PublicKey& to, uint64_t amount) {
    ASSERT_TRUE(ledger.apply({gateway.issue(to, amount)}, 0).is_ok());
  }
  uint64_t nonce(const crypto::SigningKey& k) const { return ledger.account(k.public_key()).next_nonce; }
  std::vector<crypto::PublicKey> node_keys() const {
    std::vector<crypto::PublicKey> keys;
    for (const auto& n : nodes) keys.push_back(n.public_key());
    return keys;
  }

  ShareTerms terms(uint8_t threshold = 2, uint32_t markup = 0) const {
    return {share_id, contract_id, receiver.public_key(), receiver_pre.public_key(), threshold, markup};
  }
  SharingContract make_share(uint8_t threshold = 2, uint32_t markup = 0) {
    return *make_sharing_contract(owner, delegator, terms(threshold, markup), node_keys(), random);
  }
  Status open(const SharingContract& s, uint64_t tick = 1) {
    return ledger.apply({OpenShare::make(owner, chain, s, nonce(owner))}, tick);
  }
  Status fund(uint64_t amount, uint64_t tick = 1) {
    return ledger.apply({FundShare::make(receiver, chain, share_id, amount, nonce(receiver))}, tick);
  }
  Status charge(uint64_t bytes, uint64_t rows, uint64_t tick = 2) {
    return ledger.apply({ChargeShareRead::make(receiver, chain, share_id, bytes, rows, nonce(receiver))}, tick);
  }
  uint64_t rewards(size_t node) const { return ledger.account(nodes[node].public_key()).rewards; }
  void expect_conserved() const {
    Status s = ledger.check_conservation();
    EXPECT_TRUE(s.is_ok()) << s.to_string();
  }

  ChainId chain = crypto::blake2b_256(as_bytes("share test chain"));
  crypto::SigningKey owner = key(1);
  crypto::SigningKey receiver = key(2);
  crypto::SigningKey outsider = key(3);
  crypto::PublicKey contract_id = key(30).public_key();
  crypto::PublicKey share_id = key(31).public_key();
  std::vector<crypto::SigningKey> nodes, arbiters;
  env::DeterministicRandom random{77};
  pre::KeyPair delegator = pre::KeyPair::generate(random);
  pre::KeyPair receiver_pre = pre::KeyPair::generate(random);
  SimulatedGateway gateway{4};
  Ledger ledger{gateway, chain};
};

// ---- The happy path ------------------------------------------------------------------

TEST_F(ShareTest, OpenFundChargeRevoke) {
  SharingContract s = make_share();
  ASSERT_TRUE(s.check().is_ok());
  ASSERT_TRUE(open(s).is_ok());
  const ShareAccount* account = ledger.share(share_id);
  ASSERT_NE(account, nullptr);
  EXPECT_TRUE(account->active());
  EXPECT_EQ(account->escrow, 0u);
  EXPECT_EQ(account->contract, s);  // holders and authorisations, for the nodes

  ASSERT_TRUE(fund(1'000).is_ok());
  EXPECT_EQ(ledger.share(share_id)->escrow, 1'000u);
  EXPECT_EQ(ledger.account(receiver.public_key()).spendable, 1'000'000u - 1'000);

  // 2 KiB and 3 rows: 1 + 2 + 3 = 6 units at 10 = 60, 20 per node.
  ASSERT_TRUE(charge(2048, 3).is_ok());
  EXPECT_EQ(ledger.share(share_id)->escrow, 940u);
  for (size_t i = 0; i < nodes.size(); ++i) EXPECT_EQ(rewards(i), 20u);
  expect_conserved();

  uint64_t owner_before = ledger.account(owner.public_key()).spendable;
  ASSERT_TRUE(ledger.apply({RevokeShare::make(owner, chain, share_id, nonce(owner))}, 3).is_ok());
  EXPECT_EQ(ledger.share(share_id)->phase, SharePhase::kRevoked);
  EXPECT_EQ(ledger.share(share_id)->escrow, 0u);
  EXPECT_EQ(ledger.account(receiver.public_key()).spendable, 1'000'000u - 60);
  EXPECT_EQ(ledger.account(owner.public_key()).spendable, owner_before);
  expect_conserved();

  Status after = charge(0, 0, 4);
  EXPECT_FALSE(after.is_ok());
  EXPECT_TRUE(mentions(after, "revoked")) << after.message();
  EXPECT_TRUE(mentions(fund(5, 4), "revoked"));
}

// ---- The price rule ---------------------------------------------------------------------

TEST_F(ShareTest, DefaultPriceIsTheOwnersReadPrice) {
  ASSERT_TRUE(open(make_share()).is_ok());
  ASSERT_TRUE(fund(100'000).is_ok());
  // 1 byte, 0 rows: 2 units = 20 micro-FFT, which 3 nodes split 6 each; the
  // remainder of 2 stays in escrow, for the owner's read and for the share.
  for (auto [bytes, rows] : {std::pair<uint64_t, uint64_t>{1, 0}, {5000, 17}, {0, 0}}) {
    const uint64_t owner_price = operation_price(OperationKind::kRead, bytes, rows, kGasPrice);
    const uint64_t contract_before = ledger.contract(contract_id)->escrow;
    const uint64_t reward_before = rewards(0);
    ASSERT_TRUE(ledger.apply({ChargeOperation::make(owner, chain, contract_id, OperationKind::kRead, bytes, rows,
                                                    nonce(owner))},
                             2)
                    .is_ok());
    const uint64_t owner_paid = contract_before - ledger.contract(contract_id)->escrow;
    const uint64_t owner_reward = rewards(0) - reward_before;

    const uint64_t share_before = ledger.share(share_id)->escrow;
    const uint64_t owner_spendable = ledger.account(owner.public_key()).spendable;
    ASSERT_TRUE(charge(bytes, rows).is_ok());
    EXPECT_EQ(share_before - ledger.share(share_id)->escrow, owner_paid) << bytes;
    EXPECT_EQ(rewards(0) - reward_before - owner_reward, owner_reward) << bytes;
    EXPECT_EQ(ledger.account(owner.public_key()).spendable, owner_spendable) << "zero profit";

    Result<ShareReadCharge> rule = share_read_charge(kGasPrice, 0, bytes, rows, nodes.size());
    ASSERT_TRUE(rule.is_ok());
    EXPECT_EQ(rule->base, owner_price);
    EXPECT_EQ(rule->total, owner_price);
    EXPECT_EQ(rule->markup, 0u);
    EXPECT_EQ(rule->charged, owner_paid);
  }
  expect_conserved();
}

TEST_F(ShareTest, MarkupSplitIsExact) {
  // 333 per mille on a base of 20: markup floor(6.66) = 6, total 26; nodes
  // 6 each (18), owner 6, escrow pays 24, and 2 stays.
  ASSERT_TRUE(open(make_share(2, 333)).is_ok());
  ASSERT_TRUE(fund(26).is_ok());
  const uint64_t owner_before = ledger.account(owner.public_key()).spendable;
  ASSERT_TRUE(charge(1, 0).is_ok());
  EXPECT_EQ(ledger.share(share_id)->escrow, 2u);
  for (size_t i = 0; i < nodes.size(); ++i) EXPECT_EQ(rewards(i), 6u);
  EXPECT_EQ(ledger.account(owner.public_key()).spendable, owner_before + 6);
  expect_conserved();

  // The escrow left cannot pay the next read: refused, nothing moves.
  Status short_escrow = charge(1, 0, 3);
  EXPECT_EQ(short_escrow.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(mentions(short_escrow, "escrow: 2 micro-FFT, the read costs 26")) << short_escrow.message();
  EXPECT_EQ(ledger.share(share_id)->escrow, 2u);
}

TEST(SharePrice, RuleNeverCreatesOrDestroysTokens) {
  for (uint64_t gas : {uint64_t{1}, uint64_t{7}, uint64_t{1'000'003}}) {
    for (uint32_t markup : {0u, 1u, 250u, 999u, 1000u, 12'345u, kMaxShareMarkupPerMille}) {
      for (size_t node_count : {size_t{1}, size_t{3}, size_t{7}, size_t{64}}) {
        for (uint64_t bytes : {uint64_t{0}, uint64_t{1}, uint64_t{1025}, kMaxOperationBytes}) {
          Result<ShareReadCharge> c = share_read_charge(gas, markup, bytes, 5, node_count);
          ASSERT_TRUE(c.is_ok());
          const uint64_t base = operation_price(OperationKind::kRead, bytes, 5, gas);
          EXPECT_EQ(c->base, base);
          EXPECT_EQ(c->markup, static_cast<uint64_t>(static_cast<unsigned __int128>(base) * markup / 1000));
          EXPECT_EQ(c->total, c->base + c->markup);
          EXPECT_EQ(c->per_node, base / node_count);
          EXPECT_EQ(c->charged, c->per_node * node_count + c->markup);
          EXPECT_EQ(c->total - c->charged, base % node_count);  // the remainder stays in escrow
        }
      }
    }
  }
  // A price past 64 bits cannot be paid, and says so.
  Result<ShareReadCharge> huge = share_read_charge(std::numeric_limits<uint64_t>::max(), 0, 0, 1, 3);  // 2 units
  EXPECT_EQ(huge.status().code(), ErrorCode::kLimitExceeded);
  ASSERT_TRUE(share_read_charge(uint64_t{1} << 61, 999, 0, 3, 3).is_ok());  // base 2^63, total < 2^64
  Result<ShareReadCharge> huge_markup = share_read_charge(uint64_t{1} << 61, 1000, 0, 3, 3);  // total 2^64
  EXPECT_EQ(huge_markup.status().code(), ErrorCode::kLimitExceeded);
}

// ---- Refusals --------------------------------------------------------------------------

TEST_F(ShareTest, OpenShareRefusals) {
  auto expect_refused = [&](const SharingContract& s, ErrorCode code, const std::string& text) {
    Status status = open(s);
    EXPECT_EQ(status.code(), code) << status.to_string();
    EXPECT_TRUE(mentions(status, text)) << status.message();
    EXPECT_EQ(ledger.share(s.id), nullptr);
  };
  SharingContract good = make_share();

  SharingContract unknown = good;
  unknown.storage_contract = key(99).public_key();  // the signed fragments do not depend on it
  expect_refused(unknown, ErrorCode::kNotFound, "no contract");

  SharingContract stranger =
      *make_sharing_contract(outsider, delegator, terms(), node_keys(), random);
  mint(outsider.public_key(), 1);
  Status not_client = ledger.apply({OpenShare::make(outsider, chain, stranger, nonce(outsider))}, 1);
  EXPECT_EQ(not_client.code(), ErrorCode::kAuthentication);
  EXPECT_TRUE(mentions(not_client, "is not the client")) << not_client.message();

  std::vector<crypto::PublicKey> two = node_keys();
  two.pop_back();
  expect_refused(*make_sharing_contract(owner, delegator, terms(), two, random), ErrorCode::kInvalidArgument,
                 "the storage contract has 3 nodes");
  std::vector<crypto::PublicKey> swapped = node_keys();
  std::swap(swapped[0], swapped[2]);
  expect_refused(*make_sharing_contract(owner, delegator, terms(), swapped, random), ErrorCode::kInvalidArgument,
                 "is not node 0");
  std::vector<crypto::PublicKey> foreign = node_keys();
  foreign[1] = outsider.public_key();
  expect_refused(*make_sharing_contract(owner, delegator, terms(), foreign, random), ErrorCode::kInvalidArgument,
                 "is not node 1");

  SharingContract over = good;
  over.threshold = 4;
  expect_refused(over, ErrorCode::kInvalidArgument, "threshold: 4 not in 1..3");
  SharingContract zero = good;
  zero.threshold = 0;
  expect_refused(zero, ErrorCode::kInvalidArgument, "threshold: 0 not in 1..3");
  EXPECT_FALSE(make_sharing_contract(owner, delegator, terms(4), node_keys(), random).is_ok());

  SharingContract forged = good;
  forged.fragments[1].authorisation.signature.bytes[3] ^= 1;
  expect_refused(forged, ErrorCode::kAuthentication, "owner's signature does not verify");
  SharingContract mixed = good;  // a fragment from another split: another precursor
  mixed.fragments[2] = make_share().fragments[2];
  expect_refused(mixed, ErrorCode::kInvalidArgument, "precursor differs");
  SharingContract self = good;
  self.receiver = owner.public_key();
  expect_refused(self, ErrorCode::kInvalidArgument, "same key as the owner");
  SharingContract greedy = good;
  greedy.owner_markup_per_mille = kMaxShareMarkupPerMille + 1;
  expect_refused(greedy, ErrorCode::kInvalidArgument, "owner_markup_per_mille");
  SharingContract clash = good;
  clash.id = contract_id;
  expect_refused(clash, ErrorCode::kInvalidArgument, "already used");

  // The owner's operation signature and nonce.
  OpenShare bad_signature = OpenShare::make(owner, chain, good, nonce(owner));
  bad_signature.signature.bytes[0] ^= 1;
  EXPECT_EQ(ledger.apply({bad_signature}, 1).code(), ErrorCode::kAuthentication);
  EXPECT_TRUE(mentions(ledger.apply({OpenShare::make(owner, chain, good, nonce(owner) + 1)}, 1), "nonce"));

  // After all that, the good one opens, once.
  ASSERT_TRUE(open(good).is_ok());
  EXPECT_TRUE(mentions(open(good), "already used"));
  expect_conserved();
}

TEST_F(ShareTest, OpenShareNeedsAnActiveContractInItsPeriod) {
  SharingContract s = make_share();
  EXPECT_TRUE(mentions(open(s, kPeriod), "close_periods first"));
  ASSERT_TRUE(ledger.apply({Terminate::make(owner, chain, contract_id, nonce(owner))}, 1).is_ok());
  Status closed = open(s, 2);
  EXPECT_TRUE(mentions(closed, "terminated")) << closed.message();
}

TEST_F(ShareTest, FundChargeRevokeRefusals) {
  EXPECT_EQ(fund(10).code(), ErrorCode::kNotFound);
  EXPECT_EQ(charge(0, 0).code(), ErrorCode::kNotFound);
  EXPECT_EQ(ledger.apply({RevokeShare::make(owner, chain, share_id, nonce(owner))}, 1).code(), ErrorCode::kNotFound);
  ASSERT_TRUE(open(make_share()).is_ok());

  EXPECT_TRUE(mentions(fund(0), "zero"));
  EXPECT_TRUE(mentions(fund(1'000'001), "exceeds spendable"));
  // Unfunded: the cheapest read (1 unit = 10) is refused.
  Status unfunded = charge(0, 0);
  EXPECT_TRUE(mentions(unfunded, "escrow: 0 micro-FFT, the read costs 10")) << unfunded.message();
  ASSERT_TRUE(fund(9).is_ok());
  EXPECT_FALSE(charge(0, 0).is_ok());
  ASSERT_TRUE(fund(1).is_ok());
  // Only the receiver is billed: the owner's or an outsider's charge does not verify.
  EXPECT_EQ(ledger.apply({ChargeShareRead::make(owner, chain, share_id, 0, 0, nonce(receiver))}, 2).code(),
            ErrorCode::kAuthentication);
  EXPECT_EQ(ledger.apply({ChargeShareRead::make(outsider, chain, share_id, 0, 0, nonce(receiver))}, 2).code(),
            ErrorCode::kAuthentication);
  ChargeShareRead oversized = ChargeShareRead::make(receiver, chain, share_id, kMaxOperationBytes + 1, 0, nonce(receiver));
  EXPECT_EQ(ledger.apply({oversized}, 2).code(), ErrorCode::kLimitExceeded);
  // No billing past the period's end until close_periods settles it.
  EXPECT_TRUE(mentions(charge(0, 0, kPeriod), "close_periods first"));
  ASSERT_TRUE(charge(0, 0).is_ok());
  EXPECT_EQ(ledger.share(share_id)->escrow, 1u);  // 10 - 3 * 3 stays

  // Only the owner revokes.
  Status by_receiver = ledger.apply({RevokeShare::make(receiver, chain, share_id, nonce(receiver))}, 3);
  EXPECT_EQ(by_receiver.code(), ErrorCode::kAuthentication);
  ASSERT_TRUE(ledger.apply({RevokeShare::make(owner, chain, share_id, nonce(owner))}, 3).is_ok());
  Status twice = ledger.apply({RevokeShare::make(owner, chain, share_id, nonce(owner))}, 3);
  EXPECT_TRUE(mentions(twice, "revoked")) << twice.message();
  expect_conserved();
}

TEST_F(ShareTest, ReplaysAreRefused) {
  OpenShare opening = OpenShare::make(owner, chain, make_share(), nonce(owner));
  ASSERT_TRUE(ledger.apply({opening}, 1).is_ok());
  EXPECT_FALSE(ledger.apply({opening}, 1).is_ok());

  FundShare funding = FundShare::make(receiver, chain, share_id, 500, nonce(receiver));
  ASSERT_TRUE(ledger.apply({funding}, 1).is_ok());
  Status again = ledger.apply({funding}, 1);
  EXPECT_TRUE(mentions(again, "nonce")) << again.message();
  EXPECT_EQ(ledger.share(share_id)->escrow, 500u);

  ChargeShareRead read = ChargeShareRead::make(receiver, chain, share_id, 100, 1, nonce(receiver));
  ASSERT_TRUE(ledger.apply({read}, 2).is_ok());
  const uint64_t escrow = ledger.share(share_id)->escrow;
  EXPECT_TRUE(mentions(ledger.apply({read}, 2), "nonce"));
  EXPECT_EQ(ledger.share(share_id)->escrow, escrow);

  // Another cluster's chain: the signature covers the chain id.
  ChainId other = crypto::blake2b_256(as_bytes("another chain"));
  ChargeShareRead elsewhere = ChargeShareRead::make(receiver, other, share_id, 100, 1, nonce(receiver));
  EXPECT_EQ(ledger.apply({elsewhere}, 2).code(), ErrorCode::kAuthentication);

  RevokeShare revoke = RevokeShare::make(owner, chain, share_id, nonce(owner));
  ASSERT_TRUE(ledger.apply({revoke}, 3).is_ok());
  EXPECT_FALSE(ledger.apply({revoke}, 3).is_ok());
  expect_conserved();
}

TEST_F(ShareTest, ShareEndsWithItsStorageContract) {
  ASSERT_TRUE(open(make_share()).is_ok());
  ASSERT_TRUE(fund(700).is_ok());
  ASSERT_TRUE(ledger.apply({Terminate::make(owner, chain, contract_id, nonce(owner))}, 5).is_ok());
  const ShareAccount* account = ledger.share(share_id);
  EXPECT_EQ(account->phase, SharePhase::kEnded);
  EXPECT_EQ(account->escrow, 0u);
  EXPECT_EQ(ledger.account(receiver.public_key()).spendable, 1'000'000u);  // refunded in full
  EXPECT_TRUE(mentions(charge(0, 0, 6), "ended"));
  EXPECT_TRUE(mentions(ledger.apply({RevokeShare::make(owner, chain, share_id, nonce(owner))}, 6), "ended"));
  expect_conserved();
}

// ---- Sealed fragments -------------------------------------------------------------------

TEST_F(ShareTest, EachNodeOpensOnlyItsOwnFragment) {
  SharingContract s = make_share();
  pre::Capsule capsule = pre::encapsulate(delegator.public_key(), random)->capsule;
  for (size_t i = 0; i < nodes.size(); ++i) {
    Result<pre::KeyFrag> kfrag = open_fragment(s, nodes[i]);
    ASSERT_TRUE(kfrag.is_ok()) << kfrag.status().to_string();
    EXPECT_EQ(kfrag->share, s.fragments[i].authorisation);
    // Its CapsuleFrags check against the contract's public commitment.
    Result<pre::CapsuleFrag> cfrag = pre::reencrypt(*kfrag, capsule, random);
    ASSERT_TRUE(cfrag.is_ok());
    EXPECT_EQ(cfrag->share, s.fragments[i].authorisation);
    EXPECT_TRUE(pre::verify_cfrag(*cfrag, capsule, s.delegator_key, s.receiver_key, s.owner).is_ok());
  }
  EXPECT_EQ(open_fragment(s, outsider).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(open_fragment(s, receiver).status().code(), ErrorCode::kNotFound);

  // Node 1 cannot open node 0's seal, even with node 0's context.
  Result<pre::KeyFrag> stolen = open_keyfrag(nodes[1], fragment_seal_context(s, s.fragments[0]), s.fragments[0].sealed);
  EXPECT_EQ(stolen.status().code(), ErrorCode::kAuthentication);
  // A seal moved to another place does not open there.
  SharingContract moved = s;
  moved.fragments[0].sealed = s.fragments[1].sealed;
  EXPECT_EQ(open_fragment(moved, nodes[0]).status().code(), ErrorCode::kAuthentication);
  SharingContract tampered = s;
  tampered.fragments[2].sealed.box[10] ^= 1;
  EXPECT_EQ(open_fragment(tampered, nodes[2]).status().code(), ErrorCode::kAuthentication);
}

// The ledger cannot open seals, so a fragment whose secret rk does not match
// its signed commitment passes OpenShare; its node finds out on opening
// (pre::verify_kfrag) and refuses to serve with it.
TEST_F(ShareTest, BadFragmentIsCaughtByItsNode) {
  SharingContract s = make_share();
  pre::KeyFrag mine = *open_fragment(s, nodes[0]);
  pre::KeyFrag other = *open_fragment(s, nodes[1]);
  pre::KeyFrag wrong{mine.share, other.rekey.clone()};
  s.fragments[0].sealed =
      *seal_keyfrag(nodes[0].public_key(), fragment_seal_context(s, s.fragments[0]), wrong, random);
  ASSERT_TRUE(s.check().is_ok());
  ASSERT_TRUE(open(s).is_ok());
  Result<pre::KeyFrag> opened = open_fragment(ledger.share(share_id)->contract, nodes[0]);
  EXPECT_EQ(opened.status().code(), ErrorCode::kAuthentication);
  EXPECT_TRUE(mentions(opened.status(), "commitment")) << opened.status().message();
  EXPECT_TRUE(open_fragment(ledger.share(share_id)->contract, nodes[1]).is_ok());
}

TEST(SharingContractCodec, RoundTripsAndNamesBadFields) {
  env::DeterministicRandom random(5);
  crypto::SigningKey owner = key(1);
  pre::KeyPair delegator = pre::KeyPair::generate(random);
  pre::KeyPair receiver = pre::KeyPair::generate(random);
  std::vector<crypto::PublicKey> holders = {key(10).public_key(), key(11).public_key()};
  ShareTerms t{key(31).public_key(), key(30).public_key(), key(2).public_key(), receiver.public_key(), 2, 50};
  SharingContract s = *make_sharing_contract(owner, delegator, t, holders, random);
  Result<SharingContract> back = codec::decode<SharingContract>(codec::encode(s));
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(*back, s);

  SharingContract greedy = s;
  greedy.owner_markup_per_mille = kMaxShareMarkupPerMille + 1;
  EXPECT_TRUE(mentions(codec::decode<SharingContract>(codec::encode(greedy)).status(), "owner_markup_per_mille"));
  SharingContract crowded = s;
  while (crowded.fragments.size() <= kMaxContractNodes) crowded.fragments.push_back(s.fragments[0]);
  EXPECT_TRUE(mentions(codec::decode<SharingContract>(codec::encode(crowded)).status(), "share.fragments"));
  Bytes bad_point = codec::encode(s);
  // delegator_key follows four 32-byte keys; all-0xff is not canonical.
  std::fill_n(bad_point.begin() + 4 * crypto::kPublicKeyBytes, pre::kPointBytes, 0xff);
  EXPECT_TRUE(mentions(codec::decode<SharingContract>(bad_point).status(), "share.delegator_key"));
}

}  // namespace
}  // namespace fluence::economy
