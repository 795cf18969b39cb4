// Safety under any schedule the test world can produce: 1,000 seeds of loss,
// duplication, reordering, a partition, crashes and Byzantine equivocators
// (never more than f faulty in all); no two honest validators may ever
// decide different values at one height, and once the network heals every
// honest validator that is up must keep deciding.
#include "tests/model/consensus/cluster.h"

namespace fluence::consensus {
namespace {

using namespace testing_support;

TEST(TendermintTest, SafeUnderAnySchedule) {
  int live = 0;
  constexpr int kSeeds = 1000;
  for (int seed = 0; seed < kSeeds; ++seed) {
    env::DeterministicRandom dice(seed, 1);
    size_t n = dice.chance(0.5) ? 4 : 7;
    size_t f = (n - 1) / 3;
    size_t byzantine = dice.uniform(f + 1);  // 0..f equivocators
    Cluster c(static_cast<uint64_t>(seed) + 1000, n, byzantine);
    c.world.set_loss(dice.unit() * 0.3);
    c.world.set_duplicate(dice.unit() * 0.2);
    c.world.set_jitter(milliseconds(dice.uniform(500)));
    // Crash up to f - byzantine honest nodes: never more than f faulty in all.
    size_t crash = dice.uniform(f - byzantine + 1);
    for (size_t i = 0; i < crash; ++i) c.crash(i);
    // A partition for a while, splitting the cluster at a random point.
    size_t cut = 1 + dice.uniform(n - 1);
    c.world.set_partition([cut](size_t from, size_t to) { return (from < cut) != (to < cut); });
    c.world.run_for(milliseconds(dice.uniform(3000)));
    ASSERT_TRUE(c.safe()) << "seed " << seed << " during the partition";
    c.world.set_partition(nullptr);
    c.world.set_loss(0.05);
    c.world.run_for(seconds(20));
    ASSERT_TRUE(c.safe()) << "seed " << seed;
    if (c.min_honest_height() >= 3) {
      ++live;
    } else {
      ADD_FAILURE() << "seed " << seed << ": n=" << n << " byzantine=" << byzantine << " crashed=" << crash
                    << " stuck at height " << c.min_honest_height();
    }
  }
  // Liveness after the network heals (loss stays at 5%).
  EXPECT_EQ(live, kSeeds);
}

}  // namespace
}  // namespace fluence::consensus
