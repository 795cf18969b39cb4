#include "runtime/gateway/gateway_config.h"

#include <set>

#include "runtime/atomic_file.h"
#include "runtime/config_fields.h"

namespace fluence::gateway {

using runtime::ConfigFields;
using runtime::json;

Result<GatewayConfig> parse_gateway_config(const std::string& json_text, const std::string& source) {
  Result<json> parsed = runtime::parse_json_object(json_text, source);
  if (!parsed) return parsed.status();
  const json& root = *parsed;
  GatewayConfig config;
  ConfigFields f(root, "config");
  std::string listen = f.text("listen", false, "127.0.0.1:27017");
  config.key_store = f.text("key_store", true);
  config.catalog_anchor = f.text("catalog_anchor", false, config.key_store + ".anchor");
  config.identity_file = f.text("identity_file", false, config.key_store + ".identity");
  config.passphrase_env = f.text("passphrase_env", false, config.passphrase_env);
  std::string argon2 = f.text("argon2", false, "moderate");
  config.log_level = f.text("log_level", false, config.log_level);
  config.node_admin_token_file = f.text("node_admin_token_file", false);
  static const json kNone = json::array();
  const json* datasets = f.get("datasets", false);
  if (datasets == nullptr) datasets = &kNone;
  const json* shares = f.get("shares", false);
  if (shares == nullptr) shares = &kNone;
  FL_RETURN_IF_ERROR(f.error);
  Result<runtime::Endpoint> endpoint = runtime::parse_endpoint(listen, "config.listen");
  if (!endpoint) return endpoint.status();
  config.listen = *endpoint;
  if (argon2 == "moderate") {
    config.argon2 = client::kDefaultPasswordHashLimits;
  } else if (argon2 == "min") {
    config.argon2 = client::kMinPasswordHashLimits;
  } else {
    return Status::error(ErrorCode::kMalformed, "config.argon2: expected \"moderate\" or \"min\"");
  }
  if (config.passphrase_env.empty()) return Status::error(ErrorCode::kMalformed, "config.passphrase_env: empty");
  if (!datasets->is_array()) return Status::error(ErrorCode::kMalformed, "config.datasets: expected a list");
  std::set<storage::DatasetId> seen;
  for (size_t i = 0; i < datasets->size(); ++i) {
    std::string path = "config.datasets[" + std::to_string(i) + "]";
    if (!(*datasets)[i].is_object()) return Status::error(ErrorCode::kMalformed, path + ": expected an object");
    ConfigFields d((*datasets)[i], path);
    std::string id = d.text("id", true);
    std::string admin = d.text("node_admin", true);
    int64_t signatures = d.integer("read_signatures", 1, 1, 100);
    bool allocation_given = (*datasets)[i].contains("allocation_bytes");
    int64_t allocation = d.integer("allocation_bytes", static_cast<int64_t>(economy::kMaxAllocationBytes), 1,
                                   static_cast<int64_t>(economy::kMaxAllocationBytes));
    std::string cluster = d.text("cluster", false, admin);
    std::string token_file = d.text("node_admin_token_file", false, config.node_admin_token_file);
    FL_RETURN_IF_ERROR(d.finish());
    if (cluster.empty()) return Status::error(ErrorCode::kMalformed, path + ".cluster: empty");
    Result<std::array<uint8_t, storage::kDatasetIdBytes>> bytes = fixed_from_hex<storage::kDatasetIdBytes>(id, path + ".id");
    if (!bytes) return bytes.status();
    Result<runtime::Endpoint> node = runtime::parse_endpoint(admin, path + ".node_admin");
    if (!node) return node.status();
    GatewayDataset dataset{*bytes, *node, token_file, static_cast<size_t>(signatures),
                           static_cast<uint64_t>(allocation), allocation_given, cluster};
    if (!seen.insert(dataset.id).second) return Status::error(ErrorCode::kMalformed, path + ".id: named twice");
    config.datasets.push_back(dataset);
  }
  if (!shares->is_array()) return Status::error(ErrorCode::kMalformed, "config.shares: expected a list");
  for (size_t i = 0; i < shares->size(); ++i) {
    std::string path = "config.shares[" + std::to_string(i) + "]";
    if (!(*shares)[i].is_object()) return Status::error(ErrorCode::kMalformed, path + ": expected an object");
    ConfigFields s((*shares)[i], path);
    std::string id = s.text("share", true);
    std::string dataset = s.text("dataset", true);
    std::string admin = s.text("node_admin", true);
    int64_t signatures = s.integer("read_signatures", 1, 1, 100);
    std::string token_file = s.text("node_admin_token_file", false, config.node_admin_token_file);
    FL_RETURN_IF_ERROR(s.finish());
    GatewayShare share;
    Result<std::array<uint8_t, 32>> share_id = fixed_from_hex<32>(id, path + ".share");
    if (!share_id) return share_id.status();
    Result<std::array<uint8_t, storage::kDatasetIdBytes>> dataset_id =
        fixed_from_hex<storage::kDatasetIdBytes>(dataset, path + ".dataset");
    if (!dataset_id) return dataset_id.status();
    Result<runtime::Endpoint> node = runtime::parse_endpoint(admin, path + ".node_admin");
    if (!node) return node.status();
    config.shares.push_back({*share_id, *dataset_id, *node, token_file, static_cast<size_t>(signatures)});
  }
  FL_RETURN_IF_ERROR(f.finish());
  return config;
}

Result<GatewayConfig> load_gateway_config(const std::string& path) {
  Result<Bytes> text = runtime::read_file(path);
  if (!text) return text.status();
  return parse_gateway_config(std::string(text->begin(), text->end()), path);
}

}  // namespace fluence::gateway
