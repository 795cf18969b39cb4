// fluence-gateway's configuration file (JSON). Every error names the field.
//
//   {
//     "listen": "127.0.0.1:27017",              where applications connect (MongoDB's port by default)
//     "key_store": "/var/lib/fluence/gw/keys",  the sealed key store; created on first start
//     "catalog_anchor": "/var/lib/fluence/gw/keys.anchor",
//                                               the newest catalog committed (catalog_anchor.h);
//                                               optional, default: key_store + ".anchor"
//     "identity_file": "/var/lib/fluence/gw/keys.identity",
//                                               this gateway's account and PRE key for sharing
//                                               (gateway_identity.h); optional, default:
//                                               key_store + ".identity"
//     "passphrase_env": "FLUENCE_GATEWAY_PASSPHRASE",
//                                               the environment variable holding its passphrase
//     "argon2": "moderate",                     "moderate" (256 MiB) or "min" (tests only)
//     "datasets": [{"id": "<64 hex>",           the datasets collections are placed in, in order;
//                   "node_admin": "127.0.0.1:8001",   the first also holds the catalog
//                   "read_signatures": 1,        members that must sign each read (1..n)
//                   "allocation_bytes": 10000000000,  the storage contract's allocation
//                   "cluster": "eu-1",           optional; default: node_admin
//                   "node_admin_token_file": "/etc/fluence/n1-admin-token"}],
//                                               optional; default: the top-level one
//                                               optional: a gateway with none only reads
//                                               what others share with it (sharing.h)
//     "shares": [{"share": "<64 hex>",          shares this gateway reads (sharing.h), attached
//                 "dataset": "<64 hex>",        at start as fluenceAttachShare attaches them;
//                 "node_admin": "127.0.0.1:8002",   optional
//                 "read_signatures": 2,
//                 "node_admin_token_file": "..."}],  optional; default: the top-level one
//     "node_admin_token_file": "/etc/fluence/admin-token",
//                                               optional: the token (runtime/admin_token.h)
//                                               the nodes' admin endpoints ask for, read at
//                                               start; a node that asks none ignores it
//     "log_level": "info"
//   }
//
// allocation_bytes is the dataset's storage contract's allocation (1 byte
// .. 1 PiB, economy::kMaxAllocationBytes). When a collection's dataset is
// about to pass it, the gateway opens a new shard of the collection in a
// dataset that holds no collection yet, preferring one on another cluster,
// and queries span both (encrypted_store.h, "Shards"); when none is free,
// inserts fail with a message naming the fix: another dataset in this file.
// Optional, defaulting to that 1 PiB maximum: a configuration written before
// sharding keeps its meaning (a dataset per collection, never full), and a
// guessed smaller default would either waste a contract's space or overfill
// it. The gateway logs a warning for each dataset without one.
// "cluster" labels the cluster hosting the dataset, for that preference:
// datasets with equal labels are on one cluster. The default, the
// node_admin address, is right when each cluster is reached through one
// node; name clusters when two datasets of one cluster are reached through
// different members.
//
// The passphrase is never in the file: a configuration is not a secret, and
// files get copied around.
#pragma once

#include <string>
#include <vector>

#include "model/client/key_store_format.h"
#include "model/economy/contract.h"
#include "model/storage/dataset.h"
#include "runtime/config.h"

namespace fluence::gateway {

struct GatewayDataset {
  storage::DatasetId id{};
  runtime::Endpoint node_admin;
  std::string node_admin_token_file;  // empty: the node asks no token
  size_t read_signatures = 1;
  uint64_t allocation_bytes = 0;
  bool allocation_given = false;  // false: the default, the largest allocation
  std::string cluster;
};

struct GatewayShare {
  std::array<uint8_t, 32> share{};
  storage::DatasetId dataset{};
  runtime::Endpoint node_admin;
  std::string node_admin_token_file;
  size_t read_signatures = 1;
};

struct GatewayConfig {
  runtime::Endpoint listen{"127.0.0.1", 27017};
  std::string key_store;
  std::string catalog_anchor;  // default: key_store + ".anchor"
  std::string identity_file;   // default: key_store + ".identity"
  std::string passphrase_env = "FLUENCE_GATEWAY_PASSPHRASE";
  client::PasswordHashLimits argon2 = client::kDefaultPasswordHashLimits;
  std::vector<GatewayDataset> datasets;
  std::vector<GatewayShare> shares;
  // The default admin token file of the nodes this gateway reaches, the
  // datasets' and shares' own and fluenceAttachShare's nodeAdmin alike.
  std::string node_admin_token_file;
  std::string log_level = "info";
};

Result<GatewayConfig> parse_gateway_config(const std::string& json_text, const std::string& source);
Result<GatewayConfig> load_gateway_config(const std::string& path);

}  // namespace fluence::gateway
