// Scenario files are hand-written: every mistake must name its field.
#include "sim/scenario.h"

#include <gtest/gtest.h>

namespace fluence::sim {
namespace {

std::string error_of(const std::string& json) {
  Result<Scenario> s = parse_scenario(json, "test.json");
  return s.is_ok() ? "" : s.status().message();
}

constexpr const char* kMinimal = R"({"question": "q", "kind": "kademlia-lookup")";

TEST(ScenarioTest, MinimalScenarioGetsDefaults) {
  Result<Scenario> s = parse_scenario(std::string(kMinimal) + "}", "test.json");
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->name, "kademlia-lookup");
  EXPECT_EQ(s->network.model, "CM02");
  ASSERT_EQ(s->network.regions.size(), 1u);
  EXPECT_EQ(s->dht.bucket_size, 20);
}

TEST(ScenarioTest, ErrorsNameTheField) {
  std::string base = kMinimal;
  EXPECT_NE(error_of(base + R"(, "nodes": "ten"})").find("scenario.nodes: expected an integer"), std::string::npos);
  EXPECT_NE(error_of(base + R"(, "nodez": 10})").find("scenario.nodez: unknown field"), std::string::npos);
  EXPECT_NE(error_of(base + R"(, "network": {"regions": [{"access_latency_ms": "x"}]}})")
                .find("scenario.network.regions[0].access_latency_ms: expected a number"),
            std::string::npos);
  EXPECT_NE(error_of(base + R"(, "network": {"model": "magic"}})").find("scenario.network.model"), std::string::npos);
  EXPECT_NE(error_of(base + R"(, "dht": {"bucket_size": 0}})").find("scenario.dht.bucket_size: must be between"),
            std::string::npos);
  EXPECT_NE(error_of(base + R"(, "nodes": 5, "faults": [{"type": "crash", "nodes": [9]}]})")
                .find("scenario.faults[0].nodes[0]: expected a node index below 5"),
            std::string::npos);
  EXPECT_NE(error_of(base + R"(, "faults": [{"type": "meteor"}]})").find("scenario.faults[0].type"), std::string::npos);
  EXPECT_NE(error_of(R"({"kind": "kademlia-lookup"})").find("scenario.question"), std::string::npos);
  EXPECT_NE(error_of(R"({"question": "q", "kind": "other"})").find("scenario.kind"), std::string::npos);
  EXPECT_NE(error_of(R"({"question": "q", "kind": "por-detection"})").find("scenario.por: required"), std::string::npos);
  EXPECT_NE(error_of(R"({"question": "q", "kind": "por-detection", "por": {"cases": [{"chunks": "many"}]}})")
                .find("scenario.por.cases[0].chunks: expected an integer"),
            std::string::npos);
  EXPECT_NE(error_of("{not json").find("test.json: not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(R"({"question": "q", "kind": "lazy-member", "cluster": {"lazy": [9]}})").find("scenario.cluster.lazy"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"question": "q", "kind": "lazy-member", "cluster": {"lazy": [4, 5, 6]}})")
                .find("needs an arbiter to replace it"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"question": "q", "kind": "kademlia-lookup", "cluster": {}})").find("scenario.cluster: only for"),
            std::string::npos);
}

TEST(ScenarioTest, AnAccompliceCoversOneLazyMemberAndIsNotFaultyItself) {
  auto error_of = [](const std::string& cluster) {
    Result<Scenario> s = parse_scenario(R"({"question": "q", "kind": "lazy-member", "cluster": )" + cluster + "}", "test.json");
    return s.is_ok() ? std::string() : s.status().to_string();
  };
  EXPECT_EQ(error_of(R"({"lazy": [6], "accomplice": 0, "max_response_ms": 300})"), "");
  EXPECT_NE(error_of(R"({"lazy": [6], "accomplice": 7})").find("scenario.cluster.accomplice"), std::string::npos);
  EXPECT_NE(error_of(R"({"lazy": [5, 6], "accomplice": 0})").find("exactly one lazy member"), std::string::npos);
  EXPECT_NE(error_of(R"({"lazy": [6], "accomplice": 6})").find("not lazy, banned or flaky"), std::string::npos);
  EXPECT_NE(error_of(R"({"lazy": [6], "max_response_ms": 0})").find("scenario.cluster.max_response_ms"), std::string::npos);
  Result<Scenario> ban = parse_scenario(R"({"question": "q", "kind": "region-ban", "cluster": {"banned": [1], "lazy": [2], "accomplice": 0}})",
                                        "test.json");
  ASSERT_FALSE(ban.is_ok());
  EXPECT_NE(ban.status().to_string().find("scenario.cluster.accomplice: only for kind lazy-member"), std::string::npos);
}

TEST(ScenarioTest, PorNetworkFieldsAreChecked) {
  auto error_of = [](const std::string& rest) {
    Result<Scenario> s = parse_scenario(R"({"question": "q", "kind": "por-network")" + rest + "}", "test.json");
    return s.is_ok() ? std::string() : s.status().to_string();
  };
  EXPECT_EQ(error_of(R"(, "nodes": 100, "por_network": {"ticks": 3, "tick_s": 60, "round_spread_s": 10})"), "");
  EXPECT_NE(error_of(R"(, "por_network": {"chunk": 3})").find("scenario.por_network.chunk: unknown field"), std::string::npos);
  EXPECT_NE(error_of(R"(, "por_network": {"chunks": 2, "openings": 3})").find("scenario.por_network.openings: at most chunks"),
            std::string::npos);
  EXPECT_NE(error_of(R"(, "por_network": {"tick_s": 60})").find("scenario.por_network.round_spread_s: a round must end within its tick"),
            std::string::npos);
  EXPECT_NE(error_of(R"(, "nodes": 7)").find("scenario.nodes: a por-network needs cluster_size + 1"), std::string::npos);
  EXPECT_NE(error_of(R"(, "signatures": "rsa")").find("scenario.signatures: expected"), std::string::npos);
  EXPECT_NE(error_of(R"(, "por_network": {"lazy_fraction": 2})").find("scenario.por_network.lazy_fraction"), std::string::npos);
  Result<Scenario> other = parse_scenario(R"({"question": "q", "kind": "kademlia-lookup", "por_network": {}})", "test.json");
  ASSERT_FALSE(other.is_ok());
  EXPECT_NE(other.status().to_string().find("scenario.por_network: only for kind por-network"), std::string::npos);
  Result<Scenario> full = parse_scenario(R"({"question": "q", "kind": "por-network", "nodes": 100})", "test.json");
  ASSERT_TRUE(full.is_ok());
  EXPECT_EQ(full->end_s, 3600.0 * 721) << "every tick's rounds fit before the end";
}

TEST(ScenarioTest, ShippedScenariosParse) {
  for (const char* name : {"kademlia-lookup.json", "kademlia-small.json", "kademlia-faults.json", "kademlia-partition.json", "por-detection.json",
                           "lazy-member.json", "lazy-member-small.json", "region-ban.json", "region-ban-majority.json",
                           "sybil-grinding.json", "fast-clock.json", "fast-clock-cluster.json",
                           "cluster-30-days.json", "colluding-cluster.json", "region-ban-majority-replace.json", "flaky-members.json", "lazy-fetch.json",
                           "lazy-fetch-in-time.json", "lazy-fetch-small.json", "por-network-small.json",
                           "por-network-30-days.json"}) {
    Result<Scenario> s = load_scenario(std::string(FLUENCE_SCENARIOS_DIR) + "/" + name);
    EXPECT_TRUE(s.is_ok()) << name << ": " << s.status().to_string();
  }
}

}  // namespace
}  // namespace fluence::sim
