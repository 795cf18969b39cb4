// Signed consensus messages (see tendermint.h).
#pragma once

#include <optional>
#include <vector>

#include "model/codec/codec.h"
#include "model/crypto/hash.h"
#include "model/crypto/sign.h"

namespace fluence::consensus {

inline constexpr size_t kMaxValueBytes = 4 * 1024 * 1024 - 4096;
inline constexpr size_t kMaxCertificateVotes = 256;

enum class VoteType : uint8_t { kPrevote = 0, kPrecommit = 1, kLimit };

// id(v): what votes name. A zero hash is the nil vote.
crypto::Hash256 value_id(ByteView value);

struct Vote {
  VoteType type = VoteType::kPrevote;
  uint64_t height = 0;
  uint32_t round = 0;
  crypto::Hash256 value{};  // zero: nil
  crypto::PublicKey voter;
  crypto::Signature signature;

  bool is_nil() const { return value == crypto::Hash256{}; }
  Bytes signed_bytes() const;
  static Vote make(const crypto::SigningKey& key, VoteType type, uint64_t height, uint32_t round,
                   const crypto::Hash256& value);
  bool signature_valid() const;
  bool operator==(const Vote&) const = default;
  void encode(codec::Writer& writer) const;
  static Vote decode(codec::Reader& reader);
};

struct Proposal {
  uint64_t height = 0;
  uint32_t round = 0;
  int32_t valid_round = -1;
  Bytes value;
  crypto::PublicKey proposer;
  crypto::Signature signature;

  Bytes signed_bytes() const;
  static Proposal make(const crypto::SigningKey& key, uint64_t height, uint32_t round, int32_t valid_round, Bytes value);
  bool signature_valid() const;
  bool operator==(const Proposal&) const = default;
  void encode(codec::Writer& writer) const;
  static Proposal decode(codec::Reader& reader);
};

// A decided value and the 2f + 1 precommits that decided it.
struct Decision {
  uint64_t height = 0;
  Bytes value;
  std::vector<Vote> certificate;

  bool operator==(const Decision&) const = default;
  void encode(codec::Writer& writer) const;
  static Decision decode(codec::Reader& reader);
};

struct ConsensusMessage {
  enum class Type : uint8_t { kProposal, kVote, kDecision, kSyncRequest, kLimit };
  Type type = Type::kVote;
  std::optional<Proposal> proposal;
  std::optional<Vote> vote;
  std::optional<Decision> decision;
  uint64_t sync_height = 0;

  void encode(codec::Writer& writer) const;
  static ConsensusMessage decode(codec::Reader& reader);
};

}  // namespace fluence::consensus
