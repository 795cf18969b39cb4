// A seeded random walk over the ledger: every operation kind, valid and not,
// interleaved with proofs and period ends. After every step tokens are
// conserved, and every rejected operation left the ledger exactly as it was.
#include <gtest/gtest.h>

#include <random>

#include "model/economy/ledger.h"

namespace fluence::economy {
namespace {

crypto::SigningKey key(uint8_t seed) {
  crypto::Secret<32> secret;
  secret.data()[0] = seed;
  secret.data()[1] = 0xc0;
  return crypto::SigningKey::from_seed(secret);
}

struct Snapshot {
  std::vector<Account> accounts;
  std::vector<std::tuple<uint64_t, ContractPhase, uint64_t, size_t>> contracts;
  uint64_t minted = 0, burned = 0;
  size_t withdrawals = 0;
  bool operator==(const Snapshot&) const = default;
};

class RandomWalk {
 public:
  explicit RandomWalk(uint64_t seed) : rng_(seed) {
    for (uint8_t i = 0; i < 3; ++i) clients_.push_back(key(1 + i));
    for (uint8_t i = 0; i < 5; ++i) nodes_.push_back(key(10 + i));
    for (uint8_t i = 0; i < 2; ++i) arbiters_.push_back(key(20 + i));
    for (const auto* group : {&clients_, &nodes_}) {
      for (const auto& k : *group) everyone_.push_back(k.clone());
    }
  }

