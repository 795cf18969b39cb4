#include "sim/id_index.h"

#include <algorithm>
#include <numeric>

namespace fluence::sim {

IdIndex::IdIndex(std::vector<dht::NodeId> ids) : ids_(std::move(ids)), order_(ids_.size()) {
  std::iota(order_.begin(), order_.end(), size_t{0});
  std::sort(order_.begin(), order_.end(), [this](size_t a, size_t b) { return ids_[a] < ids_[b]; });
}

std::vector<size_t> IdIndex::closest(const dht::NodeId& target, size_t count, const std::vector<size_t>& excluded) const {
  FL_ASSERT(count + excluded.size() <= ids_.size());
  Iterator begin = order_.begin(), end = order_.end();
  // Enough room for `count` even if every excluded node is in the range.
  for (int bits = 1; bits <= dht::kIdBits; ++bits) {
    auto [low, high] = prefix_range(target, bits);
    if (static_cast<size_t>(high - low) < count + excluded.size()) break;
    begin = low;
    end = high;
  }
  std::vector<size_t> near(begin, end);
  std::erase_if(near, [&](size_t i) { return std::find(excluded.begin(), excluded.end(), i) != excluded.end(); });
  std::sort(near.begin(), near.end(), [&](size_t a, size_t b) { return dht::closer(target, ids_[a], ids_[b]); });
  near.resize(count);
  return near;
}

std::pair<IdIndex::Iterator, IdIndex::Iterator> IdIndex::prefix_range(const dht::NodeId& target, int bits) const {
  dht::NodeId low = target, high = target;
  for (int b = bits; b < dht::kIdBits; ++b) {
    auto mask = static_cast<uint8_t>(0x80 >> (b % 8));
    low.bytes[b / 8] &= static_cast<uint8_t>(~mask);
    high.bytes[b / 8] |= mask;
  }
  auto by_id = [this](size_t i, const dht::NodeId& id) { return ids_[i] < id; };
  auto first = std::lower_bound(order_.begin(), order_.end(), low, by_id);
  auto last = std::upper_bound(first, order_.end(), high, [this](const dht::NodeId& id, size_t i) { return id < ids_[i]; });
  return {first, last};
}

}  // namespace fluence::sim
