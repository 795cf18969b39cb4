// A node: its identity, its roles, and the one entry point for its messages.
//
// Bindings construct a Node with an Env, call start() once, then feed every
// inbound message to on_message(). Roles register with the node's Rpc: the
// DHT peer always; a dataset replica (journal replication and proofs of
// retrievability) for each dataset the configuration names.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "model/dht/dht.h"
#include "model/env/env.h"
#include "model/por/round.h"
#include "model/rpc/rpc.h"
#include "model/storage/replication.h"

namespace fluence::node {

// A dataset this node keeps a replica of, and the cluster that keeps it.
// (Until the cluster chain places clusters, configuration says who.)
struct HostedDataset {
  storage::DatasetId id{};
  std::vector<env::Address> members;  // the first one sequences writes
};

struct NodeConfig {
  dht::DhtConfig dht;
  std::vector<env::Address> bootstrap;  // empty for the first node
  std::vector<HostedDataset> datasets;
  storage::ReplicationConfig replication;  // members are taken from each dataset
};

struct DatasetStatus {
  uint64_t applied_sequence = 0;
  uint64_t entry_count = 0;
  crypto::Hash256 state_root{};
};

class Node {
 public:
  Node(env::Env& env, dht::Identity identity, NodeConfig config);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Joins the network through config.bootstrap plus any contacts saved in the
  // store by an earlier life of this node. `joined` reports the outcome.
  void start(std::function<void(Status)> joined = nullptr);
  void on_message(const env::Peer& from, ByteView bytes) { rpc_.on_message(from, bytes); }

  // Sends a write to the dataset's sequencer role on this node; `done` gets
  // the journal sequence once a majority of the cluster holds it.
  void write(const storage::DatasetId& dataset, std::vector<storage::Mutation> mutations,
             std::function<void(Result<uint64_t>)> done);
  std::optional<DatasetStatus> dataset_status(const storage::DatasetId& dataset) const;
  // The replica itself, for roles and adversaries that read it (nullptr if
  // not hosted or not opened).
  storage::Dataset* dataset(const storage::DatasetId& dataset);

  dht::Dht& dht() { return dht_; }
  const dht::Contact& contact() const { return dht_.self(); }
  const dht::Identity& identity() const { return identity_; }
  const rpc::Rpc& rpc() const { return rpc_; }
  // Roles other than the DHT register their protocol handlers here.
  rpc::Rpc& rpc() { return rpc_; }

 private:
  struct Hosted;
  void save_contacts();
  void open_datasets();
  Hosted* hosted(const std::optional<storage::DatasetId>& id);

  env::Env& env_;
  dht::Identity identity_;
  NodeConfig config_;
  rpc::Rpc rpc_;
  dht::Dht dht_;
  std::map<storage::DatasetId, std::unique_ptr<Hosted>> hosted_;
};

}  // namespace fluence::node
