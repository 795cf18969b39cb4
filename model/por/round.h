// One proof-of-retrievability round over the network: an arbiter challenges
// every cluster member, waits at most the contract's max response time, and
// signs a verdict per member; members answer from their replica.
//
// Time is the point of the deadline: a member that deleted data and fetches
// it from a peer when challenged spends a network round trip and the
// transfer of the opened entries, and misses the deadline when that costs
// more than the contract allows.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "model/env/env.h"
#include "model/por/por.h"
#include "model/rpc/rpc.h"

namespace fluence::por {

struct RoundConfig {
  uint16_t chunks = 100;    // c
  uint16_t openings = 4;    // s
  env::Duration max_response_time = std::chrono::seconds(5);
};

struct Member {
  env::Address address;
  crypto::PublicKey key;
};

class Arbiter {
 public:
  Arbiter(env::Env& env, rpc::Rpc& rpc, const crypto::SigningKey& key, RoundConfig config);
  ~Arbiter();

  // Challenges every member about the state committed at (root, entries);
  // `done` gets one signed verdict per member, in the members' order.
  void run_round(const storage::DatasetId& dataset, uint64_t tick, const crypto::Hash256& root,
                 uint64_t entries, const std::vector<Member>& members,
                 std::function<void(std::vector<PorVerdict>)> done);

 private:
  struct Round;
  void finish(const std::shared_ptr<Round>& round);

  env::Env& env_;
  rpc::Rpc& rpc_;
  const crypto::SigningKey& key_;
  RoundConfig config_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Answers challenges for one dataset replica. Owners route kPor requests here.
//
// A colluding prover (cluster::MemberConduct::colludes_with) departs from the
// protocol in two ways: when its own answer misses entries it forwards the
// challenge to its accomplice as a PorFetch, waits, signs the accomplice's
// answer as its own and replies through a deferred reply; and it answers
// PorFetch requests from its accomplice. An honest prover ignores fetches.
struct Collusion {
  env::Address accomplice;
  // How long to wait for the accomplice; past it the prover replies with
  // what it has (the arbiter's own deadline decides whether that is late).
  env::Duration fetch_timeout = std::chrono::seconds(30);
};

class Prover {
 public:
  Prover(const storage::Dataset& dataset, const crypto::SigningKey& key) : dataset_(dataset), key_(key) {}
  // A colluding prover; `rpc` carries its fetches and deferred replies.
  Prover(const storage::Dataset& dataset, const crypto::SigningKey& key, rpc::Rpc& rpc, Collusion collusion);
  ~Prover();
  Prover(const Prover&) = delete;
  Prover& operator=(const Prover&) = delete;

  std::optional<Bytes> on_message(const env::Peer& from, rpc::Kind kind, ByteView body);
  uint64_t challenges_answered() const { return answered_; }
  // Colluding provers: challenges forwarded to the accomplice, and how many
  // of those the accomplice answered (before fetch_timeout).
  uint64_t fetches_sent() const { return fetches_sent_; }
  uint64_t fetches_answered() const { return fetches_answered_; }
  // Fetches this prover answered for its accomplice.
  uint64_t fetches_served() const { return fetches_served_; }

 private:
  std::optional<Bytes> answer_fetch(const env::Peer& from, ByteView body);
  void fetch(const PorChallenge& challenge, PorResponse own);

  const storage::Dataset& dataset_;
  const crypto::SigningKey& key_;
  rpc::Rpc* rpc_ = nullptr;  // colluding provers only
  std::optional<Collusion> collusion_;
  uint64_t answered_ = 0;
  uint64_t fetches_sent_ = 0;
  uint64_t fetches_answered_ = 0;
  uint64_t fetches_served_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace fluence::por
