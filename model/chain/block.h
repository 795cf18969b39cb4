// Blocks of a cluster's chain, and the rules every node and arbiter checks.
//
// A block commits, at one height, the dataset's state after a journal
// sequence, the block's transactions, and the tick of time it belongs to. It
// is valid once at least 2f + 1 of the n cluster nodes (n = 3f + 1) and a
// quorum of the dataset's arbiters have signed its header; the nodes that did
// not sign are named in it, for the SLA.
//
// Time: the white paper's "speed up time" attack is a node proposing the
// block of a tick that has not come yet. A validator rejects a block whose
// tick starts later than its own clock plus a bounded skew, and arbiters,
// whose clocks the cluster does not control, must sign every block.
#pragma once

#include <vector>

#include "model/chain/transaction.h"
#include "model/crypto/hash.h"
#include "model/env/env.h"
#include "model/storage/dataset.h"

namespace fluence::chain {

inline constexpr size_t kMaxTransactionsPerBlock = 10000;
inline constexpr size_t kMaxSigners = 1024;

struct BlockHeader {
  storage::DatasetId dataset{};
  uint64_t height = 0;
  crypto::Hash256 previous{};        // hash of the parent header; zero at height 0
  uint64_t tick = 0;                 // which tick of the contract this block closes
  uint64_t journal_sequence = 0;     // the state below is after this entry
  crypto::Hash256 state_root{};
  uint64_t entry_count = 0;
  crypto::Hash256 transactions_root{};

  crypto::Hash256 hash() const;
  bool operator==(const BlockHeader&) const = default;
  void encode(codec::Writer& writer) const;
  static BlockHeader decode(codec::Reader& reader);
};

struct Endorsement {
  crypto::PublicKey signer;
  crypto::Signature signature;  // over header.hash()

  bool operator==(const Endorsement&) const = default;
  void encode(codec::Writer& writer) const;
  static Endorsement decode(codec::Reader& reader);
};

struct Block {
  BlockHeader header;
  std::vector<Transaction> transactions;
  std::vector<Endorsement> node_signatures;
  std::vector<Endorsement> arbiter_signatures;
  std::vector<crypto::PublicKey> absent;  // cluster nodes that did not sign

  crypto::Hash256 hash() const { return header.hash(); }
  bool operator==(const Block&) const = default;
  void encode(codec::Writer& writer) const;
  static Block decode(codec::Reader& reader);
};

crypto::Hash256 transactions_root(const std::vector<Transaction>& transactions);
Endorsement endorse(const crypto::SigningKey& key, const BlockHeader& header);

struct ChainRules {
  env::Time genesis{0};                                  // start of tick 0, on the validators' clocks
  env::Duration tick_length = std::chrono::hours(1);
  env::Duration max_clock_skew = std::chrono::minutes(1);
  size_t arbiter_quorum = 0;                             // 0: a majority of the arbiters
  // Ticks an arbiter gives the chain to carry its verdicts and votes before
  // it stops signing the chain (cluster/arbiter.h); also when a tick's PoR
  // outcome settles without every arbiter's verdict (cluster/verdicts.h).
  // A rule of the chain: its members and arbiters must all use the same.
  uint64_t inclusion_ticks = 2;
  // Tick lengths without a new block to sign (since the arbiter last signed
  // one, or started) after which an honest arbiter votes
  // the cluster lost, as it does one that censors it (cluster/capture.h):
  // a cluster halted for good (more than f members gone) makes no block to
  // eject anyone with. 0: never.
  uint64_t halt_ticks = 24;

  env::Time tick_start(uint64_t tick) const { return genesis + tick_length * static_cast<int64_t>(tick); }
  // The tick a clock reading `now` is in (0 before genesis).
  uint64_t tick_at(env::Time now) const;
  // The latest tick whose block a validator with clock `now` accepts.
  uint64_t latest_acceptable_tick(env::Time now) const { return tick_at(now + max_clock_skew); }
};

// Checks `block` as the child of `parent` (nullptr for the genesis block)
// for a cluster and arbiter set, at the validator's clock reading `now`.
// Errors name the rule broken.
Status validate_block(const Block& block, const BlockHeader* parent,
                      const std::vector<crypto::PublicKey>& cluster,
                      const std::vector<crypto::PublicKey>& arbiters, const ChainRules& rules,
                      env::Time now);

}  // namespace fluence::chain
