// fluence-gateway's configuration file (JSON). Every error names the field.
//
//   {
//     "listen": "127.0.0.1:27017",              where applications connect (MongoDB's port by default)
//     "key_store": "/var/lib/fluence/gw/keys",  the sealed key store; created on first start
//     "passphrase_env": "FLUENCE_GATEWAY_PASSPHRASE",
//                                               the environment variable holding its passphrase
//     "argon2": "moderate",                     "moderate" (256 MiB) or "min" (tests only)
//     "datasets": [{"id": "<64 hex>",           the datasets collections are placed in, in order;
//                   "node_admin": "127.0.0.1:8001",   the first also holds the catalog
//                   "read_signatures": 1}],      members that must sign each read (1..n)
//     "log_level": "info"
//   }
//
// The passphrase is never in the file: a configuration is not a secret, and
// files get copied around.
#pragma once

#include <string>
#include <vector>

#include "model/client/key_store_format.h"
#include "model/storage/dataset.h"
#include "runtime/config.h"

namespace fluence::gateway {

struct GatewayDataset {
  storage::DatasetId id{};
  runtime::Endpoint node_admin;
  size_t read_signatures = 1;
};

struct GatewayConfig {
  runtime::Endpoint listen{"127.0.0.1", 27017};
  std::string key_store;
  std::string passphrase_env = "FLUENCE_GATEWAY_PASSPHRASE";
  client::PasswordHashLimits argon2 = client::kDefaultPasswordHashLimits;
  std::vector<GatewayDataset> datasets;
  std::string log_level = "info";
};

Result<GatewayConfig> parse_gateway_config(const std::string& json_text, const std::string& source);
Result<GatewayConfig> load_gateway_config(const std::string& path);

}  // namespace fluence::gateway
