#include "sim/sweep.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "sim/scenario.h"

namespace fluence::sim {

namespace fs = std::filesystem;

namespace {

volatile sig_atomic_t interrupted = 0;
void on_interrupt(int) { interrupted = 1; }

// Sets `value` at a dotted path, creating objects on the way.
Status set_path(nlohmann::json& root, const std::string& path, const nlohmann::json& value) {
  nlohmann::json* at = &root;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string name = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (name.empty()) return Status::error(ErrorCode::kMalformed, "empty name in the path \"" + path + "\"");
    if (!at->is_object()) return Status::error(ErrorCode::kMalformed, "\"" + path + "\" goes through a value that is not an object");
    if (dot == std::string::npos) {
      (*at)[name] = value;
      return Status::ok();
    }
    at = &(*at)[name];
    if (at->is_null()) *at = nlohmann::json::object();
    start = dot + 1;
  }
}

Status write_atomically(const fs::path& path, const std::string& text) {
  fs::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream file(temporary);
    file << text;
    if (!file) return Status::error(ErrorCode::kIo, "cannot write " + temporary.string());
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) return Status::error(ErrorCode::kIo, "cannot rename " + temporary.string() + ": " + error.message());
  return Status::ok();
}

std::string clock_text(double seconds) {
  long s = static_cast<long>(seconds + 0.5);
  char buffer[32];
  if (s >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", s / 3600, s / 60 % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%ldm%02lds", s / 60, s % 60);
  }
  return buffer;
}

void draw_progress(size_t done, size_t total, size_t running, double elapsed, double eta) {
  constexpr int kWidth = 30;
  int filled = total == 0 ? kWidth : static_cast<int>(kWidth * done / total);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  std::fprintf(stderr, "\r[%s] %zu/%zu runs, %zu running, %s elapsed, ETA %s   ", bar.c_str(), done, total, running,
               clock_text(elapsed).c_str(), eta < 0 ? "--" : clock_text(eta).c_str());
  std::fflush(stderr);
}

// Starts one run as a child process; its output goes to log.txt.
Result<pid_t> launch(const SweepRun& run, const fs::path& folder, const std::string& executable) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) return Status::error(ErrorCode::kIo, "cannot create " + folder.string() + ": " + error.message());
  fs::remove(folder / "complete", error);
  FL_RETURN_IF_ERROR(write_atomically(folder / "scenario.json", run.scenario.dump(2) + "\n"));
  std::string scenario = (folder / "scenario.json").string();
  std::string seed = std::to_string(run.seed);
  std::string out = folder.string();
  std::string log = (folder / "log.txt").string();
  pid_t pid = fork();
  if (pid < 0) return Status::error(ErrorCode::kIo, "cannot start a run: fork failed");
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    const char* argv[] = {executable.c_str(), scenario.c_str(), "--seed", seed.c_str(), "--out", out.c_str(), "--quiet",
                          nullptr};
    execv(executable.c_str(), const_cast<char* const*>(argv));
    _exit(127);
  }
  return pid;
}

}  // namespace

Result<std::vector<SweepRun>> expand_sweep(const nlohmann::json& file, const std::string& source) {
  auto error = [&](const std::string& what) { return Status::error(ErrorCode::kMalformed, source + ": scenario.sweep" + what); };
  if (!file.is_object() || !file.contains("sweep")) return error(": missing (this file is a single run)");
  const nlohmann::json& sweep = file["sweep"];
  if (!sweep.is_object()) return error(": expected an object");
  for (const auto& [key, value] : sweep.items()) {
    if (key != "parameters" && key != "seeds" && key != "seed_count") return error("." + key + ": unknown field");
  }
  std::vector<uint64_t> seeds;
  if (sweep.contains("seeds") == sweep.contains("seed_count")) return error(": give either seeds or seed_count");
  if (sweep.contains("seeds")) {
    const nlohmann::json& list = sweep["seeds"];
    if (!list.is_array() || list.empty()) return error(".seeds: expected a non-empty list of seeds");
    for (const nlohmann::json& s : list) {
      if (!s.is_number_integer() || s.get<int64_t>() < 0) return error(".seeds: expected non-negative integers");
      seeds.push_back(s.get<uint64_t>());
    }
  } else {
    const nlohmann::json& count = sweep["seed_count"];
    if (!count.is_number_integer() || count.get<int64_t>() < 1 || count.get<int64_t>() > 1'000'000) {
      return error(".seed_count: expected an integer from 1 to 1000000");
    }
    for (uint64_t s = 1; s <= count.get<uint64_t>(); ++s) seeds.push_back(s);
  }
  std::vector<std::pair<std::string, std::vector<nlohmann::json>>> axes;
  if (sweep.contains("parameters")) {
    const nlohmann::json& parameters = sweep["parameters"];
    if (!parameters.is_object()) return error(".parameters: expected an object of \"path\": [values]");
    for (const auto& [path, values] : parameters.items()) {
      if (!values.is_array() || values.empty()) return error(".parameters." + path + ": expected a non-empty list of values");
      axes.emplace_back(path, std::vector<nlohmann::json>(values.begin(), values.end()));
    }
  }
  size_t points = 1;
  for (const auto& axis : axes) points *= axis.second.size();
  if (points * seeds.size() > 1'000'000) return error(": more than 1,000,000 runs");

  nlohmann::json base = file;
  base.erase("sweep");
  std::vector<SweepRun> runs;
  for (size_t p = 0; p < points; ++p) {
    nlohmann::json scenario = base;
    nlohmann::json parameters = nlohmann::json::object();
    size_t rest = p;
    for (const auto& [path, values] : axes) {
      const nlohmann::json& value = values[rest % values.size()];
      rest /= values.size();
      Status set = set_path(scenario, path, value);
      if (!set.is_ok()) return error(".parameters." + path + ": " + set.message());
      parameters[path] = value;
    }
    // Every point is checked before anything runs.
    Result<Scenario> checked = parse_scenario(scenario.dump(), source + " (point " + parameters.dump() + ")");
    if (!checked) return checked.status();
    for (uint64_t seed : seeds) {
      char id[64];
      std::snprintf(id, sizeof id, "p%03zu-seed%llu", p, static_cast<unsigned long long>(seed));
      runs.push_back({id, p, seed, parameters, scenario});
    }
  }
  return runs;
}

