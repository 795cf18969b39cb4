#include "sim/network_por_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "model/chain/placement.h"
#include "model/crypto/hash.h"
#include "sim/id_index.h"
#include "sim/run_output.h"

namespace fluence::sim {

namespace {

double wall_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

// One copy of a dataset in memory: the one every honest member answers
// from, or one lazy member's.
struct NetworkPorRun::Replica {
  env::MemoryStore store;
  std::unique_ptr<storage::Dataset> dataset;
  std::vector<std::unique_ptr<por::Prover>> provers;  // one per node answering from it
};

NetworkPorRun::NetworkPorRun(World& world, const Scenario& scenario, uint64_t seed, bool progress)
    : world_(world), scenario_(scenario), spec_(scenario.por_network), seed_(seed), progress_(progress) {}

NetworkPorRun::~NetworkPorRun() = default;

void NetworkPorRun::configure() {
  world_.set_node_config([this](size_t) {
    node::NodeConfig config;
    config.dht = scenario_.dht;  // no bootstrap: placement is computed, not looked up
    return config;
  });
  size_t n = world_.size();
  lazy_.assign(n, false);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  env::DeterministicRandom pick(seed_, 0x1a2b);
  size_t lazy_count = static_cast<size_t>(std::llround(spec_.lazy_fraction * static_cast<double>(n)));
  for (size_t i = 0; i < lazy_count; ++i) {
    std::swap(order[i], order[i + pick.uniform(n - i)]);
    lazy_[order[i]] = true;
  }
  place();
  provers_.resize(n);
  for (size_t c = 0; c < clusters_.size(); ++c) fill(c);
  for (size_t i = 0; i < n; ++i) {
    if (provers_[i].empty()) continue;
    world_.at(0, i, [this, i](node::Node* node) {
      FL_ASSERT(node != nullptr);
      node->rpc().replace_handler(rpc::Protocol::kPor, [this, i](const env::Peer& from, rpc::Kind kind, ByteView body) {
        std::optional<storage::DatasetId> dataset = por::PorChallenge::peek_dataset(body);
        for (const auto& [id, prover] : provers_[i]) {
          if (dataset && id == *dataset) return prover->on_message(from, kind, body);
        }
        return std::optional<Bytes>();
      });
    });
  }
}

void NetworkPorRun::place() {
  size_t n = world_.size();
  std::vector<dht::NodeId> ids;
  ids.reserve(n);
  for (size_t i = 0; i < n; ++i) ids.push_back(world_.identity(i).id);
  IdIndex index(std::move(ids));
  size_t k = static_cast<size_t>(spec_.cluster_size);
  size_t datasets = std::max<size_t>(1, n / k);
  env::DeterministicRandom offsets(seed_, 0x0ff5);
  clusters_.resize(datasets);
  for (size_t c = 0; c < datasets; ++c) {
    Cluster& cluster = clusters_[c];
    uint8_t number[16];
    for (int b = 0; b < 8; ++b) {
      number[b] = static_cast<uint8_t>(seed_ >> (56 - 8 * b));
      number[8 + b] = static_cast<uint8_t>(static_cast<uint64_t>(c) >> (56 - 8 * b));
    }
    cluster.dataset = crypto::blake2b_256("fluence/sim-network-dataset", {ByteView(number, 16)});
    dht::NodeId target;
    target.bytes = cluster.dataset;
    std::vector<size_t> members = index.closest(target, k, {});
    for (size_t m : members) cluster.members.push_back(Member{m, lazy_[m], 0, -1});
    cluster.arbiter = index.closest(chain::arbiter_anchor(cluster.dataset, 0, crypto::Hash256{}), 1, members)[0];
    cluster.offset_s = offsets.unit() * spec_.round_spread_s;
  }
}

void NetworkPorRun::fill(size_t c) {
  Cluster& cluster = clusters_[c];
  // Every replica of a dataset writes the same rows: one rng per dataset.
  env::DeterministicRandom random(seed_, 0x9000'0000ULL + c);
  storage::JournalEntry entry{1, {}};
  for (int r = 0; r < spec_.rows; ++r) {
    std::string key = "row-" + std::to_string(r);
    Bytes value(static_cast<size_t>(spec_.row_bytes));
    random.fill(value);
    entry.mutations.push_back({storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()), std::move(value), {}, {}});
  }
  auto make_replica = [&] {
    auto replica = std::make_unique<Replica>();
    Result<storage::Dataset> opened = storage::Dataset::open(replica->store, cluster.dataset);
    FL_ASSERT(opened.is_ok());
    replica->dataset = std::make_unique<storage::Dataset>(std::move(*opened));
    Status applied = replica->dataset->apply(entry);
    FL_ASSERT_MSG(applied.is_ok(), applied.message().c_str());
    return replica;
  };
  std::unique_ptr<Replica> honest = make_replica();
  cluster.root = honest->dataset->state_root();
  cluster.entries = honest->dataset->entry_count();
  cluster.forgotten = static_cast<uint64_t>(std::llround(spec_.forgotten_fraction * static_cast<double>(cluster.entries)));
  auto add_prover = [&](Replica& replica, size_t node) {
    replica.provers.push_back(std::make_unique<por::Prover>(*replica.dataset, world_.identity(node).key));
    provers_[node].emplace_back(cluster.dataset, replica.provers.back().get());
  };
  for (const Member& member : cluster.members) {
    if (!member.lazy) {
      add_prover(*honest, member.node);
      continue;
    }
    // A lazy member deletes what it was paid to keep: its own choice of entries.
    std::unique_ptr<Replica> own = make_replica();
    env::DeterministicRandom forget(seed_, 0xa000'0000ULL + c * 1024 + member.node % 1024);
    std::set<uint64_t> gone;
    while (gone.size() < cluster.forgotten) gone.insert(forget.uniform(cluster.entries));
    for (uint64_t lost : gone) FL_ASSERT(own->dataset->silently_forget(lost).is_ok());
    add_prover(*own, member.node);
    replicas_.push_back(std::move(own));
  }
  replicas_.push_back(std::move(honest));
}

double NetworkPorRun::tick_start(int tick) const { return 1.0 + tick * spec_.tick_s; }

void NetworkPorRun::schedule() {
  ticks_.assign(static_cast<size_t>(spec_.ticks), TickCounts{});
  for (size_t c = 0; c < clusters_.size(); ++c) {
    world_.at(tick_start(0) + clusters_[c].offset_s, clusters_[c].arbiter,
              [this, c](node::Node* arbiter) { round(c, 0, arbiter); });
  }
  wall_start_ = wall_now();
  if (progress_) {
    for (int t = 0; t <= spec_.ticks; ++t) world_.control_at(tick_start(t), [this] { report_progress(); });
  }
}

void NetworkPorRun::round(size_t c, int tick, node::Node* arbiter_node) {
  FL_ASSERT(arbiter_node != nullptr);  // this scenario crashes no node
  Cluster& cluster = clusters_[c];
  if (tick + 1 < spec_.ticks) {
    world_.at(tick_start(tick + 1) + cluster.offset_s, cluster.arbiter,
              [this, c, tick](node::Node* arbiter) { round(c, tick + 1, arbiter); });
  }
  std::unique_ptr<por::Arbiter>& arbiter = arbiters_[cluster.arbiter];
  if (!arbiter) {
    por::RoundConfig config;
    config.chunks = static_cast<uint16_t>(spec_.chunks);
    config.openings = static_cast<uint16_t>(spec_.openings);
    config.max_response_time = std::chrono::microseconds(static_cast<int64_t>(spec_.max_response_ms * 1000));
    arbiter = std::make_unique<por::Arbiter>(world_.env(cluster.arbiter), arbiter_node->rpc(),
                                             world_.identity(cluster.arbiter).key, config);
  }
  std::vector<size_t> challenged;
  std::vector<por::Member> members;
  for (size_t m = 0; m < cluster.members.size(); ++m) {
    if (cluster.members[m].ejected_at >= 0) continue;
    size_t node = cluster.members[m].node;
    challenged.push_back(m);
    members.push_back({World::address_of(node), world_.identity(node).key.public_key()});
  }
  arbiter->run_round(cluster.dataset, static_cast<uint64_t>(tick), cluster.root, cluster.entries, members,
                     [this, c, tick, challenged](std::vector<por::PorVerdict> verdicts) {
                       judge(c, tick, challenged, verdicts);
                     });
}

void NetworkPorRun::judge(size_t c, int tick, const std::vector<size_t>& challenged,
                          const std::vector<por::PorVerdict>& verdicts) {
  FL_ASSERT(challenged.size() == verdicts.size());
  TickCounts& counts = ticks_[static_cast<size_t>(tick)];
  ++counts.rounds;
  for (size_t v = 0; v < verdicts.size(); ++v) {
    Member& member = clusters_[c].members[challenged[v]];
    bool failed = !verdicts[v].passed();
    (member.lazy ? counts.lazy_challenged : counts.honest_challenged) += 1;
    (member.lazy ? counts.lazy_failed : counts.honest_failed) += failed ? 1 : 0;
    member.failed_in_a_row = failed ? member.failed_in_a_row + 1 : 0;
    if (member.failed_in_a_row >= spec_.eject_after_failed_ticks) {
      member.ejected_at = tick;
      ++counts.ejected;
    }
  }
}

void NetworkPorRun::report_progress() {
  int tick = static_cast<int>(std::floor((world_.now() - 1.0) / spec_.tick_s + 1e-9));
  double elapsed = wall_now() - wall_start_;
  double eta = tick > 0 ? elapsed / tick * (spec_.ticks - tick) : 0;
  std::fprintf(stderr, "\r  tick %d/%d   %.0f s wall   ETA %.0f s   ", std::min(tick, spec_.ticks), spec_.ticks, elapsed, eta);
  std::fflush(stderr);
}

NetworkPorRun::TickCounts NetworkPorRun::totals() const {
  TickCounts total;
  for (const TickCounts& k : ticks_) {
    total.rounds += k.rounds;
    total.lazy_challenged += k.lazy_challenged;
    total.lazy_failed += k.lazy_failed;
    total.honest_challenged += k.honest_challenged;
    total.honest_failed += k.honest_failed;
    total.ejected += k.ejected;
  }
  return total;
}

Status NetworkPorRun::write_results(const std::filesystem::path& out, double wall_seconds) const {
  std::ostringstream csv;
  csv << "tick,rounds,lazy_challenged,lazy_failed,honest_challenged,honest_failed,ejected\n";
  for (size_t t = 0; t < ticks_.size(); ++t) {
    const TickCounts& k = ticks_[t];
    csv << t << "," << k.rounds << "," << k.lazy_challenged << "," << k.lazy_failed << "," << k.honest_challenged
        << "," << k.honest_failed << "," << k.ejected << "\n";
  }
  TickCounts total = totals();
  // Ticks to ejection of every lazy replica: ejected in tick t counts t + 1; never, -1.
  nlohmann::json to_ejection = nlohmann::json::array();
  size_t nodes_holding = 0;
  uint64_t member_slots = 0;
  for (const Cluster& cluster : clusters_) {
    member_slots += cluster.members.size();
    for (const Member& member : cluster.members) {
      if (member.lazy) to_ejection.push_back(member.ejected_at >= 0 ? member.ejected_at + 1 : -1);
    }
  }
  for (const auto& held : provers_) nodes_holding += held.empty() ? 0 : 1;
  size_t lazy_nodes = static_cast<size_t>(std::count(lazy_.begin(), lazy_.end(), true));
  uint64_t entries = clusters_.empty() ? 0 : clusters_[0].entries;
  uint64_t forgotten = clusters_.empty() ? 0 : clusters_[0].forgotten;
  nlohmann::json summary = summary_header(scenario_, seed_);
  summary.update({{"nodes", world_.size()},
                  {"datasets", clusters_.size()},
                  {"cluster_size", spec_.cluster_size},
                  {"nodes_holding_replicas", nodes_holding},
                  {"replicas", member_slots},
                  {"lazy_nodes", lazy_nodes},
                  {"entries", entries},
                  {"forgotten_entries", forgotten},
                  {"chunks", spec_.chunks},
                  {"openings", spec_.openings},
                  {"ticks", spec_.ticks},
                  {"tick_s", spec_.tick_s},
                  {"eject_after_failed_ticks", spec_.eject_after_failed_ticks},
                  {"rounds", total.rounds},
                  {"lazy_challenged", total.lazy_challenged},
                  {"lazy_failed", total.lazy_failed},
                  {"honest_challenged", total.honest_challenged},
                  {"honest_failed", total.honest_failed},
                  {"lazy_ejected", total.ejected},
                  {"ticks_to_ejection", to_ejection},
                  {"signatures", scenario_.signatures}});
  summary.update(run_cost(world_, scenario_.end_s, wall_seconds));
  return write_run_files(out, summary, csv.str());
}

void NetworkPorRun::print_summary(double wall_seconds) const {
  if (progress_) std::fprintf(stderr, "\n");
  TickCounts total = totals();
  std::printf("%zu nodes, %zu datasets, %d ticks: lazy members failed %llu of %llu challenges, %llu ejected; "
              "honest members failed %llu of %llu\n",
              world_.size(), clusters_.size(), spec_.ticks, static_cast<unsigned long long>(total.lazy_failed),
              static_cast<unsigned long long>(total.lazy_challenged), static_cast<unsigned long long>(total.ejected),
              static_cast<unsigned long long>(total.honest_failed), static_cast<unsigned long long>(total.honest_challenged));
  std::printf("%.1f s wall, %.0f MB peak\n", wall_seconds, peak_rss_mb());
}

}  // namespace fluence::sim
