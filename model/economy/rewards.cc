#include "model/economy/rewards.h"

#include <limits>

namespace fluence::economy {

const char* proof_outcome_name(ProofOutcome outcome) {
  switch (outcome) {
    case ProofOutcome::kProven: return "proven";
    case ProofOutcome::kFailed: return "failed";
    case ProofOutcome::kOffline: return "offline";
    case ProofOutcome::kLimit: break;
  }
  return "unknown";
}

const char* contract_phase_name(ContractPhase phase) {
  switch (phase) {
    case ContractPhase::kActive: return "active";
    case ContractPhase::kExpired: return "expired";
    case ContractPhase::kTerminated: return "terminated";
  }
  return "unknown";
}

const char* removal_reason_name(RemovalReason reason) {
  switch (reason) {
    case RemovalReason::kOffline: return "offline beyond SLA";
    case RemovalReason::kFailedProofs: return "consecutive failed proofs";
  }
  return "unknown";
}

uint64_t storage_reward(const StorageContract& contract, uint64_t proven_ticks) {
  // contract.check() bounds price (2^48), allocation (2^50) and period (2^20),
  // and callers never pass more ticks than one period: the product fits in
  // 128 bits and the quotient in 64.
  FL_ASSERT(proven_ticks <= kMaxPeriodTicks);
  unsigned __int128 reward = static_cast<unsigned __int128>(contract.price_per_gb_month) *
                             contract.allocation_bytes * proven_ticks / (kBytesPerGb * kTicksPerMonth);
  FL_ASSERT(reward <= std::numeric_limits<uint64_t>::max());
  return static_cast<uint64_t>(reward);
}

uint64_t period_cost(const StorageContract& contract, uint64_t ticks) {
  unsigned __int128 cost = static_cast<unsigned __int128>(storage_reward(contract, ticks)) * contract.nodes.size();
  FL_ASSERT(cost <= std::numeric_limits<uint64_t>::max());  // contract.check() for ticks <= period_ticks
  return static_cast<uint64_t>(cost);
}

uint64_t ContractAccount::committed_storage() const {
  FL_ASSERT(contract.valid_until_tick >= period_start_tick);
  return period_cost(contract, contract.valid_until_tick - period_start_tick);
}

Status record_outcome(ContractAccount& account, uint64_t tick, const crypto::PublicKey& node,
                      ProofOutcome outcome) {
  const std::string where = "record_tick(contract " + short_key(account.contract.id) + ")";
  if (!account.active()) {
    return Status::error(ErrorCode::kInvalidArgument,
                         where + ": contract is " + contract_phase_name(account.phase));
  }
  if (outcome >= ProofOutcome::kLimit) return Status::error(ErrorCode::kInvalidArgument, where + ": bad outcome");
  if (tick < account.period_start_tick || tick >= account.contract.valid_until_tick) {
    return Status::error(ErrorCode::kInvalidArgument,
                         where + ": tick " + std::to_string(tick) + " outside the current period [" +
                             std::to_string(account.period_start_tick) + ", " +
                             std::to_string(account.contract.valid_until_tick) + ")");
  }
  auto it = account.tallies.find(node);
  if (it == account.tallies.end()) {
    return Status::error(ErrorCode::kNotFound, where + ": node " + short_key(node) + " is not on the contract");
  }
  NodeTally& tally = it->second;
  if (tally.last_tick && tick <= *tally.last_tick) {
    return Status::error(ErrorCode::kInvalidArgument,
                         where + ": tick " + std::to_string(tick) + " not after node's last recorded tick " +
                             std::to_string(*tally.last_tick));
  }
  tally.last_tick = tick;
  switch (outcome) {
    case ProofOutcome::kProven:
      ++tally.proven_ticks;
      tally.failed_run = 0;
      break;
    case ProofOutcome::kFailed:
      ++tally.failed_ticks;
      if (tally.failed_run < std::numeric_limits<uint32_t>::max()) ++tally.failed_run;
      if (tally.failed_run >= account.contract.sla.max_failed_proofs) tally.failed_run_breached = true;
      break;
    case ProofOutcome::kOffline: ++tally.offline_ticks; break;
    case ProofOutcome::kLimit: break;
  }
  FL_ASSERT(tally.proven_ticks + tally.failed_ticks + tally.offline_ticks <=
            account.contract.valid_until_tick - account.period_start_tick);
  return Status::ok();
}

Settlement settle_period(const ContractAccount& account, uint64_t end_tick) {
  FL_ASSERT(end_tick >= account.period_start_tick && end_tick <= account.contract.valid_until_tick);
  FL_ASSERT(account.tallies.size() == account.contract.nodes.size());
  const uint64_t length = end_tick - account.period_start_tick;
  const SlaTerms& sla = account.contract.sla;
  Settlement s;
  for (const auto& node : account.contract.nodes) {
    const NodeTally& tally = account.tallies.at(node);
    // A termination settles before the period's end, when a node may already
    // have recorded later ticks: count only what fits in the settled span.
    uint64_t proven = std::min(tally.proven_ticks, length);
    uint64_t accounted = std::min(length, tally.proven_ticks + tally.failed_ticks);
    uint64_t offline = length - accounted;  // recorded offline and unrecorded
    if (offline > sla.max_offline_ticks_per_period) {
      s.removals.push_back({account.contract.id, node, RemovalReason::kOffline});
    } else if (tally.failed_run_breached) {
      s.removals.push_back({account.contract.id, node, RemovalReason::kFailedProofs});
    } else {
      uint64_t amount = storage_reward(account.contract, proven);
      s.payments.push_back({node, amount});
      s.total_paid += amount;
    }
  }
  FL_ASSERT(s.payments.size() + s.removals.size() == account.contract.nodes.size());
  FL_ASSERT(s.total_paid <= account.committed_storage());
  return s;
}

OperationSplit split_operation(uint64_t price, size_t node_count) {
  FL_ASSERT(node_count > 0);
  OperationSplit split;
  split.share_per_node = price / node_count;
  split.charged = split.share_per_node * node_count;
  FL_ASSERT(split.charged <= price && price - split.charged < node_count);
  return split;
}

}  // namespace fluence::economy
