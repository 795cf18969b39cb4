#include "model/storage/dataset.h"

namespace fluence::storage {

namespace {

// Order-preserving escape of a variable-length key so that another key can
// follow it: 0x00 becomes 0x00 0xFF, and 0x00 0x01 ends it.
void append_escaped(Bytes& out, ByteView key) {
  for (uint8_t b : key) {
    out.push_back(b);
    if (b == 0x00) out.push_back(0xFF);
  }
  out.push_back(0x00);
  out.push_back(0x01);
}

// Splits an escaped key off the front of `in`; nullopt if malformed.
std::optional<std::pair<Bytes, ByteView>> take_escaped(ByteView in) {
  Bytes key;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != 0x00) {
      key.push_back(in[i]);
      continue;
    }
    if (i + 1 >= in.size()) return std::nullopt;
    if (in[i + 1] == 0x01) return std::make_pair(std::move(key), in.subspan(i + 2));
    if (in[i + 1] != 0xFF) return std::nullopt;
    key.push_back(0x00);
    ++i;
  }
  return std::nullopt;
}

Bytes big_endian(uint64_t value) {
  Bytes out(8);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(value >> (56 - 8 * i));
  return out;
}

// Built with reserve + push_back: GCC 12 warns falsely (-Warray-bounds) on
// inserting into a vector made from an initializer list.
Bytes prefixed(uint8_t tag, ByteView rest, size_t extra = 0) {
  Bytes key;
  key.reserve(1 + rest.size() + extra);
  key.push_back(tag);
  key.insert(key.end(), rest.begin(), rest.end());
  return key;
}

Bytes index_prefix(ByteView index_name) {
  Bytes key = prefixed('i', index_name, 1);
  key.push_back(0x00);
  return key;
}

struct Meta {
  uint64_t applied = 0;
  uint64_t first_journal = 1;
  void encode(codec::Writer& writer) const {
    writer.u64(applied);
    writer.u64(first_journal);
  }
  static Meta decode(codec::Reader& reader) {
    Meta meta;
    meta.applied = reader.u64("meta.applied");
    meta.first_journal = reader.u64("meta.first_journal");
    return meta;
  }
};

}  // namespace

Bytes row_entry_key(ByteView row_key) { return prefixed('r', row_key); }

Bytes index_entry_key(ByteView index_name, ByteView index_key, ByteView row_key) {
  Bytes key = index_prefix(index_name);
  append_escaped(key, index_key);
  key.insert(key.end(), row_key.begin(), row_key.end());
  return key;
}

void Mutation::encode(codec::Writer& writer) const {
  writer.u8(static_cast<uint8_t>(kind));
  writer.bytes(row_key);
  switch (kind) {
    case Kind::kPutRow: writer.bytes(value); break;
    case Kind::kDeleteRow: break;
    case Kind::kPutIndex:
    case Kind::kDeleteIndex:
      writer.bytes(index_name);
      writer.bytes(index_key);
      break;
    case Kind::kLimit: FL_ASSERT(false);
  }
}

Mutation Mutation::decode(codec::Reader& reader) {
  Mutation m;
  m.kind = static_cast<Kind>(reader.tag("mutation.kind", static_cast<uint8_t>(Kind::kLimit)));
  m.row_key = reader.bytes("mutation.row_key", kMaxRowKeyBytes);
  switch (m.kind) {
    case Kind::kPutRow: m.value = reader.bytes("mutation.value", kMaxRowValueBytes); break;
    case Kind::kDeleteRow: break;
    case Kind::kPutIndex:
    case Kind::kDeleteIndex:
      m.index_name = reader.bytes("mutation.index_name", kMaxIndexNameBytes);
      m.index_key = reader.bytes("mutation.index_key", kMaxIndexKeyBytes);
      break;
    case Kind::kLimit: break;
  }
  return m;
}

void JournalEntry::encode(codec::Writer& writer) const {
  writer.u64(sequence);
  writer.varint(mutations.size());
  for (const Mutation& m : mutations) m.encode(writer);
}

JournalEntry JournalEntry::decode(codec::Reader& reader) {
  JournalEntry entry;
  entry.sequence = reader.u64("journal.sequence");
  size_t n = reader.count("journal.mutations", kMaxMutationsPerEntry, 2);
  for (size_t i = 0; i < n && reader.ok(); ++i) entry.mutations.push_back(Mutation::decode(reader));
  return entry;
}

