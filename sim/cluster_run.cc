#include "sim/cluster_run.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "model/adversary/collusion.h"
#include "sim/run_output.h"

namespace fluence::sim {

ClusterRun::ClusterRun(World& world, const Scenario& scenario, uint64_t seed, bool progress)
    : world_(world), scenario_(scenario), spec_(scenario.cluster), seed_(seed), progress_(progress) {
  FL_ASSERT(world_.size() == static_cast<size_t>(spec_.members + spec_.arbiters));
  dataset_[0] = 0x1a;
  for (size_t m : spec_.lazy) ejected_at_[m] = std::nullopt;
  for (size_t m : spec_.banned) ejected_at_[m] = std::nullopt;
  env::DeterministicRandom draw(seed_, 0x1c00);
  for (size_t a = 0; a < static_cast<size_t>(spec_.arbiters); ++a) {
    if (draw.chance(spec_.corrupted_arbiter_fraction)) corrupted_.insert(static_cast<size_t>(spec_.members) + a);
  }
}

bool ClusterRun::is_lazy(size_t member) const {
  return std::find(spec_.lazy.begin(), spec_.lazy.end(), member) != spec_.lazy.end();
}

bool ClusterRun::is_faulty(size_t member) const { return ejected_at_.count(member) != 0 || is_flaky(member); }

bool ClusterRun::is_flaky(size_t member) const {
  return std::find(spec_.flaky.begin(), spec_.flaky.end(), member) != spec_.flaky.end();
}

size_t ClusterRun::fast_members() const {
  // Members whose clock runs ahead of the skew bound by the end of the run.
  size_t fast = 0;
  double bound_s = std::min(1.0, spec_.tick_s / 10);
  for (const ClockSkew& skew : scenario_.clocks) {
    double ahead_s = skew.offset_ms / 1000 + skew.drift * scenario_.end_s;
    if (skew.node < static_cast<size_t>(spec_.members) && ahead_s > bound_s) ++fast;
  }
  return fast;
}

size_t ClusterRun::observer() const {
  for (size_t m = 0; m < static_cast<size_t>(spec_.members); ++m) {
    if (!is_faulty(m)) return m;
  }
  FL_ASSERT(false);
  return 0;
}

void ClusterRun::configure() {
  node::HostedDataset hosted = world_.cluster_roster(dataset_, static_cast<size_t>(spec_.members));
  std::vector<crypto::PublicKey> honest_arbiters;
  for (const consensus::Validator& a : hosted.arbiters) {
    size_t index = static_cast<size_t>(&a - hosted.arbiters.data()) + static_cast<size_t>(spec_.members);
    if (corrupted_.count(index) == 0) honest_arbiters.push_back(a.key);
  }
  world_.set_node_config([this, hosted, honest_arbiters](size_t i) {
    node::NodeConfig config = world_.cluster_node_config(hosted, spec_.block_interval_ms, spec_.tick_s);
    cluster::ClusterConfig& c = config.cluster;
    c.por.chunks = static_cast<uint16_t>(spec_.chunks);
    c.por.openings = static_cast<uint16_t>(spec_.openings);
    c.ejection.failed_ticks = static_cast<uint64_t>(spec_.eject_after_failed_ticks);
    c.ejection.offline_ticks = static_cast<uint64_t>(spec_.eject_after_offline_ticks);
    c.rules.inclusion_ticks = static_cast<uint64_t>(spec_.inclusion_ticks);
    c.rules.halt_ticks = static_cast<uint64_t>(spec_.halt_ticks);
    c.por.max_response_time = std::chrono::microseconds(static_cast<int64_t>(spec_.max_response_ms * 1000));
    if (colluding() && i < static_cast<size_t>(spec_.members)) c.member_conduct = adversary::colluding_member(honest_arbiters);
    if (fetching() && i == spec_.lazy.front()) c.member_conduct.colludes_with = World::address_of(static_cast<size_t>(spec_.accomplice));
    if (fetching() && i == static_cast<size_t>(spec_.accomplice)) c.member_conduct.colludes_with = World::address_of(spec_.lazy.front());
    if (corrupted_.count(i) != 0) c.arbiter_conduct = adversary::corrupted_arbiter();
    if (spec_.period_ticks > 0) c.gateway = &gateway_;
    return config;
  });
}

void ClusterRun::write_rows(node::Node* node) {
  env::DeterministicRandom random(seed_, 0x1a00);
  constexpr int kRowsPerWrite = 100;
  for (int first = 0; first < spec_.rows; first += kRowsPerWrite) {
    std::vector<storage::Mutation> rows;
    for (int r = first; r < std::min(spec_.rows, first + kRowsPerWrite); ++r) {
      std::string key = "row-" + std::to_string(r);
      Bytes value(static_cast<size_t>(spec_.row_bytes));
      random.fill(value);
      rows.push_back({storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()), std::move(value), {}, {}});
    }
    size_t count = rows.size();
    node->write(dataset_, std::move(rows), [this, count](Result<uint64_t> r) {
      if (r) rows_acknowledged_ += count;
    });
  }
}

