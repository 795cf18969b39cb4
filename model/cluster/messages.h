// What a cluster chain's nodes and arbiters say to each other.
//
// A BlockProposal is the value the cluster's consensus agrees on: the next
// block's header and transactions, and the journal entries the block orders.
// Its header's state fields describe the state after the parent block (the
// state after this block's own writes is only known once they are applied,
// so it is agreed on one height later, as Tendermint's app hash is), and its
// first transactions are the digests of its writes, in order, so that the
// header commits to the writes through the transactions root.
#pragma once

#include <optional>
#include <vector>

#include "model/chain/block.h"
#include "model/cluster/capture.h"
#include "model/crypto/pre.h"
#include "model/economy/contract.h"
#include "model/storage/dataset.h"
#include "model/storage/ore_scan.h"

namespace fluence::cluster {

inline constexpr size_t kMaxWritesPerBlock = 10000;

struct BlockProposal {
  chain::BlockHeader header;
  std::vector<chain::Transaction> transactions;
  std::vector<storage::JournalEntry> writes;
  std::vector<crypto::Hash256> submissions;  // each write's submission id, so a write commits once

  bool operator==(const BlockProposal&) const = default;
  void encode(codec::Writer& writer) const;
  static BlockProposal decode(codec::Reader& reader);
};

chain::WriteDigest write_digest(const storage::JournalEntry& entry);

// The proposal's internal consistency: the writes continue the journal after
// header.journal_sequence, each is valid and has a distinct submission id,
// the transactions open with their
// digests in order, and the transactions root matches. Errors name the rule.
Status check_shape(const BlockProposal& proposal);

// Store keys of the chain roles: role ('c' member, 'a' arbiter) + dataset +
// kind, and for per-block records the height, big-endian so keys sort by it.
Bytes chain_store_key(char role, const storage::DatasetId& dataset, char kind, std::optional<uint64_t> height);

// Consecutive journal entries, the answer to a kJournalRequest: what a
// member recruited from the arbiters fetches to rebuild its replica.
inline constexpr size_t kMaxJournalBatchEntries = 4096;
inline constexpr size_t kJournalBatchBytes = 512 * 1024;  // a batch stops growing past this

struct JournalBatch {
  std::vector<storage::JournalEntry> entries;

  bool operator==(const JournalBatch&) const = default;
  void encode(codec::Writer& writer) const;
  static JournalBatch decode(codec::Reader& reader);
};

struct ClusterMessage {
  enum class Type : uint8_t {
    kSubmitWrite,          // client write, to every member's pool
    kSubmitTransaction,    // a transaction for a coming block (a PoR verdict, evidence)
    kConsensus,            // a consensus::ConsensusMessage for this dataset's engine
    kNodeEndorsement,      // a member's signature on a committed header (with the transactions, for arbiters)
    kArbiterEndorsement,   // an arbiter's signature on a header it validated
    kReadRequest,          // a request: the member's signed ReadAnswer for a row (see read.h)
    kJournalRequest,       // a request: a JournalBatch from `sequence` on (recovery.h)
    kOreScanRequest,       // a request: the member's signed OreScanAnswer to `ore_scan` (see read.h)
    kReencryptRequest,     // a request: the member's signed ReencryptAnswer for `share` and `capsule` (reencrypt.h)
    kSignContractRequest,  // a request: a node's or arbiter's signed ContractSigningAnswer for `contract`
                           // (contract_signing.h)
    kCaptureVote,          // an arbiter's vote that the cluster is captured, to the other arbiters (capture.h)
    kLimit,
  };
  Type type = Type::kSubmitWrite;
  storage::DatasetId dataset{};
  std::vector<storage::Mutation> mutations;       // kSubmitWrite
  crypto::Hash256 submission{};                   // kSubmitWrite: unique per write, chosen by the member it came to
  std::optional<chain::Transaction> transaction;  // kSubmitTransaction
  Bytes consensus;                                // kConsensus
  std::optional<chain::BlockHeader> header;       // endorsements
  std::vector<chain::Transaction> transactions;   // kNodeEndorsement, when sent to an arbiter
  std::optional<chain::Endorsement> endorsement;  // endorsements
  Bytes row_key;                                  // kReadRequest
  uint64_t sequence = 0;                          // kJournalRequest: the first entry wanted
  std::optional<storage::OreScanQuery> ore_scan;  // kOreScanRequest
  crypto::PublicKey share;                        // kReencryptRequest: the sharing contract's id
  std::optional<crypto::pre::Capsule> capsule;    // kReencryptRequest
  std::optional<economy::StorageContract> contract;  // kSignContractRequest
  std::optional<CaptureVote> capture_vote;           // kCaptureVote

  void encode(codec::Writer& writer) const;
  static ClusterMessage decode(codec::Reader& reader);
  // The dataset a message is for, read without decoding the rest.
  static std::optional<storage::DatasetId> peek_dataset(ByteView body);
};

}  // namespace fluence::cluster
