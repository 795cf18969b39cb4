// A node's clock offset and drift change what now() reads and when its
// timers fire in simulated time. One SimGrid engine per process: one test.
#include <gtest/gtest.h>

#include <cmath>

#include "sim/world.h"

namespace fluence::sim {
namespace {

TEST(SimClockTest, OffsetAndDriftShapeTheNodesTime) {
  Scenario scenario;
  scenario.kind = "kademlia-lookup";
  scenario.nodes = 2;
  scenario.end_s = 30;
  scenario.dht.puzzle_difficulty = 0;
  scenario.network.regions = {Region{"r", 1, 5}};
  scenario.clocks = {ClockSkew{1, 5000, 0.5}};
  char name[] = "clock_test";
  char quiet[] = "--log=root.thres:warning";
  char* argv[] = {name, quiet, nullptr};
  World world(scenario, 1, 2, argv);

  double node0_reads = -1, node1_reads = -1, timer_fired_at = -1;
  world.at(10, 0, [&](node::Node*) { node0_reads = std::chrono::duration<double>(world.env(0).now()).count(); });
  world.at(10, 1, [&](node::Node*) {
    node1_reads = std::chrono::duration<double>(world.env(1).now()).count();
    // 3 s of this node's clock pass in 2 s of simulated time at rate 1.5.
    world.env(1).schedule(std::chrono::seconds(3), [&] { timer_fired_at = world.now(); });
  });
  world.run();
  EXPECT_NEAR(node0_reads, 10.0, 1e-6);
  EXPECT_NEAR(node1_reads, 5.0 + 1.5 * 10.0, 1e-6);
  EXPECT_NEAR(timer_fired_at, 12.0, 1e-6);
}

}  // namespace
}  // namespace fluence::sim
