// Storage and operation rewards (white paper, "Rewards").
//
// Every tick each node of a contract proves retrievability (model/por), and
// the chain tells the ledger the outcome: proven, failed, or offline. Nodes
// are paid only when the contract's period ends, pro rata per proven tick:
//
//   reward(node) = floor(price_per_gb_month * allocation_bytes * proven_ticks
//                        / (kBytesPerGb * kTicksPerMonth))
//
// Failed and offline ticks earn nothing. A tick nobody recorded counts as
// offline: the burden of proof is on the node. The SLA (contract.h) removes a
// node, and forfeits its whole reward for the period, when
//   - its offline ticks in the period exceed sla.max_offline_ticks_per_period
//     (checked at the period's end), or
//   - it collected sla.max_failed_proofs consecutive failed verdicts (a proven
//     tick resets the run, an offline tick neither extends nor resets it; the
//     run carries across periods; removal happens at the period's end).
//
// An operation's price (ops.h) is split equally among the contract's current
// nodes; the indivisible remainder (< node count micro-FFT) stays in escrow.
//
// This file is the pure arithmetic over one contract's state; the ledger
// (ledger.h) applies it and moves the tokens.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "model/economy/contract.h"

namespace fluence::economy {

enum class ProofOutcome : uint8_t { kProven = 0, kFailed, kOffline, kLimit };
const char* proof_outcome_name(ProofOutcome outcome);

// One node's record in the contract's current period.
struct NodeTally {
  uint64_t proven_ticks = 0;
  uint64_t failed_ticks = 0;
  uint64_t offline_ticks = 0;  // recorded as offline; unrecorded ticks add to it at settlement
  uint32_t failed_run = 0;     // consecutive failed verdicts, across periods
  bool failed_run_breached = false;  // the run reached sla.max_failed_proofs this period
  std::optional<uint64_t> last_tick;  // ticks are recorded strictly in order
};

enum class ContractPhase : uint8_t { kActive = 0, kExpired, kTerminated };
const char* contract_phase_name(ContractPhase phase);

// The ledger's live copy of a contract: its terms (nodes shrink on removal,
// valid_until_tick moves on prolongation), its escrow, and the current
// period [period_start_tick, contract.valid_until_tick).
struct ContractAccount {
  StorageContract contract;
  uint64_t escrow = 0;
  uint64_t period_start_tick = 0;
  ContractPhase phase = ContractPhase::kActive;
  std::map<crypto::PublicKey, NodeTally> tallies;  // exactly one per current node

  bool active() const { return phase == ContractPhase::kActive; }
  // The storage cost of the current period for every current node: the part
  // of the escrow operation charges may not touch.
  uint64_t committed_storage() const;
};

// What one node earns for `proven_ticks` ticks of the contract's allocation.
uint64_t storage_reward(const StorageContract& contract, uint64_t proven_ticks);
// What `ticks` ticks cost for all of the contract's current nodes.
uint64_t period_cost(const StorageContract& contract, uint64_t ticks);

// Records one tick's outcome for one node. Fails (naming the rule) if the
// contract is not active, the node is not on it, the tick lies outside the
// current period, or the tick is not after the node's last recorded tick.
Status record_outcome(ContractAccount& account, uint64_t tick, const crypto::PublicKey& node,
                      ProofOutcome outcome);

enum class RemovalReason : uint8_t { kOffline = 0, kFailedProofs };
const char* removal_reason_name(RemovalReason reason);

struct NodeRemoval {
  crypto::PublicKey contract;
  crypto::PublicKey node;
  RemovalReason reason = RemovalReason::kOffline;
  bool operator==(const NodeRemoval&) const = default;
};

struct NodePayment {
  crypto::PublicKey node;
  uint64_t amount = 0;
};

struct Settlement {
  std::vector<NodePayment> payments;   // one per node kept, in contract order
  std::vector<NodeRemoval> removals;   // nodes that broke the SLA, paid nothing
  uint64_t total_paid = 0;             // <= account.committed_storage()
};

// Settles ticks [period_start_tick, end_tick) of the current period, without
// changing anything. end_tick is the period's end, or the termination tick + 1.
Settlement settle_period(const ContractAccount& account, uint64_t end_tick);

struct OperationSplit {
  uint64_t share_per_node = 0;
  uint64_t charged = 0;  // share_per_node * nodes; price - charged stays in escrow
};
OperationSplit split_operation(uint64_t price, size_t node_count);

}  // namespace fluence::economy
