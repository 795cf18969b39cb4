// The "flaky-members" parts of ClusterRun: a storage contract that pays the
// members per proven tick, and members that are down for whole ticks.
//
// A flaky member goes down a little before a tick starts (so it misses that
// tick's challenges) and comes back a little before the next tick it is up
// for (so it has caught up on the blocks it missed when that tick's
// challenges come). Each tick it is down with probability 1 - uptime,
// independently, drawn from the run's seed.
#include <algorithm>

#include "model/cluster/chain_book.h"
#include "model/economy/ops.h"
#include "sim/cluster_run.h"

namespace fluence::sim {

namespace {
// 720,000 micro-FFT per GB-month over 720 hourly ticks: 1,000 per proven tick.
constexpr uint64_t kPricePerGbMonth = 720'000;
constexpr uint64_t kRewardPerTick = 1'000;

crypto::SigningKey key_from(uint64_t seed, uint64_t stream) {
  env::DeterministicRandom random(seed, stream);
  crypto::Secret<32> secret;
  random.fill(std::span<uint8_t>(secret.data(), secret.size()));
  return crypto::SigningKey::from_seed(secret);
}
}  // namespace

void ClusterRun::open_contract() {
  crypto::SigningKey client = key_from(seed_, 0x1e00);
  economy::StorageContract& c = contract_;
  c.id = key_from(seed_, 0x1e01).public_key();
  c.client = client.public_key();
  // The first period is ticks 1 to period_ticks: tick 0 has no challenge.
  c.period_ticks = static_cast<uint64_t>(spec_.period_ticks);
  c.valid_until_tick = 1 + c.period_ticks;
  for (size_t i = 0; i < world_.size(); ++i) {
    (i < static_cast<size_t>(spec_.members) ? c.nodes : c.arbiters).push_back(world_.identity(i).key.public_key());
  }
  c.replication_factor = static_cast<uint32_t>(spec_.members);
  c.allocation_bytes = economy::kBytesPerGb;
  c.max_response_time_ms = 5000;
  c.price_per_gb_month = kPricePerGbMonth;
  c.gas_price = 1;
  c.sla = {static_cast<uint64_t>(spec_.max_offline_ticks_per_period), 1000};
  economy::SignedContract signed_contract{c, {economy::ContractSignature::make(client, c)}};
  for (size_t i = 0; i < world_.size(); ++i) {
    signed_contract.signatures.push_back(economy::ContractSignature::make(world_.identity(i).key, c));
  }
  // Escrow for every period the run can close, and one more.
  uint64_t periods = static_cast<uint64_t>(spec_.ticks) / c.period_ticks + 1;
  uint64_t deposit = periods * c.period_ticks * kRewardPerTick * c.nodes.size();
  economy::EconomyOp mint{gateway_.issue(client.public_key(), deposit + 1'000'000)};
  economy::EconomyOp open{economy::OpenContract::make(client, cluster::ledger_chain_id(dataset_), std::move(signed_contract),
                                                      deposit, 0)};
  for (size_t m = 0; m < static_cast<size_t>(spec_.members); ++m) {
    world_.at(2, m, [this, mint](node::Node* node) {
      if (node != nullptr) node->chain(dataset_)->submit_transaction({mint});
    });
    world_.at(spec_.tick_s / 4, m, [this, open](node::Node* node) {
      if (node != nullptr) node->chain(dataset_)->submit_transaction({open});
    });
  }
}

void ClusterRun::schedule_flaky() {
  double lead = std::min(300.0, spec_.tick_s / 12);
  for (size_t m : spec_.flaky) {
    env::DeterministicRandom draw(seed_, 0x1d00 + m);
    std::vector<uint64_t>& down = down_ticks_[m];
    for (uint64_t t = 1; t <= static_cast<uint64_t>(spec_.ticks); ++t) {
      if (draw.chance(1 - spec_.uptime)) down.push_back(t);
    }
    for (size_t k = 0; k < down.size(); ++k) {
      uint64_t t = down[k];
      bool down_before = k > 0 && down[k - 1] == t - 1;
      bool down_after = k + 1 < down.size() && down[k + 1] == t + 1;
      if (!down_before) world_.control_at(static_cast<double>(t) * spec_.tick_s - lead, [this, m] { world_.crash(m); });
      if (!down_after) world_.control_at(static_cast<double>(t + 1) * spec_.tick_s - lead, [this, m] { world_.restart(m); });
    }
  }
}

void ClusterRun::sample_contract(const cluster::ClusterChain& chain) {
  const economy::ContractAccount* account = chain.ledger().contract(contract_.id);
  if (account == nullptr) return;
  periods_settled_ = (account->period_start_tick - 1) / contract_.period_ticks;
  earnings_.assign(static_cast<size_t>(spec_.members), {});
  for (size_t m = 0; m < earnings_.size(); ++m) {
    const crypto::PublicKey& key = world_.identity(m).key.public_key();
    earnings_[m].rewards = chain.ledger().account(key).rewards;
    earnings_[m].proofs = chain.verdicts().record(key);
    earnings_[m].on_contract = account->contract.is_node(key);
  }
}

nlohmann::json ClusterRun::contract_results() const {
  nlohmann::json members = nlohmann::json::array();
  for (size_t m = 0; m < earnings_.size(); ++m) {
    const Earnings& e = earnings_[m];
    auto down = down_ticks_.find(m);
    members.push_back({{"member", m},
                       {"flaky", is_flaky(m)},
                       {"rewards", e.rewards},
                       {"proven", e.proofs.proven},
                       {"offline", e.proofs.offline},
                       {"failed", e.proofs.failed},
                       {"ticks_down", down == down_ticks_.end() ? std::vector<uint64_t>{} : down->second},
                       {"on_contract", e.on_contract}});
  }
  return {{"uptime", spec_.uptime},
          {"period_ticks", spec_.period_ticks},
          {"max_offline_ticks_per_period", spec_.max_offline_ticks_per_period},
          {"reward_per_tick", kRewardPerTick},
          {"contract_opened", !earnings_.empty()},
          {"periods_settled", periods_settled_},
          {"flaky_members", spec_.flaky.size()},
          {"member_earnings", members}};
}

void ClusterRun::print_contract() const {
  std::printf("storage contract: %llu periods of %d ticks settled, SLA %d offline ticks per period\n",
              static_cast<unsigned long long>(periods_settled_), spec_.period_ticks, spec_.max_offline_ticks_per_period);
  for (size_t m = 0; m < earnings_.size(); ++m) {
    const Earnings& e = earnings_[m];
    auto down = down_ticks_.find(m);
    std::printf("  member %zu%s: %zu ticks down, %llu proven, %llu offline, %llu micro-FFT earned%s\n", m,
                is_flaky(m) ? " (flaky)" : "", down == down_ticks_.end() ? size_t{0} : down->second.size(),
                static_cast<unsigned long long>(e.proofs.proven), static_cast<unsigned long long>(e.proofs.offline),
                static_cast<unsigned long long>(e.rewards), e.on_contract ? "" : ", removed by the SLA");
  }
}

}  // namespace fluence::sim