Status validate(const JournalEntry& entry) {
  if (entry.mutations.size() > kMaxMutationsPerEntry) {
    return Status::error(ErrorCode::kLimitExceeded, "journal entry has " +
                                                        std::to_string(entry.mutations.size()) + " mutations");
  }
  for (size_t i = 0; i < entry.mutations.size(); ++i) {
    const Mutation& m = entry.mutations[i];
    std::string where = "mutation " + std::to_string(i) + ": ";
    if (m.kind >= Mutation::Kind::kLimit) return Status::error(ErrorCode::kInvalidArgument, where + "bad kind");
    if (m.row_key.empty() || m.row_key.size() > kMaxRowKeyBytes) {
      return Status::error(ErrorCode::kInvalidArgument, where + "row_key must be 1.." +
                                                            std::to_string(kMaxRowKeyBytes) + " bytes");
    }
    if (m.value.size() > kMaxRowValueBytes) {
      return Status::error(ErrorCode::kLimitExceeded, where + "value over " + std::to_string(kMaxRowValueBytes) + " bytes");
    }
    bool index = m.kind == Mutation::Kind::kPutIndex || m.kind == Mutation::Kind::kDeleteIndex;
    if (index) {
      if (m.index_name.empty() || m.index_name.size() > kMaxIndexNameBytes) {
        return Status::error(ErrorCode::kInvalidArgument, where + "index_name must be 1.." +
                                                              std::to_string(kMaxIndexNameBytes) + " bytes");
      }
      for (uint8_t b : m.index_name) {
        if (b == 0) return Status::error(ErrorCode::kInvalidArgument, where + "index_name contains a zero byte");
      }
      if (m.index_key.size() > kMaxIndexKeyBytes) {
        return Status::error(ErrorCode::kLimitExceeded, where + "index_key over " + std::to_string(kMaxIndexKeyBytes) + " bytes");
      }
    }
  }
  return Status::ok();
}

Bytes Dataset::key(char kind, ByteView suffix) const {
  Bytes out = prefixed('d', id_, 1 + suffix.size());
  out.push_back(static_cast<uint8_t>(kind));
  out.insert(out.end(), suffix.begin(), suffix.end());
  return out;
}

Result<Dataset> Dataset::open(env::Store& store, const DatasetId& id) {
  Dataset dataset(store, id);
  Result<std::optional<Bytes>> meta_bytes = store.get(dataset.key('m', {}));
  if (!meta_bytes) return meta_bytes.status().with_context("dataset meta");
  if (meta_bytes->has_value()) {
    Result<Meta> meta = codec::decode<Meta>(**meta_bytes);
    if (!meta) return meta.status().with_context("dataset meta");
    dataset.applied_ = meta->applied;
    dataset.first_journal_ = meta->first_journal;
  }
  // The store iterates in key order, so the treap is built in one pass.
  Bytes prefix = dataset.key('e', {});
  std::vector<std::pair<Bytes, Hash256>> entries;
  std::unique_ptr<env::StoreIterator> it = store.iterate();
  for (it->seek(prefix); it->valid(); it->next()) {
    ByteView k = it->key();
    if (k.size() < prefix.size() || !std::equal(prefix.begin(), prefix.end(), k.begin())) break;
    entries.emplace_back(Bytes(k.begin() + prefix.size(), k.end()), value_hash(it->value()));
  }
  FL_RETURN_IF_ERROR(it->status());
  FL_RETURN_IF_ERROR(dataset.load_pin(entries));
  dataset.tree_ = MerkleTreap::build_sorted(std::move(entries));
  return dataset;
}

Status Dataset::write_meta(env::WriteBatch& batch) const {
  batch.put(key('m', {}), codec::encode(Meta{applied_, first_journal_}));
  return Status::ok();
}

