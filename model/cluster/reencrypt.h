// Re-encryption through the cluster (white paper, "Proxy Re-Encryption Key",
// "Denial of Remove"): a sharing contract's receiver asks the members to
// turn an owner's capsule into CapsuleFrags towards its key, and opens the
// capsule's key once m of them verify.
//
// Each member answers with a signed ReencryptAnswer: its CapsuleFrag from
// its fragment of the share (ShareKeeper), or why it refuses. The receiver
// counts a CapsuleFrag only if
//   - the answer is about this dataset, share and capsule, and its
//     signature checks;
//   - its signer is a holder of the share on the ledger, counted once;
//   - the CapsuleFrag carries that holder's own authorisation, as the
//     owner put it on the chain, and verifies (pre::verify_cfrag: the
//     owner's signature and the re-encryption proof).
// So a non-holder, or a holder replaying another's fragment, counts for
// nothing, and m verified fragments come from m distinct holders.
//
// What the receiver cannot check is whether the share is still active for
// the member that answered: a CapsuleFrag made with a revoked fragment
// verifies exactly like one made before revocation (the authorisations stay
// on the chain, and revocation is not cryptographic: pre.h). The receiver
// therefore takes no member's word on the phase: an honest refusal simply
// does not count, and a member that kept its revoked fragment
// (MemberConduct::keeps_revoked_fragments) still contributes one verified
// fragment. Revocation holds only because the receiver needs m of them: it
// holds against d dishonest holders if and only if d < m. The threshold m
// the owner picks must exceed the number of members it fears will keep
// their fragments; with n = 3f + 1 members and m > f, no set of at most f
// faulty members restores a revoked share on its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/crypto/pre.h"
#include "model/economy/share.h"
#include "model/storage/dataset.h"

namespace fluence::cluster {

// A refusal's reason is for people; it is cut to this many bytes.
inline constexpr size_t kMaxRefusalBytes = 256;

crypto::Hash256 capsule_hash(const crypto::pre::Capsule& capsule);

// A member's signed answer to a kReencryptRequest.
struct ReencryptAnswer {
  storage::DatasetId dataset{};
  crypto::PublicKey share;
  crypto::Hash256 capsule_hash{};
  std::optional<crypto::pre::CapsuleFrag> cfrag;  // nullopt: refused
  std::string refusal;                            // why, when refused; empty with a cfrag
  crypto::PublicKey signer;
  crypto::Signature signature;

  Bytes signed_bytes() const;
  // Signs `cfrag` (or its error as the refusal) as `key`'s answer.
  static ReencryptAnswer make(const crypto::SigningKey& key, const storage::DatasetId& dataset,
                              const crypto::PublicKey& share, const crypto::pre::Capsule& capsule,
                              const Result<crypto::pre::CapsuleFrag>& cfrag);
  bool signature_valid() const;
  bool operator==(const ReencryptAnswer&) const = default;
  // Canonical: a flag, then either the CapsuleFrag or the refusal.
  void encode(codec::Writer& writer) const;
  static ReencryptAnswer decode(codec::Reader& reader);
};

// What the receiver made of the answers so far.
struct FragmentTally {
  size_t threshold = 0;                                 // m, from the share on the ledger
  size_t holders = 0;                                   // n
  std::vector<crypto::pre::VerifiedCapsuleFrag> cfrags;  // from distinct holders
  std::vector<crypto::PublicKey> verified_from;         // their holders, in the same order
  std::vector<std::string> not_counted;                 // refusals and rejected answers, one line each

  bool complete() const { return cfrags.size() >= threshold; }
};

// Checks every answer as above. Answers about anything else are skipped.
FragmentTally tally_fragments(const std::vector<ReencryptAnswer>& answers, const storage::DatasetId& dataset,
                              const economy::SharingContract& share, const crypto::pre::Capsule& capsule);

struct ReencryptResult {
  std::vector<crypto::pre::VerifiedCapsuleFrag> cfrags;  // at least m, verified, from distinct holders
  std::vector<crypto::PublicKey> verified_from;
};

// The tally's outcome: the fragments once there are m, else kUnavailable
// with a message that opens "<k> of <m> fragments" and then says, per
// holder heard, why its answer did not count.
Result<ReencryptResult> agree(const FragmentTally& tally);

}  // namespace fluence::cluster
