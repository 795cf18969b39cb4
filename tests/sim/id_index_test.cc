// The placement oracle must give exactly the nodes a full scan would.
#include "sim/id_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "model/env/random.h"

namespace fluence::sim {
namespace {

std::vector<size_t> scan(const std::vector<dht::NodeId>& ids, const dht::NodeId& target, size_t count,
                         const std::vector<size_t>& excluded) {
  std::vector<size_t> all;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (std::find(excluded.begin(), excluded.end(), i) == excluded.end()) all.push_back(i);
  }
  std::sort(all.begin(), all.end(), [&](size_t a, size_t b) { return dht::closer(target, ids[a], ids[b]); });
  all.resize(count);
  return all;
}

TEST(IdIndexTest, FindsWhatAFullScanFinds) {
  env::DeterministicRandom random(7);
  std::vector<dht::NodeId> ids(3000);
  for (dht::NodeId& id : ids) id = dht::random_id(random);
  IdIndex index(ids);
  for (int t = 0; t < 300; ++t) {
    dht::NodeId target = t % 3 == 0 ? ids[random.uniform(ids.size())] : dht::random_id(random);
    size_t count = 1 + random.uniform(20);
    std::vector<size_t> cluster = index.closest(target, count, {});
    ASSERT_EQ(cluster, scan(ids, target, count, {})) << t;
    // Excluding the nearest ones (a cluster, when picking arbiters) reaches past them.
    std::vector<size_t> beyond = index.closest(target, 3, cluster);
    ASSERT_EQ(beyond, scan(ids, target, 3, cluster)) << t;
  }
}

TEST(IdIndexTest, TakesEveryNodeWhenAskedForAll) {
  env::DeterministicRandom random(8);
  std::vector<dht::NodeId> ids(9);
  for (dht::NodeId& id : ids) id = dht::random_id(random);
  dht::NodeId target = dht::random_id(random);
  std::vector<size_t> all = IdIndex(ids).closest(target, 8, {4});
  EXPECT_EQ(all, scan(ids, target, 8, {4}));
  EXPECT_EQ(std::count(all.begin(), all.end(), size_t{4}), 0);
}

}  // namespace
}  // namespace fluence::sim
