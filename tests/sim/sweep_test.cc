// Parameter sweeps: expansion, checking every point first, and a sweep that
// runs in parallel processes and resumes after an interruption.
#include "sim/sweep.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fluence::sim {
namespace {

namespace fs = std::filesystem;

nlohmann::json small_scenario() {
  return {{"question", "Does a sweep run and resume?"},
          {"kind", "kademlia-lookup"},
          {"name", "sweep-test"},
          {"nodes", 30},
          {"join_interval_ms", 50},
          {"settle_s", 5},
          {"lookups", 20},
          {"end_s", 20},
          {"dht", {{"puzzle_difficulty", 2}}}};
}

TEST(SweepTest, EveryPointRunsOncePerSeed) {
  nlohmann::json file = small_scenario();
  file["sweep"] = {{"parameters", {{"dht.bucket_size", {8, 16, 20}}, {"nodes", {30, 40}}}}, {"seeds", {4, 9}}};
  Result<std::vector<SweepRun>> runs = expand_sweep(file, "f.json");
  ASSERT_TRUE(runs.is_ok()) << runs.status().to_string();
  ASSERT_EQ(runs->size(), 12u);
  std::set<std::string> ids;
  std::set<std::pair<int, int>> points;
  for (const SweepRun& run : *runs) {
    ids.insert(run.id);
    EXPECT_FALSE(run.scenario.contains("sweep"));
    EXPECT_EQ(run.scenario["dht"]["puzzle_difficulty"], 2) << "fields around a swept one are kept";
    EXPECT_EQ(run.scenario["dht"]["bucket_size"], run.parameters["dht.bucket_size"]);
    points.insert({run.scenario["dht"]["bucket_size"].get<int>(), run.scenario["nodes"].get<int>()});
  }
  EXPECT_EQ(ids.size(), 12u);
  EXPECT_EQ(points.size(), 6u);

  file["sweep"] = {{"seed_count", 3}};
  runs = expand_sweep(file, "f.json");
  ASSERT_TRUE(runs.is_ok());
  EXPECT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[2].seed, 3u);
}

TEST(SweepTest, MistakesAreNamedBeforeAnythingRuns) {
  auto error_of = [](nlohmann::json sweep) {
    nlohmann::json file = small_scenario();
    file["sweep"] = std::move(sweep);
    Result<std::vector<SweepRun>> runs = expand_sweep(file, "f.json");
    return runs.is_ok() ? std::string() : runs.status().message();
  };
  EXPECT_NE(error_of({{"parameters", {{"dht.bukket_size", {8}}}}, {"seeds", {1}}}).find("bukket_size"), std::string::npos);
  EXPECT_NE(error_of({{"parameters", {{"nodes", {"many"}}}}, {"seeds", {1}}}).find("scenario.nodes"), std::string::npos);
  EXPECT_NE(error_of({{"parameters", {{"nodes", nlohmann::json::array()}}}, {"seeds", {1}}}).find("non-empty"),
            std::string::npos);
  EXPECT_NE(error_of({{"seeds", {1}}, {"seed_count", 2}}).find("either seeds or seed_count"), std::string::npos);
  EXPECT_NE(error_of({{"seeds", {1}}, {"runs", 2}}).find("scenario.sweep.runs: unknown field"), std::string::npos);
  EXPECT_NE(error_of({{"parameters", {{"question.x", {1}}}}, {"seeds", {1}}}).find("not an object"), std::string::npos);
}

