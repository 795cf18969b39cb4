// Reads with the integrity the client picks: a value signed by 1 to n
// members (the white paper's choice between speed and "more signatures that
// different nodes performed the same query and got the same result"). Two
// kinds: a row by key, and a page of an ORE index scan (storage/ore_scan.h).
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
#include "model/storage/ore_scan.h"

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

// A member's signed page of an ORE index scan. It signs the hashes of the
// query and of the page, so answers to the same query agree exactly when
// their pages are equal, and an answer to another query counts for nothing.
struct OreScanAnswer {
  storage::DatasetId dataset{};
  crypto::Hash256 query_hash{};  // ore_scan_query_hash(the query)
  storage::OreScanPage page;
  uint64_t sequence = 0;  // the member's applied journal sequence
  crypto::Hash256 state_root{};
  crypto::PublicKey signer;
  crypto::Signature signature;

  crypto::Hash256 page_hash() const;
  // Domain, dataset, query hash, page hash, sequence, state root.
  Bytes signed_bytes() const;
  // The member's answer from its replica; an error (an invalid query, a
  // store failure) is no answer: the member must not sign a page it did not find.
  static Result<OreScanAnswer> make(const crypto::SigningKey& key, const storage::Dataset& dataset,
                                    const storage::OreScanQuery& query);
  bool signature_valid() const;
  bool operator==(const OreScanAnswer&) const = default;
  void encode(codec::Writer& writer) const;
  static OreScanAnswer decode(codec::Reader& reader);
};

crypto::Hash256 ore_scan_query_hash(const storage::OreScanQuery& query);

struct OreScanResult {
  storage::OreScanPage page;
  std::vector<OreScanAnswer> answers;  // `signatures` of them, all signing `page`
};

// Among `answers` to `query` on `dataset` (from distinct members of
// `members`, signatures checked; answers to anything else ignored), the page
// that at least `signatures` of them signed, if any.
Result<OreScanResult> agree(const std::vector<OreScanAnswer>& answers, const storage::DatasetId& dataset,
                            const storage::OreScanQuery& query, size_t signatures,
                            const std::vector<crypto::PublicKey>& members);

}  // namespace fluence::cluster
