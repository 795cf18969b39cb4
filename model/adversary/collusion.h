// A whole cluster that colludes, and the arbiters it has corrupted (white
// paper, "Security Concerns": a cluster "can act like single malicious node,
// by not checking each other's proof of retrievability and speeding up time
// for blocks"; arbiters "throw out malicious nodes").
//
// The colluding members have deleted data (the scenario does that) and cover
// for each other: none of them reports another, and every block they make
// leaves out the verdicts and ejection votes of the arbiters they have not
// corrupted, so that only their corrupted arbiters' passing verdicts settle
// outcomes. The corrupted arbiters sign whatever 2f + 1 members signed,
// whatever its tick, pass every member without a challenge, and never vote.
//
// What stops it: an honest arbiter signs no block that has left its verdicts
// out for ChainRules::inclusion_ticks (arbiter.h). So a colluding cluster
// stays sealed only while its corrupted arbiters alone make an arbiter
// quorum: with A arbiters each corrupted with probability m, it survives
// with probability P[Binomial(A, m) >= quorum]. Otherwise, with more
// arbiters than members, the honest ones certify it captured and replace it
// (cluster/capture.h); corrupted arbiters never vote and never follow.
#pragma once

#include <vector>

#include "model/cluster/conduct.h"

namespace fluence::adversary {

// The conduct of a colluding member whose cluster has not corrupted
// `honest_arbiters`.
cluster::MemberConduct colluding_member(const std::vector<crypto::PublicKey>& honest_arbiters);
// The conduct of an arbiter the cluster has corrupted.
cluster::ArbiterConduct corrupted_arbiter();

}  // namespace fluence::adversary