void ClusterRun::client_write(std::optional<size_t> arbiter, node::Node* node, int i) {
  // Decided on what was known before this instant, so that every copy of
  // the write agrees on who takes it.
  bool replaced = replaced_s_ && *replaced_s_ < world_.now();
  std::optional<size_t> writer = replaced ? replaced_by_ : std::nullopt;
  if (arbiter != writer) return;
  if (node == nullptr || (replaced_all_s_ && world_.now() > *replaced_all_s_ + spec_.tick_s / 2)) return;
  std::string key = "client-" + std::to_string(i % 50);
  size_t slot = writes_.size();
  writes_.push_back({world_.now(), false});
  node->write(dataset_, {{storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()), Bytes(32, static_cast<uint8_t>(i)), {}, {}}},
              [this, slot](Result<uint64_t> r) { writes_[slot].committed = r.is_ok(); });
}

void ClusterRun::forget(size_t member, node::Node* node) {
  if (node == nullptr) return;
  storage::Dataset* dataset = node->dataset(dataset_);
  FL_ASSERT(dataset != nullptr);
  uint64_t n = dataset->entry_count();
  uint64_t count = static_cast<uint64_t>(std::llround(spec_.forgotten_fraction * static_cast<double>(n)));
  env::DeterministicRandom pick(seed_, 0x1b00 + member);
  std::set<uint64_t> gone;
  while (gone.size() < count) gone.insert(pick.uniform(n));
  for (uint64_t index : gone) FL_ASSERT(dataset->silently_forget(index).is_ok());
  forgotten_[member] = gone.size();
}

