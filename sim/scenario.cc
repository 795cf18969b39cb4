#include "sim/scenario.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "sim/json_fields.h"

namespace fluence::sim {

namespace {

using nlohmann::json;

std::vector<size_t> read_node_list(const json& value, const std::string& path, size_t nodes, Status& status) {
  std::vector<size_t> out;
  if (!status.is_ok()) return out;
  if (!value.is_array()) {
    status = Status::error(ErrorCode::kMalformed, path + ": expected a list of node indices");
    return out;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_number_unsigned() || value[i].get<uint64_t>() >= nodes) {
      status = Status::error(ErrorCode::kMalformed, path + "[" + std::to_string(i) + "]: expected a node index below " +
                                                        std::to_string(nodes));
      return out;
    }
    out.push_back(value[i].get<size_t>());
  }
  return out;
}

Status read_network(const json& value, const std::string& path, NetworkSpec& net) {
  if (value.is_null()) {
    net.regions = {Region{"default", 1, 5}};
    return Status::ok();
  }
  JsonFields f(value, path);
  net.model = f.text("model", net.model);
  if (f.ok() && net.model != "CM02" && net.model != "LV08" && net.model != "Constant") {
    f.fail("model", "expected CM02, LV08 or Constant");
  }
  net.bandwidth_mbps = f.number("bandwidth_mbps", net.bandwidth_mbps, 0.001, 1e6);
  net.host_speed_gflops = f.number("host_speed_gflops", net.host_speed_gflops, 0.001, 1e6);
  const json& regions = f.child("regions");
  if (f.ok() && !regions.is_null()) {
    if (!regions.is_array() || regions.empty()) {
      f.fail("regions", "expected a non-empty list");
    } else {
      for (size_t i = 0; i < regions.size() && f.ok(); ++i) {
        JsonFields r(regions[i], f.child_path("regions") + "[" + std::to_string(i) + "]");
        Region region;
        region.name = r.text("name", "region" + std::to_string(i));
        region.weight = r.number("weight", 1, 1e-9, 1e9);
        region.access_latency_ms = r.number("access_latency_ms", 5, 0, 1e6);
        FL_RETURN_IF_ERROR(r.finish());
        net.regions.push_back(region);
      }
    }
  }
  if (net.regions.empty()) net.regions = {Region{"default", 1, 5}};
  return f.finish();
}

Status read_dht(const json& value, const std::string& path, dht::DhtConfig& config) {
  if (value.is_null()) return Status::ok();
  JsonFields f(value, path);
  config.bucket_size = static_cast<int>(f.integer("bucket_size", config.bucket_size, 1, 64));
  config.parallelism = static_cast<int>(f.integer("parallelism", config.parallelism, 1, 16));
  config.disjoint_paths = static_cast<int>(f.integer("disjoint_paths", config.disjoint_paths, 1, 16));
  config.puzzle_difficulty = static_cast<int>(f.integer("puzzle_difficulty", config.puzzle_difficulty, 0, 24));
  config.request_timeout = std::chrono::milliseconds(f.integer("request_timeout_ms", 2000, 1, 600'000));
  config.refresh_interval = std::chrono::seconds(f.integer("refresh_interval_s", 3600, 1, 86400 * 30));
  config.join_refreshes_buckets = f.flag("join_refreshes_buckets", config.join_refreshes_buckets);
  return f.finish();
}

Status read_faults(const json& value, const std::string& path, size_t nodes, std::vector<Fault>& faults) {
  if (value.is_null()) return Status::ok();
  if (!value.is_array()) return Status::error(ErrorCode::kMalformed, path + ": expected a list");
  for (size_t i = 0; i < value.size(); ++i) {
    std::string item = path + "[" + std::to_string(i) + "]";
    JsonFields f(value[i], item);
    Fault fault;
    std::string type = f.text("type", "");
    fault.at_s = f.number("at_s", 0, 0, 1e9);
    Status status = f.status();
    if (type == "crash" || type == "restart") {
      fault.type = type == "crash" ? Fault::Type::kCrash : Fault::Type::kRestart;
      fault.nodes = read_node_list(f.child("nodes"), item + ".nodes", nodes, status);
    } else if (type == "partition") {
      fault.type = Fault::Type::kPartition;
      const json& groups = f.child("groups");
      // Nodes named in no group form one more group together.
      if (status.is_ok() && (!groups.is_array() || groups.empty())) {
        status = Status::error(ErrorCode::kMalformed, item + ".groups: expected a non-empty list of lists of node indices");
      }
      for (size_t g = 0; status.is_ok() && g < groups.size(); ++g) {
        fault.groups.push_back(read_node_list(groups[g], item + ".groups[" + std::to_string(g) + "]", nodes, status));
      }
    } else if (type == "heal") {
      fault.type = Fault::Type::kHeal;
    } else if (type == "loss") {
      fault.type = Fault::Type::kLoss;
      fault.drop = f.number("drop", 0, 0, 1);
      fault.duplicate = f.number("duplicate", 0, 0, 1);
      fault.delay_fraction = f.number("delay_fraction", 0, 0, 1);
      fault.delay_ms = f.number("delay_ms", 0, 0, 1e7);
    } else if (status.is_ok()) {
      status = Status::error(ErrorCode::kMalformed, item + ".type: expected crash, restart, partition, heal or loss");
    }
    FL_RETURN_IF_ERROR(status);
    FL_RETURN_IF_ERROR(f.finish());
    faults.push_back(fault);
  }
  return Status::ok();
}

Status read_clocks(const json& value, const std::string& path, size_t nodes, std::vector<ClockSkew>& clocks) {
  if (value.is_null()) return Status::ok();
  if (!value.is_array()) return Status::error(ErrorCode::kMalformed, path + ": expected a list");
  for (size_t i = 0; i < value.size(); ++i) {
    JsonFields f(value[i], path + "[" + std::to_string(i) + "]");
    ClockSkew skew;
    skew.node = static_cast<size_t>(f.integer("node", 0, 0, static_cast<int64_t>(nodes) - 1));
    skew.offset_ms = f.number("offset_ms", 0, -1e12, 1e12);
    skew.drift = f.number("drift", 0, -0.5, 10);
    FL_RETURN_IF_ERROR(f.finish());
    clocks.push_back(skew);
  }
  return Status::ok();
}

Status read_por(const json& value, const std::string& path, PorSpec& por) {
  JsonFields f(value, path);
  por.rows = static_cast<int>(f.integer("rows", por.rows, 1, 10'000'000));
  por.row_bytes = static_cast<int>(f.integer("row_bytes", por.row_bytes, 1, 256 * 1024));
  por.openings = static_cast<int>(f.integer("openings", por.openings, 0, 256));
  por.challenges = static_cast<int>(f.integer("challenges", por.challenges, 1, 10'000'000));
  por.tick_s = f.number("tick_s", por.tick_s, 0.001, 1e7);
  por.max_response_ms = f.number("max_response_ms", por.max_response_ms, 1, 1e9);
  const json& cases = f.child("cases");
  if (f.ok() && (!cases.is_array() || cases.empty())) f.fail("cases", "expected a non-empty list of {forgotten_fraction, chunks}");
  for (size_t i = 0; f.ok() && i < cases.size(); ++i) {
    JsonFields c(cases[i], f.child_path("cases") + "[" + std::to_string(i) + "]");
    PorCase pc;
    pc.forgotten_fraction = c.number("forgotten_fraction", 0.05, 0, 1);
    pc.chunks = static_cast<int>(c.integer("chunks", 20, 1, 4096));
    FL_RETURN_IF_ERROR(c.finish());
    if (pc.chunks < por.openings) return Status::error(ErrorCode::kMalformed, f.child_path("cases") + "[" + std::to_string(i) + "].chunks: must be at least openings");
    por.cases.push_back(pc);
  }
  return f.finish();
}

Status read_cluster(const json& value, const std::string& path, ClusterSpec& c) {
  JsonFields f(value, path);
  c.members = static_cast<int>(f.integer("members", c.members, 4, 100));
  c.arbiters = static_cast<int>(f.integer("arbiters", c.arbiters, 2, 1000));
  c.forgotten_fraction = f.number("forgotten_fraction", c.forgotten_fraction, 0, 1);
  c.chunks = static_cast<int>(f.integer("chunks", c.chunks, 1, 4096));
  c.openings = static_cast<int>(f.integer("openings", c.openings, 0, 256));
  c.rows = static_cast<int>(f.integer("rows", c.rows, 1, 1'000'000));
  c.row_bytes = static_cast<int>(f.integer("row_bytes", c.row_bytes, 1, 256 * 1024));
  c.tick_s = f.number("tick_s", c.tick_s, 1, 1e7);
  c.ticks = static_cast<int>(f.integer("ticks", c.ticks, 1, 1'000'000));
  c.eject_after_failed_ticks = static_cast<int>(f.integer("eject_after_failed_ticks", c.eject_after_failed_ticks, 1, 1000));
  c.block_interval_ms = f.number("block_interval_ms", c.block_interval_ms, 1, 1e7);
  c.corrupted_arbiter_fraction = f.number("corrupted_arbiter_fraction", c.corrupted_arbiter_fraction, 0, 1);
  c.inclusion_ticks = static_cast<int>(f.integer("inclusion_ticks", c.inclusion_ticks, 1, 1000));
  c.halt_ticks = static_cast<int>(f.integer("halt_ticks", c.halt_ticks, 0, 1'000'000));
  auto read_members = [&](const char* name, std::vector<size_t>& out) {
    const json& list = f.child(name);
    if (!f.ok() || list.is_null()) return;
    if (!list.is_array()) return f.fail(name, "expected a list of member indices");
    out.clear();
    for (const json& i : list) {
      if (!i.is_number_integer() || i.get<int64_t>() < 0 || i.get<int64_t>() >= c.members) {
        return f.fail(name, "expected member indices from 0 to " + std::to_string(c.members - 1));
      }
      if (std::find(out.begin(), out.end(), i.get<size_t>()) != out.end()) return f.fail(name, "a member named twice");
      out.push_back(i.get<size_t>());
    }
  };
  read_members("lazy", c.lazy);
  read_members("banned", c.banned);
  read_members("flaky", c.flaky);
  c.uptime = f.number("uptime", c.uptime, 0, 1);
  c.period_ticks = static_cast<int>(f.integer("period_ticks", c.period_ticks, 0, 100000));
  c.max_offline_ticks_per_period =
      static_cast<int>(f.integer("max_offline_ticks_per_period", c.max_offline_ticks_per_period, 0, 100000));
  c.ban_tick = static_cast<int>(f.integer("ban_tick", c.ban_tick, 1, 1'000'000));
  c.eject_after_offline_ticks = static_cast<int>(f.integer("eject_after_offline_ticks", c.eject_after_offline_ticks, 1, 1000));
  c.write_interval_s = f.number("write_interval_s", c.write_interval_s, 0, 1e7);
  c.accomplice = static_cast<int>(f.integer("accomplice", c.accomplice, -1, 99));
  c.max_response_ms = f.number("max_response_ms", c.max_response_ms, 1, 1e7);
  for (size_t m : c.banned) {
    if (f.ok() && std::find(c.lazy.begin(), c.lazy.end(), m) != c.lazy.end()) f.fail("banned", "a member both lazy and banned");
  }
  if (f.ok() && c.openings > c.chunks) f.fail("openings", "at most chunks");
  if (f.ok() && c.accomplice >= 0) {
    size_t a = static_cast<size_t>(c.accomplice);
    auto named = [a](const std::vector<size_t>& list) { return std::find(list.begin(), list.end(), a) != list.end(); };
    if (c.accomplice >= c.members) {
      f.fail("accomplice", "expected a member index from 0 to " + std::to_string(c.members - 1));
    } else if (c.lazy.size() != 1) {
      f.fail("accomplice", "an accomplice covers exactly one lazy member");
    } else if (named(c.lazy) || named(c.banned) || named(c.flaky)) {
      f.fail("accomplice", "the accomplice keeps its replica and stays up: not lazy, banned or flaky");
    }
  }
  if (f.ok() && c.lazy.size() + c.banned.size() > static_cast<size_t>(c.arbiters) - 1) {
    f.fail("lazy", "each lazy or banned member needs an arbiter to replace it, and one arbiter must remain");
  }
  if (f.ok() && c.lazy.size() + c.banned.size() >= static_cast<size_t>(c.members)) {
    f.fail("lazy", "at least one member must stay honest and up");
  }
  return f.finish();
}

Status read_sybil(const json& value, const std::string& path, SybilSpec& y) {
  JsonFields f(value, path);
  y.network_nodes = static_cast<int>(f.integer("network_nodes", y.network_nodes, 1, 100'000'000));
  y.cluster_size = static_cast<int>(f.integer("cluster_size", y.cluster_size, 1, 1000));
  y.difficulty = static_cast<int>(f.integer("difficulty", y.difficulty, 0, 40));
  y.targets = static_cast<int>(f.integer("targets", y.targets, 1, 1'000'000));
  y.budget_nonces = f.number("budget_nonces", y.budget_nonces, 1, 1e15);
  if (f.ok() && y.cluster_size > y.network_nodes) f.fail("cluster_size", "at most network_nodes");
  return f.finish();
}

Status read_capture(const json& value, const std::string& path, CaptureSpec& c) {
  JsonFields f(value, path);
  c.network_nodes = static_cast<int>(f.integer("network_nodes", c.network_nodes, 1, 10'000'000));
  c.malicious_fraction = f.number("malicious_fraction", c.malicious_fraction, 0, 1);
  c.cluster_size = static_cast<int>(f.integer("cluster_size", c.cluster_size, 1, 1000));
  c.arbiters = static_cast<int>(f.integer("arbiters", c.arbiters, 1, 10'000));
  c.datasets = static_cast<int>(f.integer("datasets", c.datasets, 1, 10'000'000));
  if (f.ok() && c.cluster_size + c.arbiters > c.network_nodes) f.fail("arbiters", "cluster_size + arbiters exceed network_nodes");
  return f.finish();
}

Status read_por_network(const json& value, const std::string& path, NetworkPorSpec& p) {
  JsonFields f(value, path);
  p.cluster_size = static_cast<int>(f.integer("cluster_size", p.cluster_size, 1, 1000));
  p.lazy_fraction = f.number("lazy_fraction", p.lazy_fraction, 0, 1);
  p.forgotten_fraction = f.number("forgotten_fraction", p.forgotten_fraction, 0, 1);
  p.chunks = static_cast<int>(f.integer("chunks", p.chunks, 1, 4096));
  p.openings = static_cast<int>(f.integer("openings", p.openings, 0, 256));
  p.rows = static_cast<int>(f.integer("rows", p.rows, 1, 1'000'000));
  p.row_bytes = static_cast<int>(f.integer("row_bytes", p.row_bytes, 1, 256 * 1024));
  p.tick_s = f.number("tick_s", p.tick_s, 0.001, 1e7);
  p.ticks = static_cast<int>(f.integer("ticks", p.ticks, 1, 1'000'000));
  p.round_spread_s = f.number("round_spread_s", p.round_spread_s, 0, 1e7);
  p.eject_after_failed_ticks = static_cast<int>(f.integer("eject_after_failed_ticks", p.eject_after_failed_ticks, 1, 1'000'000));
  p.max_response_ms = f.number("max_response_ms", p.max_response_ms, 1, 1e9);
  if (f.ok() && p.openings > p.chunks) f.fail("openings", "at most chunks");
  if (f.ok() && p.round_spread_s + p.max_response_ms / 1000 >= p.tick_s) {
    f.fail("round_spread_s", "a round must end within its tick: round_spread_s + max_response_ms must stay under tick_s");
  }
  return f.finish();
}

// A section only some kinds have: read (all defaults when absent) for those,
// an error naming the kinds for any other.
template <typename Spec>
Status read_section(JsonFields& f, const char* name, bool ours, const std::string& kinds,
                    Status (*read)(const json&, const std::string&, Spec&), Spec& spec) {
  const json& value = f.child(name);
  std::string path = std::string("scenario.") + name;
  if (ours) return read(value.is_null() ? json::object() : value, path, spec);
  if (!value.is_null()) return Status::error(ErrorCode::kMalformed, path + ": only for " + kinds);
  return Status::ok();
}

}  // namespace

Result<Scenario> parse_scenario(const std::string& json_text, const std::string& source) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    return Status::error(ErrorCode::kMalformed, source + ": not valid JSON: " + e.what());
  }
  Scenario s;
  JsonFields f(root, "scenario");
  s.question = f.text("question", "");
  s.kind = f.text("kind", "");
  s.name = f.text("name", "");
  s.seed = static_cast<uint64_t>(f.integer("seed", 1, 0, INT64_MAX));
  s.nodes = static_cast<size_t>(f.integer("nodes", 100, 1, 2'000'000));
  s.end_s = f.number("end_s", 600, 0.001, 1e9);
  s.join_interval_ms = f.number("join_interval_ms", 100, 0, 1e9);
  s.settle_s = f.number("settle_s", 30, 0, 1e9);
  s.lookups = static_cast<size_t>(f.integer("lookups", 100, 0, 100'000'000));
  s.lookups_start_s = f.number("lookups_start_s", 0, 0, 1e9);
  s.lookup_interval_ms = f.number("lookup_interval_ms", 100, 0.001, 1e9);
  s.sample_interval_s = f.number("sample_interval_s", 10, 0.001, 1e9);
  s.signatures = f.text("signatures", "ed25519");
  if (f.ok() && s.signatures != "ed25519" && s.signatures != "cost-model") {
    f.fail("signatures", "expected \"ed25519\" or \"cost-model\"");
  }
  bool cluster_kind =
      s.kind == "lazy-member" || s.kind == "region-ban" || s.kind == "fast-clock" || s.kind == "colluding-cluster" ||
      s.kind == "flaky-members";
  if (f.ok() && s.kind != "kademlia-lookup" && s.kind != "por-detection" && s.kind != "sybil-grinding" &&
      s.kind != "committee-capture" && s.kind != "denial-of-remove" && s.kind != "por-network" && !cluster_kind) {
    f.fail("kind",
           "expected \"kademlia-lookup\", \"por-detection\", \"lazy-member\", \"region-ban\", \"fast-clock\", "
           "\"colluding-cluster\", \"flaky-members\", \"sybil-grinding\", \"committee-capture\", "
           "\"denial-of-remove\" or \"por-network\"");
  }
  if (f.ok() && s.question.empty()) f.fail("question", "every scenario states the question it answers");
  Status status = f.status();
  if (status.is_ok()) status = read_network(f.child("network"), "scenario.network", s.network);
  if (status.is_ok()) status = read_dht(f.child("dht"), "scenario.dht", s.dht);
  if (status.is_ok()) status = read_faults(f.child("faults"), "scenario.faults", s.nodes, s.faults);
  if (status.is_ok()) status = read_clocks(f.child("clocks"), "scenario.clocks", s.nodes, s.clocks);
  if (status.is_ok()) {
    const json& por = f.child("por");
    if (s.kind == "por-detection") {
      status = por.is_null() ? Status::error(ErrorCode::kMalformed, "scenario.por: required for por-detection")
                             : read_por(por, "scenario.por", s.por);
      // Three nodes per case and one arbiter.
      if (status.is_ok()) s.nodes = 3 * s.por.cases.size() + 1;
    } else if (!por.is_null()) {
      status = Status::error(ErrorCode::kMalformed, "scenario.por: only for kind por-detection");
    }
  }
  if (status.is_ok()) {
    status = read_section(f, "cluster", cluster_kind, "the cluster kinds", read_cluster, s.cluster);
  }
  if (status.is_ok() && cluster_kind) {
    if (s.kind == "lazy-member" && s.cluster.lazy.empty()) {
      status = Status::error(ErrorCode::kMalformed, "scenario.cluster.lazy: a lazy-member scenario names its lazy members");
    } else if (s.kind == "region-ban" && s.cluster.banned.empty()) {
      status = Status::error(ErrorCode::kMalformed, "scenario.cluster.banned: a region-ban scenario names the banned members");
    } else if (s.kind == "flaky-members" && (s.cluster.flaky.empty() || s.cluster.period_ticks == 0)) {
      status = Status::error(ErrorCode::kMalformed,
                             "scenario.cluster.flaky: a flaky-members scenario names its flaky members and a period_ticks");
    } else if (s.kind != "lazy-member" && s.cluster.accomplice >= 0) {
      status = Status::error(ErrorCode::kMalformed, "scenario.cluster.accomplice: only for kind lazy-member");
    } else if (s.kind == "fast-clock" && s.clocks.empty()) {
      status = Status::error(ErrorCode::kMalformed, "scenario.clocks: a fast-clock scenario sets some members' clocks");
    }
    s.nodes = static_cast<size_t>(s.cluster.members + s.cluster.arbiters);
    s.end_s = s.cluster.tick_s * (s.cluster.ticks + 1);
    for (size_t i = 0; i < s.clocks.size() && status.is_ok(); ++i) {
      if (s.clocks[i].node >= s.nodes) {
        status = Status::error(ErrorCode::kMalformed, "scenario.clocks[" + std::to_string(i) + "].node: at most " +
                                                          std::to_string(s.nodes - 1) + " (members, then arbiters)");
      }
    }
  }
  if (status.is_ok()) {
    status = read_section(f, "sybil", s.kind == "sybil-grinding", "kind sybil-grinding", read_sybil, s.sybil);
  }
  if (status.is_ok()) {
    status = read_section(f, "capture", s.kind == "committee-capture", "kind committee-capture", read_capture, s.capture);
  }
  if (status.is_ok()) {
    status = read_section(f, "share", s.kind == "denial-of-remove", "kind denial-of-remove", read_share, s.share);
    if (status.is_ok() && s.kind == "denial-of-remove") {
      s.nodes = static_cast<size_t>(s.share.members + s.share.arbiters);
      s.end_s = s.share.end_s();
    }
  }
  if (status.is_ok()) {
    status = read_section(f, "por_network", s.kind == "por-network", "kind por-network", read_por_network,
                          s.por_network);
    if (status.is_ok() && s.kind == "por-network") {
      const NetworkPorSpec& p = s.por_network;
      if (s.nodes < static_cast<size_t>(p.cluster_size) + 1) {
        status = Status::error(ErrorCode::kMalformed, "scenario.nodes: a por-network needs cluster_size + 1 nodes at least");
      }
      s.end_s = p.tick_s * (p.ticks + 1);
    }
  }
  if (status.is_ok()) status = f.finish();
  if (!status.is_ok()) return status.with_context(source);
  if (s.name.empty()) s.name = s.kind;
  return s;
}

Result<Scenario> load_scenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::error(ErrorCode::kNotFound, path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path);
}

}  // namespace fluence::sim
