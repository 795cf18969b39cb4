// A node: its identity, its roles, and the one entry point for its messages.
//
// Bindings construct a Node with an Env, call start() once, then feed every
// inbound message to on_message(). Roles (DHT peer now; cluster member and
// arbiter later) register with the node's Rpc.
#pragma once

#include <vector>

#include "model/dht/dht.h"
#include "model/env/env.h"
#include "model/rpc/rpc.h"

namespace fluence::node {

struct NodeConfig {
  dht::DhtConfig dht;
  std::vector<env::Address> bootstrap;  // empty for the first node
};

class Node {
 public:
  Node(env::Env& env, dht::Identity identity, NodeConfig config);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Joins the network through config.bootstrap plus any contacts saved in the
  // store by an earlier life of this node. `joined` reports the outcome.
  void start(std::function<void(Status)> joined = nullptr);
  void on_message(const env::Peer& from, ByteView bytes) { rpc_.on_message(from, bytes); }

  dht::Dht& dht() { return dht_; }
  const dht::Contact& contact() const { return dht_.self(); }
  const dht::Identity& identity() const { return identity_; }
  const rpc::Rpc& rpc() const { return rpc_; }
  // Roles other than the DHT register their protocol handlers here.
  rpc::Rpc& rpc() { return rpc_; }

 private:
  void save_contacts();

  env::Env& env_;
  dht::Identity identity_;
  NodeConfig config_;
  rpc::Rpc rpc_;
  dht::Dht dht_;
};

}  // namespace fluence::node