void ClusterRun::sample(node::Node* node) {
  if (node == nullptr || node->chain(dataset_) == nullptr) return;
  const cluster::ClusterChain& chain = *node->chain(dataset_);
  height_ = chain.height();
  sealed_height_ = chain.sealed_height();
  // Sampled at least once a block interval, so a block is checked against
  // the true tick within one interval of its commit.
  uint64_t true_tick = static_cast<uint64_t>(world_.now() / spec_.tick_s);
  for (; scanned_height_ < height_; ++scanned_height_) {
    Result<std::optional<chain::Block>> block = chain.block(scanned_height_ + 1);
    if (!block || !block->has_value()) break;
    int64_t lead = static_cast<int64_t>((*block)->header.tick) - static_cast<int64_t>(true_tick);
    max_tick_lead_ = std::max(max_tick_lead_, lead);
    if (lead > 0) ++early_blocks_;
  }
  arbiter_quorum_ = chain.book().roster().arbiter_quorum();
  if (spec_.period_ticks > 0) sample_contract(chain);
  if (sealed_height_ > 0) {
    Result<std::optional<chain::Block>> sealed = chain.block(sealed_height_);
    if (sealed && sealed->has_value()) {
      sealed_tick_ = (*sealed)->header.tick;
      max_sealed_lead_ = std::max(max_sealed_lead_, static_cast<int64_t>((*sealed)->header.tick) - static_cast<int64_t>(true_tick));
    }
  }
  ticks_run_ = static_cast<uint64_t>(world_.now() / spec_.tick_s);
  last_sample_s_ = world_.now();
  honest_ejected_ = 0;
  for (const cluster::MembershipChange& change : chain.book().membership().changes()) {
    bool found = false;
    for (auto& [member, tick] : ejected_at_) {
      if (world_.identity(member).key.public_key() != change.ejected) continue;
      found = true;
      if (!tick) {
        Result<std::optional<chain::Block>> block = chain.block(change.height);
        tick = block && block->has_value() ? (*block)->header.tick : ticks_run_;
      }
    }
    if (!found) ++honest_ejected_;
  }
  honest_failed_ = 0;
  colluders_ = {};
  for (size_t m = 0; m < static_cast<size_t>(spec_.members); ++m) {
    cluster::ProofRecord r = chain.verdicts().record(world_.identity(m).key.public_key());
    if (colluding()) {
      colluders_.proven += r.proven;
      colluders_.failed += r.failed;
      colluders_.offline += r.offline;
    } else if (!is_faulty(m)) {
      honest_failed_ += r.failed + r.offline;
    }
    if (fetching() && m == spec_.lazy.front()) lazy_record_ = r;
  }
  bool all_ejected = std::all_of(ejected_at_.begin(), ejected_at_.end(), [](const auto& e) { return e.second.has_value(); });
  if (!ejected_at_.empty() && all_ejected && !ending_) {
    // One more tick for the recruits to rebuild and join, with client writes
    // for half of it only, so that every replica settles on one state; then stop.
    ending_ = true;
    replaced_all_s_ = world_.now();
    double check = world_.now() + spec_.tick_s;
    auto root = std::make_shared<crypto::Hash256>();
    world_.at(check - 1, observer(), [this, root](node::Node* n) {
      if (n != nullptr && n->dataset(dataset_) != nullptr) *root = n->dataset(dataset_)->state_root();
    });
    for (const cluster::MembershipChange& change : chain.book().membership().changes()) {
      for (size_t i = 0; i < world_.size(); ++i) {
        if (world_.identity(i).key.public_key() != change.replacement.key) continue;
        world_.at(check, i, [this, i, root](node::Node* recruit) {
          cluster::ClusterChain* c = recruit ? recruit->chain(dataset_) : nullptr;
          recovered_[i] = c != nullptr && c->takes_part() && recruit->dataset(dataset_)->state_root() == *root;
        });
      }
    }
    world_.at(check + 1, observer(), [this](node::Node*) { world_.end_now(); });
  }
  if (progress_) {
    std::fprintf(stderr, "\r  simulated %8.0f / %.0f s   tick %llu   height %llu   replaced %zu/%zu ", world_.now(),
                 scenario_.end_s, static_cast<unsigned long long>(ticks_run_), static_cast<unsigned long long>(height_),
                 static_cast<size_t>(std::count_if(ejected_at_.begin(), ejected_at_.end(),
                                                   [](const auto& e) { return e.second.has_value(); })),
                 ejected_at_.size());
    std::fflush(stderr);
  }
}

double ClusterRun::access_latency_ms(size_t i) const {
  const std::vector<Region>& regions = scenario_.network.regions;
  FL_ASSERT(!regions.empty());
  double total = 0;
  for (const Region& r : regions) total += r.weight;
  double position = (static_cast<double>(i) + 0.5) / static_cast<double>(world_.size()) * total;
  double cumulative = 0;
  for (const Region& r : regions) {
    cumulative += r.weight;
    if (position < cumulative) return r.access_latency_ms;
  }
  return regions.back().access_latency_ms;
}

void ClusterRun::sample_capture(size_t index, node::Node* node) {
  if (node == nullptr) return;
  if (const cluster::ChainArbiter* arbiter = node->arbiter(dataset_); arbiter != nullptr && arbiter->capture()) {
    capture_height_ = arbiter->capture()->height();
    if (!captured_s_) captured_s_ = world_.now();
  }
  const cluster::ClusterChain* chain = node->chain(dataset_);
  if (chain == nullptr || !chain->takes_part()) return;
  for (const cluster::MembershipChange& change : chain->book().membership().changes()) {
    if (change.reason != chain::EjectionVote::Reason::kCaptured) continue;
    capture_height_ = change.height;
    recruits_joined_.insert(index);
    break;
  }
  if (capture_height_ && chain->sealed_height() > *capture_height_) {
    replaced_sealed_height_ = std::max(replaced_sealed_height_, chain->sealed_height());
    if (!replaced_s_) {
      replaced_s_ = world_.now();
      replaced_by_ = index;
    }
  }
}

