// What a cluster's chain says besides the dataset: the token ledger, the
// settled proof-of-retrievability outcomes and the membership. All three
// are functions of the committed blocks, applied in order, so every member
// and arbiter derives the same book and a restart rebuilds it by replaying
// the stored blocks. Arbiters keep the book without the ledger.
#pragma once

#include <optional>
#include <vector>

#include "model/chain/block.h"
#include "model/cluster/capture.h"
#include "model/cluster/membership.h"
#include "model/cluster/verdicts.h"
#include "model/economy/ledger.h"

namespace fluence::cluster {

// When arbiters vote to eject a member (white paper, "Security Concerns").
struct EjectionRules {
  uint64_t failed_ticks = 3;    // consecutive failed PoR outcomes
  uint64_t offline_ticks = 24;  // consecutive ticks without an answer
};

struct EjectionGround {
  crypto::PublicKey member;
  chain::EjectionVote::Reason reason = chain::EjectionVote::Reason::kFailedProofs;
};

// The chain id a dataset's ledger signs operations for.
economy::ChainId ledger_chain_id(const storage::DatasetId& dataset);
// The gateway of a chain configured without one: it confirms no mint.
const economy::Gateway& no_gateway();

class ChainBook {
 public:
  // `gateway` nullptr: no ledger (an arbiter's book). `settle_ticks`: the
  // chain's inclusion allowance, after which PoR outcomes settle (verdicts.h).
  ChainBook(const economy::Gateway* gateway, const storage::DatasetId& dataset, Roster genesis,
            uint64_t settle_ticks);

  // Applies a committed block's transactions, settles the PoR outcomes whose
  // settlement point it is (each reaches the ledger once), then closes the
  // contract periods its tick ends whose ticks are all settled. False if a
  // token operation does not apply; the book is then half-applied, so check
  // a proposal on a copy.
  bool apply(const chain::BlockHeader& header, const std::vector<chain::Transaction>& transactions);

  const economy::Ledger& ledger() const;
  bool has_ledger() const { return ledger_.has_value(); }
  const VerdictBook& verdicts() const { return verdicts_; }
  const Membership& membership() const { return membership_; }
  const Roster& roster() const { return membership_.current(); }

  // A capture certificate (capture.h) about `last_applied`, the last block
  // applied: checked against the roster after it, then every member is
  // replaced from the next height on. Errors name what does not fit.
  Status adopt_capture(const CaptureCertificate& certificate, const chain::BlockHeader& last_applied,
                       const storage::DatasetId& dataset);
  // The same in two steps, for a caller that stores the certificate in
  // between: the checks and the roster they give, then the switch.
  Result<Roster> capture_roster(const CaptureCertificate& certificate, const chain::BlockHeader& last_applied,
                                const storage::DatasetId& dataset) const;
  void replace_cluster(uint64_t height, const Roster& next) { membership_.replace_cluster(height, next); }

  // Current members that, by the blocks so far, should be ejected.
  std::vector<EjectionGround> grounds(const EjectionRules& rules) const;

 private:
  std::optional<economy::Ledger> ledger_;
  VerdictBook verdicts_;
  Membership membership_;
  std::set<crypto::PublicKey> convicted_;  // of equivocation, by evidence on chain
};

}  // namespace fluence::cluster
