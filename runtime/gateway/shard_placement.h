// Where the encrypted store puts a collection's next shard (the white paper's
// "Transparent Sharding": when a dataset is full, "a new Dataset is allocated
// on another Cluster", and the client operates both as one).
//
// A dataset holds at most one shard of one collection ("each dataset is a
// collection"), so a dataset is free when no shard is in it and it has room
// left under its contract's allocation. Among the free ones the store takes,
// in the order the gateway was configured with, the first on a cluster the
// collection does not use yet (spreading a collection over clusters spreads
// its load and its failure modes), and otherwise the first free one.
// Pure: the store passes its state in, so the rule is tested on its own.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace fluence::gateway {

struct DatasetPlacement {
  std::string cluster;  // datasets with equal labels are on one cluster
  uint64_t capacity_bytes = 0;  // what the store may fill: the allocation, less any reserve
  uint64_t stored_bytes = 0;    // what the store keeps there now (the catalog row included)
  bool holds_shard = false;
};

// The index of the dataset the next shard goes to; nullopt: none is free.
// `clusters_in_use`: the clusters of the collection's shards so far.
std::optional<size_t> place_shard(const std::vector<DatasetPlacement>& datasets,
                                  const std::set<std::string>& clusters_in_use);

}  // namespace fluence::gateway
