// A seeded random walk over the ledger: every operation kind, valid and not,
// sharing contracts included, interleaved with proofs and period ends. After every step tokens are
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

crypto::PublicKey share_key(size_t n) {
  crypto::Secret<32> secret;
  secret.data()[0] = static_cast<uint8_t>(n);
  secret.data()[1] = 0x5e;
  return crypto::SigningKey::from_seed(secret).public_key();
}

struct Snapshot {
  std::vector<Account> accounts;
  std::vector<std::tuple<uint64_t, ContractPhase, uint64_t, size_t>> contracts;
  std::vector<std::pair<uint64_t, SharePhase>> shares;
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
    switch (pick(13)) {
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
      case 9: open_share(); break;
      case 10: {
        if (shares_.empty()) break;
        const auto& from = pick(everyone_);
        apply(FundShare::make(from, chain_, pick(shares_), amount(from), nonce(from)));
        break;
      }
      case 11: {
        if (shares_.empty()) break;
        const crypto::PublicKey id = pick(shares_);
        // Mostly the receiver; sometimes the owner, whose signature is refused.
        const crypto::SigningKey& signer = pick(5) == 0 ? owner_of(id) : receiver_of(id);
        apply(ChargeShareRead::make(signer, chain_, id, pick(10'000), pick(50), nonce(receiver_of(id))));
        break;
      }
      case 12: {
        if (shares_.empty() || pick(3) != 0) break;  // rarely: shares should live a while
        const crypto::PublicKey id = pick(shares_);
        apply(RevokeShare::make(owner_of(id), chain_, id, nonce(owner_of(id))));
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
  const crypto::SigningKey& holder_of(const crypto::PublicKey& key) const {
    for (const auto& k : everyone_) {
      if (k.public_key() == key) return k;
    }
    FL_ASSERT(false);
    return everyone_[0];
  }
  const crypto::SigningKey& owner_of(const crypto::PublicKey& share) const {
    return holder_of(ledger_.share(share)->contract.owner);
  }
  const crypto::SigningKey& receiver_of(const crypto::PublicKey& share) const {
    return holder_of(ledger_.share(share)->contract.receiver);
  }

  Snapshot snapshot() const {
    Snapshot s;
    for (const auto* group : {&clients_, &nodes_, &arbiters_}) {
      for (const auto& k : *group) s.accounts.push_back(ledger_.account(k.public_key()));
    }
    for (const auto& [id, c] : ledger_.contracts()) {
      s.contracts.emplace_back(c.escrow, c.phase, c.contract.valid_until_tick, c.contract.nodes.size());
    }
    for (const auto& [id, share] : ledger_.shares()) s.shares.emplace_back(share.escrow, share.phase);
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

  // A share of an opened contract, to its current nodes, by its client;
  // sometimes broken (a node missing, another owner, an id reused).
  void open_share() {
    if (opened_.empty()) return;
    const crypto::PublicKey contract = pick(opened_);
    const ContractAccount* account = ledger_.contract(contract);
    const crypto::SigningKey* owner = &client_of(contract);
    const crypto::SigningKey* receiver = &pick(everyone_);
    if (receiver->public_key() == owner->public_key()) return;
    std::vector<crypto::PublicKey> holders = account->contract.nodes;
    if (holders.empty()) return;  // every node was removed; the contract has expired
    switch (pick(8)) {
      case 0: holders.pop_back(); break;
      case 1: owner = &pick(clients_); break;
      default: break;
    }
    if (holders.empty() || receiver->public_key() == owner->public_key()) return;
    constexpr uint32_t kMarkups[] = {0, 0, 250, 1500};
    ShareTerms terms{share_key(next_share_++ % 60), contract, receiver->public_key(), receiver_pre_.public_key(),
                     static_cast<uint8_t>(1 + pick(holders.size())), kMarkups[pick(4)]};
    Result<SharingContract> share = make_sharing_contract(*owner, delegator_, terms, holders, random_);
    ASSERT_TRUE(share.is_ok()) << share.status().to_string();
    apply(OpenShare::make(*owner, chain_, std::move(*share), nonce(*owner)));
    if (ledger_.share(terms.id) && std::find(shares_.begin(), shares_.end(), terms.id) == shares_.end()) {
      shares_.push_back(terms.id);
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
  std::vector<crypto::PublicKey> shares_;
  env::DeterministicRandom random_{0x5a4e};
  pre::KeyPair delegator_ = pre::KeyPair::generate(random_);
  pre::KeyPair receiver_pre_ = pre::KeyPair::generate(random_);
  uint64_t tick_ = 0;
  size_t next_contract_ = 0;
  size_t next_share_ = 0;
};

TEST(EconomyConservation, ThousandRandomOperations) {
  RandomWalk walk(0x5eed'f1e0);
  for (int i = 0; i < 1'500; ++i) {
    walk.step();
    if (::testing::Test::HasFatalFailure()) FAIL() << "at step " << i;
  }
  // The walk must have exercised every kind both ways, and the period logic.
  for (const char* kind : {"mint", "transfer", "burn", "open_contract", "deposit", "terminate", "charge_operation",
                           "open_share", "fund_share", "charge_share_read", "revoke_share"}) {
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
