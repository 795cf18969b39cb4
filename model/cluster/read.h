// Reads with the integrity the client picks: a value signed by 1 to n
// members (the white paper's choice between speed and "more signatures that
// different nodes performed the same query and got the same result").
//
// Each member asked answers from its own replica and signs what it found,
// with its applied journal sequence and state root; the reader accepts a
// value once `signatures` distinct members signed the same one. A member
// that lost or altered the row cannot make a wrong value pass: it can only
// fail to agree. Members behind by a write may disagree for a moment; the
// read then fails and the client retries.
#pragma once

#include <functional>

#include "model/cluster/messages.h"
#include "model/crypto/sign.h"

namespace fluence::cluster {

struct ReadAnswer {
  storage::DatasetId dataset{};
  Bytes row_key;
  std::optional<Bytes> value;  // nullopt: no such row
  uint64_t sequence = 0;       // the member's applied journal sequence
  crypto::Hash256 state_root{};
  crypto::PublicKey signer;
  crypto::Signature signature;

  Bytes signed_bytes() const;
  static ReadAnswer make(const crypto::SigningKey& key, const storage::Dataset& dataset, ByteView row_key);
  bool signature_valid() const;
  bool operator==(const ReadAnswer&) const = default;
  void encode(codec::Writer& writer) const;
  static ReadAnswer decode(codec::Reader& reader);
};

// What a read returns: the value and the answers of the members that signed it.
struct ReadResult {
  std::optional<Bytes> value;
  std::vector<ReadAnswer> answers;
};

// Among `answers` (from distinct members of `members`, signatures checked),
// the value that at least `signatures` of them signed, if any.
Result<ReadResult> agree(const std::vector<ReadAnswer>& answers, size_t signatures,
                         const std::vector<crypto::PublicKey>& members);

}  // namespace fluence::cluster