Status Dataset::apply(const JournalEntry& entry) {
  if (entry.sequence != applied_ + 1) {
    return Status::error(ErrorCode::kInvalidArgument, "journal entry " + std::to_string(entry.sequence) +
                                                          " does not follow " + std::to_string(applied_));
  }
  FL_RETURN_IF_ERROR(validate(entry));
  env::WriteBatch batch;
  // Treap changes are staged and made only after the batch is durable, so a
  // failed write leaves memory and store in agreement.
  std::vector<std::pair<Bytes, std::optional<Hash256>>> staged;
  for (const Mutation& m : entry.mutations) {
    switch (m.kind) {
      case Mutation::Kind::kPutRow: {
        Bytes k = row_entry_key(m.row_key);
        batch.put(key('e', k), m.value);
        staged.emplace_back(std::move(k), value_hash(m.value));
        break;
      }
      case Mutation::Kind::kDeleteRow: {
        Bytes k = row_entry_key(m.row_key);
        batch.erase(key('e', k));
        staged.emplace_back(std::move(k), std::nullopt);
        break;
      }
      case Mutation::Kind::kPutIndex: {
        Bytes k = index_entry_key(m.index_name, m.index_key, m.row_key);
        batch.put(key('e', k), {});
        staged.emplace_back(std::move(k), value_hash({}));
        break;
      }
      case Mutation::Kind::kDeleteIndex: {
        Bytes k = index_entry_key(m.index_name, m.index_key, m.row_key);
        batch.erase(key('e', k));
        staged.emplace_back(std::move(k), std::nullopt);
        break;
      }
      case Mutation::Kind::kLimit: FL_ASSERT(false);
    }
  }
  std::vector<Bytes> changed;
  for (const auto& [k, hash] : staged) changed.push_back(k);
  Result<std::vector<Bytes>> preimaged = save_preimages(changed, batch);
  if (!preimaged) return preimaged.status();
  batch.put(key('j', big_endian(entry.sequence)), codec::encode(entry));
  uint64_t previous = applied_;
  applied_ = entry.sequence;
  FL_RETURN_IF_ERROR(write_meta(batch));
  Status written = store_->write(batch);
  if (!written.is_ok()) {
    applied_ = previous;
    return written.with_context("applying journal entry " + std::to_string(entry.sequence));
  }
  preimaged_.insert(preimaged->begin(), preimaged->end());
  for (auto& [k, hash] : staged) {
    if (hash) {
      tree_.put(k, *hash);
    } else {
      tree_.erase(k);
    }
  }
  return Status::ok();
}

Result<std::optional<Bytes>> Dataset::get_row(ByteView row_key) const {
  return store_->get(key('e', row_entry_key(row_key)));
}

Result<std::vector<IndexHit>> Dataset::scan_index(ByteView index_name, ByteView from, ByteView to,
                                                  size_t limit) const {
  Bytes prefix = key('e', index_prefix(index_name));
  Bytes start = prefix;
  if (!from.empty()) append_escaped(start, from);
  std::vector<IndexHit> hits;
  std::unique_ptr<env::StoreIterator> it = store_->iterate();
  for (it->seek(start); it->valid() && hits.size() < limit; it->next()) {
    ByteView k = it->key();
    if (k.size() < prefix.size() || !std::equal(prefix.begin(), prefix.end(), k.begin())) break;
    std::optional<std::pair<Bytes, ByteView>> parts = take_escaped(k.subspan(prefix.size()));
    if (!parts) return Status::error(ErrorCode::kMalformed, "corrupt index entry in the store");
    const Bytes& index_key = parts->first;
    if (!to.empty() && !std::lexicographical_compare(index_key.begin(), index_key.end(), to.begin(), to.end())) break;
    hits.push_back({index_key, Bytes(parts->second.begin(), parts->second.end())});
  }
  FL_RETURN_IF_ERROR(it->status());
  return hits;
}

Result<JournalEntry> Dataset::journal_entry(uint64_t sequence) const {
  if (sequence < first_journal_ || sequence > applied_) {
    return Status::error(ErrorCode::kNotFound, "journal entry " + std::to_string(sequence) + " not held (have " +
                                                   std::to_string(first_journal_) + ".." + std::to_string(applied_) + ")");
  }
  Result<std::optional<Bytes>> bytes = store_->get(key('j', big_endian(sequence)));
  if (!bytes) return bytes.status();
  if (!bytes->has_value()) return Status::error(ErrorCode::kNotFound, "journal entry missing from the store");
  return codec::decode<JournalEntry>(**bytes);
}

Status Dataset::compact_journal(uint64_t sequence) {
  sequence = std::min(sequence, applied_ + 1);
  if (sequence <= first_journal_) return Status::ok();
  env::WriteBatch batch;
  for (uint64_t s = first_journal_; s < sequence; ++s) batch.erase(key('j', big_endian(s)));
  uint64_t previous = first_journal_;
  first_journal_ = sequence;
  FL_RETURN_IF_ERROR(write_meta(batch));
  Status written = store_->write(batch);
  if (!written.is_ok()) first_journal_ = previous;
  return written;
}

Result<std::vector<std::pair<Bytes, Bytes>>> Dataset::snapshot_entries() const {
  bool complete = false;
  return entries_after({}, SIZE_MAX, &complete);
}

