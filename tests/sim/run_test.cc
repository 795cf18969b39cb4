// Whole simulation runs through the fluence-sim executable (one SimGrid
// engine per process): determinism, lookup quality, faults, bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/sim/sim_process.h"

namespace {

namespace fs = std::filesystem;

using fluence::sim::testing::run_sim;
using fluence::sim::testing::run_sim_text;
using fluence::sim::testing::SimRun;

std::string scenario(const char* name) { return std::string(FLUENCE_SCENARIOS_DIR) + "/" + name; }

TEST(SimRunTest, SmallNetworkLookupsFindTheClosestNode) {
  SimRun run = run_sim(scenario("kademlia-small.json"), "--seed 1");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.summary["nodes"], 300);
  EXPECT_EQ(run.summary["lookups"], 300);
  EXPECT_GE(run.summary["lookup_success_rate"].get<double>(), 0.99);
  EXPECT_LE(run.summary["hops_mean"].get<double>(), 8.2);  // log2(300)
  EXPECT_GT(run.summary["messages_per_lookup"].get<double>(), 1.0);
  EXPECT_EQ(run.summary["dropped"], 0);
}

TEST(SimRunTest, SameSeedSameTraceOtherSeedOtherTrace) {
  SimRun a = run_sim(scenario("kademlia-small.json"), "--seed 7");
  SimRun b = run_sim(scenario("kademlia-small.json"), "--seed 7");
  SimRun c = run_sim(scenario("kademlia-small.json"), "--seed 8");
  ASSERT_EQ(a.exit_code, 0) << a.output;
  ASSERT_EQ(b.exit_code, 0) << b.output;
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_EQ(a.summary["trace_hash"], b.summary["trace_hash"]);
  EXPECT_EQ(a.summary["messages_sent"], b.summary["messages_sent"]);
  EXPECT_NE(a.summary["trace_hash"], c.summary["trace_hash"]);
}

TEST(SimRunTest, FaultsBiteButLookupsCope) {
  SimRun run = run_sim(scenario("kademlia-faults.json"), "");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // 2% loss plus messages to 30 crashed nodes: drops must show.
  EXPECT_GT(run.summary["dropped"].get<int>(), 100);
  EXPECT_GT(run.summary["timeouts_per_lookup"].get<double>(), 0.0);
  // Lookups issued by crashed nodes are missed; the rest still find the
  // nearest live node almost always: over seeds 1-25 the rate was 0.925 to
  // 0.972, mean 0.949 (0.95 here was met by seed 1 only by luck).
  EXPECT_GT(run.summary["lookups_missed"].get<int>(), 0);
  EXPECT_GE(run.summary["lookup_success_rate"].get<double>(), 0.90);
}

// Half the network is cut off from 55 s to 85 s: lookups then miss the true
// closest node whenever it is on the other side, and succeed again after.
TEST(SimRunTest, PartitionCutsLookupsAndHealingRestoresThem) {
  fs::path out = fs::temp_directory_path() / ("partition-" + std::to_string(getpid()));
  std::string command = std::string(FLUENCE_SIM_BINARY) + " " + scenario("kademlia-partition.json") +
                        " --quiet --out " + out.string() + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  nlohmann::json summary;
  std::ifstream(out / "summary.json") >> summary;
  std::ifstream csv(out / "timeseries.csv");
  std::string line;
  std::getline(csv, line);  // header
  double done_at_90 = 0, rate_at_90 = 0, done_end = 0, rate_end = 0;
  while (std::getline(csv, line)) {
    double t, live, messages, bytes, done, rate;
    if (std::sscanf(line.c_str(), "%lf,%lf,%lf,%lf,%lf,%lf", &t, &live, &messages, &bytes, &done, &rate) != 6) continue;
    if (t <= 90) done_at_90 = done, rate_at_90 = rate;
    done_end = done, rate_end = rate;
  }
  fs::remove_all(out);
  EXPECT_GT(summary["dropped"].get<int>(), 1000);
  EXPECT_LT(rate_at_90, 0.8) << "lookups during the split must miss nodes on the other side";
  ASSERT_GT(done_end, done_at_90 + 100);
  double after_heal = (rate_end * done_end - rate_at_90 * done_at_90) / (done_end - done_at_90);
  EXPECT_GE(after_heal, 0.95);
}

TEST(SimRunTest, BadScenarioIsAClearErrorNamingTheField) {
  fs::path bad = fs::temp_directory_path() / ("bad-scenario-" + std::to_string(getpid()) + ".json");
  std::ofstream(bad) << R"({"question": "q", "kind": "kademlia-lookup", "nodes": -3})";
  SimRun run = run_sim(bad.string(), "");
  fs::remove(bad);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("scenario.nodes"), std::string::npos) << run.output;
  SimRun missing = run_sim("/nonexistent.json", "");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("cannot open"), std::string::npos);
  SimRun help = run_sim("--help", "");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--seed"), std::string::npos);
}

