// Real fluence-node processes on 127.0.0.1 for loopback tests: free ports,
// temporary data folders, the admin endpoint as a client, and cleanup (every
// process is killed when the cluster goes out of scope, on failure too).
// FLUENCE_KEEP_CLUSTER=1 keeps the folders and the nodes' logs for a look.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fluence::testing {

struct NodeProcess {
  std::string address;        // 127.0.0.1:port
  std::string admin_address;  // 127.0.0.1:port
  std::filesystem::path dir;
  pid_t pid = -1;
};

class NodeCluster {
 public:
  // Each node's identity is created first (with `puzzle_difficulty`), so
  // `extra(peers)`, merged into every node's config, can name cluster members
  // and arbiters: peers[i] is node i as "<public key hex>@127.0.0.1:port".
  using Extra = std::function<nlohmann::json(const std::vector<std::string>& peers)>;
  NodeCluster(size_t nodes, int puzzle_difficulty, Extra extra);
  ~NodeCluster();

  void start(size_t index);
  void kill(size_t index, int signal);  // and reap it
  size_t size() const { return nodes_.size(); }
  const NodeProcess& node(size_t index) const { return nodes_[index]; }

  // One admin request; returns the parsed reply or {"error": ...} on failure.
  // With an admin token set, each connection presents it first.
  nlohmann::json admin(size_t index, const nlohmann::json& request, int timeout_ms = 10000);
  // The same with the request line as given, for lines no json value dumps to.
  nlohmann::json admin_line(size_t index, const std::string& request, int timeout_ms = 10000);
  // Several lines on one connection, as given (no token sent for them); a
  // reply per line, {"error": "no reply"} for each the node did not answer.
  std::vector<nlohmann::json> admin_lines(size_t index, const std::vector<std::string>& lines, int timeout_ms = 10000);
  // The token the nodes' admin_token_file holds (the test writes it there).
  void set_admin_token(std::string token) { admin_token_ = std::move(token); }
  // Polls until `ready(reply to info)` holds for every running node.
  bool wait_until(const std::function<bool(size_t, const nlohmann::json&)>& ready, int timeout_ms);

 private:
  std::filesystem::path root_;
  std::vector<NodeProcess> nodes_;
  std::string admin_token_;
};

uint16_t free_port();

// {"datasets": [one dataset, `dataset_hex`, held by peers[0, members) with
// the other peers as its arbiters]}: what most loopback tests run. Merge the
// test's own settings into it (json::update).
nlohmann::json one_dataset(const std::vector<std::string>& peers, const std::string& dataset_hex, size_t members);

}  // namespace fluence::testing
