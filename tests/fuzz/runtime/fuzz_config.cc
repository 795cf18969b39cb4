// libFuzzer target: fluence-node's configuration file (runtime/config.h),
// JSON that operators edit by hand and copy between machines. Any text
// yields a configuration within the documented bounds or an error naming
// the field, never an exception.
#include <set>

#include "runtime/config.h"

using namespace fluence;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Result<runtime::NodeFileConfig> config = runtime::parse_config(text, "node.json");
  if (!config) {
    if (config.status().message().empty()) __builtin_trap();  // errors must say what
    return 0;
  }
  if (!runtime::parse_endpoint(config->listen, "listen").is_ok()) __builtin_trap();
  const cluster::ClusterConfig& chain = config->node.cluster;
  if (chain.por.openings > chain.por.chunks || chain.max_block_writes < 1) __builtin_trap();
  for (const node::HostedDataset& dataset : config->node.datasets) {
    if (dataset.members.empty()) __builtin_trap();
  }
  std::set<crypto::Hash256> receipts;
  for (const economy::Mint& receipt : config->token_receipts) {
    if (receipt.amount == 0 || !receipts.insert(receipt.gateway_receipt_id).second) __builtin_trap();
  }
  return 0;
}
