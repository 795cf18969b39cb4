#include <gtest/gtest.h>

#include <random>

#include "model/economy/gateway.h"
#include "model/economy/ledger.h"

namespace fluence::economy {
namespace {

crypto::SigningKey key(uint8_t seed) {
  crypto::Secret<32> secret;
  secret.data()[0] = seed;
  secret.data()[1] = 0xec;
  return crypto::SigningKey::from_seed(secret);
}

// A contract whose numbers make the reward arithmetic easy by hand: 1 GB at
// 7.2 FFT per GB-month is 7,200,000 micro-FFT per 720 ticks, so each node
// earns 10,000 micro-FFT per proven tick and 240,000 per 24-tick period.
constexpr uint64_t kPerTick = 10'000;
constexpr uint64_t kPeriod = 24;
constexpr uint64_t kNodePeriodPrice = kPerTick * kPeriod;  // 240,000
constexpr uint64_t kContractPeriodPrice = 3 * kNodePeriodPrice;

class EconomyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (uint8_t i = 0; i < 3; ++i) nodes.push_back(key(10 + i));
    for (uint8_t i = 0; i < 2; ++i) arbiters.push_back(key(20 + i));
  }

  StorageContract make_contract(uint8_t id_seed = 30, uint64_t valid_until = kPeriod) {
    StorageContract c;
    c.id = key(id_seed).public_key();
    c.client = client.public_key();
    c.valid_until_tick = valid_until;
    for (const auto& n : nodes) c.nodes.push_back(n.public_key());
    for (const auto& a : arbiters) c.arbiters.push_back(a.public_key());
    c.replication_factor = 3;
    c.requirements = {uint64_t{2} << 30, 990};
    c.allocation_bytes = kBytesPerGb;
    c.max_response_time_ms = 500;
    c.price_per_gb_month = 7'200'000;
    c.gas_price = 10;
    c.period_ticks = kPeriod;
    c.sla = {4, 3};
    return c;
  }

  SignedContract sign_all(const StorageContract& c) {
    SignedContract s{c, {}};
    s.signatures.push_back(ContractSignature::make(client, c));
    for (const auto& n : nodes) s.signatures.push_back(ContractSignature::make(n, c));
    for (const auto& a : arbiters) s.signatures.push_back(ContractSignature::make(a, c));
    return s;
  }

  void mint(const crypto::PublicKey& to, uint64_t amount) {
    ASSERT_TRUE(ledger.apply({gateway.issue(to, amount)}, 0).is_ok());
  }

  uint64_t nonce(const crypto::SigningKey& k) const { return ledger.account(k.public_key()).next_nonce; }

  // Mints to the client and opens the standard contract at tick 0.
  crypto::PublicKey open(uint64_t deposit, SlaTerms sla = {4, 3}) {
    mint(client.public_key(), deposit);
    StorageContract c = make_contract();
    c.sla = sla;
    Status s = ledger.apply({OpenContract::make(client, chain, sign_all(c), deposit, nonce(client))}, 0);
    EXPECT_TRUE(s.is_ok()) << s.to_string();
    return c.id;
  }

  void record(const crypto::PublicKey& contract, uint64_t from, uint64_t to, size_t node, ProofOutcome outcome) {
    for (uint64_t t = from; t < to; ++t) {
      Status s = ledger.record_tick(contract, t, nodes[node].public_key(), outcome);
      ASSERT_TRUE(s.is_ok()) << s.to_string();
    }
  }

  uint64_t rewards(size_t node) const { return ledger.account(nodes[node].public_key()).rewards; }

  ChainId chain = crypto::blake2b_256(as_bytes("economy test chain"));
  crypto::SigningKey client = key(1);
  std::vector<crypto::SigningKey> nodes, arbiters;
  crypto::SigningKey outsider = key(40);
  SimulatedGateway gateway{1};
  Ledger ledger{gateway, chain};
};

// ---- Contract signatures ----------------------------------------------------------

