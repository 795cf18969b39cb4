#include "runtime/config.h"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runtime/config_fields.h"

namespace fluence::runtime {

using nlohmann::json;

Result<Endpoint> parse_endpoint(const std::string& text, const std::string& field) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::error(ErrorCode::kMalformed, field + ": expected \"host:port\", got \"" + text + "\"");
  }
  std::string port_text = text.substr(colon + 1);
  unsigned long port = 0;
  try {
    size_t used = 0;
    port = std::stoul(port_text, &used);
    if (used != port_text.size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    return Status::error(ErrorCode::kMalformed, field + ": port \"" + port_text + "\" is not a number");
  }
  if (port == 0 || port > 65535) return Status::error(ErrorCode::kMalformed, field + ": port must be 1..65535");
  return Endpoint{text.substr(0, colon), static_cast<uint16_t>(port)};
}

namespace {

// 127.0.0.0/8 and ::1: reachable from this host only.
bool is_loopback(const std::string& host) {
  return host.rfind("127.", 0) == 0 || host == "::1" || host == "[::1]";
}

}  // namespace

Result<json> parse_json_object(const std::string& text, const std::string& source) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    // Not parse_error alone: a number past double's range is out_of_range.
    return Status::error(ErrorCode::kMalformed, source + ": not valid JSON: " + e.what());
  }
  if (!root.is_object()) return Status::error(ErrorCode::kMalformed, source + ": config: expected an object");
  return root;
}