nlohmann::json ClusterRun::capture_results() const {
  // Which arbiters the certificate recruits is fixed by its block, so the
  // corrupted ones among them (who never join) are known here.
  node::HostedDataset hosted = world_.cluster_roster(dataset_, static_cast<size_t>(spec_.members));
  cluster::Roster genesis{hosted.members, hosted.arbiters, 0};
  uint64_t corrupted_recruits = 0;
  if (capture_height_) {
    std::optional<cluster::Roster> next = cluster::replacement_roster(genesis, dataset_, *capture_height_);
    FL_ASSERT(next.has_value());
    for (const consensus::Validator& recruit : next->members) {
      for (size_t a : corrupted_) corrupted_recruits += world_.identity(a).key.public_key() == recruit.key ? 1 : 0;
    }
  }
  auto tick_of = [&](const std::optional<double>& s) -> nlohmann::json {
    return s ? nlohmann::json(static_cast<uint64_t>(*s / spec_.tick_s)) : nlohmann::json(nullptr);
  };
  return {{"replaceable", spec_.arbiters > spec_.members ? 1 : 0},
          {"captured", capture_height_ ? 1 : 0},
          {"capture_height", capture_height_ ? *capture_height_ : 0},
          {"captured_tick", tick_of(captured_s_)},
          {"corrupted_recruits", corrupted_recruits},
          {"recruits_joined", recruits_joined_.size()},
          {"replaced", replaced_s_ ? 1 : 0},
          {"replaced_tick", tick_of(replaced_s_)},
          {"replaced_sealed_height", replaced_sealed_height_}};
}

void ClusterRun::sample_lazy(node::Node* node) {
  const por::Prover* prover = node ? node->prover(dataset_) : nullptr;
  if (prover == nullptr) return;
  lazy_challenges_ = prover->challenges_answered();
  lazy_touched_ = prover->fetches_sent();
  lazy_fetches_answered_ = prover->fetches_answered();
}

nlohmann::json ClusterRun::fetch_results() const {
  // The slowest arbiter's round trip to the lazy member, and the lazy
  // member's to its accomplice: a touched challenge's answer needs both
  // (as stated by the regions: exact for the CM02 network model).
  size_t lazy = spec_.lazy.front();
  double arbiter_ms = 0;
  for (size_t a = static_cast<size_t>(spec_.members); a < world_.size(); ++a) arbiter_ms = std::max(arbiter_ms, access_latency_ms(a));
  return {{"accomplice", spec_.accomplice},
          {"max_response_ms", spec_.max_response_ms},
          {"challenge_rtt_ms", 2 * (access_latency_ms(lazy) + arbiter_ms)},
          {"fetch_rtt_ms", 2 * (access_latency_ms(lazy) + access_latency_ms(static_cast<size_t>(spec_.accomplice)))},
          {"lazy_challenges", lazy_challenges_},
          {"lazy_challenges_touched", lazy_touched_},
          {"lazy_fetches_answered", lazy_fetches_answered_},
          {"lazy_proven_ticks", lazy_record_.proven},
          {"lazy_failed_ticks", lazy_record_.failed + lazy_record_.offline}};
}