TEST_F(EconomyTest, FullySignedContractChecks) {
  SignedContract s = sign_all(make_contract());
  EXPECT_TRUE(s.check_fully_signed().is_ok());

  SignedContract missing = s;
  missing.signatures.pop_back();  // the last arbiter's
  Status st = missing.check_fully_signed();
  EXPECT_EQ(st.code(), ErrorCode::kAuthentication);
  EXPECT_NE(st.message().find("arbiter"), std::string::npos) << st.message();

  SignedContract no_client = s;
  no_client.signatures.erase(no_client.signatures.begin());
  EXPECT_NE(no_client.check_fully_signed().message().find("client did not sign"), std::string::npos);

  SignedContract extra = s;
  extra.signatures.push_back(ContractSignature::make(outsider, s.contract));
  EXPECT_NE(extra.check_fully_signed().message().find("outsider"), std::string::npos);

  SignedContract bad = s;
  bad.signatures[2].signature.bytes[5] ^= 1;
  EXPECT_NE(bad.check_fully_signed().message().find("does not verify"), std::string::npos);

  SignedContract twice = s;
  twice.signatures.push_back(twice.signatures[1]);
  EXPECT_NE(twice.check_fully_signed().message().find("twice"), std::string::npos);

  // Signatures over another version of the contract do not carry over.
  SignedContract altered = s;
  altered.contract.price_per_gb_month += 1;
  EXPECT_EQ(altered.check_fully_signed().code(), ErrorCode::kAuthentication);

  StorageContract malformed = make_contract();
  malformed.replication_factor = 4;
  EXPECT_NE(sign_all(malformed).check_fully_signed().message().find("replication_factor"), std::string::npos);
  malformed = make_contract();
  malformed.arbiters.push_back(malformed.nodes[0]);
  EXPECT_NE(malformed.check().message().find("twice"), std::string::npos);
}

// ---- Mint, transfer, burn --------------------------------------------------------------

TEST_F(EconomyTest, MintOnlyOncePerConfirmedReceipt) {
  Mint m = gateway.issue(client.public_key(), 500);
  ASSERT_TRUE(ledger.apply({m}, 0).is_ok());
  EXPECT_EQ(ledger.account(client.public_key()).spendable, 500u);

  Status replay = ledger.apply({m}, 1);
  EXPECT_FALSE(replay.is_ok());
  EXPECT_NE(replay.message().find("already used"), std::string::npos) << replay.message();

  Mint inflated = gateway.issue(client.public_key(), 10);
  inflated.amount = 10'000;
  EXPECT_EQ(ledger.apply({inflated}, 1).code(), ErrorCode::kAuthentication);
  Mint forged{crypto::Hash256{1, 2, 3}, client.public_key(), 10};
  EXPECT_EQ(ledger.apply({forged}, 1).code(), ErrorCode::kAuthentication);

  EXPECT_EQ(ledger.account(client.public_key()).spendable, 500u);
  EXPECT_EQ(ledger.total_supply(), 500u);
  EXPECT_TRUE(ledger.check_conservation().is_ok());
}

TEST_F(EconomyTest, MintTotalCannotOverflow) {
  mint(client.public_key(), UINT64_MAX - 5);
  Status over = ledger.apply({gateway.issue(outsider.public_key(), 6)}, 1);
  EXPECT_EQ(over.code(), ErrorCode::kLimitExceeded) << over.to_string();
  EXPECT_EQ(ledger.account(outsider.public_key()), Account{});
  EXPECT_TRUE(ledger.apply({gateway.issue(outsider.public_key(), 5)}, 1).is_ok());
  EXPECT_TRUE(ledger.check_conservation().is_ok());
}

TEST(SimulatedGateway, ReceiptsAreDeterministicAndUnique) {
  const crypto::PublicKey to = key(3).public_key();
  SimulatedGateway a{3}, b{3}, c{4};
  Mint first = a.issue(to, 1);
  EXPECT_EQ(first, b.issue(to, 1));
  EXPECT_NE(first.gateway_receipt_id, c.issue(to, 1).gateway_receipt_id);
  EXPECT_NE(first.gateway_receipt_id, a.issue(to, 1).gateway_receipt_id);
  EXPECT_TRUE(a.confirms(first));
  Mint other = first;
  other.to = key(4).public_key();
  EXPECT_FALSE(a.confirms(other));
  EXPECT_EQ(a.issued(), 2u);
}

