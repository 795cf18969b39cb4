// Recovery mode (white paper, "Security Concerns"): an arbiter the chain
// recruited into the cluster rebuilds the replica before it takes part.
//
// It holds the chain, not the data: the blocks it signed, up to the block h
// that recruited it. Every write ever committed has its digest (sequence,
// entry hash) in one of those blocks, so it fetches the journal from the
// members, entry by entry in order, and checks each entry against its
// digest before applying it; and whenever the replica reaches the sequence
// a header names, it checks the state root the header names. A member that
// sends anything else is skipped for the next. It stops at the state after
// block h, which is where its chain starts (ClusterChain::install_history).
//
// A replica partly rebuilt before a crash resumes from its applied sequence.
// It keeps trying, round-robin over the members, until done; it needs the
// members not to have compacted the journal (members never do yet).
#pragma once

#include <functional>
#include <map>
#include <memory>

#include "model/chain/block.h"
#include "model/consensus/tendermint.h"
#include "model/rpc/rpc.h"
#include "model/storage/dataset.h"

namespace fluence::cluster {

class Recovery {
 public:
  // `blocks` are 1 to h; `members` the nodes that hold the data (the roster
  // after h, or the captors after a capture; the recruit is skipped if named).
  Recovery(env::Env& env, rpc::Rpc& rpc, const crypto::PublicKey& self, storage::Dataset& dataset,
           const std::vector<chain::Block>& blocks, std::vector<consensus::Validator> members,
           env::Duration request_timeout);
  ~Recovery();
  Recovery(const Recovery&) = delete;
  Recovery& operator=(const Recovery&) = delete;

  // `done` gets ok once the replica is at the state after block h, or the
  // error that makes it impossible (a store failure, or a chain whose own
  // headers and digests disagree).
  void run(std::function<void(Status)> done);

  uint64_t target_sequence() const { return target_; }
  uint64_t rejected_batches() const { return rejected_; }

 private:
  void fetch();
  // Applies what checks out; false if the batch held anything wrong.
  bool take(const Bytes& body);
  void finish(Status status);

  env::Env& env_;
  rpc::Rpc& rpc_;
  storage::Dataset& dataset_;
  std::vector<consensus::Validator> peers_;  // the members but this node
  env::Duration timeout_;
  uint64_t target_ = 0;
  std::map<uint64_t, crypto::Hash256> digests_;  // sequence -> entry hash
  std::map<uint64_t, crypto::Hash256> roots_;    // sequence -> state root a header names
  size_t next_peer_ = 0;
  uint64_t rejected_ = 0;
  std::function<void(Status)> done_;
  env::TimerId retry_timer_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace fluence::cluster
