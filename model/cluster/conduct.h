// Where a cluster node may depart from the protocol.
//
// Honest nodes keep the defaults. The departures are data in the node's
// configuration rather than subclasses, so the protocol has one code path
// and each departure is a visible branch in it; model/adversary/collusion.h
// names the combinations the white paper's attacks use.
#pragma once

#include <set>

#include "model/crypto/sign.h"
#include "model/env/env.h"

namespace fluence::cluster {

struct ArbiterConduct {
  // Refuses blocks whose tick is ahead of its own clock (arbiter.h).
  bool checks_time = true;
  // Challenges each member every tick; false: signs a passing verdict for
  // every member without asking anything.
  bool challenges = true;
  // Votes to eject members on the grounds the chain shows.
  bool votes = true;
  // Stops signing a chain that leaves out its verdicts and votes for longer
  // than ChainRules::inclusion_ticks.
  bool demands_inclusion = true;

  bool honest() const { return checks_time && challenges && votes && demands_inclusion; }
};

struct MemberConduct {
  // Arbiters whose transactions (verdicts, votes) this member leaves out of
  // the blocks it proposes and rejects in others' proposals. Empty for an
  // honest member.
  std::set<crypto::PublicKey> censored_arbiters;
  // Keeps the re-encryption key fragments of revoked sharing contracts and
  // still answers with them (white paper, "Denial of Remove";
  // share_keeper.h). False for an honest member.
  bool keeps_revoked_fragments = false;
  // Keeps the value of every row the journal deletes and answers signed
  // reads of it with that old value (white paper, "Denial of Remove"): the
  // read agreement (read.h) has to outvote it. False for an honest member.
  bool keeps_deleted_rows = false;
  // The address of a colluding member (white paper, "Security Concerns"):
  // when a PoR challenge touches entries this member silently forgot, it asks
  // that member to answer for it and signs the answer as its own (por::Prover),
  // and it answers such requests from that member. Empty for an honest member.
  env::Address colludes_with;
};

}  // namespace fluence::cluster
