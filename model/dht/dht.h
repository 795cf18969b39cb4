// S/Kademlia: routing, iterative lookups over disjoint paths, signed records.
//
// Lookups follow Kademlia (Maymounkov and Mazières, 2002) with S/Kademlia's
// hardening: the initial candidates are split over d paths that never share a
// node, each path keeps alpha requests in flight, and every contact learned
// is checked against its puzzle before it is trusted or stored.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "model/dht/contact.h"
#include "model/dht/identity.h"
#include "model/dht/lookup.h"
#include "model/dht/messages.h"
#include "model/dht/record.h"
#include "model/dht/routing_table.h"
#include "model/env/env.h"
#include "model/rpc/rpc.h"

namespace fluence::dht {

struct DhtConfig {
  int bucket_size = 20;      // k
  int parallelism = 3;       // alpha: requests in flight per path
  int disjoint_paths = 3;    // d
  int puzzle_difficulty = 8;
  env::Duration request_timeout = std::chrono::seconds(2);
  env::Duration refresh_interval = std::chrono::hours(1);
  env::Duration record_ttl = std::chrono::hours(24);
  size_t max_records = 10000;
  size_t max_lookup_count = 64;  // the widest "n closest" a lookup may ask for
  bool join_refreshes_buckets = true;  // Kademlia's join step: fill the far buckets
  // A bucket refresh only has to meet a few live nodes in the bucket's range,
  // so it runs one narrow path: about a tenth of a full lookup's messages.
  size_t refresh_lookup_count = 2;
};

struct LookupResult {
  NodeId target;
  std::vector<Contact> closest;  // nearest first, at most the count asked for
  int hops = 0;                  // longest chain of referrals to any result
  int messages = 0;              // requests this lookup sent
  int failures = 0;              // requests that timed out or were refused
  env::Duration elapsed{0};
};

class Dht {
 public:
  Dht(env::Env& env, rpc::Rpc& rpc, const Identity& identity, DhtConfig config);
  ~Dht();
  Dht(const Dht&) = delete;
  Dht& operator=(const Dht&) = delete;

  // Contacts the bootstrap addresses, looks up our own id, then refreshes the
  // buckets beyond our nearest neighbour. `done` gets an error only if no
  // bootstrap node answered. An empty list makes this the first node.
  void join(const std::vector<env::Address>& bootstrap, std::function<void(Status)> done);

  // The `count` nodes closest to `target` (count <= max_lookup_count); this is
  // also the placement query for clusters and arbiters.
  void lookup(const NodeId& target, size_t count, std::function<void(LookupResult)> done);

  // Stores the record on the k nodes closest to its key; `done` gets how many
  // acknowledged it.
  void put(Record record, std::function<void(Result<int>)> done);
  // Finds the newest record at `key`, or kNotFound.
  void get(const NodeId& key, std::function<void(Result<Record>)> done);

  const Contact& self() const { return self_; }
  const RoutingTable& routing_table() const { return table_; }
  const DhtConfig& config() const { return config_; }
  size_t records_held() const { return records_.size(); }

 private:
  struct ActiveLookup;
  using LookupDone = std::function<void(LookupResult, std::optional<Record>)>;

  std::optional<Bytes> on_request(const env::Peer& from, rpc::Kind kind, ByteView body);
  // Decodes a message and checks that its sender is the authenticated peer
  // and holds a valid id; nullopt (and a debug log) otherwise.
  std::optional<DhtMessage> accept(const env::Peer& from, ByteView body);
  void observe(const Contact& contact);
  // Puzzle check, skipped for a contact identical to one already in the
  // table (it was checked on the way in). Checks are ~37% of a small
  // network's DHT CPU; in large ones few returned contacts are in the table.
  bool contact_valid(const Contact& contact) const;
  void ping(const env::Address& address, std::function<void(std::optional<Contact>)> done);
  void start_lookup(LookupOptions options, LookupDone done);
  void pump(uint64_t lookup_id);
  void send_query(uint64_t lookup_id, const Contact& to, const LookupOptions& options);
  void refresh_buckets_beyond_nearest(std::function<void()> done);
  void refresh_bucket(int bucket, std::function<void()> done);
  void schedule_refresh();
  void refresh();
  bool accept_record(const Record& record);
  const Record* held_record(const NodeId& key);

  env::Env& env_;
  rpc::Rpc& rpc_;
  DhtConfig config_;
  Contact self_;
  RoutingTable table_;
  struct StoredRecord {
    Record record;
    env::Time expires;
  };
  std::map<NodeId, StoredRecord> records_;
  std::map<uint64_t, std::unique_ptr<ActiveLookup>> lookups_;
  uint64_t next_lookup_id_ = 1;
  std::set<NodeId> pinging_;  // oldest contacts being checked before eviction
  env::TimerId refresh_timer_ = 0;
  std::vector<env::Time> bucket_touched_;
};

}  // namespace fluence::dht
