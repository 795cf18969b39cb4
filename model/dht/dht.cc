#include "model/dht/dht.h"

#include <algorithm>

namespace fluence::dht {

struct Dht::ActiveLookup {
  Lookup lookup;
  LookupOptions options;
  LookupDone done;
  env::Time started;
};

Dht::Dht(env::Env& env, rpc::Rpc& rpc, const Identity& identity, DhtConfig config)
    : env_(env),
      rpc_(rpc),
      config_(config),
      self_{identity.id, identity.key.public_key(), identity.nonce, env.self_address()},
      table_(identity.id, config.bucket_size),
      bucket_touched_(kIdBits, env.now()) {
  FL_ASSERT(config_.max_lookup_count <= kMaxContactsPerMessage);
  FL_ASSERT(config_.bucket_size > 0 && static_cast<size_t>(config_.bucket_size) <= kMaxContactsPerMessage);
  FL_ASSERT(self_.valid(config_.puzzle_difficulty));
  rpc_.set_handler(rpc::Protocol::kDht, [this](const env::Peer& from, rpc::Kind kind, ByteView body) {
    return on_request(from, kind, body);
  });
}

Dht::~Dht() { env_.cancel(refresh_timer_); }

std::optional<DhtMessage> Dht::accept(const env::Peer& from, ByteView body) {
  Result<DhtMessage> message = codec::decode<DhtMessage>(body);
  if (!message) {
    env_.log(env::LogLevel::kDebug, "dht: malformed message from " + from.address + ": " +
                                        message.status().to_string());
    return std::nullopt;
  }
  const Contact& sender = message->sender;
  if (sender.key != from.key || sender.address != from.address || !contact_valid(sender)) {
    env_.log(env::LogLevel::kDebug, "dht: sender contact of a message from " + from.address +
                                        " does not match its channel or puzzle");
    return std::nullopt;
  }
  return std::move(*message);
}

bool Dht::contact_valid(const Contact& contact) const {
  std::optional<Contact> known = table_.find(contact.id);
  if (known && known->key == contact.key && known->nonce == contact.nonce) return true;
  return contact.valid(config_.puzzle_difficulty);
}

void Dht::observe(const Contact& contact) {
  RoutingTable::ObserveResult result = table_.observe(contact);
  if (result.outcome != RoutingTable::Outcome::kBucketFull) return;
  const Contact oldest = *result.oldest;
  if (!pinging_.insert(oldest.id).second) return;
  ping(oldest.address, [this, oldest](std::optional<Contact> answered) {
    pinging_.erase(oldest.id);
    if (answered && answered->id == oldest.id) {
      table_.mark_alive(oldest.id);
    } else {
      table_.evict(oldest.id);  // promotes the newest replacement
    }
  });
}

void Dht::ping(const env::Address& address, std::function<void(std::optional<Contact>)> done) {
  DhtMessage ping;
  ping.type = MessageType::kPing;
  ping.sender = self_;
  rpc_.request(address, rpc::Protocol::kDht, codec::encode(ping), config_.request_timeout,
               [this, done = std::move(done)](Result<Bytes> body, const env::Peer& from) {
                 if (!body) return done(std::nullopt);
                 std::optional<DhtMessage> pong = accept(from, *body);
                 if (!pong || pong->type != MessageType::kPong) return done(std::nullopt);
                 observe(pong->sender);
                 done(pong->sender);
               });
}

std::optional<Bytes> Dht::on_request(const env::Peer& from, rpc::Kind kind, ByteView body) {
  if (kind != rpc::Kind::kRequest) return std::nullopt;
  std::optional<DhtMessage> request = accept(from, body);
  if (!request) return std::nullopt;
  observe(request->sender);
  DhtMessage reply;
  reply.sender = self_;
  size_t count = std::clamp<size_t>(request->count, 1, config_.max_lookup_count);
  switch (request->type) {
    case MessageType::kPing:
      reply.type = MessageType::kPong;
      break;
    case MessageType::kFindNode:
      reply.type = MessageType::kNodes;
      reply.contacts = table_.closest(request->target, count, request->sender.id);
      break;
    case MessageType::kFindValue:
      reply.type = MessageType::kValue;
      if (const Record* record = held_record(request->target)) {
        reply.record = *record;
      } else {
        reply.contacts = table_.closest(request->target, count, request->sender.id);
      }
      break;
    case MessageType::kStore:
      reply.type = MessageType::kStoreAck;
      reply.stored = request->record->signature_valid() && accept_record(*request->record);
      break;
    default:
      return std::nullopt;  // a reply type sent as a request: ignore it
  }
  return codec::encode(reply);
}

void Dht::join(const std::vector<env::Address>& bootstrap, std::function<void(Status)> done) {
  std::vector<env::Address> others;
  for (const env::Address& address : bootstrap) {
    if (address != self_.address) others.push_back(address);
  }
  if (others.empty()) {
    schedule_refresh();
    if (done) done(Status::ok());
    return;
  }
  struct JoinState {
    size_t waiting;
    bool any_answered = false;
    std::function<void(Status)> done;
  };
  auto state = std::make_shared<JoinState>(JoinState{others.size(), false, std::move(done)});
  for (const env::Address& address : others) {
    ping(address, [this, state](std::optional<Contact> answered) {
      state->any_answered = state->any_answered || answered.has_value();
      if (--state->waiting > 0) return;
      if (!state->any_answered) {
        schedule_refresh();  // keep trying later through saved contacts
        if (state->done) state->done(Status::error(ErrorCode::kUnavailable, "no bootstrap node answered"));
        return;
      }
      lookup(self_.id, static_cast<size_t>(config_.bucket_size), [this, state](LookupResult) {
        auto finish = [this, state] {
          schedule_refresh();
          if (state->done) state->done(Status::ok());
        };
        if (config_.join_refreshes_buckets) {
          refresh_buckets_beyond_nearest(finish);
        } else {
          finish();
        }
      });
    });
  }
}

void Dht::refresh_buckets_beyond_nearest(std::function<void()> done) {
  std::vector<Contact> nearest = table_.closest(self_.id, 1);
  int limit = nearest.empty() ? 0 : bucket_index(self_.id, nearest.front().id);
  if (limit == 0) return done();
  auto waiting = std::make_shared<int>(limit);
  for (int bucket = 0; bucket < limit; ++bucket) {
    refresh_bucket(bucket, [waiting, done] {
      if (--*waiting == 0) done();
    });
  }
}

void Dht::refresh_bucket(int bucket, std::function<void()> done) {
  LookupOptions options;
  options.target = random_id_in_bucket(self_.id, bucket, env_.random());
  options.count = config_.refresh_lookup_count;
  options.paths = 1;
  options.parallelism = config_.parallelism;
  start_lookup(options, [done = std::move(done)](LookupResult, std::optional<Record>) { done(); });
}

void Dht::lookup(const NodeId& target, size_t count, std::function<void(LookupResult)> done) {
  LookupOptions options;
  options.target = target;
  options.count = std::clamp<size_t>(count, 1, config_.max_lookup_count);
  options.paths = config_.disjoint_paths;
  options.parallelism = config_.parallelism;
  start_lookup(options, [done = std::move(done)](LookupResult result, std::optional<Record>) {
    done(std::move(result));
  });
}

void Dht::start_lookup(LookupOptions options, LookupDone done) {
  if (options.target != self_.id) bucket_touched_[bucket_index(self_.id, options.target)] = env_.now();
  size_t seeds = std::max<size_t>(options.count, static_cast<size_t>(config_.bucket_size));
  uint64_t id = next_lookup_id_++;
  lookups_.emplace(id, std::make_unique<ActiveLookup>(ActiveLookup{
                           Lookup(options, self_.id, table_.closest(options.target, seeds)),
                           options, std::move(done), env_.now()}));
  pump(id);
}

void Dht::pump(uint64_t lookup_id) {
  auto it = lookups_.find(lookup_id);
  if (it == lookups_.end()) return;
  const LookupOptions options = it->second->options;
  for (const Contact& contact : it->second->lookup.next_queries()) {
    send_query(lookup_id, contact, options);
  }
  it = lookups_.find(lookup_id);  // a synchronous failure may have finished it
  if (it == lookups_.end() || !it->second->lookup.finished()) return;
  std::unique_ptr<ActiveLookup> active = std::move(it->second);
  lookups_.erase(it);
  LookupResult result;
  result.target = options.target;
  result.closest = active->lookup.result();
  result.hops = active->lookup.hops();
  result.messages = active->lookup.queries_sent();
  result.failures = active->lookup.failures();
  result.elapsed = env_.now() - active->started;
  active->done(std::move(result), active->lookup.record());
}

void Dht::send_query(uint64_t lookup_id, const Contact& to, const LookupOptions& options) {
  DhtMessage query;
  query.type = options.find_value ? MessageType::kFindValue : MessageType::kFindNode;
  query.sender = self_;
  query.target = options.target;
  query.count = static_cast<uint16_t>(std::max<size_t>(options.count, config_.bucket_size));
  rpc_.request(to.address, rpc::Protocol::kDht, codec::encode(query), config_.request_timeout,
               [this, lookup_id, to](Result<Bytes> body, const env::Peer& from) {
                 LookupReply reply;
                 std::optional<DhtMessage> message;
                 if (body) message = accept(from, *body);
                 if (message && message->sender.id == to.id &&
                     (message->type == MessageType::kNodes || message->type == MessageType::kValue)) {
                   reply.ok = true;
                   observe(message->sender);
                   for (const Contact& contact : message->contacts) {
                     if (contact_valid(contact)) reply.closer.push_back(contact);
                   }
                   if (message->record && message->record->signature_valid()) {
                     reply.record = std::move(message->record);
                   }
                 } else if (!body && body.status().code() == ErrorCode::kTimeout) {
                   table_.evict(to.id);
                 }
                 auto it = lookups_.find(lookup_id);
                 if (it == lookups_.end()) return;  // finished early; a late reply
                 it->second->lookup.on_reply(to.id, std::move(reply));
                 pump(lookup_id);
               });
}

void Dht::put(Record record, std::function<void(Result<int>)> done) {
  if (!record.signature_valid()) {
    return done(Status::error(ErrorCode::kInvalidArgument, "record signature does not verify"));
  }
  NodeId key = record.key();
  lookup(key, static_cast<size_t>(config_.bucket_size),
         [this, record = std::move(record), done = std::move(done)](LookupResult result) {
           auto acks = std::make_shared<int>(0);
           auto waiting = std::make_shared<size_t>(result.closest.size());
           // We hold it too when we are among the k closest.
           bool keep_locally = result.closest.size() < static_cast<size_t>(config_.bucket_size) ||
                               closer(result.target, self_.id, result.closest.back().id);
           if (keep_locally && accept_record(record)) ++*acks;
           if (*waiting == 0) return done(*acks);
           DhtMessage store;
           store.type = MessageType::kStore;
           store.sender = self_;
           store.record = record;
           Bytes encoded = codec::encode(store);
           for (const Contact& contact : result.closest) {
             rpc_.request(contact.address, rpc::Protocol::kDht, encoded, config_.request_timeout,
                          [this, acks, waiting, done](Result<Bytes> body, const env::Peer& from) {
                            if (body) {
                              std::optional<DhtMessage> ack = accept(from, *body);
                              if (ack && ack->type == MessageType::kStoreAck && ack->stored) ++*acks;
                            }
                            if (--*waiting == 0) done(*acks);
                          });
           }
         });
}

void Dht::get(const NodeId& key, std::function<void(Result<Record>)> done) {
  if (const Record* record = held_record(key)) return done(*record);
  LookupOptions options;
  options.target = key;
  options.count = static_cast<size_t>(config_.bucket_size);
  options.paths = config_.disjoint_paths;
  options.parallelism = config_.parallelism;
  options.find_value = true;
  start_lookup(options, [done = std::move(done)](LookupResult, std::optional<Record> record) {
    if (!record) return done(Status::error(ErrorCode::kNotFound, "no record at that key"));
    done(std::move(*record));
  });
}

bool Dht::accept_record(const Record& record) {
  NodeId key = record.key();
  env::Time expires = env_.now() + config_.record_ttl;
  auto it = records_.find(key);
  if (it != records_.end()) {
    if (record.sequence < it->second.record.sequence) return false;
    it->second = StoredRecord{record, expires};
    return true;
  }
  if (records_.size() >= config_.max_records) return false;
  records_.emplace(key, StoredRecord{record, expires});
  return true;
}

const Record* Dht::held_record(const NodeId& key) {
  auto it = records_.find(key);
  if (it == records_.end()) return nullptr;
  if (it->second.expires <= env_.now()) {
    records_.erase(it);
    return nullptr;
  }
  return &it->second.record;
}

void Dht::schedule_refresh() {
  env_.cancel(refresh_timer_);
  refresh_timer_ = env_.schedule(config_.refresh_interval, [this] { refresh(); });
}

void Dht::refresh() {
  env::Time now = env_.now();
  for (auto it = records_.begin(); it != records_.end();) {
    it = it->second.expires <= now ? records_.erase(it) : std::next(it);
  }
  // Refresh the buckets up to the deepest one in use that no lookup touched
  // for a whole interval; deeper ones cover too little of the space to matter.
  int deepest = -1;
  for (int bucket = kIdBits - 1; bucket >= 0; --bucket) {
    if (table_.bucket_fill(bucket) > 0) {
      deepest = bucket;
      break;
    }
  }
  for (int bucket = 0; bucket <= deepest; ++bucket) {
    if (now - bucket_touched_[bucket] < config_.refresh_interval) continue;
    refresh_bucket(bucket, [] {});
  }
  schedule_refresh();
}

}  // namespace fluence::dht
