// The "denial-of-remove" scenario (sim/share_run.h): its section parses
// strictly, and whole runs through fluence-sim measure what the model says.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/sim/sim_process.h"

#include "sim/scenario.h"
#include "sim/sweep.h"

namespace fluence::sim {
namespace {

namespace fs = std::filesystem;

std::string path_of(const char* name) { return std::string(FLUENCE_SCENARIOS_DIR) + "/" + name; }

std::string error_of(const std::string& share) {
  Result<Scenario> s =
      parse_scenario(R"({"question": "q", "kind": "denial-of-remove", "share": )" + share + "}", "test.json");
  return s.is_ok() ? "" : s.status().message();
}

TEST(DenialOfRemoveScenarioTest, DefaultsAndShippedFiles) {
  Result<Scenario> s = parse_scenario(R"({"question": "q", "kind": "denial-of-remove"})", "test.json");
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->nodes, 10u);  // 7 members, 3 arbiters
  EXPECT_EQ(s->share.threshold, 3);
  EXPECT_EQ(s->share.signatures(), 3u);  // f + 1
  EXPECT_FALSE(s->share.dishonest_listed);
  EXPECT_DOUBLE_EQ(s->end_s, s->share.end_s());

  Result<Scenario> small = load_scenario(path_of("denial-of-remove.json"));
  ASSERT_TRUE(small.is_ok()) << small.status().to_string();
  EXPECT_EQ(small->share.dishonest, (std::vector<size_t>{1, 4}));
  std::ifstream in(path_of("denial-of-remove-sweep.json"));
  Result<std::vector<SweepRun>> runs = expand_sweep(nlohmann::json::parse(in, nullptr, false), "sweep.json");
  ASSERT_TRUE(runs.is_ok()) << runs.status().to_string();
  EXPECT_EQ(runs->size(), 300u);
}

TEST(DenialOfRemoveScenarioTest, ErrorsNameTheField) {
  EXPECT_NE(error_of(R"({"thresold": 3})").find("scenario.share.thresold: unknown field"), std::string::npos);
  EXPECT_NE(error_of(R"({"threshold": 9})").find("scenario.share.threshold: must be between"), std::string::npos);
  EXPECT_NE(error_of(R"({"threshold": "three"})").find("scenario.share.threshold: expected an integer"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"dishonest_probability": "half"})").find("scenario.share.dishonest_probability: expected a number"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"dishonest_probability": 1.5})").find("scenario.share.dishonest_probability"), std::string::npos);
  EXPECT_NE(error_of(R"({"dishonest": [7]})").find("scenario.share.dishonest: expected member indices from 0 to 6"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"dishonest": [1, 1]})").find("scenario.share.dishonest: a member named twice"), std::string::npos);
  EXPECT_NE(error_of(R"({"dishonest": 2})").find("scenario.share.dishonest: expected a list"), std::string::npos);
  EXPECT_NE(error_of(R"({"dishonest": [1], "dishonest_probability": 0.2})").find("scenario.share.dishonest: give either"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"read_signatures": 8})").find("scenario.share.read_signatures"), std::string::npos);
  EXPECT_NE(error_of(R"({"revoke_tick": 1, "tick_s": 5})").find("scenario.share.revoke_tick"), std::string::npos);
  EXPECT_NE(error_of(R"([1])").find("scenario.share"), std::string::npos);
  Result<Scenario> other =
      parse_scenario(R"({"question": "q", "kind": "kademlia-lookup", "share": {}})", "test.json");
  ASSERT_FALSE(other.is_ok());
  EXPECT_NE(other.status().message().find("scenario.share: only for kind denial-of-remove"), std::string::npos);
  Result<Scenario> stray = parse_scenario(R"({"question": "q", "kind": "denial-of-remove", "cluster": {}})", "test.json");
  ASSERT_FALSE(stray.is_ok());
  EXPECT_NE(stray.status().message().find("scenario.cluster: only for"), std::string::npos);
}

using fluence::sim::testing::run_sim;
using fluence::sim::testing::SimRun;

// The shipped small scenario with its "share" section changed.
std::string variant(const nlohmann::json& share_changes, const std::string& name) {
  std::ifstream in(path_of("denial-of-remove.json"));
  nlohmann::json file = nlohmann::json::parse(in);
  for (const auto& [key, value] : share_changes.items()) file["share"][key] = value;
  fs::path path = fs::temp_directory_path() / ("fluence-dor-" + std::to_string(getpid()) + "-" + name + ".json");
  std::ofstream(path) << file.dump();
  return path.string();
}

TEST(DenialOfRemoveRunTest, FewerThanMKeepersRevocationHoldsAndTheStaleRowIsOutvoted) {
  SimRun a = run_sim(path_of("denial-of-remove.json"));
  ASSERT_EQ(a.exit_code, 0) << a.output;
  const nlohmann::json& s = a.summary;
  EXPECT_EQ(s["kind"], "denial-of-remove");
  EXPECT_EQ(s["dishonest"], 2);
  EXPECT_EQ(s["before_decrypted"], 1);
  EXPECT_EQ(s["before_verified_cfrags"], 3);
  EXPECT_EQ(s["revoked_fragment_holders"], 2);
  EXPECT_EQ(s["after_decrypted"], 0);
  EXPECT_EQ(s["after_verified_cfrags"], 2);
  EXPECT_NE(s["after_error"].get<std::string>().find("2 of 3 fragments"), std::string::npos);
  EXPECT_EQ(s["read_signatures"], 3);
  EXPECT_EQ(s["read_outcome"], "absent");
  EXPECT_EQ(s["stale_row_returned"], 0);
  // A run is a function of (scenario, seed).
  SimRun b = run_sim(path_of("denial-of-remove.json"));
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_EQ(a.summary["trace_hash"], b.summary["trace_hash"]);
}

TEST(DenialOfRemoveRunTest, MKeepersStillDecryptAndOneSignatureReturnsTheStaleRow) {
  // Member 0, which the receiver goes through, keeps the row: asking one
  // signature buys exactly its word.
  std::string path = variant({{"dishonest", {0, 3, 6}}, {"read_signatures", 1}}, "m-keepers");
  SimRun run = run_sim(path);
  fs::remove(path);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.summary["dishonest"], 3);
  EXPECT_EQ(run.summary["revoked_fragment_holders"], 3);
  EXPECT_EQ(run.summary["after_decrypted"], 1);
  EXPECT_EQ(run.summary["stale_row_returned"], 1);
}

TEST(DenialOfRemoveRunTest, ABadFieldExitsTwoNamingIt) {
  std::string path = variant({{"members", "seven"}}, "bad");
  SimRun run = run_sim(path);
  fs::remove(path);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("scenario.share.members: expected an integer"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace fluence::sim