  void step() {
    switch (pick(9)) {
      case 0: {
        Mint m = gateway_.issue(pick(everyone_).public_key(), 1 + pick(200'000));
        apply(m);
        break;
      }
      case 1: {
        const auto& from = pick(everyone_);
        apply(Transfer::make(from, chain_, pick(everyone_).public_key(), amount(from), nonce(from)));
        break;
      }
      case 2: {
        const auto& from = pick(everyone_);
        apply(Burn::make(from, chain_, amount(from), Bytes{1, 2, 3}, nonce(from)));
        break;
      }
      case 3: open_contract(); break;
      case 4: {
        if (opened_.empty()) break;
        const auto& from = pick(everyone_);
        apply(Deposit::make(from, chain_, pick(opened_), amount(from), nonce(from)));
        break;
      }
      case 5: {
        if (opened_.empty() || pick(4) != 0) break;  // rarely: contracts should live a while
        const crypto::PublicKey id = pick(opened_);
        apply(Terminate::make(client_of(id), chain_, id, nonce(client_of(id))));
        break;
      }
      case 6: {
        if (opened_.empty()) break;
        const crypto::PublicKey id = pick(opened_);
        auto kind = pick(2) == 0 ? OperationKind::kRead : OperationKind::kWrite;
        apply(ChargeOperation::make(client_of(id), chain_, id, kind, pick(10'000), pick(50), nonce(client_of(id))));
        break;
      }
      case 7: record_proofs(); break;  // early: the tick's later record is a rejected duplicate
      case 8: {  // time passes: every tick's proofs, then the block's period ends
        for (uint64_t n = 1 + pick(3); n > 0; --n) {
          record_proofs();
          ++tick_;
          CloseReport report = ledger_.close_periods(tick_);
          removed_ += report.removed.size();
          prolonged_ += report.prolonged.size();
          expired_ += report.expired.size();
        }
        break;
      }
    }
    Status conservation = ledger_.check_conservation();
    ASSERT_TRUE(conservation.is_ok()) << conservation.to_string();
    ASSERT_EQ(ledger_.total_supply(), gateway_.issued() - ledger_.total_burned());
  }

  std::map<std::string, int> accepted, rejected;
  size_t removed_ = 0, prolonged_ = 0, expired_ = 0;

 private:
  uint64_t pick(uint64_t n) { return rng_() % n; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[pick(v.size())];
  }
  // Mostly affordable, sometimes not.
  uint64_t amount(const crypto::SigningKey& k) {
    Account a = ledger_.account(k.public_key());
    uint64_t held = a.spendable + a.rewards;
    return pick(5) == 0 ? held + 1 + pick(1000) : 1 + pick(held / 2 + 1);
  }
  // Mostly right, sometimes a replay or a skipped nonce.
  uint64_t nonce(const crypto::SigningKey& k) {
    uint64_t next = ledger_.account(k.public_key()).next_nonce;
    switch (pick(10)) {
      case 0: return next + 1;
      case 1: return next == 0 ? 0 : next - 1;
      default: return next;
    }
  }
  const crypto::SigningKey& client_of(const crypto::PublicKey& id) {
    for (const auto& c : clients_) {
      if (c.public_key() == ledger_.contract(id)->contract.client) return c;
    }
    FL_ASSERT(false);
    return clients_[0];
  }

  Snapshot snapshot() const {
    Snapshot s;
    for (const auto* group : {&clients_, &nodes_, &arbiters_}) {
      for (const auto& k : *group) s.accounts.push_back(ledger_.account(k.public_key()));
    }
    for (const auto& [id, c] : ledger_.contracts()) {
      s.contracts.emplace_back(c.escrow, c.phase, c.contract.valid_until_tick, c.contract.nodes.size());
    }
    s.minted = ledger_.total_minted();
    s.burned = ledger_.total_burned();
    s.withdrawals = ledger_.withdrawals().size();
    return s;
  }

  template <typename Op>
  void apply(Op op) {
    apply_op(EconomyOp{std::move(op)});
  }

  void apply_op(const EconomyOp& op) {
    Snapshot before = snapshot();
    Status status = ledger_.apply(op, tick_);
    if (status.is_ok()) {
      ++accepted[op.name()];
    } else {
      ++rejected[op.name()];
      ASSERT_FALSE(status.message().empty());
      ASSERT_EQ(snapshot(), before) << "rejected " << op.name() << " changed the ledger: " << status.to_string();
    }
  }

  void open_contract() {
    StorageContract c;
    c.id = key(static_cast<uint8_t>(100 + next_contract_++ % 150)).public_key();  // ids repeat late: rejected
    const crypto::SigningKey& client = pick(clients_);
    c.client = client.public_key();
    c.valid_until_tick = tick_ + 24;
    std::vector<size_t> chosen = {0, 1, 2, 3, 4};
    std::shuffle(chosen.begin(), chosen.end(), rng_);
    for (size_t i = 0; i < 3; ++i) c.nodes.push_back(nodes_[chosen[i]].public_key());
    for (const auto& a : arbiters_) c.arbiters.push_back(a.public_key());
    c.replication_factor = 3;
    c.allocation_bytes = kBytesPerGb;
    c.price_per_gb_month = 720'000;  // 1,000 per node per tick
    c.gas_price = 1 + pick(5);
    c.period_ticks = 24;
    c.sla = {3, 2};
    SignedContract s{c, {ContractSignature::make(client, c)}};
    for (size_t i = 0; i < 3; ++i) s.signatures.push_back(ContractSignature::make(nodes_[chosen[i]], c));
    for (const auto& a : arbiters_) s.signatures.push_back(ContractSignature::make(a, c));
    if (pick(10) == 0) s.signatures.pop_back();
    uint64_t deposit = 36'000 + pick(200'000);  // from half a period to about three
    apply(OpenContract::make(client, chain_, std::move(s), deposit, nonce(client)));
    if (ledger_.contract(c.id) && std::find(opened_.begin(), opened_.end(), c.id) == opened_.end()) {
      opened_.push_back(c.id);
    }
  }

  void record_proofs() {
    for (const auto& [id, c] : ledger_.contracts()) {
      if (!c.active()) continue;
      for (const auto& node : c.contract.nodes) {
        uint64_t roll = pick(20);
        ProofOutcome outcome = roll < 16 ? ProofOutcome::kProven : roll < 18 ? ProofOutcome::kOffline
                                                                             : ProofOutcome::kFailed;
        Snapshot before = snapshot();
        if (!ledger_.record_tick(id, tick_, node, outcome).is_ok()) {
          ASSERT_EQ(snapshot(), before);
        }
      }
    }
  }

  std::mt19937_64 rng_;
  ChainId chain_ = crypto::blake2b_256(as_bytes("random walk chain"));
  SimulatedGateway gateway_{5};
  Ledger ledger_{gateway_, chain_};
  std::vector<crypto::SigningKey> clients_, nodes_, arbiters_, everyone_;
  std::vector<crypto::PublicKey> opened_;
  uint64_t tick_ = 0;
  size_t next_contract_ = 0;
};

TEST(EconomyConservation, ThousandRandomOperations) {
  RandomWalk walk(0x5eed'f1e0);
  for (int i = 0; i < 1'000; ++i) {
    walk.step();
    if (::testing::Test::HasFatalFailure()) FAIL() << "at step " << i;
  }
  // The walk must have exercised every kind both ways, and the period logic.
  for (const char* kind : {"mint", "transfer", "burn", "open_contract", "deposit", "terminate", "charge_operation"}) {
    EXPECT_GT(walk.accepted[kind], 0) << kind;
    if (std::string(kind) != "mint") {
      EXPECT_GT(walk.rejected[kind], 0) << kind;
    }
  }
  EXPECT_GT(walk.prolonged_, 0u);
  EXPECT_GT(walk.expired_, 0u);
  EXPECT_GT(walk.removed_, 0u);
}

}  // namespace
}  // namespace fluence::economy