TEST(SimRunTest, ALazyMemberIsReplacedAndTheRecruitRebuildsTheReplica) {
  SimRun a = run_sim(scenario("lazy-member-small.json"), "--seed 3");
  ASSERT_EQ(a.exit_code, 0) << a.output;
  EXPECT_EQ(a.summary["rows_acknowledged"], 200);
  EXPECT_EQ(a.summary["ejected"], 1) << a.output;
  EXPECT_EQ(a.summary["recovered"], 1) << a.output;
  EXPECT_EQ(a.summary["honest_failed_outcomes"], 0);
  EXPECT_EQ(a.summary["honest_ejected"], 0);
  ASSERT_TRUE(a.summary["ticks_to_ejection"][0].is_number());
  EXPECT_GE(a.summary["ticks_to_ejection"][0].get<int>(), 2) << "two failed ticks in a row, from tick 1";
  SimRun b = run_sim(scenario("lazy-member-small.json"), "--seed 3");
  EXPECT_EQ(a.summary["trace_hash"], b.summary["trace_hash"]);
}

// The lazy member (node 3, 100 ms from everyone) fetches touched challenges
// from its accomplice: 204 ms for the challenge, 204 more for the fetch.
TEST(SimRunTest, ALazyMemberFetchingFromAnAccompliceIsCaughtOnlyByATightDeadline) {
  SimRun caught = run_sim(scenario("lazy-fetch-small.json"), "--seed 3");
  ASSERT_EQ(caught.exit_code, 0) << caught.output;
  EXPECT_EQ(caught.summary["challenge_rtt_ms"], 204);
  EXPECT_EQ(caught.summary["fetch_rtt_ms"], 204);
  EXPECT_GT(caught.summary["lazy_challenges_touched"].get<int>(), 0);
  EXPECT_EQ(caught.summary["lazy_fetches_answered"], caught.summary["lazy_challenges_touched"]);
  EXPECT_EQ(caught.summary["ejected"], 1) << caught.output;
  EXPECT_EQ(caught.summary["honest_failed_outcomes"], 0) << "the accomplice answers its own challenges in time";

  // The same with a 1 s deadline, in a copy of the scenario.
  nlohmann::json loose;
  std::ifstream small(scenario("lazy-fetch-small.json"));
  small >> loose;
  loose["cluster"]["max_response_ms"] = 1000;
  loose["cluster"]["ticks"] = 6;
  SimRun passed = run_sim_text("lazy-fetch-loose", loose.dump(), "--seed 3");
  ASSERT_EQ(passed.exit_code, 0) << passed.output;
  EXPECT_GT(passed.summary["lazy_challenges_touched"].get<int>(), 0);
  EXPECT_EQ(passed.summary["lazy_fetches_answered"], passed.summary["lazy_challenges_touched"]);
  EXPECT_EQ(passed.summary["lazy_failed_ticks"], 0) << passed.output;
  EXPECT_GT(passed.summary["lazy_proven_ticks"].get<int>(), 0);
  EXPECT_EQ(passed.summary["ejected"], 0);
  EXPECT_EQ(passed.summary["honest_failed_outcomes"], 0);
}

TEST(SimRunTest, ARegionBanWithinFIsRecoveredWhileWritesGoOn) {
  SimRun run = run_sim(scenario("region-ban.json"), "--seed 2");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.summary["ejected"], 2) << run.output;
  EXPECT_EQ(run.summary["recovered"], 2) << run.output;
  for (const auto& ticks : run.summary["ticks_to_ejection"]) {
    ASSERT_TRUE(ticks.is_number()) << run.output;
    EXPECT_GE(ticks.get<int>(), 3) << "the SLA allows 3 offline ticks";
    EXPECT_LE(ticks.get<int>(), 4);
  }
  const auto& during = run.summary["writes"]["during"];
  EXPECT_GT(during["tried"].get<int>(), 10);
  EXPECT_EQ(during["committed"], during["tried"]) << "5 of 7 members still commit";
  EXPECT_EQ(run.summary["honest_failed_outcomes"], 0);
}

TEST(SimRunTest, SybilGrindingCostsWhatTheModelSays) {
  SimRun run = run_sim(scenario("sybil-grinding.json"), "--seed 4");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.summary["targets_over_budget"], 0);
  ASSERT_EQ(run.summary["per_target"].size(), 30u);
  // Geometric draws: the mean of 30 is within a factor 2 of the model's
  // mean with overwhelming probability (the report's interval is tighter).
  double ratio = run.summary["nonces_mean"].get<double>() / run.summary["model_nonces_mean"].get<double>();
  EXPECT_GT(ratio, 0.5);
  EXPECT_LT(ratio, 2.0);
}

