// A captured cluster, and how its arbiters replace it (white paper,
// "Security Concerns": a cluster "can act like single malicious node", and
// "Arbiters ... throw out malicious nodes from the Cluster and choose
// substitutions from themselves").
//
// A cluster that keeps an honest arbiter's verdicts and votes off its chain
// for ChainRules::inclusion_ticks gets no more signatures from it
// (arbiter.h). Nothing on that chain can eject its members any more: the
// votes would have to go through the blocks the members make. So the
// arbiters act outside the chain. An arbiter that refused a block for
// censorship signs a CaptureVote naming the last block it signed, h, and
// sends it to every arbiter. Honest proposers carry an arbiter's
// transactions within a block or two, so censorship that lasts inclusion_ticks
// means the proposers in rotation are all the captors': the whole cluster
// goes, not one member. A cluster that makes no block at all for
// ChainRules::halt_ticks (more than f members gone for good, as under a
// regulator's ban: white paper, "Regulation Activity") is lost the same way,
// and replaced the same way: its live members hold the data the recruits
// rebuild from, and nothing on its chain could eject anyone any more.
//
// Votes from an arbiter quorum (of the roster after h) for the same block
// make a CaptureCertificate. Whoever holds one can check it alone, and it
// fixes the next roster with no further choice: the members' positions go
// to the first n arbiters ranked by BLAKE2b(dataset, h, key), and the other
// arbiters stay arbiters. That roster signs from height h + 1 on: recruits
// rebuild the replica up to h from the old members' journals, checked entry
// by entry against the blocks they signed (recovery.h), and the chain goes
// on from there. The old members' blocks after h no longer count for
// anyone who holds the certificate.
//
// The ranking does not know which arbiters the captors corrupted, so some of
// the recruits may be theirs; the new cluster tolerates f of n as any does.
// Replacement needs more arbiters than members, so that some are left to
// arbitrate.
#pragma once

#include <optional>
#include <vector>

#include "model/chain/block.h"
#include "model/cluster/membership.h"
#include "model/env/env.h"
#include "model/storage/dataset.h"

namespace fluence::cluster {

struct CaptureVote {
  storage::DatasetId dataset{};
  uint64_t height = 0;           // the last block the arbiter signed
  crypto::Hash256 header_hash{};  // that block's header
  crypto::PublicKey arbiter;
  crypto::Signature signature;

  static CaptureVote make(const crypto::SigningKey& arbiter, const storage::DatasetId& dataset,
                          const chain::BlockHeader& last_signed);
  Bytes signed_bytes() const;
  bool signature_valid() const;
  bool operator==(const CaptureVote&) const = default;
  void encode(codec::Writer& writer) const;
  static CaptureVote decode(codec::Reader& reader);
};

struct CaptureCertificate {
  std::vector<CaptureVote> votes;  // one block, distinct arbiters

  uint64_t height() const { return votes.empty() ? 0 : votes.front().height; }
  const crypto::Hash256& header_hash() const;
  bool operator==(const CaptureCertificate&) const = default;
  void encode(codec::Writer& writer) const;
  static CaptureCertificate decode(codec::Reader& reader);
};

// Ok when every vote is about `dataset` and the same block, signed, by a
// distinct arbiter of `roster` (the roster after that block), and there are
// at least roster.arbiter_quorum() of them. Errors name the rule broken.
Status verify_certificate(const CaptureCertificate& certificate, const storage::DatasetId& dataset,
                          const Roster& roster);

// The roster from height + 1 on, after `captured` (the roster after block
// `height`) was certified captured; none when it has no more arbiters than
// members, so that none would be left to arbitrate.
std::optional<Roster> replacement_roster(const Roster& captured, const storage::DatasetId& dataset, uint64_t height);

// The certificate stored at `key` (by an arbiter, or a member it recruited),
// none if nothing is; an error if the store fails or the bytes do not decode.
Result<std::optional<CaptureCertificate>> read_certificate(env::Store& store, const Bytes& key);

// An arbiter's gathering of the votes it heard, at most one per arbiter
// (its latest).
class CaptureTally {
 public:
  // Counts `vote` if it is signed by an arbiter of `roster` about `dataset`;
  // returns the certificate once the votes for `vote`'s block make a quorum.
  std::optional<CaptureCertificate> add(const CaptureVote& vote, const storage::DatasetId& dataset,
                                        const Roster& roster);
  size_t size() const { return latest_.size(); }

 private:
  std::map<crypto::PublicKey, CaptureVote> latest_;
};

}  // namespace fluence::cluster