TEST(SweepTest, ShippedSweepsExpand) {
  for (auto [name, count] : {std::pair<const char*, size_t>{"kademlia-bucket-sweep.json", 18},
                             std::pair<const char*, size_t>{"lazy-member-sweep.json", 60},
                             std::pair<const char*, size_t>{"lazy-fetch-sweep.json", 60},
                             std::pair<const char*, size_t>{"committee-capture.json", 15},
                             std::pair<const char*, size_t>{"colluding-cluster-sweep.json", 180},
                             std::pair<const char*, size_t>{"colluding-cluster-small.json", 6},
                             std::pair<const char*, size_t>{"colluding-cluster-replace.json", 30},
                             std::pair<const char*, size_t>{"flaky-members-sweep.json", 80}}) {
    std::ifstream in(std::string(FLUENCE_SCENARIOS_DIR) + "/" + name);
    nlohmann::json file = nlohmann::json::parse(in, nullptr, false);
    Result<std::vector<SweepRun>> runs = expand_sweep(file, name);
    ASSERT_TRUE(runs.is_ok()) << runs.status().to_string();
    EXPECT_EQ(runs->size(), count) << name;
  }
}

struct Invocation {
  int exit_code;
  std::string output;
};

Invocation run_binary(const std::string& args) {
  std::string command = std::string(FLUENCE_SIM_BINARY) + " " + args + " 2>&1";
  Invocation result{0, ""};
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  while (pipe && fgets(buffer, sizeof buffer, pipe)) result.output += buffer;
  int status = pipe ? pclose(pipe) : -1;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  nlohmann::json j = nullptr;
  if (in) in >> j;
  return j;
}

TEST(SweepTest, RunsInParallelProcessesAndResumes) {
  fs::path dir = fs::temp_directory_path() / ("fluence-sweep-test-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  nlohmann::json file = small_scenario();
  file["sweep"] = {{"parameters", {{"nodes", {30, 40}}}}, {"seeds", {1, 2}}};
  std::ofstream(dir / "sweep.json") << file.dump(2);
  fs::path out = dir / "out";
  std::string args = (dir / "sweep.json").string() + " --jobs 2 --out " + out.string();

  Invocation first = run_binary(args);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("sweep: 4 runs, 0 finished before, 4 now, 0 failed"), std::string::npos) << first.output;
  nlohmann::json index = read_json(out / "sweep.json");
  ASSERT_EQ(index.size(), 4u);
  std::map<std::string, nlohmann::json> summaries;
  for (const nlohmann::json& run : index) {
    fs::path folder = out / "runs" / run["id"].get<std::string>();
    EXPECT_TRUE(fs::exists(folder / "complete")) << folder;
    nlohmann::json summary = read_json(folder / "summary.json");
    ASSERT_TRUE(summary.is_object()) << folder;
    EXPECT_EQ(summary["nodes"], run["parameters"]["nodes"]);
    EXPECT_EQ(summary["seed"], run["seed"]);
    summaries[run["id"].get<std::string>()] = summary;
  }

  // An interruption: one run lost its folder, another died before it was
  // marked complete. Only those two run again, and they come out the same.
  std::string lost = index[0]["id"], unfinished = index[3]["id"];
  fs::remove_all(out / "runs" / lost);
  fs::remove(out / "runs" / unfinished / "complete");
  fs::remove(out / "runs" / unfinished / "summary.json");
  fs::last_write_time(out / "runs" / index[1]["id"].get<std::string>() / "summary.json",
                      fs::file_time_type::clock::now() - std::chrono::hours(1));
  auto untouched_time = fs::last_write_time(out / "runs" / index[1]["id"].get<std::string>() / "summary.json");
  Invocation second = run_binary(args);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("sweep: 4 runs, 2 finished before, 2 now, 0 failed"), std::string::npos) << second.output;
  EXPECT_EQ(fs::last_write_time(out / "runs" / index[1]["id"].get<std::string>() / "summary.json"), untouched_time)
      << "a finished run ran again";
  for (const std::string& id : {lost, unfinished}) {
    nlohmann::json again = read_json(out / "runs" / id / "summary.json");
    ASSERT_TRUE(again.is_object()) << id;
    EXPECT_EQ(again["trace_hash"], summaries[id]["trace_hash"]) << id << ": a run is a function of (scenario, seed)";
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace fluence::sim
