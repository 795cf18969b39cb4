#include "runtime/gateway/shard_placement.h"

namespace fluence::gateway {

std::optional<size_t> place_shard(const std::vector<DatasetPlacement>& datasets,
                                  const std::set<std::string>& clusters_in_use) {
  std::optional<size_t> any_free;
  for (size_t i = 0; i < datasets.size(); ++i) {
    const DatasetPlacement& dataset = datasets[i];
    if (dataset.holds_shard || dataset.stored_bytes >= dataset.capacity_bytes) continue;
    if (!clusters_in_use.contains(dataset.cluster)) return i;
    if (!any_free) any_free = i;
  }
  return any_free;
}

}  // namespace fluence::gateway
