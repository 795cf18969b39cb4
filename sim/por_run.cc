#include "sim/por_run.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/run_output.h"

namespace fluence::sim {

PorRun::PorRun(World& world, const Scenario& scenario, uint64_t seed, bool progress)
    : world_(world), scenario_(scenario), seed_(seed), progress_(progress), cases_(scenario.por.cases.size()) {
  FL_ASSERT(world_.size() == 3 * cases_.size() + 1);
  for (size_t c = 0; c < cases_.size(); ++c) {
    cases_[c].dataset[0] = 0xd5;
    cases_[c].dataset[1] = static_cast<uint8_t>(c);
  }
}

PorRun::~PorRun() = default;

void PorRun::configure() {
  world_.set_node_config([this](size_t) {
    node::NodeConfig config;
    config.dht = scenario_.dht;  // no bootstrap: these nodes need no DHT
    return config;
  });
}

void PorRun::fill(size_t c, size_t member, node::Node* node) {
  FL_ASSERT(node != nullptr);
  node->start();
  size_t index = 3 * c + member;
  Result<storage::Dataset> opened = storage::Dataset::open(world_.env(index).store(), cases_[c].dataset);
  FL_ASSERT(opened.is_ok());
  storage::Dataset* dataset = (replicas_[index] = std::make_unique<storage::Dataset>(std::move(*opened))).get();
  por::Prover* prover = (provers_[index] = std::make_unique<por::Prover>(*dataset, node->identity().key)).get();
  node->rpc().replace_handler(rpc::Protocol::kPor, [prover](const env::Peer& from, rpc::Kind kind, ByteView body) {
    return prover->on_message(from, kind, body);
  });
  // Every replica of a case writes the same rows: one rng per case.
  env::DeterministicRandom random(seed_, 0x9000 + c);
  storage::JournalEntry entry{1, {}};
  for (int r = 0; r < scenario_.por.rows; ++r) {
    std::string key = "row-" + std::to_string(r);
    Bytes value(static_cast<size_t>(scenario_.por.row_bytes));
    random.fill(value);
    entry.mutations.push_back({storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()), std::move(value), {}, {}});
  }
  Status applied = dataset->apply(entry);
  FL_ASSERT_MSG(applied.is_ok(), applied.message().c_str());
  if (member == 0) {
    cases_[c].root = dataset->state_root();
    cases_[c].entries = dataset->entry_count();
  }
  if (member == 2) {  // the lazy one deletes what it was paid to keep
    double f = scenario_.por.cases[c].forgotten_fraction;
    uint64_t forget = static_cast<uint64_t>(std::llround(f * static_cast<double>(dataset->entry_count())));
    env::DeterministicRandom pick(seed_, 0xa000 + c);
    std::set<uint64_t> gone;
    while (gone.size() < forget) gone.insert(pick.uniform(dataset->entry_count()));
    for (uint64_t lost : gone) FL_ASSERT(dataset->silently_forget(lost).is_ok());
    cases_[c].forgotten = gone.size();
  }
}

void PorRun::round(size_t c, uint64_t tick, node::Node* arbiter_node) {
  CaseState& state = cases_[c];
  if (!state.arbiter) {
    por::RoundConfig config;
    config.chunks = static_cast<uint16_t>(scenario_.por.cases[c].chunks);
    config.openings = static_cast<uint16_t>(scenario_.por.openings);
    config.max_response_time = std::chrono::microseconds(static_cast<int64_t>(scenario_.por.max_response_ms * 1000));
    state.arbiter = std::make_unique<por::Arbiter>(world_.env(arbiter_index()), arbiter_node->rpc(),
                                                   arbiter_node->identity().key, config);
  }
  std::vector<por::Member> members;
  for (size_t m = 0; m < 3; ++m) members.push_back({World::address_of(3 * c + m), world_.identity(3 * c + m).key.public_key()});
  state.arbiter->run_round(state.dataset, tick, state.root, state.entries, members,
                           [this, c](std::vector<por::PorVerdict> verdicts) {
                             CaseState& s = cases_[c];
                             ++s.rounds;
                             if (!verdicts[2].passed()) ++s.detected;
                             s.honest_failures += (verdicts[0].passed() ? 0 : 1) + (verdicts[1].passed() ? 0 : 1);
                           });
}

void PorRun::schedule() {
  for (size_t c = 0; c < cases_.size(); ++c) {
    for (size_t m = 0; m < 3; ++m) {
      world_.at(0, 3 * c + m, [this, c, m](node::Node* node) { fill(c, m, node); });
    }
  }
  const double first = 1.0;
  for (int k = 0; k < scenario_.por.challenges; ++k) {
    double at = first + k * scenario_.por.tick_s;
    world_.at(at, arbiter_index(), [this, k](node::Node* arbiter) {
      if (arbiter == nullptr) return;
      for (size_t c = 0; c < cases_.size(); ++c) round(c, static_cast<uint64_t>(k), arbiter);
    });
  }
  if (progress_) {
    for (double t = 0; t <= scenario_.end_s; t += scenario_.sample_interval_s) {
      world_.control_at(t, [this] {
        std::fprintf(stderr, "\r  simulated %8.0f / %.0f s   rounds %d/%d ", world_.now(), scenario_.end_s,
                     cases_.empty() ? 0 : cases_[0].rounds, scenario_.por.challenges);
        std::fflush(stderr);
      });
    }
  }
}

Status PorRun::write_results(const std::filesystem::path& out, double wall_seconds) const {
  nlohmann::json cases = nlohmann::json::array();
  for (size_t c = 0; c < cases_.size(); ++c) {
    const CaseState& s = cases_[c];
    cases.push_back({{"forgotten_fraction", scenario_.por.cases[c].forgotten_fraction},
                     {"chunks", scenario_.por.cases[c].chunks},
                     {"entries", s.entries},
                     {"forgotten_entries", s.forgotten},
                     {"rounds", s.rounds},
                     {"detected", s.detected},
                     {"honest_failures", s.honest_failures}});
  }
  nlohmann::json summary = summary_header(scenario_, seed_);
  summary.update({{"nodes", world_.size()},
                            {"openings", scenario_.por.openings},
                            {"max_response_ms", scenario_.por.max_response_ms},
                            {"cases", cases}});
  summary.update(run_cost(world_, scenario_.end_s, wall_seconds));
  std::ostringstream csv;
  csv << "case,forgotten_fraction,chunks,rounds,detected\n";
  for (size_t c = 0; c < cases_.size(); ++c) {
    csv << c << "," << scenario_.por.cases[c].forgotten_fraction << "," << scenario_.por.cases[c].chunks << ","
        << cases_[c].rounds << "," << cases_[c].detected << "\n";
  }
  return write_run_files(out, summary, csv.str());
}

void PorRun::print_summary(double wall_seconds) const {
  if (progress_) std::fprintf(stderr, "\n");
  for (size_t c = 0; c < cases_.size(); ++c) {
    std::printf("case %zu: f = %.3f, c = %d: caught %d of %d rounds\n", c, scenario_.por.cases[c].forgotten_fraction,
                scenario_.por.cases[c].chunks, cases_[c].detected, cases_[c].rounds);
  }
  std::printf("%.1f s wall\n", wall_seconds);
}

}  // namespace fluence::sim
