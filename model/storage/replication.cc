#include "model/storage/replication.h"

#include <algorithm>

namespace fluence::storage {

struct Replication::PendingWrite {
  size_t holders = 1;  // the sequencer itself
  std::function<void(Result<uint64_t>)> done;
  env::TimerId timer = 0;
};

struct Replication::SnapshotTransfer {
  env::Address peer;
  int attempt = 0;
  uint64_t sequence = 0;
  crypto::Hash256 root{};
  bool started = false;
  std::vector<std::pair<Bytes, Bytes>> entries;
};

namespace {
constexpr int kMaxSnapshotAttempts = 5;

size_t majority(size_t members) { return members / 2 + 1; }
}  // namespace

Replication::Replication(env::Env& env, rpc::Rpc& rpc, Dataset& dataset, ReplicationConfig config)
    : env_(env), rpc_(rpc), dataset_(dataset), config_(std::move(config)) {
  FL_ASSERT(!config_.members.empty());
  FL_ASSERT(std::find(config_.members.begin(), config_.members.end(), env_.self_address()) !=
            config_.members.end());
}

Replication::~Replication() {
  env_.cancel(sync_timer_);
  for (auto& [sequence, pending] : pending_) env_.cancel(pending->timer);
}

bool Replication::is_sequencer() const { return config_.members.front() == env_.self_address(); }

void Replication::start() { schedule_sync(); }

void Replication::submit(std::vector<Mutation> mutations, std::function<void(Result<uint64_t>)> done) {
  if (!is_sequencer()) {
    return done(Status::error(ErrorCode::kInvalidArgument, "not the sequencer; send writes to " + config_.members.front()));
  }
  JournalEntry entry{dataset_.applied_sequence() + 1, std::move(mutations)};
  Status applied = dataset_.apply(entry);
  if (!applied.is_ok()) return done(applied);
  uint64_t sequence = entry.sequence;
  auto pending = std::make_unique<PendingWrite>();
  pending->done = std::move(done);
  if (pending->holders >= majority(config_.members.size())) {
    pending->done(sequence);  // a cluster of one
    return;
  }
  pending->timer = env_.schedule(config_.request_timeout, [this, sequence] {
    auto it = pending_.find(sequence);
    if (it == pending_.end()) return;
    std::unique_ptr<PendingWrite> gone = std::move(it->second);
    pending_.erase(it);
    gone->done(Status::error(ErrorCode::kUnavailable,
                             "entry " + std::to_string(sequence) + " reached " + std::to_string(gone->holders) +
                                 " of " + std::to_string(config_.members.size()) + " members in time"));
  });
  pending_.emplace(sequence, std::move(pending));
  ReplicationMessage append;
  append.type = ReplicationMessage::Type::kAppend;
  append.dataset = dataset_.id();
  append.entries.push_back(std::move(entry));
  Bytes encoded = codec::encode(append);
  for (const env::Address& member : config_.members) {
    if (member == env_.self_address()) continue;
    rpc_.request(member, rpc::Protocol::kReplication, encoded, config_.request_timeout,
                 [this, sequence](Result<Bytes> body, const env::Peer&) { on_append_reply(sequence, std::move(body)); });
  }
}

void Replication::on_append_reply(uint64_t sequence, Result<Bytes> body) {
  auto it = pending_.find(sequence);
  if (it == pending_.end() || !body) return;
  Result<ReplicationMessage> reply = codec::decode<ReplicationMessage>(*body);
  if (!reply || reply->type != ReplicationMessage::Type::kAck || reply->applied < sequence) return;
  if (++it->second->holders < majority(config_.members.size())) return;
  std::unique_ptr<PendingWrite> done = std::move(it->second);
  pending_.erase(it);
  env_.cancel(done->timer);
  done->done(sequence);
}

std::optional<Bytes> Replication::on_message(const env::Peer& from, rpc::Kind kind, ByteView body) {
  if (kind != rpc::Kind::kRequest) return std::nullopt;
  Result<ReplicationMessage> decoded = codec::decode<ReplicationMessage>(body);
  if (!decoded || decoded->dataset != dataset_.id()) return std::nullopt;
  // Only cluster members may feed or read this replica.
  if (std::find(config_.members.begin(), config_.members.end(), from.address) == config_.members.end()) {
    return std::nullopt;
  }
  ReplicationMessage& request = *decoded;
  ReplicationMessage reply;
  reply.dataset = dataset_.id();
  using Type = ReplicationMessage::Type;
  switch (request.type) {
    case Type::kAppend: {
      JournalEntry& entry = request.entries.front();
      if (entry.sequence > dataset_.applied_sequence() + 1) {
        if (buffered_.size() < config_.max_buffered_entries) buffered_.emplace(entry.sequence, std::move(entry));
        catch_up_from(from.address);
      } else if (entry.sequence == dataset_.applied_sequence() + 1) {
        Status applied = dataset_.apply(entry);
        if (!applied.is_ok()) env_.log(env::LogLevel::kError, "replication: " + applied.to_string());
        apply_buffered();
      }
      reply.type = Type::kAck;
      reply.applied = dataset_.applied_sequence();
      break;
    }
    case Type::kFetch: {
      if (request.from < dataset_.first_journal_sequence()) {
        reply.type = Type::kCompacted;
        reply.first_journal = dataset_.first_journal_sequence();
        break;
      }
      reply.type = Type::kEntries;
      size_t bytes = 0;
      for (uint64_t s = request.from; s <= dataset_.applied_sequence() && bytes < config_.max_batch_bytes &&
                                      reply.entries.size() < kMaxEntriesPerMessage;
           ++s) {
        Result<JournalEntry> entry = dataset_.journal_entry(s);
        if (!entry) break;
        bytes += codec::encode(*entry).size();
        reply.entries.push_back(std::move(*entry));
      }
      break;
    }
    case Type::kSnapshot: {
      bool complete = false;
      Result<std::vector<std::pair<Bytes, Bytes>>> entries =
          dataset_.entries_after(request.after_key, config_.max_batch_bytes, &complete);
      if (!entries) return std::nullopt;
      reply.type = Type::kSnapshotChunk;
      reply.sequence = dataset_.applied_sequence();
      reply.root = dataset_.state_root();
      reply.complete = complete;
      reply.snapshot = std::move(*entries);
      break;
    }
    case Type::kStatus:
      reply.type = Type::kStatusReply;
      reply.applied = dataset_.applied_sequence();
      break;
    default:
      return std::nullopt;
  }
  return codec::encode(reply);
}

void Replication::apply_buffered() {
  while (!buffered_.empty()) {
    auto it = buffered_.begin();
    if (it->first <= dataset_.applied_sequence()) {
      buffered_.erase(it);
      continue;
    }
    if (it->first != dataset_.applied_sequence() + 1) return;
    Status applied = dataset_.apply(it->second);
    buffered_.erase(it);
    if (!applied.is_ok()) {
      env_.log(env::LogLevel::kError, "replication: " + applied.to_string());
      return;
    }
  }
}

void Replication::catch_up_from(const env::Address& peer) {
  if (catching_up_ || peer == env_.self_address()) return;
  catching_up_ = true;
  ReplicationMessage fetch;
  fetch.type = ReplicationMessage::Type::kFetch;
  fetch.dataset = dataset_.id();
  fetch.from = dataset_.applied_sequence() + 1;
  rpc_.request(peer, rpc::Protocol::kReplication, codec::encode(fetch), config_.request_timeout,
               [this, peer](Result<Bytes> body, const env::Peer&) {
                 catching_up_ = false;
                 if (!body) return;
                 Result<ReplicationMessage> reply = codec::decode<ReplicationMessage>(*body);
                 if (!reply) return;
                 if (reply->type == ReplicationMessage::Type::kCompacted) return fetch_snapshot(peer, 0);
                 if (reply->type != ReplicationMessage::Type::kEntries) return;
                 for (const JournalEntry& entry : reply->entries) {
                   if (entry.sequence != dataset_.applied_sequence() + 1) break;
                   if (!dataset_.apply(entry).is_ok()) return;
                 }
                 apply_buffered();
                 if (!reply->entries.empty()) catch_up_from(peer);  // there may be more
               });
}

void Replication::fetch_snapshot(const env::Address& peer, int attempt) {
  if (attempt >= kMaxSnapshotAttempts) {
    env_.log(env::LogLevel::kWarning, "replication: snapshot from " + peer + " kept changing; giving up for now");
    return;
  }
  auto transfer = std::make_shared<SnapshotTransfer>();
  transfer->peer = peer;
  transfer->attempt = attempt;
  catching_up_ = true;
  fetch_snapshot_chunk(std::move(transfer));
}

void Replication::fetch_snapshot_chunk(std::shared_ptr<SnapshotTransfer> transfer) {
  ReplicationMessage request;
  request.type = ReplicationMessage::Type::kSnapshot;
  request.dataset = dataset_.id();
  if (!transfer->entries.empty()) request.after_key = transfer->entries.back().first;
  rpc_.request(transfer->peer, rpc::Protocol::kReplication, codec::encode(request), config_.request_timeout,
               [this, transfer](Result<Bytes> body, const env::Peer&) {
                 catching_up_ = false;
                 if (!body) return;
                 Result<ReplicationMessage> chunk = codec::decode<ReplicationMessage>(*body);
                 if (!chunk || chunk->type != ReplicationMessage::Type::kSnapshotChunk) return;
                 if (!transfer->started) {
                   transfer->started = true;
                   transfer->sequence = chunk->sequence;
                   transfer->root = chunk->root;
                 } else if (chunk->sequence != transfer->sequence) {
                   return fetch_snapshot(transfer->peer, transfer->attempt + 1);  // it moved on
                 }
                 for (auto& entry : chunk->snapshot) transfer->entries.push_back(std::move(entry));
                 if (!chunk->complete) {
                   catching_up_ = true;
                   return fetch_snapshot_chunk(transfer);
                 }
                 // Trust the snapshot only if it hashes to the root the peer claimed.
                 MerkleTreap check;
                 for (const auto& [k, v] : transfer->entries) check.put(k, value_hash(v));
                 if (check.root() != transfer->root) {
                   env_.log(env::LogLevel::kWarning, "replication: snapshot from " + transfer->peer +
                                                         " does not match its root");
                   return;
                 }
                 Status installed = dataset_.install_snapshot(transfer->entries, transfer->sequence);
                 if (!installed.is_ok()) {
                   env_.log(env::LogLevel::kError, "replication: " + installed.to_string());
                   return;
                 }
                 ++snapshots_installed_;
                 apply_buffered();
                 catch_up_from(transfer->peer);  // the journal tail since the snapshot
               });
}

env::Address Replication::random_peer() {
  std::vector<env::Address> peers;
  for (const env::Address& m : config_.members) {
    if (m != env_.self_address()) peers.push_back(m);
  }
  if (peers.empty()) return env_.self_address();
  return peers[env_.random().uniform(peers.size())];
}

void Replication::schedule_sync() {
  env_.cancel(sync_timer_);
  sync_timer_ = env_.schedule(config_.sync_interval, [this] { sync(); });
}

void Replication::sync() {
  compact();
  env::Address peer = random_peer();
  if (peer != env_.self_address() && !catching_up_) {
    ReplicationMessage status;
    status.type = ReplicationMessage::Type::kStatus;
    status.dataset = dataset_.id();
    rpc_.request(peer, rpc::Protocol::kReplication, codec::encode(status), config_.request_timeout,
                 [this, peer](Result<Bytes> body, const env::Peer&) {
                   if (!body) return;
                   Result<ReplicationMessage> reply = codec::decode<ReplicationMessage>(*body);
                   if (reply && reply->type == ReplicationMessage::Type::kStatusReply &&
                       reply->applied > dataset_.applied_sequence()) {
                     catch_up_from(peer);
                   }
                 });
  }
  schedule_sync();
}

void Replication::compact() {
  uint64_t applied = dataset_.applied_sequence();
  if (applied <= config_.keep_journal_entries) return;
  Status compacted = dataset_.compact_journal(applied - config_.keep_journal_entries + 1);
  if (!compacted.is_ok()) env_.log(env::LogLevel::kWarning, "replication: compaction: " + compacted.to_string());
}

}  // namespace fluence::storage
