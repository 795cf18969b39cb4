// Journal replication inside a cluster: one sequencer, in-order apply,
// catch-up from peers by journal tail or by snapshot.
//
// The sequencer numbers each write and sends the journal entry to every
// replica; a write is acknowledged to the client only once the sequencer and
// a majority of the cluster hold it durably, so an acknowledged write survives
// the loss of any minority. A replica applies entries strictly in order,
// buffers a bounded number that arrive early, and fills gaps by asking a peer
// for the journal tail; a peer that has compacted past the gap sends its
// snapshot instead, which the replica checks against the peer's state root
// before trusting it. A replica also polls a peer every sync interval, so one
// that was down catches up on its own.
//
// Who sequences is this module's input: until the cluster chain's consensus
// orders writes, it is the cluster member named first in the configuration.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "model/env/env.h"
#include "model/rpc/rpc.h"
#include "model/storage/dataset.h"
#include "model/storage/replication_messages.h"

namespace fluence::storage {

struct ReplicationConfig {
  std::vector<env::Address> members;  // the whole cluster, this node included
  env::Duration request_timeout = std::chrono::seconds(2);
  env::Duration sync_interval = std::chrono::seconds(5);
  size_t max_buffered_entries = 1024;
  size_t max_batch_bytes = 512 * 1024;  // per catch-up reply
  uint64_t keep_journal_entries = 10000;  // compaction keeps this many
};

class Replication {
 public:
  Replication(env::Env& env, rpc::Rpc& rpc, Dataset& dataset, ReplicationConfig config);
  ~Replication();
  Replication(const Replication&) = delete;
  Replication& operator=(const Replication&) = delete;

  bool is_sequencer() const;
  // Sequencer only: appends `mutations` as the next entry; `done` gets its
  // sequence once a majority holds it, or an error (not the sequencer,
  // invalid, store failure, or no majority before the timeout).
  void submit(std::vector<Mutation> mutations, std::function<void(Result<uint64_t>)> done);

  // Starts the periodic sync with peers.
  void start();

  // The owner routes kReplication messages for this dataset here (a node
  // hosting several datasets routes by ReplicationMessage::dataset).
  std::optional<Bytes> on_message(const env::Peer& from, rpc::Kind kind, ByteView body);

  uint64_t snapshots_installed() const { return snapshots_installed_; }

 private:
  struct PendingWrite;
  struct SnapshotTransfer;
  void on_append_reply(uint64_t sequence, Result<Bytes> body);
  void fetch_snapshot_chunk(std::shared_ptr<SnapshotTransfer> transfer);
  void apply_buffered();
  void catch_up_from(const env::Address& peer);
  void fetch_snapshot(const env::Address& peer, int attempt);
  void schedule_sync();
  void sync();
  void compact();
  env::Address random_peer();

  env::Env& env_;
  rpc::Rpc& rpc_;
  Dataset& dataset_;
  ReplicationConfig config_;
  std::map<uint64_t, JournalEntry> buffered_;   // early arrivals, by sequence
  std::map<uint64_t, std::unique_ptr<PendingWrite>> pending_;  // sequencer: awaiting majority
  bool catching_up_ = false;
  env::TimerId sync_timer_ = 0;
  uint64_t snapshots_installed_ = 0;
};

}  // namespace fluence::storage
