// Byzantine fault-tolerant agreement inside a cluster: Tendermint
// (Buchman, Kwon and Milosevic, "The latest gossip on BFT consensus", 2018,
// Algorithm 1), one value per height.
//
// n validators tolerate f = (n - 1) / 3 crashed or Byzantine ones: a value is
// decided at a height by 2f + 1 precommits for it in one round, and locking
// (a validator precommits v only after 2f + 1 prevotes for v, and then
// prevotes only v unless it sees 2f + 1 prevotes for another value in a later
// round) keeps two different values from ever being decided at one height,
// under any delays, losses, duplicates and reorderings. Timeouts grow with
// the round, so once the network is timely a round with an honest proposer
// decides (liveness after GST).
//
// The paper assumes a gossip layer that eventually delivers every message;
// over our lossy transport a validator instead re-sends its own messages for
// the current height on a heartbeat, answers a lagging peer with the
// decision it is missing, and asks a peer that is ahead for the decisions it
// lacks, which come a few heights at a time (a decision carries its 2f + 1
// precommits, so it is checked, not trusted, when its height comes). Conflicting signed votes from one validator are kept as
// equivocation evidence.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "model/consensus/messages.h"
#include "model/env/env.h"

namespace fluence::consensus {

struct Validator {
  env::Address address;
  crypto::PublicKey key;
};

struct ConsensusConfig {
  std::vector<Validator> validators;  // the same list, in the same order, everywhere
  env::Duration timeout_propose = std::chrono::milliseconds(1000);
  env::Duration timeout_prevote = std::chrono::milliseconds(500);
  env::Duration timeout_precommit = std::chrono::milliseconds(500);
  env::Duration timeout_increase = std::chrono::milliseconds(250);  // per round
  size_t max_buffered_messages = 1024;  // for heights this node has not reached
  // Tendermint's timeout_commit: after deciding, the next height's proposer
  // waits this long before proposing, which bounds the block rate (and so
  // the number of empty blocks) and lets late precommits arrive.
  env::Duration commit_delay = std::chrono::milliseconds(0);
  uint64_t first_height = 1;  // a node restarting from its store begins after its last block
};

// What is agreed on. Called from inside the node's thread.
class Application {
 public:
  virtual ~Application() = default;
  virtual Bytes propose(uint64_t height) = 0;
  virtual bool valid(uint64_t height, ByteView value) = 0;
  virtual void commit(const Decision& decision) = 0;
};

struct Equivocating {
  Vote first;
  Vote second;
};

class Tendermint {
 public:
  // How an encoded ConsensusMessage reaches a validator: the owner decides
  // the envelope (a node hosting several clusters tags it with the dataset).
  using Outbox = std::function<void(const env::Address& to, Bytes message)>;

  Tendermint(env::Env& env, Outbox outbox, const crypto::SigningKey& key, ConsensusConfig config,
             Application& application);
  ~Tendermint();
  Tendermint(const Tendermint&) = delete;
  Tendermint& operator=(const Tendermint&) = delete;

  void start();
  // The owner routes this engine's messages here.
  void on_message(const env::Peer& from, ByteView body);

  uint64_t height() const { return height_; }
  uint32_t round() const { return round_; }
  const std::map<uint64_t, Decision>& decisions() const { return decided_; }
  // Decisions of heights below the first, to answer laggers with: an engine
  // that replaces one (a new validator set from the next height) keeps its
  // predecessor's, which the laggers' engines, still on the old set, check.
  void keep_decisions(const std::map<uint64_t, Decision>& decisions);
  const std::vector<Equivocating>& evidence() const { return evidence_; }
  size_t quorum() const { return 2 * config_.validators.size() / 3 + 1; }
  size_t faulty_tolerated() const { return (config_.validators.size() - 1) / 3; }
  // Checks a decision's certificate: 2f + 1 distinct validators' precommits
  // for its value in one round at its height.
  bool certificate_valid(const Decision& decision) const;

 private:
  enum class Step { kPropose, kPrevote, kPrecommit };
  using Key = std::pair<VoteType, uint32_t>;

  void start_round(uint32_t round);
  void evaluate();
  bool evaluate_once();
  void handle(const env::Peer& from, const ConsensusMessage& message);
  void add_proposal(const Proposal& proposal);
  void add_vote(const Vote& vote);
  void cast(VoteType type, const crypto::Hash256& value);
  void broadcast(const ConsensusMessage& message);
  void resend_own();
  // The paper's gossip, approximated: every timeout_precommit, re-send this
  // height's own messages, whatever the state, so no wait lasts forever.
  void heartbeat();
  void decide(const Bytes& value, uint32_t round);
  void apply_decision(const Decision& decision);
  void apply_buffered_decisions();
  static uint64_t message_height(const ConsensusMessage& message);
  void send_decision(const env::Address& to, uint64_t height);  // if decided
  void request_sync(const env::Address& to);                    // from our height on
  void after_timeout(env::Duration delay, std::function<void()> callback);
  env::Duration timeout(env::Duration base, uint32_t round) const;
  size_t count(VoteType type, uint32_t round, const crypto::Hash256& value) const;
  size_t count_any(VoteType type, uint32_t round) const;
  bool is_validator(const crypto::PublicKey& key) const;
  const Validator& proposer(uint64_t height, uint32_t round) const;
  bool valid(const Bytes& value);

  env::Env& env_;
  Outbox outbox_;
  const crypto::SigningKey& key_;
  ConsensusConfig config_;
  Application& application_;

  uint64_t height_ = 1;
  uint32_t round_ = 0;
  Step step_ = Step::kPropose;
  std::optional<Bytes> locked_value_;
  int32_t locked_round_ = -1;
  std::optional<Bytes> valid_value_;
  int32_t valid_round_ = -1;

  std::map<uint32_t, Proposal> proposals_;                    // this height, by round
  std::map<Key, std::map<crypto::PublicKey, Vote>> votes_;  // this height
  std::map<uint32_t, std::set<crypto::PublicKey>> senders_;   // this height: who spoke in each round
  std::set<uint32_t> prevote_timeout_started_, precommit_timeout_started_, locked_once_;
  std::map<crypto::Hash256, bool> validity_;                  // this height
  std::vector<ConsensusMessage> own_;                         // this height: re-sent on timeouts

  std::map<uint64_t, Decision> decided_;
  std::vector<std::pair<env::Peer, Bytes>> future_;
  // Decisions a peer sent for heights above this one (a sync burst).
  static constexpr uint64_t kSyncBurst = 8;
  std::map<uint64_t, Decision> future_decisions_;
  std::vector<Equivocating> evidence_;
  std::set<std::pair<crypto::PublicKey, Key>> evidence_seen_;
  std::map<std::pair<env::Address, uint64_t>, env::Time> decision_sent_;  // rate limit, see send_decision
  std::map<env::Address, env::Time> sync_requested_;                      // this height
  std::set<env::TimerId> timers_;
  bool started_ = false;
};

}  // namespace fluence::consensus
