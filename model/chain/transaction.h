// Transactions a cluster's chain carries.
//
// Each is typed; its canonical encoding is what the block's transaction root
// commits to. Token operations and storage contracts are economy::EconomyOp
// (model/economy/ops.h); re-encryption keys for sharing will add a case.
// Who convicts a member: Equivocation and VoteEquivocation prove it alone;
// EjectionVote is one arbiter's vote.
#pragma once

#include <variant>

#include "model/codec/codec.h"
#include "model/consensus/messages.h"
#include "model/economy/ops.h"
#include "model/por/por.h"

namespace fluence::chain {

// The client's write made it into the journal at `sequence` with this digest.
struct WriteDigest {
  uint64_t sequence = 0;
  crypto::Hash256 entry_hash{};  // BLAKE2b of the journal entry's encoding

  bool operator==(const WriteDigest&) const = default;
  void encode(codec::Writer& writer) const;
  static WriteDigest decode(codec::Reader& reader);
};

// Two conflicting signatures by one signer for one height: proof that it
// equivocated, which gets it ejected.
struct Equivocation {
  crypto::PublicKey signer;
  uint64_t height = 0;
  crypto::Hash256 first{};
  crypto::Signature first_signature;
  crypto::Hash256 second{};
  crypto::Signature second_signature;

  bool proves_equivocation() const;
  bool operator==(const Equivocation&) const = default;
  void encode(codec::Writer& writer) const;
  static Equivocation decode(codec::Reader& reader);
};

// Two consensus votes by one member of the same type, height and round for
// different values: the cluster's consensus caught it equivocating.
struct VoteEquivocation {
  consensus::Vote first;
  consensus::Vote second;

  bool proves_equivocation() const;
  bool operator==(const VoteEquivocation&) const = default;
  void encode(codec::Writer& writer) const;
  static VoteEquivocation decode(codec::Reader& reader);
};

// An arbiter's signed vote to replace a cluster member: `ejected` leaves the
// cluster and `replacement`, one of the arbiters, joins it in its place and
// syncs the dataset (the white paper's "recovery mode"). The change happens
// when an arbiter quorum's votes for it are on chain (see
// cluster/membership.h).
struct EjectionVote {
  enum class Reason : uint8_t {
    kFailedProofs = 0,  // consecutive failed PoR outcomes (lost data, or a wrong state)
    kOffline,           // consecutive ticks without an answer, beyond the SLA
    kEquivocation,      // conflicting signatures on chain
    kCaptured,          // the whole cluster, by an arbiter quorum's certificate
                        // (cluster/capture.h); never a vote's reason
    kLimit,
  };
  storage::DatasetId dataset{};
  crypto::PublicKey ejected;
  crypto::PublicKey replacement;
  Reason reason = Reason::kFailedProofs;
  crypto::PublicKey arbiter;
  crypto::Signature signature;

  static EjectionVote make(const crypto::SigningKey& arbiter, const storage::DatasetId& dataset,
                           const crypto::PublicKey& ejected, const crypto::PublicKey& replacement, Reason reason);
  bool signature_valid() const;
  Bytes signed_bytes() const;
  bool operator==(const EjectionVote&) const = default;
  void encode(codec::Writer& writer) const;
  static EjectionVote decode(codec::Reader& reader);
};
const char* reason_name(EjectionVote::Reason reason);

struct Transaction {
  std::variant<WriteDigest, por::PorVerdict, Equivocation, economy::EconomyOp, VoteEquivocation, EjectionVote> body;

  crypto::Hash256 hash() const;
  bool operator==(const Transaction&) const = default;
  void encode(codec::Writer& writer) const;
  static Transaction decode(codec::Reader& reader);
};

}  // namespace fluence::chain
