// Writes valid node configuration files into a folder, as the seed corpus of
// fuzz_node_config; each is checked to parse, so that a format change that
// makes one stale fails here. Usage: make_corpus config DIR
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "runtime/config.h"

using namespace fluence;

int main(int argc, char** argv) {
  if (argc != 3 || std::string(argv[1]) != "config") {
    std::fprintf(stderr, "usage: %s config DIR\n", argv[0]);
    return 2;
  }
  const std::string key(64, 'c'), dataset(64, 'd'), receipt(64, 'e');
  const std::vector<std::string> configs = {
      R"({"listen": "127.0.0.1:7001", "data_dir": "/var/lib/fluence/n1", "key_file": "/var/lib/fluence/n1/key"})",
      R"({"listen": "127.0.0.1:7001", "data_dir": "d", "key_file": "k", "bootstrap": ["127.0.0.1:7000"],
          "admin_listen": "127.0.0.1:8001", "puzzle_difficulty": 8, "bucket_size": 20, "log_level": "debug",
          "block_interval_ms": 200, "tick_seconds": 3600, "max_clock_skew_seconds": 60, "max_block_writes": 1000,
          "por_chunks": 100, "por_openings": 4, "por_max_response_ms": 5000, "eject_after_failed_ticks": 3,
          "eject_after_offline_ticks": 24, "contract_min_price_per_gb_month": 0, "contract_min_gas_price": 1,
          "contract_max_allocation_bytes": 1000000000,
          "datasets": [{"id": ")" + dataset + R"(", "members": [")" + key + R"(@127.0.0.1:7001"],
                        "arbiters": [")" + key + R"(@127.0.0.1:7101"]}],
          "token_receipts": [{"receipt": ")" + receipt + R"(", "to": ")" + key + R"(", "amount": 1000}]})",
  };
  for (size_t i = 0; i < configs.size(); ++i) {
    Result<runtime::NodeFileConfig> parsed = runtime::parse_config(configs[i], "seed");
    if (!parsed) {
      std::fprintf(stderr, "make_corpus: config seed %zu: %s\n", i, parsed.status().to_string().c_str());
      return 1;
    }
    std::ofstream(std::string(argv[2]) + "/seed" + std::to_string(i), std::ios::binary) << configs[i];
  }
  return 0;
}