void ClusterRun::schedule() {
  for (size_t i = 0; i < world_.size(); ++i) {
    world_.at(0, i, [](node::Node* node) {
      if (node != nullptr) node->start();
    });
  }
  world_.at(1, 0, [this](node::Node* node) {
    if (node != nullptr) write_rows(node);
  });
  // The lazy members delete data half way through tick 0, once it is in.
  for (size_t m = 0; m < static_cast<size_t>(spec_.members); ++m) {
    if (!is_lazy(m) && !colluding()) continue;
    world_.at(spec_.tick_s / 2, m, [this, m](node::Node* node) { forget(m, node); });
  }
  for (size_t m : spec_.banned) {
    world_.control_at((spec_.ban_tick + 0.5) * spec_.tick_s, [this, m] { world_.crash(m); });
  }
  if (spec_.period_ticks > 0) open_contract();
  schedule_flaky();
  if (spec_.write_interval_s > 0) {
    int i = 0;
    // Once the arbiters have replaced the whole cluster (capture.h), the
    // client writes through the recruit that first saw the new chain sealed:
    // every write is offered to the observer and to each arbiter, and the
    // one that is the writer at that time takes it.
    bool replaceable = scenario_.kind == "region-ban" && spec_.arbiters > spec_.members;
    for (double t = spec_.tick_s; t < scenario_.end_s; t += spec_.write_interval_s) {
      world_.at(t, observer(), [this, i](node::Node* node) { client_write(std::nullopt, node, i); });
      for (size_t a = static_cast<size_t>(spec_.members); replaceable && a < world_.size(); ++a) {
        world_.at(t, a, [this, a, i](node::Node* node) { client_write(a, node, i); });
      }
      ++i;
    }
  }
  double step = std::min({spec_.tick_s / 4, scenario_.sample_interval_s, spec_.block_interval_ms / 1000});
  for (double t = step; t <= scenario_.end_s; t += step) {
    world_.at(t, observer(), [this](node::Node* node) { sample(node); });
    if (fetching()) world_.at(t, spec_.lazy.front(), [this](node::Node* node) { sample_lazy(node); });
    if (!colluding() && scenario_.kind != "region-ban") continue;
    for (size_t a = static_cast<size_t>(spec_.members); a < world_.size(); ++a) {
      if (corrupted_.count(a) == 0) world_.at(t, a, [this, a](node::Node* node) { sample_capture(a, node); });
    }
  }
}

Status ClusterRun::write_results(const std::filesystem::path& out, double wall_seconds) const {
  // Lazy members count from tick 0 (challenges begin at tick 1, the first
  // after the data was deleted); banned ones from the tick of the ban.
  nlohmann::json ticks = nlohmann::json::array();
  double sum = 0;
  size_t ejected = 0;
  for (const auto& [member, tick] : ejected_at_) {
    if (tick) {
      uint64_t since = is_lazy(member) ? 0 : static_cast<uint64_t>(spec_.ban_tick);
      uint64_t lasted = *tick >= since ? *tick - since : 0;
      ticks.push_back(lasted);
      sum += static_cast<double>(lasted);
      ++ejected;
    } else {
      ticks.push_back(nullptr);
    }
  }
  // Client writes by window: before the ban, during the outage (until the
  // last replacement), after; a write still open when the run ended is left out.
  double ban_s = spec_.banned.empty() ? INFINITY : (spec_.ban_tick + 0.5) * spec_.tick_s;
  double replaced_s = replaced_all_s_.value_or(replaced_s_.value_or(INFINITY));
  uint64_t tried[3] = {0, 0, 0}, committed[3] = {0, 0, 0};
  for (const ClientWrite& w : writes_) {
    if (w.at_s + 4 * spec_.block_interval_ms / 1000 > last_sample_s_ && !w.committed) continue;
    int window = w.at_s < ban_s ? 0 : (w.at_s < replaced_s ? 1 : 2);
    ++tried[window];
    committed[window] += w.committed ? 1 : 0;
  }
  nlohmann::json availability = nlohmann::json::object();
  const char* names[3] = {"before", "during", "after"};
  for (int i = 0; i < 3; ++i) availability[names[i]] = {{"tried", tried[i]}, {"committed", committed[i]}};
  size_t recovered = static_cast<size_t>(std::count_if(recovered_.begin(), recovered_.end(), [](const auto& r) { return r.second; }));
  nlohmann::json summary = summary_header(scenario_, seed_);
  summary.update({{"nodes", world_.size()},
                            {"members", spec_.members},
                            {"arbiters", spec_.arbiters},
                            {"lazy_members", spec_.lazy.size()},
                            {"banned_members", spec_.banned.size()},
                            {"ban_tick", spec_.ban_tick},
                            {"eject_after_offline_ticks", spec_.eject_after_offline_ticks},
                            {"writes", availability},
                            {"forgotten_fraction", spec_.forgotten_fraction},
                            {"chunks", spec_.chunks},
                            {"eject_after_failed_ticks", spec_.eject_after_failed_ticks},
                            {"tick_s", spec_.tick_s},
                            {"ticks_limit", spec_.ticks},
                            {"rows_acknowledged", rows_acknowledged_},
                            {"ejected", ejected},
                            {"ticks_to_ejection", ticks},
                            {"recovered", recovered},
                            // A member ejected in the run's last tick has a
                            // recruit the run ends before it can check.
                            {"recruits_checked", recovered_.size()},
                            {"honest_failed_outcomes", honest_failed_},
                            {"honest_ejected", honest_ejected_},
                            {"height", height_},
                            {"sealed_height", sealed_height_},
                            {"early_blocks", early_blocks_},
                            {"max_tick_lead", max_tick_lead_},
                            {"max_sealed_tick_lead", max_sealed_lead_},
                            {"fast_members", fast_members()},
                            {"max_clock_skew_s", std::min(1.0, spec_.tick_s / 10)},
});
  summary.update(run_cost(world_, last_sample_s_, wall_seconds));
  if (ejected > 0) summary["ticks_to_ejection_mean"] = sum / static_cast<double>(ejected);
  if (spec_.period_ticks > 0) summary.update(contract_results());
  if (fetching()) summary.update(fetch_results());
  if (colluding()) {
    // Sealed to the end: the last sealed block is of the run's last tick or
    // the one before (a seal lags its block by a round trip).
    summary.update({{"corrupted_arbiters", corrupted_.size()},
                    {"corrupted_arbiter_fraction", spec_.corrupted_arbiter_fraction},
                    {"arbiter_quorum", arbiter_quorum_},
                    {"inclusion_ticks", spec_.inclusion_ticks},
                    {"sealed_tick", sealed_tick_},
                    {"ticks_run", ticks_run_},
                    {"sealed_to_end", sealed_tick_ + 1 >= ticks_run_ ? 1 : 0},
                    {"colluders_proven", colluders_.proven},
                    {"colluders_failed", colluders_.failed + colluders_.offline}});
    summary.update(capture_results());
  }
  if (scenario_.kind == "region-ban") {
    summary.update(capture_results());
    summary["halt_ticks"] = spec_.halt_ticks;
  }
  std::string csv = "member,fault,forgotten_entries,ejected_at_tick\n";
  for (const auto& [member, tick] : ejected_at_) {
    csv += std::to_string(member) + "," + (is_lazy(member) ? "lazy" : "banned") + "," +
           std::to_string(forgotten_.count(member) ? forgotten_.at(member) : 0) + "," + (tick ? std::to_string(*tick) : "") +
           "\n";
  }
  return write_run_files(out, summary, csv);
}

