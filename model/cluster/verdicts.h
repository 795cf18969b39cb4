// The arbiters' proof-of-retrievability verdicts on a cluster's chain,
// combined into one outcome per member per tick.
//
// Every arbiter challenges every member each tick and puts its signed
// verdict on chain. One arbiter alone must not decide a node's pay, so the
// outcome of (member, tick) is settled in the block where the quorum-th
// distinct arbiter's verdict lands, from those verdicts:
//   proven   if more than half of them passed,
//   offline  otherwise, if at least as many said "late" (no answer in time)
//            as named another fault,
//   failed   otherwise.
// Later verdicts for a settled (member, tick) change nothing. The book is a
// function of the blocks, so every member holds the same one and a restart
// rebuilds it by replaying them; the ledger gets each outcome once.
#pragma once

#include <map>
#include <optional>
#include <set>

#include "model/economy/rewards.h"
#include "model/por/por.h"

namespace fluence::cluster {

// Outcomes settled so far for one member.
struct ProofRecord {
  uint64_t proven = 0;
  uint64_t failed = 0;
  uint64_t offline = 0;
  // The current run of consecutive failed (offline) outcomes, which the
  // arbiters' ejection rule reads; any other outcome ends a run.
  uint64_t failed_run = 0;
  uint64_t offline_run = 0;
  std::optional<uint64_t> last_tick;

  bool operator==(const ProofRecord&) const = default;
};

class VerdictBook {
 public:
  // A verdict is kept this many ticks behind the newest one seen; older ones
  // can no longer settle anything (bounds the memory a silent arbiter costs).
  static constexpr uint64_t kOpenTicks = 24;

  // Counts a verdict already checked (signature, arbiter, member); returns
  // the (member, tick) outcome if this verdict brings its arbiters to
  // `quorum` (the current arbiters' quorum).
  std::optional<economy::ProofOutcome> add(const por::PorVerdict& verdict, size_t quorum);

  ProofRecord record(const crypto::PublicKey& member) const;

 private:
  struct Tally {
    std::set<crypto::PublicKey> arbiters;
    size_t passed = 0;
    size_t late = 0;
    size_t failed = 0;
    bool settled = false;
  };
  uint64_t newest_tick_ = 0;
  std::map<std::pair<uint64_t, crypto::PublicKey>, Tally> open_;  // by (tick, member)
  std::map<crypto::PublicKey, ProofRecord> records_;
};

}  // namespace fluence::cluster
