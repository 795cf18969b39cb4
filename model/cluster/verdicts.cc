#include "model/cluster/verdicts.h"

namespace fluence::cluster {

std::optional<economy::ProofOutcome> VerdictBook::add(const por::PorVerdict& verdict, size_t quorum) {
  if (verdict.tick + kOpenTicks < newest_tick_) return std::nullopt;
  if (verdict.tick > newest_tick_) {
    newest_tick_ = verdict.tick;
    uint64_t oldest = newest_tick_ > kOpenTicks ? newest_tick_ - kOpenTicks : 0;
    open_.erase(open_.begin(), open_.lower_bound({oldest, crypto::PublicKey{}}));
  }
  Tally& tally = open_[{verdict.tick, verdict.node}];
  if (tally.settled || !tally.arbiters.insert(verdict.arbiter).second) return std::nullopt;
  if (verdict.passed()) {
    ++tally.passed;
  } else if (verdict.fault == por::Fault::kLate) {
    ++tally.late;
  } else {
    ++tally.failed;
  }
  if (tally.arbiters.size() < quorum) return std::nullopt;
  tally.settled = true;
  economy::ProofOutcome outcome = 2 * tally.passed > tally.arbiters.size() ? economy::ProofOutcome::kProven
                                  : tally.late >= tally.failed            ? economy::ProofOutcome::kOffline
                                                                          : economy::ProofOutcome::kFailed;
  ProofRecord& record = records_[verdict.node];
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
  record.last_tick = std::max(record.last_tick.value_or(0), verdict.tick);
  return outcome;
}

ProofRecord VerdictBook::record(const crypto::PublicKey& member) const {
  auto it = records_.find(member);
  return it == records_.end() ? ProofRecord{} : it->second;
}

}  // namespace fluence::cluster