Result<NodeFileConfig> parse_config(const std::string& json_text, const std::string& source) {
  Result<json> file = parse_json_object(json_text, source);
  if (!file) return file.status();
  const json& root = *file;
  NodeFileConfig config;
  ConfigFields f(root, "config");
  config.listen = f.text("listen", true);
  if (f.error.is_ok()) {
    Result<Endpoint> e = parse_endpoint(config.listen, "config.listen");
    if (!e) f.error = e.status();
  }
  config.data_dir = f.text("data_dir", true);
  config.key_file = f.text("key_file", true);
  config.admin_listen = f.text("admin_listen", false);
  config.admin_token_file = f.text("admin_token_file", false);
  if (f.error.is_ok() && !config.admin_listen.empty()) {
    Result<Endpoint> e = parse_endpoint(config.admin_listen, "config.admin_listen");
    if (!e) {
      f.error = e.status();
    } else if (!is_loopback(e->host) && config.admin_token_file.empty()) {
      // The endpoint writes data and signs contracts for the node: other
      // hosts get at it only with the token.
      f.error = Status::error(ErrorCode::kInvalidArgument,
                              "config.admin_token_file: required when admin_listen (" + config.admin_listen +
                                  ") is reachable from other hosts; the node creates the token there on first start");
    }
  }
  config.log_level = f.text("log_level", false, "info");
  if (f.error.is_ok() && config.log_level != "debug" && config.log_level != "info" && config.log_level != "warning" &&
      config.log_level != "error") {
    f.error = Status::error(ErrorCode::kMalformed, "config.log_level: expected debug, info, warning or error");
  }
  config.node.bootstrap = f.addresses("bootstrap");
  config.node.dht.puzzle_difficulty = static_cast<int>(f.integer("puzzle_difficulty", 16, 0, 32));
  config.node.dht.bucket_size = static_cast<int>(f.integer("bucket_size", 20, 1, 64));
  cluster::ClusterConfig& chain = config.node.cluster;
  chain.block_interval = std::chrono::milliseconds(f.integer("block_interval_ms", 200, 0, 3'600'000));
  chain.rules.tick_length = std::chrono::seconds(f.integer("tick_seconds", 3600, 1, 86'400 * 365));
  chain.rules.max_clock_skew = std::chrono::seconds(f.integer("max_clock_skew_seconds", 60, 0, 86'400));
  chain.max_block_writes = static_cast<size_t>(f.integer("max_block_writes", 1000, 1, 10'000));
  chain.por.chunks = static_cast<uint16_t>(f.integer("por_chunks", 100, 1, static_cast<int64_t>(por::kMaxChallengedChunks)));
  chain.por.openings = static_cast<uint16_t>(f.integer("por_openings", 4, 0, static_cast<int64_t>(por::kMaxOpenings)));
  chain.por.max_response_time = std::chrono::milliseconds(f.integer("por_max_response_ms", 5000, 1, 600'000));
  chain.ejection.failed_ticks = static_cast<uint64_t>(f.integer("eject_after_failed_ticks", 3, 1, 1'000'000));
  chain.ejection.offline_ticks = static_cast<uint64_t>(f.integer("eject_after_offline_ticks", 24, 1, 1'000'000));
  constexpr auto kMaxPrice = static_cast<int64_t>(economy::kMaxPricePerGbMonth);
  constexpr auto kMaxAllocation = static_cast<int64_t>(economy::kMaxAllocationBytes);
  chain.signing_policy.min_price_per_gb_month =
      static_cast<uint64_t>(f.integer("contract_min_price_per_gb_month", 0, 0, kMaxPrice));
  chain.signing_policy.min_gas_price = static_cast<uint64_t>(f.integer("contract_min_gas_price", 0, 0, kMaxPrice));
  chain.signing_policy.max_allocation_bytes =
      static_cast<uint64_t>(f.integer("contract_max_allocation_bytes", kMaxAllocation, 1, kMaxAllocation));
  if (f.error.is_ok() && chain.por.openings > chain.por.chunks) {
    f.error = Status::error(ErrorCode::kMalformed, "config.por_openings: at most config.por_chunks");
  }
  const json* datasets = f.get("datasets", false);
  if (datasets != nullptr && f.error.is_ok()) {
    if (!datasets->is_array()) {
      f.error = Status::error(ErrorCode::kMalformed, "config.datasets: expected a list");
    }
    for (size_t i = 0; f.error.is_ok() && i < datasets->size(); ++i) {
      std::string path = "config.datasets[" + std::to_string(i) + "]";
      if (!(*datasets)[i].is_object()) {
        f.error = Status::error(ErrorCode::kMalformed, path + ": expected an object");
        break;
      }
      ConfigFields d((*datasets)[i], path);
      node::HostedDataset hosted;
      std::string id = d.text("id", true);
      if (d.error.is_ok()) {
        Result<storage::DatasetId> parsed = fixed_from_hex<storage::kDatasetIdBytes>(id, path + ".id");
        if (!parsed) d.error = parsed.status();
        else hosted.id = *parsed;
      }
      hosted.members = d.validators("members");
      if (d.error.is_ok() && hosted.members.empty()) d.error = Status::error(ErrorCode::kMalformed, path + ".members: required");
      hosted.arbiters = d.validators("arbiters");
      f.error = d.finish();
      config.node.datasets.push_back(hosted);
    }
  }
  const json* receipts = f.get("token_receipts", false);
  if (receipts != nullptr && f.error.is_ok()) {
    if (!receipts->is_array()) f.error = Status::error(ErrorCode::kMalformed, "config.token_receipts: expected a list");
    std::set<crypto::Hash256> listed;
    for (size_t i = 0; f.error.is_ok() && i < receipts->size(); ++i) {
      std::string path = "config.token_receipts[" + std::to_string(i) + "]";
      const json& entry = (*receipts)[i];
      if (!entry.is_object()) {
        f.error = Status::error(ErrorCode::kMalformed, path + ": expected an object");
        break;
      }
      ConfigFields r(entry, path);
      economy::Mint receipt;
      std::string id = r.text("receipt", true);
      if (r.error.is_ok()) {
        Result<crypto::Hash256> parsed = fixed_from_hex<crypto::kHashBytes>(id, path + ".receipt");
        if (!parsed) r.error = parsed.status();
        else receipt.gateway_receipt_id = *parsed;
      }
      std::string to = r.text("to", true);
      if (r.error.is_ok()) {
        Result<std::array<uint8_t, crypto::kPublicKeyBytes>> parsed =
            fixed_from_hex<crypto::kPublicKeyBytes>(to, path + ".to");
        if (!parsed) r.error = parsed.status();
        else receipt.to.bytes = *parsed;
      }
      const json* amount = r.get("amount", true);
      if (amount != nullptr && (!amount->is_number_unsigned() || amount->get<uint64_t>() == 0)) {
        r.error = Status::error(ErrorCode::kMalformed, path + ".amount: expected an integer of micro-FFT above 0");
      } else if (amount != nullptr) {
        receipt.amount = amount->get<uint64_t>();
      }
      if (r.error.is_ok() && !listed.insert(receipt.gateway_receipt_id).second) {
        r.error = Status::error(ErrorCode::kMalformed, path + ".receipt: listed twice");
      }
      f.error = r.finish();
      config.token_receipts.push_back(receipt);
    }
  }
  Status status = f.finish();
  if (!status.is_ok()) return status.with_context(source);
  return config;
}

Result<NodeFileConfig> load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::error(ErrorCode::kNotFound, path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace fluence::runtime
