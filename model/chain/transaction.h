// Transactions a cluster's chain carries.
//
// Each is typed; its canonical encoding is what the block's transaction root
// commits to. Token operations and storage contracts are economy::EconomyOp
// (model/economy/ops.h); re-encryption keys for sharing will add a case.
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

struct Transaction {
  std::variant<WriteDigest, por::PorVerdict, Equivocation, economy::EconomyOp, VoteEquivocation> body;

  crypto::Hash256 hash() const;
  bool operator==(const Transaction&) const = default;
  void encode(codec::Writer& writer) const;
  static Transaction decode(codec::Reader& reader);
};

}  // namespace fluence::chain
