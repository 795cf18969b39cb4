// A cluster member's side of sharing contracts (white paper, "Proxy
// Re-Encryption Key", "Denial of Remove"; model/economy/share.h).
//
// The keeper follows the ledger: when a share naming this member appears it
// opens the member's fragment (checking it fully, economy::open_fragment);
// when the share is revoked, or ends with its storage contract, it erases the
// fragment (KeyFrag's secret is wiped on destruction). It answers a
// receiver's re-encryption request with a CapsuleFrag, or refuses clearly:
// unknown share, revoked or ended share, escrow that cannot pay even the
// cheapest read, a fragment that did not open, an invalid capsule.
//
// Fragments live only in memory. The sealed fragment stays on the chain, so
// a restarted member re-opens it from the ledger; a plaintext copy in the
// env::Store would only add a second place to wipe on revocation. That the
// chain keeps the seals also means revocation cannot be cryptographic: a
// member can always re-open its fragment. Revocation holds because the
// receiver needs m CapsuleFrags and honest members refuse: with fewer than
// m members keeping revoked fragments (MemberConduct::keeps_revoked_fragments)
// the receiver cannot decrypt.
//
// Each member's ClusterChain owns its keeper and syncs it at every committed
// block; the receiver's side, which counts only verified CapsuleFrags from
// holders, is reencrypt.h.
//
// Billing is not the keeper's: the receiver's ChargeShareRead goes through
// the chain like any operation; the keeper only refuses an escrow that could
// not pay for one read.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "model/cluster/conduct.h"
#include "model/economy/ledger.h"

namespace fluence::cluster {

class ShareKeeper {
 public:
  // `identity` and `random` (for the re-encryption proofs' nonces) must
  // outlive the keeper.
  ShareKeeper(const crypto::SigningKey& identity, env::Random& random, MemberConduct conduct = {});

  struct SyncReport {
    std::vector<crypto::PublicKey> opened;     // shares whose fragment was opened now
    std::vector<crypto::PublicKey> forgotten;  // shares whose fragment was erased now
    // Fragments that failed to open (once per share): the owner sealed
    // something this member cannot use.
    std::vector<std::pair<crypto::PublicKey, Status>> unusable;
  };

  // Brings the held fragments in line with the ledger. Call after each block.
  SyncReport sync(const economy::Ledger& ledger);

  // Re-encrypts `capsule` with this member's fragment of `share`, after the
  // checks above (a share not yet synced is opened on the way).
  Result<crypto::pre::CapsuleFrag> reencrypt(const economy::Ledger& ledger, const crypto::PublicKey& share,
                                             const crypto::pre::Capsule& capsule);

  bool holds(const crypto::PublicKey& share) const { return fragments_.contains(share); }
  size_t held() const { return fragments_.size(); }

 private:
  // This member's fragment of an active share, opened on first use; or why
  // there is none (not a holder, or it did not open).
  Result<const crypto::pre::KeyFrag*> open(const economy::ShareAccount& share, SyncReport* report);
  void forget(const crypto::PublicKey& share, SyncReport* report);

  const crypto::SigningKey& identity_;
  env::Random& random_;
  MemberConduct conduct_;
  std::map<crypto::PublicKey, crypto::pre::KeyFrag> fragments_;
  std::map<crypto::PublicKey, Status> unusable_;  // never retried: the seal is on the chain for good
};

}  // namespace fluence::cluster