TEST(SimRunTest, OneFastMemberCommitsNothingEarly) {
  SimRun run = run_sim(scenario("fast-clock.json"), "--seed 2");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.summary["fast_members"], 1);
  EXPECT_GT(run.summary["height"].get<int>(), 100);
  EXPECT_EQ(run.summary["early_blocks"], 0) << "a block of a future tick was committed";
  EXPECT_LE(run.summary["max_sealed_tick_lead"].get<int>(), 0);
  EXPECT_GE(run.summary["sealed_height"].get<int>(), run.summary["height"].get<int>() - 2);
  EXPECT_EQ(run.summary["writes"]["before"]["committed"], run.summary["writes"]["before"]["tried"]);
}

// All arbiters honest: the chain stops being sealed once it has left their
// verdicts out for the inclusion bound. All corrupted: it stays sealed, and
// the colluders, who lost data, are proven every tick.
TEST(SimRunTest, AColludingClusterStaysSealedOnlyWithACorruptedArbiterQuorum) {
  auto run_with = [](double corrupted) {
    std::ostringstream scenario_json;
    scenario_json << R"({"question": "q", "kind": "colluding-cluster",
                         "cluster": {"members": 4, "arbiters": 3, "inclusion_ticks": 2, "forgotten_fraction": 0.2,
                                     "rows": 100, "chunks": 10, "tick_s": 3600, "ticks": 5,
                                     "block_interval_ms": 600000, "corrupted_arbiter_fraction": )"
                  << corrupted << "}}";
    return run_sim_text("colluding", scenario_json.str(), "--seed 3");
  };
  SimRun honest = run_with(0);
  SimRun corrupted = run_with(1);
  ASSERT_EQ(honest.exit_code, 0) << honest.output;
  ASSERT_EQ(corrupted.exit_code, 0) << corrupted.output;
  EXPECT_EQ(honest.summary["corrupted_arbiters"], 0);
  EXPECT_EQ(honest.summary["sealed_to_end"], 0) << honest.output;
  EXPECT_EQ(honest.summary["sealed_tick"], 2) << "verdicts of tick 1 are owed from tick 3";
  EXPECT_GT(honest.summary["height"].get<int>(), honest.summary["sealed_height"].get<int>() + 10);
  EXPECT_EQ(corrupted.summary["corrupted_arbiters"], 3);
  EXPECT_EQ(corrupted.summary["sealed_to_end"], 1) << corrupted.output;
  EXPECT_EQ(corrupted.summary["colluders_failed"], 0);
  EXPECT_GE(corrupted.summary["colluders_proven"].get<int>(), 4 * 4) << "4 members proven in ticks 1 to 4 at least";
  // Three arbiters cannot replace four members and still arbitrate.
  EXPECT_EQ(honest.summary["replaceable"], 0);
  EXPECT_EQ(honest.summary["captured"], 0);
}

// More arbiters than members (model/cluster/capture.h): the honest ones
// certify the colluding cluster captured after the last block they signed,
// four of them rebuild the data from the captors' journals and run the
// chain on, sealed by the three left over.
TEST(SimRunTest, HonestArbitersReplaceAColludingClusterWhenTheyOutnumberIt) {
  SimRun run = run_sim_text("replace", R"({"question": "q", "kind": "colluding-cluster",
      "cluster": {"members": 4, "arbiters": 7, "inclusion_ticks": 2, "forgotten_fraction": 0.2,
                  "rows": 100, "chunks": 10, "tick_s": 3600, "ticks": 5,
                  "block_interval_ms": 600000, "corrupted_arbiter_fraction": 0}})", "--seed 3");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.summary["sealed_to_end"], 0);
  EXPECT_EQ(run.summary["replaceable"], 1);
  EXPECT_EQ(run.summary["captured"], 1) << run.output;
  EXPECT_EQ(run.summary["corrupted_recruits"], 0);
  EXPECT_EQ(run.summary["recruits_joined"], 4);
  EXPECT_EQ(run.summary["replaced"], 1);
  EXPECT_GT(run.summary["replaced_sealed_height"].get<int>(), run.summary["capture_height"].get<int>() + 5)
      << "the new chain keeps being sealed";
  EXPECT_LE(run.summary["replaced_tick"].get<int>(), 4);
}

