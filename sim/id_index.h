// The nodes closest to a target in XOR distance, found without a DHT: the
// placement oracle of the network-wide scenarios, where asking each node's
// routing table for 10^4 datasets would measure lookups, not what the
// scenario is about (the Kademlia scenarios measure those).
//
// Node indices are kept in id order. The nodes sharing a prefix with a
// target fill one contiguous range of that order, and each of them is closer
// to the target than any node outside it, so the closest few are found by
// narrowing the prefix while the range still holds enough of them.
#pragma once

#include <vector>

#include "model/dht/node_id.h"

namespace fluence::sim {

class IdIndex {
 public:
  explicit IdIndex(std::vector<dht::NodeId> ids);

  // The `count` nodes closest to `target` that are not in `excluded`,
  // nearest first (dht::closer's order). count + excluded.size() must not
  // exceed the number of ids.
  std::vector<size_t> closest(const dht::NodeId& target, size_t count, const std::vector<size_t>& excluded) const;

 private:
  using Iterator = std::vector<size_t>::const_iterator;
  std::pair<Iterator, Iterator> prefix_range(const dht::NodeId& target, int bits) const;

  std::vector<dht::NodeId> ids_;
  std::vector<size_t> order_;  // indices into ids_, by id
};

}  // namespace fluence::sim