Result<std::vector<std::pair<Bytes, Bytes>>> Dataset::entries_after(ByteView after, size_t max_bytes,
                                                                    bool* complete) const {
  std::vector<std::pair<Bytes, Bytes>> entries;
  size_t gathered = 0;
  *complete = true;
  FL_RETURN_IF_ERROR(visit_entries({}, after, [&](ByteView k, ByteView v) {
    if (gathered >= max_bytes) {
      *complete = false;
      return false;
    }
    entries.emplace_back(Bytes(k.begin(), k.end()), Bytes(v.begin(), v.end()));
    gathered += 1 + kDatasetIdBytes + 1 + k.size() + v.size();  // as stored: the store key's prefix included
    return true;
  }));
  return entries;
}

Status Dataset::visit_rows(ByteView prefix, ByteView after, const RowVisitor& visit) const {
  Bytes entry_after = after.empty() ? Bytes() : row_entry_key(after);
  return visit_entries(row_entry_key(prefix), entry_after, [&](ByteView k, ByteView v) {
    FL_ASSERT(!k.empty() && k[0] == 'r');
    return visit(k.subspan(1), v);
  });
}

Status Dataset::visit_entries(ByteView entry_prefix, ByteView after, const RowVisitor& visit) const {
  const Bytes prefix = key('e', entry_prefix);
  Bytes start = prefix;
  if (!after.empty()) {
    Bytes next = key('e', after);
    next.push_back(0x00);  // the smallest key after `after`
    if (std::lexicographical_compare(start.begin(), start.end(), next.begin(), next.end())) start = std::move(next);
  }
  std::unique_ptr<env::StoreIterator> it = store_->iterate();
  for (it->seek(start); it->valid(); it->next()) {
    ByteView k = it->key();
    if (k.size() < prefix.size() || !std::equal(prefix.begin(), prefix.end(), k.begin())) break;
    const size_t entry_start = 1 + kDatasetIdBytes + 1;  // 'd' + dataset id + 'e'
    if (!visit(k.subspan(entry_start), it->value())) break;
  }
  return it->status();
}

Status Dataset::install_snapshot(const std::vector<std::pair<Bytes, Bytes>>& entries, uint64_t sequence) {
  Result<std::vector<std::pair<Bytes, Bytes>>> current = snapshot_entries();
  if (!current) return current.status();
  env::WriteBatch batch;
  for (const auto& [k, v] : *current) batch.erase(key('e', k));
  for (uint64_t s = first_journal_; s <= applied_; ++s) batch.erase(key('j', big_endian(s)));
  std::vector<std::pair<Bytes, Hash256>> hashed;
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& [k, v] = entries[i];
    if (k.empty() || k.size() > kMaxEntryKeyBytes) {
      return Status::error(ErrorCode::kMalformed, "snapshot entry key of " + std::to_string(k.size()) + " bytes");
    }
    if (i > 0 && !std::lexicographical_compare(entries[i - 1].first.begin(), entries[i - 1].first.end(), k.begin(), k.end())) {
      return Status::error(ErrorCode::kMalformed, "snapshot entries are not in increasing key order at " + std::to_string(i));
    }
    batch.put(key('e', k), v);
    hashed.emplace_back(k, value_hash(v));
  }
  MerkleTreap tree = MerkleTreap::build_sorted(std::move(hashed));
  FL_RETURN_IF_ERROR(erase_pin(batch));  // a pin of a state this replica never had is no use
  uint64_t previous_applied = applied_, previous_first = first_journal_;
  applied_ = sequence;
  first_journal_ = sequence + 1;
  FL_RETURN_IF_ERROR(write_meta(batch));
  Status written = store_->write(batch);
  if (!written.is_ok()) {
    applied_ = previous_applied;
    first_journal_ = previous_first;
    return written;
  }
  tree_ = std::move(tree);
  pinned_sequence_.reset();
  pinned_tree_ = MerkleTreap();
  preimaged_.clear();
  return Status::ok();
}

Status Dataset::silently_forget(uint64_t index) {
  if (index >= tree_.size()) return Status::error(ErrorCode::kInvalidArgument, "entry index out of range");
  env::WriteBatch batch;
  Bytes k = tree_.key_at(index);
  batch.erase(key('e', k));
  batch.erase(key('p', k));
  // The treap keeps the entry: the node still claims the old state root.
  return store_->write(batch);
}

}  // namespace fluence::storage