// Half of a 4-member cluster banned for good halts it (f = 1); with 7
// arbiters watching, they replace the whole cluster by a certificate once it
// has made no block for halt_ticks, and the recruits, rebuilt from the two
// members still up, seal blocks again.
TEST(SimRunTest, AHaltedClusterIsReplacedFromItsArbitersAfterHaltTicks) {
  SimRun run = run_sim_text("halt", R"({"question": "q", "kind": "region-ban",
      "cluster": {"members": 4, "arbiters": 7, "banned": [2, 3], "ban_tick": 2, "halt_ticks": 1,
                  "rows": 100, "chunks": 10, "tick_s": 3600, "ticks": 6,
                  "write_interval_s": 1200, "block_interval_ms": 600000}})", "--seed 2");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.summary["replaceable"], 1);
  EXPECT_EQ(run.summary["captured"], 1) << run.output;
  EXPECT_EQ(run.summary["replaced"], 1);
  EXPECT_EQ(run.summary["recruits_joined"], 4);
  EXPECT_LE(run.summary["replaced_tick"].get<int>(), 4) << "ban in tick 2, certificate at tick 3";
  EXPECT_GT(run.summary["replaced_sealed_height"].get<int>(), run.summary["capture_height"].get<int>());
  // The client's writes stall while the cluster is halted and commit again
  // through the new cluster.
  const nlohmann::json& writes = run.summary["writes"];
  EXPECT_EQ(writes["during"]["committed"], 0);
  EXPECT_GT(writes["after"]["tried"].get<int>(), 0);
  EXPECT_EQ(writes["after"]["committed"], writes["after"]["tried"]);
}

// A member down for whole ticks: each tick down is an offline outcome on
// chain, and the contract pays each period's proven ticks unless the period
// had more offline ticks than the SLA allows (here none), which also removes
// the member. The expected pay follows from the ticks it was down.
TEST(SimRunTest, AFlakyMemberIsPaidOnlyForPeriodsWithinTheSla) {
  SimRun run = run_sim_text("flaky", R"({"question": "q", "kind": "flaky-members",
      "cluster": {"members": 4, "arbiters": 3, "flaky": [3], "uptime": 0.7, "period_ticks": 3,
                  "max_offline_ticks_per_period": 0, "eject_after_offline_ticks": 1000,
                  "rows": 100, "chunks": 10, "tick_s": 3600, "ticks": 9,
                  "block_interval_ms": 600000}})", "--seed 6");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const uint64_t periods = run.summary["periods_settled"].get<uint64_t>();
  ASSERT_EQ(periods, 2u) << "periods [1, 4) and [4, 7) close by tick 9";
  const auto& members = run.summary["member_earnings"];
  ASSERT_EQ(members.size(), 4u);
  for (size_t m = 0; m < 3; ++m) {
    EXPECT_EQ(members[m]["rewards"], 1000 * 3 * periods) << "member " << m;
    EXPECT_EQ(members[m]["offline"], 0);
  }
  const auto& flaky = members[3];
  std::vector<uint64_t> down = flaky["ticks_down"].get<std::vector<uint64_t>>();
  ASSERT_FALSE(down.empty()) << "seed 6 takes the member down at least once";
  EXPECT_EQ(flaky["offline"].get<size_t>(), down.size());
  uint64_t expected = 0;
  bool removed = false;
  for (uint64_t p = 0; p < periods && !removed; ++p) {
    uint64_t offline = std::count_if(down.begin(), down.end(), [&](uint64_t t) { return t >= 1 + 3 * p && t < 4 + 3 * p; });
    if (offline > 0) removed = true;
    else expected += 3000;
  }
  EXPECT_EQ(flaky["rewards"].get<uint64_t>(), expected);
  EXPECT_EQ(flaky["on_contract"].get<bool>(), !removed);
}

TEST(SimRunTest, CommitteeCaptureRatesFollowTheHypergeometricModel) {
  SimRun run = run_sim_text("committee", R"({"question": "q", "kind": "committee-capture",
      "capture": {"network_nodes": 2000, "malicious_fraction": 0.4, "cluster_size": 7,
                  "arbiters": 7, "datasets": 1500}})", "--seed 5");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.summary["datasets"], 1500);
  // Model (hypergeometric, N = 2000, M = 800, n = 7): P(>= 3) = 0.580, P(>= 5) = 0.096.
  double stalled = run.summary["clusters_stalled"].get<double>() / 1500;
  double captured = run.summary["clusters_captured"].get<double>() / 1500;
  EXPECT_NEAR(stalled, 0.580, 0.04);
  EXPECT_NEAR(captured, 0.096, 0.025);
  EXPECT_LE(run.summary["undetected_captures"].get<int>(), run.summary["clusters_captured"].get<int>());
}

}  // namespace
