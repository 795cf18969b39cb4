// fluence-node's configuration file (JSON). Every error names the field.
//
//   {
//     "listen": "127.0.0.1:7001",           where peers reach this node (required)
//     "data_dir": "/var/lib/fluence/n1",    RocksDB lives in data_dir/db (required)
//     "key_file": "/var/lib/fluence/n1/key" identity; created on first start (required)
//     "bootstrap": ["127.0.0.1:7000"],       addresses exactly as those peers announce them
//     "admin_listen": "127.0.0.1:8001",     optional JSON-lines control endpoint (admin.h)
//     "admin_token_file": "/var/lib/fluence/n1/admin-token",
//                                           its token (admin_token.h), created on first
//                                           start; optional on a loopback admin_listen,
//                                           required on any other
//     "puzzle_difficulty": 16, "bucket_size": 20, "log_level": "info",
//     "block_interval_ms": 200, "tick_seconds": 3600, "max_clock_skew_seconds": 60,
//     "max_block_writes": 1000,             the cluster chain (see model/cluster)
//     "contract_min_price_per_gb_month": 0, "contract_min_gas_price": 0,
//     "contract_max_allocation_bytes": 1125899906842624,
//                                           the storage contracts this node signs
//                                           (model/cluster/contract_signing.h): defaults
//                                           accept any price, up to 1 PiB
//     "datasets": [{"id": "<64 hex>",
//                   "members": ["<public key hex>@127.0.0.1:7001", ...],   the cluster
//                   "arbiters": ["<public key hex>@127.0.0.1:7101", ...]}] its arbiters
//     "token_receipts": [{"receipt": "<64 hex>", "to": "<64 hex Ed25519 public key>",
//                         "amount": <micro-FFT, > 0>}, ...]   optional, default none
//   }
//
// token_receipts stands in for the external chain's bridge (the white
// paper's Gateway): the receipts the operators agreed on. A Mint submitted
// to a hosted dataset's chain applies iff one of them has exactly its
// receipt id, recipient and amount, and each receipt mints once per chain
// (economy::ListedGateway). Every member of a cluster must list the same
// receipts, or the members' ledgers disagree and a block holding a Mint
// only some of them confirm never commits.
#pragma once

#include <string>
#include <vector>

#include "model/base/status.h"
#include "model/economy/ops.h"
#include "model/node/node.h"

namespace fluence::runtime {

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};
// Parses "host:port"; the error names `field`.
Result<Endpoint> parse_endpoint(const std::string& text, const std::string& field);

struct NodeFileConfig {
  std::string listen;
  std::string data_dir;
  std::string key_file;
  std::string admin_listen;
  std::string admin_token_file;  // empty: the endpoint asks no token (loopback only)
  std::string log_level = "info";
  node::NodeConfig node;
  // Distinct receipt ids, amounts > 0: what the node's ListedGateway lists.
  // (node.cluster.gateway is left for the caller to point at that gateway.)
  std::vector<economy::Mint> token_receipts;
};

Result<NodeFileConfig> parse_config(const std::string& json_text, const std::string& source);
Result<NodeFileConfig> load_config(const std::string& path);

}  // namespace fluence::runtime