void ClusterRun::print_summary(double wall_seconds) const {
  if (progress_) std::fprintf(stderr, "\n");
  if (spec_.period_ticks > 0) {
    print_contract();
    if (ejected_at_.empty()) return;  // nobody to replace, no recruits to report
  }
  if (colluding()) {
    std::printf("colluding cluster, %zu of %d arbiters corrupted (quorum %zu): sealed through tick %llu of %llu (%s); "
                "colluders' outcomes %llu proven, %llu failed; %.1f s wall\n",
                corrupted_.size(), spec_.arbiters, arbiter_quorum_, static_cast<unsigned long long>(sealed_tick_),
                static_cast<unsigned long long>(ticks_run_), sealed_tick_ + 1 >= ticks_run_ ? "kept alive" : "sealing stopped",
                static_cast<unsigned long long>(colluders_.proven),
                static_cast<unsigned long long>(colluders_.failed + colluders_.offline), wall_seconds);
    return;
  }
  for (const auto& [member, tick] : ejected_at_) {
    const char* fault = is_lazy(member) ? "lazy" : "banned";
    if (tick) {
      std::printf("%s member %zu: replaced in the block of tick %llu\n", fault, member, static_cast<unsigned long long>(*tick));
    } else {
      std::printf("%s member %zu: still a member after %llu ticks\n", fault, member, static_cast<unsigned long long>(ticks_run_));
    }
  }
  std::printf("recruits rebuilt and joined: %zu of %zu; honest failed outcomes: %llu; %.1f s wall\n",
              static_cast<size_t>(std::count_if(recovered_.begin(), recovered_.end(), [](const auto& r) { return r.second; })),
              recovered_.size(), static_cast<unsigned long long>(honest_failed_), wall_seconds);
}

}  // namespace fluence::sim
