// A simulation scenario as read from its JSON file (scenarios/README.md
// documents every field). Parsing is strict: unknown or ill-typed fields are
// errors that name the field.
#pragma once

#include <string>
#include <vector>

#include "model/base/status.h"
#include "model/dht/dht.h"
#include "sim/share_spec.h"

namespace fluence::sim {

struct Region {
  std::string name;
  double weight = 1;          // share of the nodes placed here
  double access_latency_ms = 5;  // one way, host to the core; A->B is access(A) + access(B)
};

struct NetworkSpec {
  std::string model = "CM02";  // CM02 (latencies as stated), LV08 (fluid, latency x13.01), Constant
  double bandwidth_mbps = 100;
  double host_speed_gflops = 1;
  std::vector<Region> regions;
};

struct Fault {
  enum class Type { kCrash, kRestart, kPartition, kHeal, kLoss };
  Type type = Type::kCrash;
  double at_s = 0;
  std::vector<size_t> nodes;                // crash, restart
  std::vector<std::vector<size_t>> groups;  // partition: messages cross no group boundary
  double drop = 0, duplicate = 0, delay_fraction = 0, delay_ms = 0;  // loss: from at_s on
};

struct ClockSkew {
  size_t node = 0;
  double offset_ms = 0;
  double drift = 0;  // local clock rate - 1
};

// One proof-of-retrievability case: a 3-node cluster whose third member
// silently deleted `forgotten_fraction` of its entries, challenged on `chunks`
// indices per round.
struct PorCase {
  double forgotten_fraction = 0.05;
  int chunks = 20;  // c
};

struct PorSpec {
  std::vector<PorCase> cases;
  int rows = 1000;
  int row_bytes = 1024;
  int openings = 2;
  int challenges = 1000;  // rounds per case
  double tick_s = 10;
  double max_response_ms = 5000;
};

// The cluster chain scenarios (members, arbiters, per-tick proofs, ejection
// votes, recovery): "lazy-member", whose `lazy` members delete a fraction of
// their entries once the data is written; "region-ban", whose `banned`
// members go offline for good half way through tick `ban_tick`; and
// "colluding-cluster", whose members all delete that fraction and cover for
// each other, with the arbiters each corrupted by them with probability
// `corrupted_arbiter_fraction` (model/adversary/collusion.h); and
// "flaky-members", whose `flaky` members are down for each whole tick with
// probability 1 - `uptime`, under a storage contract of `period_ticks` whose
// SLA allows `max_offline_ticks_per_period`.
struct ClusterSpec {
  int members = 7;
  int arbiters = 3;
  std::vector<size_t> lazy;    // member indices
  std::vector<size_t> banned;  // member indices
  int ban_tick = 2;
  int eject_after_offline_ticks = 3;
  double write_interval_s = 0;  // a client write through an honest member this often (0: none after the data)
  double forgotten_fraction = 0.05;
  int chunks = 20;
  int openings = 2;
  int rows = 500;
  int row_bytes = 256;
  double tick_s = 60;
  int ticks = 40;                 // the run ends after this many ticks, or once every lazy member is replaced
  int eject_after_failed_ticks = 3;
  double block_interval_ms = 1000;
  double corrupted_arbiter_fraction = 0;  // drawn per arbiter from the run's seed
  int inclusion_ticks = 2;                // ChainRules: how long an arbiter's verdicts may stay off chain
  int halt_ticks = 24;                    // ChainRules: ticks without a block before arbiters replace the cluster (0: never)
  std::vector<size_t> flaky;              // member indices
  double uptime = 1;
  int period_ticks = 0;                   // > 0: a storage contract pays the members
  int max_offline_ticks_per_period = 0;
  // "lazy-member" with an accomplice (white paper, "Security Concerns"): the
  // one lazy member forwards the PoR challenges that touch its forgotten
  // entries to this member, which answers them for it
  // (cluster::MemberConduct::colludes_with). -1: none.
  int accomplice = -1;
  double max_response_ms = 5000;  // the PoR deadline (por::RoundConfig::max_response_time)
};

// The "sybil-grinding" scenario: a network of `network_nodes` honest ids and
// a sybil grinding ids into the cluster (the `cluster_size` closest) of
// `targets` random dataset ids at puzzle `difficulty` (model/adversary).
struct SybilSpec {
  int network_nodes = 10000;
  int cluster_size = 7;
  int difficulty = 8;
  int targets = 20;
  double budget_nonces = 1e10;  // per target, so a mistaken setting fails instead of hanging
};

// The "committee-capture" scenario: a network of `network_nodes` ids, a
// `malicious_fraction` of them an attacker's (placed at random: ids are
// hashes), and `datasets` random dataset ids, each with its cluster (the
// `cluster_size` closest) and its arbiters (the `arbiters` closest to a
// random anchor, outside the cluster). How often does the attacker hold
// enough of a cluster, and of its arbiters, to cheat?
struct CaptureSpec {
  int network_nodes = 10000;
  double malicious_fraction = 0.2;
  int cluster_size = 7;
  int arbiters = 31;
  int datasets = 2000;
};

// The "por-network" scenario: a whole network of `nodes` under hourly
// proofs of retrievability, without the cluster chains (the cluster
// scenarios run those, at about a minute of wall time per cluster-month).
// Datasets, one per `cluster_size` nodes, are placed on the nodes closest to
// their ids; each has one arbiter, the node closest to its arbiter anchor
// outside the cluster, which challenges every member each tick through the
// real protocol (model/por/round.h). A `lazy_fraction` of the nodes, drawn
// from the seed, deletes `forgotten_fraction` of every replica it holds; a
// member failing `eject_after_failed_ticks` ticks in a row is no longer
// challenged (its arbiter would vote it out, as in the cluster scenarios). Rounds start at a fixed offset per
// dataset, spread over the first `round_spread_s` of each tick.
struct NetworkPorSpec {
  int cluster_size = 7;
  double lazy_fraction = 0.01;
  double forgotten_fraction = 0.1;
  int chunks = 20;
  int openings = 2;
  int rows = 64;
  int row_bytes = 64;
  double tick_s = 3600;
  int ticks = 720;
  double round_spread_s = 600;
  int eject_after_failed_ticks = 2;
  double max_response_ms = 5000;
};

struct Scenario {
  std::string name;
  std::string kind;  // "kademlia-lookup", "por-detection" or "lazy-member"
  std::string question;
  uint64_t seed = 1;
  size_t nodes = 100;
  double end_s = 600;
  NetworkSpec network;
  dht::DhtConfig dht;
  double join_interval_ms = 100;
  size_t lookups = 100;
  double lookups_start_s = 0;  // 0: right after the last join plus settle_s
  double settle_s = 30;
  double lookup_interval_ms = 100;
  double sample_interval_s = 10;  // time series resolution
  std::vector<Fault> faults;
  std::vector<ClockSkew> clocks;
  PorSpec por;  // kind "por-detection"
  ClusterSpec cluster;  // kinds "lazy-member", "region-ban", "fast-clock", "colluding-cluster"
  SybilSpec sybil;      // kind "sybil-grinding"
  CaptureSpec capture;  // kind "committee-capture"
  ShareSpec share;      // kind "denial-of-remove"
  NetworkPorSpec por_network;  // kind "por-network"
  // "ed25519" (the default: real signatures) or "cost-model"
  // (crypto::use_modelled_signatures; for very large runs).
  std::string signatures = "ed25519";
};

// Reads and checks a scenario; `source` names it in errors.
Result<Scenario> parse_scenario(const std::string& json_text, const std::string& source);
Result<Scenario> load_scenario(const std::string& path);

}  // namespace fluence::sim
