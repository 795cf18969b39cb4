#include "model/adversary/collusion.h"

namespace fluence::adversary {

cluster::MemberConduct colluding_member(const std::vector<crypto::PublicKey>& honest_arbiters) {
  cluster::MemberConduct conduct;
  conduct.censored_arbiters.insert(honest_arbiters.begin(), honest_arbiters.end());
  return conduct;
}

cluster::ArbiterConduct corrupted_arbiter() {
  cluster::ArbiterConduct conduct;
  conduct.checks_time = false;
  conduct.challenges = false;
  conduct.votes = false;
  conduct.demands_inclusion = false;
  return conduct;
}

}  // namespace fluence::adversary
