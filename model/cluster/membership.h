// Who is in a cluster, and who watches it, as the chain says.
//
// It starts from the configured members and arbiters. Arbiters vote to
// replace a member that failed its proofs, stayed offline beyond the SLA or
// equivocated (chain::EjectionVote); once a quorum of the current arbiters
// voted for the same (ejected, replacement) pair in committed blocks, the
// change happens: the replacement, an arbiter, takes the ejected member's
// position in the member list (so the consensus order of everyone else is
// unchanged) and leaves the arbiters. The new roster applies from the next
// height. An ejected member never comes back.
//
// Like the ledger, membership is a function of the blocks, so every member
// and arbiter derives the same one, and a restart rebuilds it by replaying.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "model/chain/transaction.h"
#include "model/consensus/tendermint.h"

namespace fluence::cluster {

struct Roster {
  std::vector<consensus::Validator> members;
  std::vector<consensus::Validator> arbiters;
  size_t arbiter_quorum_rule = 0;  // chain::ChainRules::arbiter_quorum: 0 means a majority

  bool is_member(const crypto::PublicKey& key) const;
  bool is_arbiter(const crypto::PublicKey& key) const;
  size_t faults_tolerated() const { return members.empty() ? 0 : (members.size() - 1) / 3; }
  size_t member_quorum() const { return 2 * faults_tolerated() + 1; }
  size_t arbiter_quorum() const;
  std::vector<crypto::PublicKey> member_keys() const;
  std::vector<crypto::PublicKey> arbiter_keys() const;
};

struct MembershipChange {
  uint64_t height = 0;  // the block that settled it; the new roster starts after it
  crypto::PublicKey ejected;
  consensus::Validator replacement;
  chain::EjectionVote::Reason reason = chain::EjectionVote::Reason::kFailedProofs;
};

class Membership {
 public:
  explicit Membership(Roster genesis);

  // The roster for blocks after the last one applied.
  const Roster& current() const { return rosters_.rbegin()->second; }
  // The roster that signs the block at `height`.
  const Roster& at(uint64_t height) const;
  const std::vector<MembershipChange>& changes() const { return changes_; }
  bool ejected(const crypto::PublicKey& key) const { return ejected_.count(key) != 0; }

  // Whether a vote can count now: signed by a current arbiter, against a
  // current member, for a current arbiter as replacement.
  bool vote_acceptable(const chain::EjectionVote& vote) const;
  // Counts an acceptable vote from the block at `height`; returns the
  // change if this vote settles one.
  std::optional<MembershipChange> add(const chain::EjectionVote& vote, uint64_t height);
  // A capture certificate for block `height` (capture.h): every member is
  // ejected and `next` signs from height + 1 on. The blocks up to `height`
  // must be the last applied.
  void replace_cluster(uint64_t height, const Roster& next);

 private:
  std::map<uint64_t, Roster> rosters_;  // by the first height each signs
  std::map<std::pair<crypto::PublicKey, crypto::PublicKey>, std::set<crypto::PublicKey>> votes_;
  std::set<crypto::PublicKey> ejected_;
  std::vector<MembershipChange> changes_;
};

}  // namespace fluence::cluster
