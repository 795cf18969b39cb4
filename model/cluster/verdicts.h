// The arbiters' proof-of-retrievability verdicts on a cluster's chain,
// combined into one outcome per member per tick.
//
// Every arbiter challenges every member each tick and puts its signed
// verdict on chain. One arbiter alone must not decide a node's pay, and
// neither may the order in which verdicts reach the chain: an arbiter whose
// challenge was answered finishes its round at once, one that caught the
// member only at the deadline, so the first verdicts on chain are the
// passing ones. So (member, tick t) is decided at its settlement point, the
// end of the first block that either
//   - carries the tick's last missing verdict of a current arbiter (nothing
//     more can come), or
//   - has a tick of at least t + settle_ticks, the chain's inclusion
//     allowance: an honest arbiter signs no block of that tick without its
//     verdicts of tick t (arbiter.h), so on a sealed chain every honest
//     arbiter's verdict has landed by then, and only silent ones are missing,
// from every verdict counted by then:
//   no outcome if fewer than the quorum of arbiters gave one,
//   proven     if more than half of them passed,
//   offline    otherwise, if at least as many said "late" (no answer in
//              time) as named another fault,
//   failed     otherwise.
// Verdicts landing after the settlement point change nothing. A member's
// ticks are decided in tick order (the ledger takes outcomes in that order),
// so a tick waits for the member's earlier ones, at most settle_ticks.
//
// The book is a function of the blocks, so every member holds the same one
// and a restart rebuilds it by replaying them; each outcome is returned
// exactly once. Between blocks it keeps the ticks whose settlement point has
// not passed: at most settle_ticks ticks' worth of (member, arbiter) pairs.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <vector>

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

// One (member, tick) outcome, settled by a block.
struct ProofSettlement {
  crypto::PublicKey member;
  uint64_t tick = 0;
  economy::ProofOutcome outcome = economy::ProofOutcome::kProven;

  bool operator==(const ProofSettlement&) const = default;
};

class VerdictBook {
 public:
  // `settle_ticks` (>= 1): the chain's inclusion allowance
  // (chain::ChainRules::inclusion_ticks).
  explicit VerdictBook(uint64_t settle_ticks);

  // For each block, in chain order: add() each verdict it carries (already
  // checked: signature, arbiter, member), then settle() once. A verdict about
  // a tick after the block's, or past its settlement point, is not counted.
  void add(const por::PorVerdict& verdict, uint64_t block_tick);
  // Decides every (member, tick) whose settlement point this block is, given
  // the arbiters and quorum after it; returns the outcomes in tick order.
  std::vector<ProofSettlement> settle(uint64_t block_tick, const std::vector<crypto::PublicKey>& arbiters,
                                      size_t quorum);

  ProofRecord record(const crypto::PublicKey& member) const;
  // The oldest tick with a (member, tick) still undecided after the last
  // settle(): a contract period ending after it must wait for its outcome.
  std::optional<uint64_t> oldest_open_tick() const;
  uint64_t settle_ticks() const { return settle_ticks_; }

 private:
  struct Tally {
    std::set<crypto::PublicKey> arbiters;
    size_t passed = 0;
    size_t late = 0;
    size_t failed = 0;
    bool decided = false;
  };
  std::optional<economy::ProofOutcome> decide(const crypto::PublicKey& member, uint64_t tick, Tally& tally,
                                               size_t quorum);

  uint64_t settle_ticks_;
  std::optional<uint64_t> last_block_tick_;  // of the last settle()
  std::map<std::pair<uint64_t, crypto::PublicKey>, Tally> open_;  // by (tick, member)
  std::map<crypto::PublicKey, ProofRecord> records_;
};

}  // namespace fluence::cluster
