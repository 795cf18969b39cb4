// Who keeps a dataset, and who watches them.
//
// Cluster: the n nodes closest to the dataset id in the DHT (the white
// paper's placement; S/Kademlia's puzzle makes landing there expensive).
//
// Arbiters: the m nodes, not in the cluster, closest to an anchor
//   A = BLAKE2b("fluence/arbiter-anchor", dataset id || epoch || H(last block of the previous epoch))
// where the block hash covers the arbiters' endorsements. The cluster cannot
// steer A: it could grind block contents, but a block only counts once the
// previous arbiters have endorsed it, they endorse one block per height
// (two would be equivocation evidence), and their deterministic signatures
// cannot be predicted. Rotating with the epoch keeps a cluster from
// cultivating its arbiters; being far from the dataset id keeps arbiters
// and cluster from being the same neighbourhood, which one sybil operator
// could crowd.
#pragma once

#include <functional>
#include <vector>

#include "model/dht/dht.h"
#include "model/storage/dataset.h"

namespace fluence::chain {

struct Placement {
  std::vector<dht::Contact> cluster;   // nearest the dataset id first
  std::vector<dht::Contact> arbiters;  // nearest the anchor first
};

dht::NodeId arbiter_anchor(const storage::DatasetId& dataset, uint64_t epoch, const crypto::Hash256& last_block_hash);

// The first m of `candidates` (sorted nearest the anchor first) that are
// not in `cluster`.
std::vector<dht::Contact> select_arbiters(const std::vector<dht::Contact>& candidates,
                                          const std::vector<dht::Contact>& cluster, size_t m);

// Runs both lookups. Fails if the network has fewer than n + m nodes.
void find_placement(dht::Dht& dht, const storage::DatasetId& dataset, uint64_t epoch,
                    const crypto::Hash256& last_block_hash, size_t n, size_t m,
                    std::function<void(Result<Placement>)> done);

}  // namespace fluence::chain
