// A node: its identity, its roles, and the one entry point for its messages.
//
// Bindings construct a Node with an Env, call start() once, then feed every
// inbound message to on_message(). Roles register with the node's Rpc: the
// DHT peer always; for each dataset the configuration names, either a
// cluster member (a replica, its cluster chain, and proofs of
// retrievability) or an arbiter of its chain.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "model/dht/dht.h"
#include "model/env/env.h"
#include "model/por/round.h"
#include "model/rpc/rpc.h"
#include "model/cluster/arbiter.h"
#include "model/cluster/cluster_chain.h"
#include "model/cluster/contract_signing.h"
#include "model/cluster/recovery.h"

namespace fluence::node {

// A dataset this node keeps a replica of or arbitrates, with its cluster and
// arbiters (chain::find_placement computes them from the DHT; configuration
// and scenarios pass the result).
struct HostedDataset {
  storage::DatasetId id{};
  std::vector<consensus::Validator> members;
  std::vector<consensus::Validator> arbiters;
};

struct NodeConfig {
  dht::DhtConfig dht;
  std::vector<env::Address> bootstrap;  // empty for the first node
  std::vector<HostedDataset> datasets;
  cluster::ClusterConfig cluster;  // dataset, members and arbiters are taken from each dataset
  env::Duration rejoin_interval = std::chrono::seconds(2);  // after a failed join; doubles up to a minute
};

struct DatasetStatus {
  uint64_t applied_sequence = 0;
  uint64_t entry_count = 0;
  crypto::Hash256 state_root{};
  uint64_t height = 0;         // last committed block
  uint64_t sealed_height = 0;  // last block with an arbiter quorum
  size_t pool = 0;             // writes waiting for a block
  cluster::ProofRecord proofs;  // this member's PoR outcomes settled on chain
};

class Node {
 public:
  Node(env::Env& env, dht::Identity identity, NodeConfig config);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Joins the network through config.bootstrap plus any contacts saved in the
  // store by an earlier life of this node. `joined` reports the first
  // attempt's outcome; after a failure the node keeps trying.
  void start(std::function<void(Status)> joined = nullptr);
  void on_message(const env::Peer& from, ByteView bytes) { rpc_.on_message(from, bytes); }

  // Submits a write to the dataset's cluster chain through this member;
  // `done` gets its journal sequence once a committed block holds it.
  void write(const storage::DatasetId& dataset, std::vector<storage::Mutation> mutations,
             std::function<void(Result<uint64_t>)> done);
  // Gathers the signatures of every node and arbiter `contract` names, as a
  // member or an arbiter of `dataset` (cluster/contract_signing.h), each
  // party asked with config.cluster.contract_signing_timeout. kNotFound if
  // this node is neither.
  void sign_contract(const storage::DatasetId& dataset, const economy::StorageContract& contract,
                     std::function<void(Result<std::vector<economy::ContractSignature>>)> done);
  // For a dataset this node is a member for (nullopt otherwise).
  std::optional<DatasetStatus> dataset_status(const storage::DatasetId& dataset) const;
  cluster::ClusterChain* chain(const storage::DatasetId& dataset);
  cluster::ChainArbiter* arbiter(const storage::DatasetId& dataset);
  // The replica itself, for roles and adversaries that read it (nullptr if
  // not hosted or not opened).
  storage::Dataset* dataset(const storage::DatasetId& dataset);
  // The member's prover, for runs that count what a colluding one did
  // (nullptr if not a member for that dataset).
  const por::Prover* prover(const storage::DatasetId& dataset) const;

  // Whether a join has completed (the first node, with no one to join, at once).
  bool joined() const { return joined_; }
  bool started() const { return started_; }
  dht::Dht& dht() { return dht_; }
  const dht::Contact& contact() const { return dht_.self(); }
  const dht::Identity& identity() const { return identity_; }
  const rpc::Rpc& rpc() const { return rpc_; }
  // Roles other than the DHT register their protocol handlers here.
  rpc::Rpc& rpc() { return rpc_; }

 private:
  struct Hosted;
  void join(std::vector<env::Address> bootstrap, env::Duration retry, std::function<void(Status)> joined);
  void save_contacts();
  void open_datasets();
  Status open_replica(Hosted& h);
  Status start_member(Hosted& h);
  Status start_arbiter(Hosted& h);
  // Recovery mode: the chain made this arbiter a member; rebuild the replica
  // (cluster/recovery.h), then run as a member.
  void recover(const storage::DatasetId& id);
  Hosted* hosted(const std::optional<storage::DatasetId>& id);

  env::Env& env_;
  dht::Identity identity_;
  NodeConfig config_;
  rpc::Rpc rpc_;
  dht::Dht dht_;
  std::map<storage::DatasetId, std::unique_ptr<Hosted>> hosted_;
  env::TimerId rejoin_timer_ = 0;
  bool joined_ = false;
  bool started_ = false;
};

}  // namespace fluence::node
