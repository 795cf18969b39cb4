#include "model/storage/replication_messages.h"

namespace fluence::storage {

void ReplicationMessage::encode(codec::Writer& writer) const {
  writer.u8(static_cast<uint8_t>(type));
  writer.fixed(dataset);
  switch (type) {
    case Type::kAck:
    case Type::kStatusReply: writer.u64(applied); break;
    case Type::kFetch: writer.u64(from); break;
    case Type::kCompacted: writer.u64(first_journal); break;
    case Type::kSnapshot: writer.bytes(after_key); break;
    case Type::kAppend:
    case Type::kEntries:
      writer.varint(entries.size());
      for (const JournalEntry& e : entries) e.encode(writer);
      break;
    case Type::kSnapshotChunk:
      writer.u64(sequence);
      writer.fixed(root);
      writer.boolean(complete);
      writer.varint(snapshot.size());
      for (const auto& [k, v] : snapshot) {
        writer.bytes(k);
        writer.bytes(v);
      }
      break;
    case Type::kStatus: break;
    case Type::kLimit: FL_ASSERT(false);
  }
}

std::optional<DatasetId> ReplicationMessage::peek_dataset(ByteView body) {
  codec::Reader reader(body);
  reader.tag("replication.type", static_cast<uint8_t>(Type::kLimit));
  DatasetId id = reader.fixed<kDatasetIdBytes>("replication.dataset");
  if (!reader.ok()) return std::nullopt;
  return id;
}

ReplicationMessage ReplicationMessage::decode(codec::Reader& reader) {
  ReplicationMessage m;
  m.type = static_cast<Type>(reader.tag("replication.type", static_cast<uint8_t>(Type::kLimit)));
  m.dataset = reader.fixed<kDatasetIdBytes>("replication.dataset");
  switch (m.type) {
    case Type::kAck:
    case Type::kStatusReply: m.applied = reader.u64("replication.applied"); break;
    case Type::kFetch: m.from = reader.u64("replication.from"); break;
    case Type::kCompacted: m.first_journal = reader.u64("replication.first_journal"); break;
    case Type::kSnapshot: m.after_key = reader.bytes("replication.after_key", kMaxEntryKeyBytes); break;
    case Type::kAppend:
    case Type::kEntries: {
      size_t n = reader.count("replication.entries", kMaxEntriesPerMessage, 9);
      for (size_t i = 0; i < n && reader.ok(); ++i) m.entries.push_back(JournalEntry::decode(reader));
      if (reader.ok() && m.type == Type::kAppend && m.entries.size() != 1) {
        reader.fail("replication.entries", "an append carries exactly one entry");
      }
      break;
    }
    case Type::kSnapshotChunk: {
      m.sequence = reader.u64("replication.sequence");
      m.root = reader.fixed<crypto::kHashBytes>("replication.root");
      m.complete = reader.boolean("replication.complete");
      size_t n = reader.count("replication.snapshot", kMaxEntriesPerMessage * 16, 2);
      for (size_t i = 0; i < n && reader.ok(); ++i) {
        Bytes k = reader.bytes("replication.snapshot.key", kMaxEntryKeyBytes);
        Bytes v = reader.bytes("replication.snapshot.value", kMaxRowValueBytes);
        m.snapshot.emplace_back(std::move(k), std::move(v));
      }
      break;
    }
    case Type::kStatus:
    case Type::kLimit: break;
  }
  return m;
}

}  // namespace fluence::storage
