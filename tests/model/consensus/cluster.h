// A cluster of Tendermint validators in the test world, with an honest test
// application and Byzantine equivocators, for the consensus tests.
#pragma once

#include <gtest/gtest.h>

#include <set>

#include "model/consensus/tendermint.h"
#include "tests/model/support/test_world.h"

namespace fluence::consensus::testing_support {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Values are "h<height>/n<node>/<nonce>": valid if they name the height.
class TestApplication final : public Application {
 public:
  TestApplication(size_t node, env::Random& random) : node_(node), random_(random) {}
  Bytes propose(uint64_t height) override {
    std::string v = "h" + std::to_string(height) + "/n" + std::to_string(node_) + "/" + std::to_string(random_.next_u64() % 1000);
    return Bytes(v.begin(), v.end());
  }
  bool valid(uint64_t height, ByteView value) override {
    std::string prefix = "h" + std::to_string(height) + "/";
    return value.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), value.begin());
  }
  void commit(const Decision& decision) override { decided[decision.height] = decision.value; }
  std::map<uint64_t, Bytes> decided;

 private:
  size_t node_;
  env::Random& random_;
};

// A Byzantine validator: for every (height, round) it hears of, it sends
// conflicting proposals (when it is the proposer) and conflicting prevotes
// and precommits: one value to each half of the cluster when `split`, both
// values to everyone otherwise.
class Equivocator {
 public:
  Equivocator(testing::TestWorld& world, size_t index, const ConsensusConfig& config, bool split)
      : world_(world), index_(index), config_(config), split_(split) {}
  std::optional<Bytes> on_message(ByteView body) {
    Result<ConsensusMessage> m = codec::decode<ConsensusMessage>(body);
    if (!m) return std::nullopt;
    uint64_t h = m->vote ? m->vote->height : m->proposal ? m->proposal->height : 0;
    uint32_t r = m->vote ? m->vote->round : m->proposal ? m->proposal->round : 0;
    if (h == 0 || !attacked_.insert({h, r}).second) return std::nullopt;
    const crypto::SigningKey& key = world_.node(index_).identity().key;
    for (int half = 0; half < 2; ++half) {
      std::string text = "h" + std::to_string(h) + "/evil" + std::to_string(half);
      Bytes value(text.begin(), text.end());
      std::vector<ConsensusMessage> out;
      if (config_.validators[(h + r) % config_.validators.size()].key == key.public_key()) {
        ConsensusMessage p;
        p.type = ConsensusMessage::Type::kProposal;
        p.proposal = Proposal::make(key, h, r, -1, value);
        out.push_back(p);
      }
      for (VoteType type : {VoteType::kPrevote, VoteType::kPrecommit}) {
        ConsensusMessage v;
        v.type = ConsensusMessage::Type::kVote;
        v.vote = Vote::make(key, type, h, r, value_id(value));
        out.push_back(v);
      }
      for (size_t i = 0; i < config_.validators.size(); ++i) {
        if (split_ && i % 2 != static_cast<size_t>(half)) continue;
        for (const ConsensusMessage& message : out) {
          world_.env(index_).send(config_.validators[i].address,
                                  codec::encode(rpc::Envelope{rpc::Protocol::kConsensus, rpc::Kind::kNotify, 0,
                                                              codec::encode(message)}));
        }
      }
    }
    return std::nullopt;
  }

 private:
  testing::TestWorld& world_;
  size_t index_;
  const ConsensusConfig& config_;
  bool split_;
  std::set<std::pair<uint64_t, uint32_t>> attacked_;
};

struct Cluster {
  testing::TestWorld world;
  ConsensusConfig config;
  std::vector<std::unique_ptr<env::DeterministicRandom>> randoms;
  std::vector<std::unique_ptr<TestApplication>> apps;
  std::vector<std::unique_ptr<Tendermint>> engines;  // nullptr for Byzantine nodes
  std::vector<std::unique_ptr<Equivocator>> byzantine;

  Cluster(uint64_t seed, size_t n, size_t byzantine_count, bool split = true) : world(seed, milliseconds(20)) {
    dht::DhtConfig dht;
    dht.puzzle_difficulty = 0;
    for (size_t i = 0; i < n; ++i) world.add_node(dht);
    for (size_t i = 0; i < n; ++i) {
      config.validators.push_back({world.node(i).contact().address, world.node(i).identity().key.public_key()});
    }
    for (size_t i = 0; i < n; ++i) {
      randoms.push_back(std::make_unique<env::DeterministicRandom>(seed, 77 + i));
      apps.push_back(std::make_unique<TestApplication>(i, *randoms.back()));
      if (i >= n - byzantine_count) {
        engines.push_back(nullptr);
        byzantine.push_back(std::make_unique<Equivocator>(world, i, config, split));
        Equivocator* evil = byzantine.back().get();
        world.node(i).rpc().set_handler(rpc::Protocol::kConsensus,
                                        [evil](const env::Peer&, rpc::Kind, ByteView body) { return evil->on_message(body); });
        continue;
      }
      rpc::Rpc* rpc = &world.node(i).rpc();
      Tendermint::Outbox outbox = [rpc](const env::Address& to, Bytes message) {
        rpc->notify(to, rpc::Protocol::kConsensus, std::move(message));
      };
      engines.push_back(std::make_unique<Tendermint>(world.env(i), std::move(outbox), world.node(i).identity().key,
                                                     config, *apps.back()));
      Tendermint* engine = engines.back().get();
      world.node(i).rpc().set_handler(rpc::Protocol::kConsensus,
                                      [engine](const env::Peer& from, rpc::Kind kind, ByteView body) -> std::optional<Bytes> {
                                        if (kind == rpc::Kind::kNotify) engine->on_message(from, body);
                                        return std::nullopt;
                                      });
    }
    for (auto& e : engines) {
      if (e) e->start();
    }
  }

  // No two honest nodes decided different values at one height.
  ::testing::AssertionResult safe() const {
    std::map<uint64_t, Bytes> first;
    for (size_t i = 0; i < engines.size(); ++i) {
      if (!engines[i]) continue;
      for (const auto& [h, v] : apps[i]->decided) {
        auto [it, inserted] = first.emplace(h, v);
        if (!inserted && it->second != v) {
          return ::testing::AssertionFailure() << "two values decided at height " << h;
        }
      }
    }
    return ::testing::AssertionSuccess();
  }
  // The lowest height among honest nodes that are up.
  uint64_t min_honest_height() const {
    uint64_t h = UINT64_MAX;
    for (size_t i = 0; i < engines.size(); ++i) {
      if (engines[i] && !crashed.count(i)) h = std::min(h, engines[i]->height());
    }
    return h;
  }
  void crash(size_t i) {
    world.crash(i);
    crashed.insert(i);
  }
  std::set<size_t> crashed;
};

}  // namespace fluence::consensus::testing_support
