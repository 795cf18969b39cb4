#include "model/chain/placement.h"

#include <algorithm>
#include <memory>

namespace fluence::chain {

dht::NodeId arbiter_anchor(const storage::DatasetId& dataset, uint64_t epoch, const crypto::Hash256& last_block_hash) {
  uint8_t epoch_bytes[8];
  for (int i = 0; i < 8; ++i) epoch_bytes[i] = static_cast<uint8_t>(epoch >> (56 - 8 * i));
  dht::NodeId anchor;
  anchor.bytes = crypto::blake2b_256("fluence/arbiter-anchor", {dataset, ByteView(epoch_bytes, 8), last_block_hash});
  return anchor;
}

std::vector<dht::Contact> select_arbiters(const std::vector<dht::Contact>& candidates,
                                          const std::vector<dht::Contact>& cluster, size_t m) {
  std::vector<dht::Contact> arbiters;
  for (const dht::Contact& c : candidates) {
    if (arbiters.size() == m) break;
    bool member = std::any_of(cluster.begin(), cluster.end(), [&](const dht::Contact& x) { return x.id == c.id; });
    if (!member) arbiters.push_back(c);
  }
  return arbiters;
}

void find_placement(dht::Dht& dht, const storage::DatasetId& dataset, uint64_t epoch,
                    const crypto::Hash256& last_block_hash, size_t n, size_t m,
                    std::function<void(Result<Placement>)> done) {
  FL_ASSERT(n + m <= dht.config().max_lookup_count);
  dht::NodeId target{dataset};
  dht.lookup(target, n, [&dht, dataset, epoch, last_block_hash, n, m, done = std::move(done)](dht::LookupResult cluster) {
    if (cluster.closest.size() < n) {
      return done(Status::error(ErrorCode::kUnavailable, "found " + std::to_string(cluster.closest.size()) +
                                                             " nodes for a cluster of " + std::to_string(n)));
    }
    // Ask for n + m so that m remain after removing any cluster members.
    dht.lookup(arbiter_anchor(dataset, epoch, last_block_hash), n + m,
               [cluster = std::move(cluster.closest), m, done](dht::LookupResult near_anchor) {
                 std::vector<dht::Contact> arbiters = select_arbiters(near_anchor.closest, cluster, m);
                 if (arbiters.size() < m) {
                   return done(Status::error(ErrorCode::kUnavailable, "found " + std::to_string(arbiters.size()) +
                                                                          " arbiters of " + std::to_string(m)));
                 }
                 done(Placement{cluster, std::move(arbiters)});
               });
  });
}

}  // namespace fluence::chain
