// libFuzzer target: fluence-gateway's configuration file
// (runtime/gateway/gateway_config.h), JSON that operators edit by hand and
// copy between machines. Any text yields a configuration within the
// documented bounds or an error naming the field, never an exception.
#include "runtime/gateway/gateway_config.h"

using namespace fluence;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Result<gateway::GatewayConfig> config = gateway::parse_gateway_config(text, "gateway.json");
  if (!config) {
    if (config.status().message().empty()) __builtin_trap();  // errors must say what
    return 0;
  }
  if (config->listen.port == 0 || config->passphrase_env.empty()) __builtin_trap();
  for (const gateway::GatewayDataset& dataset : config->datasets) {
    if (dataset.node_admin.port == 0 || dataset.read_signatures < 1 || dataset.read_signatures > 100 ||
        dataset.allocation_bytes < 1 || dataset.allocation_bytes > economy::kMaxAllocationBytes ||
        dataset.cluster.empty()) {
      __builtin_trap();
    }
  }
  for (const gateway::GatewayShare& share : config->shares) {
    if (share.node_admin.port == 0 || share.read_signatures < 1 || share.read_signatures > 100) __builtin_trap();
  }
  return 0;
}