Result<SweepOutcome> run_sweep(const std::vector<SweepRun>& runs, const SweepOptions& options) {
  fs::path out(options.out);
  std::error_code error;
  fs::create_directories(out / "runs", error);
  if (error) return Status::error(ErrorCode::kIo, "cannot create " + (out / "runs").string() + ": " + error.message());
  nlohmann::json index = nlohmann::json::array();
  for (const SweepRun& run : runs) {
    index.push_back({{"id", run.id}, {"point", run.point}, {"seed", run.seed}, {"parameters", run.parameters}});
  }
  FL_RETURN_IF_ERROR(write_atomically(out / "sweep.json", index.dump(2) + "\n"));

  SweepOutcome outcome;
  std::vector<const SweepRun*> pending;
  for (const SweepRun& run : runs) {
    if (fs::exists(out / "runs" / run.id / "complete")) {
      ++outcome.skipped;
    } else {
      pending.push_back(&run);
    }
  }
  if (options.progress) {
    std::fprintf(stderr, "sweep: %zu runs, %zu finished before, %zu to run on %d jobs\n", runs.size(), outcome.skipped,
                 pending.size(), options.jobs);
  }
  // Ctrl-C or a kill stops the running runs too, rather than leaving them
  // orphaned; what finished stays finished.
  interrupted = 0;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);
  using Clock = std::chrono::steady_clock;
  Clock::time_point start = Clock::now();
  std::map<pid_t, std::pair<const SweepRun*, Clock::time_point>> running;
  double run_seconds = 0;  // summed over the runs finished now
  size_t next = 0;
  while (next < pending.size() || !running.empty()) {
    while (next < pending.size() && running.size() < static_cast<size_t>(options.jobs)) {
      const SweepRun* run = pending[next++];
      Result<pid_t> pid = launch(*run, out / "runs" / run->id, options.executable);
      if (!pid) {
        for (const auto& [child, info] : running) kill(child, SIGTERM);
        return pid.status();
      }
      running.emplace(*pid, std::make_pair(run, Clock::now()));
    }
    if (options.progress) {
      size_t done = outcome.skipped + outcome.finished + outcome.failed.size();
      double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      size_t ended = outcome.finished + outcome.failed.size();
      double eta = ended == 0 ? -1
                              : run_seconds / static_cast<double>(ended) *
                                    static_cast<double>(pending.size() - ended) / options.jobs;
      draw_progress(done, runs.size(), running.size(), elapsed, eta);
    }
    int status = 0;
    pid_t child = waitpid(-1, &status, 0);
    if (interrupted) break;
    if (child < 0) continue;  // interrupted by another signal: look again
    auto it = running.find(child);
    if (it == running.end()) continue;
    const SweepRun* run = it->second.first;
    run_seconds += std::chrono::duration<double>(Clock::now() - it->second.second).count();
    running.erase(it);
    fs::path folder = out / "runs" / run->id;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && write_atomically(folder / "complete", "").is_ok()) {
      ++outcome.finished;
    } else {
      outcome.failed.push_back(run->id + " (see " + (folder / "log.txt").string() + ")");
    }
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  if (interrupted) {
    for (const auto& [child, info] : running) kill(child, SIGTERM);
    for (const auto& [child, info] : running) waitpid(child, nullptr, 0);
    if (options.progress) std::fprintf(stderr, "\n");
    return Status::error(ErrorCode::kUnavailable, "interrupted after " + std::to_string(outcome.finished) +
                                                      " runs; run the same command again to resume");
  }
  if (options.progress) {
    draw_progress(runs.size() - outcome.failed.size(), runs.size(), 0,
                  std::chrono::duration<double>(Clock::now() - start).count(), 0);
    std::fprintf(stderr, "\n");
  }
  return outcome;
}

}  // namespace fluence::sim
