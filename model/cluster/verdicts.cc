#include "model/cluster/verdicts.h"

#include <algorithm>

namespace fluence::cluster {

VerdictBook::VerdictBook(uint64_t settle_ticks) : settle_ticks_(settle_ticks) { FL_ASSERT(settle_ticks_ >= 1); }

void VerdictBook::add(const por::PorVerdict& verdict, uint64_t block_tick) {
  // A challenge is about the first block of its tick, so its verdict lands
  // in a block of that tick or later; one about a later tick is forged.
  if (verdict.tick > block_tick) return;
  // Past its settlement point: a block of tick >= t + settle_ticks was applied.
  if (last_block_tick_ && verdict.tick + settle_ticks_ <= *last_block_tick_) return;
  // The member's outcomes have moved past this tick.
  auto record = records_.find(verdict.node);
  if (record != records_.end() && record->second.last_tick && verdict.tick <= *record->second.last_tick) return;
  Tally& tally = open_[{verdict.tick, verdict.node}];
  if (tally.decided || !tally.arbiters.insert(verdict.arbiter).second) return;
  if (verdict.passed()) {
    ++tally.passed;
  } else if (verdict.fault == por::Fault::kLate) {
    ++tally.late;
  } else {
    ++tally.failed;
  }
  FL_ASSERT(tally.passed + tally.late + tally.failed == tally.arbiters.size());
}

std::vector<ProofSettlement> VerdictBook::settle(uint64_t block_tick, const std::vector<crypto::PublicKey>& arbiters,
                                                 size_t quorum) {
  block_tick = std::max(block_tick, last_block_tick_.value_or(0));
  last_block_tick_ = block_tick;
  std::vector<ProofSettlement> settled;
  std::set<crypto::PublicKey> waiting;  // members with an earlier tick still undecided
  for (auto& [key, tally] : open_) {
    const auto& [tick, member] = key;
    if (tally.decided) continue;
    bool all_in = std::all_of(arbiters.begin(), arbiters.end(),
                              [&counted = tally.arbiters](const crypto::PublicKey& a) { return counted.count(a) != 0; });
    bool due = tick + settle_ticks_ <= block_tick;
    // A due tick never waits: every earlier one of its member is due too.
    if (!due && (!all_in || waiting.count(member) != 0)) {
      waiting.insert(member);
      continue;
    }
    if (std::optional<economy::ProofOutcome> outcome = decide(member, tick, tally, quorum)) {
      settled.push_back({member, tick, *outcome});
    }
  }
  // What is past its settlement point can no longer change.
  while (!open_.empty() && open_.begin()->first.first + settle_ticks_ <= block_tick) {
    FL_ASSERT(open_.begin()->second.decided);
    open_.erase(open_.begin());
  }
  return settled;
}

std::optional<economy::ProofOutcome> VerdictBook::decide(const crypto::PublicKey& member, uint64_t tick, Tally& tally,
                                                         size_t quorum) {
  FL_ASSERT(!tally.decided);
  tally.decided = true;
  size_t counted = tally.arbiters.size();
  if (counted < quorum) return std::nullopt;  // too few arbiters spoke: no outcome
  economy::ProofOutcome outcome = 2 * tally.passed > counted     ? economy::ProofOutcome::kProven
                                  : tally.late >= tally.failed ? economy::ProofOutcome::kOffline
                                                               : economy::ProofOutcome::kFailed;
  ProofRecord& record = records_[member];
  FL_ASSERT(!record.last_tick || *record.last_tick < tick);
  switch (outcome) {
    case economy::ProofOutcome::kProven:
      ++record.proven;
      record.failed_run = record.offline_run = 0;
      break;
    case economy::ProofOutcome::kOffline:
      ++record.offline;
      ++record.offline_run;
      record.failed_run = 0;
      break;
    default:
      ++record.failed;
      ++record.failed_run;
      record.offline_run = 0;
      break;
  }
  record.last_tick = tick;
  return outcome;
}

ProofRecord VerdictBook::record(const crypto::PublicKey& member) const {
  auto it = records_.find(member);
  return it == records_.end() ? ProofRecord{} : it->second;
}

std::optional<uint64_t> VerdictBook::oldest_open_tick() const {
  for (const auto& [key, tally] : open_) {
    if (!tally.decided) return key.first;
  }
  return std::nullopt;
}

}  // namespace fluence::cluster
