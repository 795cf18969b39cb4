// Wire messages of journal replication (see replication.h).
#pragma once

#include <optional>
#include <vector>

#include "model/codec/codec.h"
#include "model/storage/dataset.h"

namespace fluence::storage {

inline constexpr size_t kMaxEntriesPerMessage = 4096;

struct ReplicationMessage {
  enum class Type : uint8_t {
    kAppend,         // entries[0]: the next entry from the sequencer
    kAck,            // applied
    kFetch,          // from: first sequence wanted
    kEntries,        // entries, in order
    kCompacted,      // first_journal: the journal starts later than asked
    kSnapshot,       // after_key: resume a snapshot transfer after this key
    kSnapshotChunk,  // sequence, root, snapshot, complete
    kStatus,         // (request)
    kStatusReply,    // applied
    kLimit,
  };
  Type type = Type::kStatus;
  DatasetId dataset{};
  uint64_t applied = 0;
  uint64_t from = 0;
  uint64_t first_journal = 0;
  uint64_t sequence = 0;
  crypto::Hash256 root{};
  bool complete = false;
  Bytes after_key;
  std::vector<JournalEntry> entries;
  std::vector<std::pair<Bytes, Bytes>> snapshot;

  void encode(codec::Writer& writer) const;
  static ReplicationMessage decode(codec::Reader& reader);
  // The dataset a message is about, read without decoding the rest, so a
  // node hosting several datasets can route it.
  static std::optional<DatasetId> peek_dataset(ByteView body);
};

}  // namespace fluence::storage