TEST(ListedGateway, ConfirmsExactlyTheListedReceipts) {
  const crypto::PublicKey to = key(3).public_key();
  ListedGateway gateway;
  const Mint listed{crypto::Hash256{1}, to, 500};
  ASSERT_TRUE(gateway.add(listed).is_ok());
  ASSERT_TRUE(gateway.add(Mint{crypto::Hash256{2}, key(4).public_key(), 7}).is_ok());
  EXPECT_EQ(gateway.size(), 2u);
  EXPECT_TRUE(gateway.confirms(listed));
  Mint other_amount = listed, other_recipient = listed, unlisted = listed;
  other_amount.amount = 501;
  other_recipient.to = key(4).public_key();
  unlisted.gateway_receipt_id = crypto::Hash256{3};
  EXPECT_FALSE(gateway.confirms(other_amount));
  EXPECT_FALSE(gateway.confirms(other_recipient));
  EXPECT_FALSE(gateway.confirms(unlisted));
  // Listing errors: a receipt twice (even with other terms), an amount of 0.
  Status twice = gateway.add(other_amount);
  EXPECT_EQ(twice.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(twice.message().find("listed twice"), std::string::npos) << twice.message();
  EXPECT_FALSE(gateway.confirms(other_amount)) << "a refused listing changes nothing";
  EXPECT_EQ(gateway.add(Mint{crypto::Hash256{4}, to, 0}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(gateway.size(), 2u);
}

TEST(ListedGateway, TheLedgerMintsEachListedReceiptOnce) {
  const crypto::PublicKey to = key(3).public_key();
  ListedGateway gateway;
  const Mint listed{crypto::Hash256{9}, to, 1'000};
  ASSERT_TRUE(gateway.add(listed).is_ok());
  Ledger ledger(gateway, ChainId{});
  Mint inflated = listed;
  inflated.amount = 1'000'000;
  Status refused = ledger.apply({inflated}, 0);
  EXPECT_EQ(refused.code(), ErrorCode::kAuthentication) << refused.to_string();
  ASSERT_TRUE(ledger.apply({listed}, 0).is_ok());
  EXPECT_EQ(ledger.account(to).spendable, 1'000u);
  Status again = ledger.apply({listed}, 1);
  EXPECT_NE(again.message().find("already used"), std::string::npos) << again.to_string();
  EXPECT_EQ(ledger.total_supply(), 1'000u);
}

TEST_F(EconomyTest, BadTransfersChangeNothing) {
  mint(client.public_key(), 1'000);
  const crypto::PublicKey to = outsider.public_key();
  auto unchanged = [&] {
    EXPECT_EQ(ledger.account(client.public_key()), (Account{1'000, 0, 0}));
    EXPECT_EQ(ledger.account(to), Account{});
  };

  Transfer forged = Transfer::make(outsider, chain, to, 100, 0);
  forged.from = client.public_key();
  EXPECT_EQ(ledger.apply({forged}, 1).code(), ErrorCode::kAuthentication);
  unchanged();

  Status wrong_nonce = ledger.apply({Transfer::make(client, chain, to, 100, 1)}, 1);
  EXPECT_NE(wrong_nonce.message().find("nonce 1, expected 0"), std::string::npos) << wrong_nonce.message();
  unchanged();

  Status too_much = ledger.apply({Transfer::make(client, chain, to, 1'001, 0)}, 1);
  EXPECT_NE(too_much.message().find("exceeds spendable"), std::string::npos) << too_much.message();
  unchanged();

  ChainId other_chain{};
  other_chain.fill(8);
  EXPECT_EQ(ledger.apply({Transfer::make(client, other_chain, to, 100, 0)}, 1).code(), ErrorCode::kAuthentication);
  unchanged();

  Transfer good = Transfer::make(client, chain, to, 100, 0);
  ASSERT_TRUE(ledger.apply({good}, 1).is_ok());
  EXPECT_EQ(ledger.account(client.public_key()), (Account{900, 0, 1}));
  EXPECT_EQ(ledger.account(to).spendable, 100u);
  EXPECT_FALSE(ledger.apply({good}, 2).is_ok());  // replay
  EXPECT_EQ(ledger.account(to).spendable, 100u);
  EXPECT_TRUE(ledger.check_conservation().is_ok());
}

TEST_F(EconomyTest, RewardsCannotBeTransferredButCanBeBurned) {
  crypto::PublicKey id = open(kContractPeriodPrice);
  for (size_t n = 0; n < 3; ++n) record(id, 0, kPeriod, n, ProofOutcome::kProven);
  (void)ledger.close_periods(kPeriod);
  ASSERT_EQ(rewards(0), kNodePeriodPrice);

  Status spend = ledger.apply({Transfer::make(nodes[0], chain, outsider.public_key(), 1, nonce(nodes[0]))}, 30);
  EXPECT_FALSE(spend.is_ok());
  EXPECT_NE(spend.message().find("rewards can only be burned"), std::string::npos) << spend.message();
  EXPECT_EQ(ledger.account(outsider.public_key()), Account{});

  Burn burn = Burn::make(nodes[0], chain, 200'000, Bytes{0xee, 0x01}, nonce(nodes[0]));
  ASSERT_TRUE(ledger.apply({burn}, 30).is_ok());
  EXPECT_EQ(rewards(0), 40'000u);
  EXPECT_EQ(ledger.total_burned(), 200'000u);
  ASSERT_EQ(ledger.withdrawals().size(), 1u);
  EXPECT_EQ(ledger.withdrawals()[0], (Withdrawal{nodes[0].public_key(), 200'000, {0xee, 0x01}, 0}));
  EXPECT_TRUE(gateway.observe(burn));
  EXPECT_FALSE(gateway.observe(burn));  // paid out once
  EXPECT_EQ(gateway.withdrawn(), 200'000u);

  EXPECT_FALSE(ledger.apply({Burn::make(nodes[0], chain, 40'001, {}, nonce(nodes[0]))}, 30).is_ok());
  // A burn takes rewards first, then spendable tokens.
  mint(nodes[0].public_key(), 10'000);
  ASSERT_TRUE(ledger.apply({Burn::make(nodes[0], chain, 45'000, {}, nonce(nodes[0]))}, 31).is_ok());
  EXPECT_EQ(ledger.account(nodes[0].public_key()), (Account{5'000, 0, 2}));
  EXPECT_TRUE(ledger.check_conservation().is_ok());
}

// ---- Storage rewards ---------------------------------------------------------------------

TEST_F(EconomyTest, PeriodPaysProRataPerProvenTick) {
  crypto::PublicKey id = open(kContractPeriodPrice);
  record(id, 0, 20, 0, ProofOutcome::kProven);
  record(id, 20, 24, 0, ProofOutcome::kOffline);  // 4 offline: at the SLA limit, not beyond
  record(id, 0, 24, 1, ProofOutcome::kProven);
  record(id, 0, 22, 2, ProofOutcome::kProven);  // ticks 22, 23 never recorded: unpaid

  EXPECT_TRUE(ledger.close_periods(kPeriod - 1).removed.empty());
  EXPECT_EQ(rewards(0), 0u);  // nothing before the period ends

  CloseReport report = ledger.close_periods(kPeriod);
  EXPECT_TRUE(report.removed.empty());
  // 7.2 FFT per GB-month * 1 GB * 20/720 month = 0.2 FFT = 20/24 of 240,000.
  EXPECT_EQ(rewards(0), 200'000u);
  EXPECT_EQ(rewards(1), 240'000u);
  EXPECT_EQ(rewards(2), 220'000u);
  // 720,000 - 660,000 left: not a full period, so the contract expires and
  // the client gets the rest back.
  EXPECT_EQ(report.expired, std::vector<crypto::PublicKey>{id});
  EXPECT_EQ(ledger.account(client.public_key()).spendable, 60'000u);
  EXPECT_TRUE(ledger.check_conservation().is_ok());
}

TEST_F(EconomyTest, OfflineBeyondSlaRemovesNodeUnpaid) {
  crypto::PublicKey id = open(2 * kContractPeriodPrice);
  record(id, 0, 19, 0, ProofOutcome::kProven);
  record(id, 19, 24, 0, ProofOutcome::kOffline);  // 5 > 4
  record(id, 0, 24, 1, ProofOutcome::kProven);
  record(id, 0, 24, 2, ProofOutcome::kProven);

  CloseReport report = ledger.close_periods(kPeriod);
  ASSERT_EQ(report.removed.size(), 1u);
  EXPECT_EQ(report.removed[0], (NodeRemoval{id, nodes[0].public_key(), RemovalReason::kOffline}));
  EXPECT_EQ(rewards(0), 0u);
  EXPECT_EQ(rewards(1), kNodePeriodPrice);
  const ContractAccount* c = ledger.contract(id);
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->contract.is_node(nodes[0].public_key()));
  EXPECT_EQ(c->contract.nodes.size(), 2u);
  // Escrow 1,440,000 - 480,000 covers the next period for two nodes.
  EXPECT_EQ(report.prolonged, std::vector<crypto::PublicKey>{id});
  EXPECT_EQ(c->escrow, 960'000u);
  EXPECT_EQ(ledger.record_tick(id, 24, nodes[0].public_key(), ProofOutcome::kProven).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(ledger.check_conservation().is_ok());
}

TEST_F(EconomyTest, ConsecutiveFailedProofsRemoveNode) {
  crypto::PublicKey id = open(2 * kContractPeriodPrice);
  using enum ProofOutcome;
  // Node 0: failures interrupted by a proof never reach three in a row.
  const ProofOutcome interrupted[] = {kFailed, kFailed, kProven, kFailed, kFailed};
  for (uint64_t t = 0; t < 5; ++t) ASSERT_TRUE(ledger.record_tick(id, t, nodes[0].public_key(), interrupted[t]).is_ok());
  record(id, 5, 24, 0, kProven);
  // Node 1: three failures in a row (an offline tick in between neither
  // extends nor resets the run), otherwise proven.
  record(id, 0, 10, 1, kProven);
  record(id, 10, 12, 1, kFailed);
  record(id, 12, 13, 1, kOffline);
  record(id, 13, 14, 1, kFailed);
  record(id, 14, 24, 1, kProven);
  record(id, 0, 24, 2, kProven);

  CloseReport report = ledger.close_periods(kPeriod);
  ASSERT_EQ(report.removed.size(), 1u);
  EXPECT_EQ(report.removed[0], (NodeRemoval{id, nodes[1].public_key(), RemovalReason::kFailedProofs}));
  EXPECT_EQ(rewards(0), 20 * kPerTick);  // 20 proven, 4 failed
  EXPECT_EQ(rewards(1), 0u);
  EXPECT_EQ(rewards(2), kNodePeriodPrice);
}

TEST_F(EconomyTest, FailureRunCarriesAcrossPeriods) {
  crypto::PublicKey id = open(3 * kContractPeriodPrice);
  for (size_t n = 1; n < 3; ++n) record(id, 0, 24, n, ProofOutcome::kProven);
  record(id, 0, 22, 0, ProofOutcome::kProven);
  record(id, 22, 24, 0, ProofOutcome::kFailed);
  EXPECT_TRUE(ledger.close_periods(24).removed.empty());
  EXPECT_EQ(rewards(0), 22 * kPerTick);
  record(id, 24, 25, 0, ProofOutcome::kFailed);  // third in a row
  record(id, 25, 48, 0, ProofOutcome::kProven);
  for (size_t n = 1; n < 3; ++n) record(id, 24, 48, n, ProofOutcome::kProven);
  CloseReport report = ledger.close_periods(48);
  ASSERT_EQ(report.removed.size(), 1u);
  EXPECT_EQ(report.removed[0].reason, RemovalReason::kFailedProofs);
  EXPECT_EQ(rewards(0), 22 * kPerTick);
}

TEST_F(EconomyTest, ProlongedWhileFundedThenExpires) {
  crypto::PublicKey id = open(3 * kContractPeriodPrice + 5);
  for (uint64_t period = 0; period < 3; ++period) {
    const uint64_t end = (period + 1) * kPeriod;
    for (size_t n = 0; n < 3; ++n) record(id, period * kPeriod, end, n, ProofOutcome::kProven);
    CloseReport report = ledger.close_periods(end);
    const ContractAccount* c = ledger.contract(id);
    if (period < 2) {
      EXPECT_EQ(report.prolonged, std::vector<crypto::PublicKey>{id});
      EXPECT_EQ(c->contract.valid_until_tick, end + kPeriod);
      EXPECT_TRUE(c->active());
    } else {
      EXPECT_EQ(report.expired, std::vector<crypto::PublicKey>{id});
      EXPECT_EQ(c->phase, ContractPhase::kExpired);
      EXPECT_EQ(c->escrow, 0u);
    }
    EXPECT_TRUE(ledger.check_conservation().is_ok());
  }
  EXPECT_EQ(rewards(0), 3 * kNodePeriodPrice);
  EXPECT_EQ(ledger.account(client.public_key()).spendable, 5u);  // the remainder refunded
  EXPECT_FALSE(ledger.apply({Deposit::make(client, chain, id, 1, nonce(client))}, 80).is_ok());
}

TEST_F(EconomyTest, DepositKeepsContractAlive) {
  crypto::PublicKey id = open(kContractPeriodPrice);
  mint(outsider.public_key(), kContractPeriodPrice);
  // Anyone may fund the contract; it is still bound to the current period.
  ASSERT_TRUE(ledger.apply({Deposit::make(outsider, chain, id, kContractPeriodPrice, 0)}, 5).is_ok());
  EXPECT_FALSE(ledger.apply({Deposit::make(outsider, chain, id, 1, 1)}, 5).is_ok());  // no funds left
  EXPECT_FALSE(ledger.apply({Deposit::make(client, chain, id, 1, nonce(client))}, 24).is_ok());  // period over
  for (size_t n = 0; n < 3; ++n) record(id, 0, kPeriod, n, ProofOutcome::kProven);
  EXPECT_EQ(ledger.close_periods(kPeriod).prolonged.size(), 1u);
}

TEST_F(EconomyTest, TerminationPaysProvenTicksAndRefundsTheRest) {
  crypto::PublicKey id = open(1'000'000);
  for (size_t n = 0; n < 3; ++n) record(id, 0, 10, n, ProofOutcome::kProven);  // ticks 0..9

  Status stranger = ledger.apply({Terminate::make(outsider, chain, id, 0)}, 9);
  EXPECT_EQ(stranger.code(), ErrorCode::kAuthentication);
  ASSERT_TRUE(ledger.apply({Terminate::make(client, chain, id, nonce(client))}, 9).is_ok());
  // 10 proven ticks each, the terminating tick included.
  for (size_t n = 0; n < 3; ++n) EXPECT_EQ(rewards(n), 10 * kPerTick);
  EXPECT_EQ(ledger.account(client.public_key()).spendable, 1'000'000u - 3 * 10 * kPerTick);
  EXPECT_EQ(ledger.contract(id)->phase, ContractPhase::kTerminated);
  EXPECT_FALSE(ledger.record_tick(id, 10, nodes[0].public_key(), ProofOutcome::kProven).is_ok());
  EXPECT_TRUE(ledger.close_periods(kPeriod).expired.empty());
  EXPECT_TRUE(ledger.check_conservation().is_ok());

  // The contract id is spent: it cannot be opened again.
  Status again = ledger.apply(
      {OpenContract::make(client, chain, sign_all(make_contract(30, 30)), 0, nonce(client))}, 10);
  EXPECT_NE(again.message().find("already used"), std::string::npos) << again.message();
}

TEST_F(EconomyTest, OpenContractRules) {
  mint(client.public_key(), kContractPeriodPrice);
  StorageContract c = make_contract();
  Status low = ledger.apply({OpenContract::make(client, chain, sign_all(c), kContractPeriodPrice - 1, 0)}, 0);
  EXPECT_NE(low.message().find("does not cover the first period"), std::string::npos) << low.message();
  SignedContract unsigned_by_arbiter = sign_all(c);
  unsigned_by_arbiter.signatures.pop_back();
  EXPECT_FALSE(ledger.apply({OpenContract::make(client, chain, unsigned_by_arbiter, kContractPeriodPrice, 0)}, 0)
                   .is_ok());
  Status late = ledger.apply({OpenContract::make(client, chain, sign_all(c), kContractPeriodPrice, 0)}, kPeriod);
  EXPECT_NE(late.message().find("valid_until_tick"), std::string::npos) << late.message();
  EXPECT_EQ(ledger.account(client.public_key()), (Account{kContractPeriodPrice, 0, 0}));
  EXPECT_TRUE(ledger.contracts().empty());
  // A shorter first period costs proportionally less.
  EXPECT_TRUE(ledger.apply({OpenContract::make(client, chain, sign_all(c), 3 * 4 * kPerTick, 0)}, 20).is_ok());
}

// ---- Operation rewards ------------------------------------------------------------------------

TEST_F(EconomyTest, OperationPriceFollowsThePublishedFormula) {
  // write: 4 + 4 * ceil(2048 / 1024) + 2 * 3 = 18 units
  EXPECT_EQ(operation_price(OperationKind::kWrite, 2048, 3, 10), 180u);
  // read: 1 + 1 * ceil(1 / 1024) + 1 * 0 = 2 units
  EXPECT_EQ(operation_price(OperationKind::kRead, 1, 0, 10), 20u);
  EXPECT_EQ(operation_price(OperationKind::kRead, 0, 0, 7), 7u);
  EXPECT_EQ(operation_price(OperationKind::kWrite, 1 << 20, 0, UINT64_MAX), UINT64_MAX);  // saturates
}

TEST_F(EconomyTest, OperationChargeIsSplitAmongNodes) {
  crypto::PublicKey id = open(kContractPeriodPrice + 200);
  ASSERT_TRUE(
      ledger.apply({ChargeOperation::make(client, chain, id, OperationKind::kWrite, 2048, 3, nonce(client))}, 1)
          .is_ok());
  for (size_t n = 0; n < 3; ++n) EXPECT_EQ(rewards(n), 60u);
  EXPECT_EQ(ledger.contract(id)->escrow, kContractPeriodPrice + 20);
  // The read costs 20: 6 each, the indivisible 2 stays in escrow.
  ASSERT_TRUE(
      ledger.apply({ChargeOperation::make(client, chain, id, OperationKind::kRead, 1, 0, nonce(client))}, 1).is_ok());
  EXPECT_EQ(rewards(0), 66u);
  EXPECT_EQ(ledger.contract(id)->escrow, kContractPeriodPrice + 2);
  // The period's storage is reserved: operations cannot eat into it.
  Status st = ledger.apply({ChargeOperation::make(client, chain, id, OperationKind::kRead, 1, 0, nonce(client))}, 2);
  EXPECT_NE(st.message().find("free of the period's storage"), std::string::npos) << st.message();
  // Only the client may charge its contract.
  EXPECT_EQ(ledger.apply({ChargeOperation::make(nodes[0], chain, id, OperationKind::kRead, 0, 0, 0)}, 2).code(),
            ErrorCode::kAuthentication);
  EXPECT_TRUE(ledger.check_conservation().is_ok());
}

}  // namespace
}  // namespace fluence::economy
