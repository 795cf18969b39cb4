// Dataset's pinned version (see dataset.h): a treap copy for the proofs and
// preimages in the store for the values that changed since the pin.
#include <algorithm>

#include "model/storage/dataset.h"

namespace fluence::storage {

namespace {

// A preimage: 0x01 + the value the entry had at the pin, or 0x00 if the
// entry did not exist then.
Bytes encode_preimage(const std::optional<Bytes>& value) {
  Bytes out{static_cast<uint8_t>(value ? 1 : 0)};
  if (value) out.insert(out.end(), value->begin(), value->end());
  return out;
}

Result<std::optional<Bytes>> decode_preimage(ByteView stored) {
  if (stored.empty() || stored[0] > 1 || (stored[0] == 0 && stored.size() != 1)) {
    return Status::error(ErrorCode::kMalformed, "malformed preimage of a pinned entry");
  }
  if (stored[0] == 0) return std::optional<Bytes>();
  return std::optional<Bytes>(Bytes(stored.begin() + 1, stored.end()));
}

bool has_prefix(ByteView key, const Bytes& prefix) {
  return key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}

}  // namespace

const MerkleTreap& Dataset::tree(Version version) const {
  FL_ASSERT_MSG(version == Version::kCurrent || pinned_sequence_.has_value(), "no pinned version");
  return version == Version::kCurrent ? tree_ : pinned_tree_;
}

std::optional<Dataset::PinnedVersion> Dataset::pinned() const {
  if (!pinned_sequence_) return std::nullopt;
  return PinnedVersion{*pinned_sequence_, pinned_tree_.root(), pinned_tree_.size()};
}

Status Dataset::erase_pin(env::WriteBatch& batch) const {
  batch.erase(key('v', {}));
  Bytes prefix = key('p', {});
  std::unique_ptr<env::StoreIterator> it = store_->iterate();
  for (it->seek(prefix); it->valid() && has_prefix(it->key(), prefix); it->next()) {
    batch.erase(Bytes(it->key().begin(), it->key().end()));
  }
  return it->status();
}

Status Dataset::pin() {
  env::WriteBatch batch;
  FL_RETURN_IF_ERROR(erase_pin(batch));
  codec::Writer pin;
  pin.u64(applied_);
  batch.put(key('v', {}), pin.finish());
  FL_RETURN_IF_ERROR(store_->write(batch).with_context("pinning the dataset"));
  pinned_sequence_ = applied_;
  pinned_tree_ = tree_.clone();
  preimaged_.clear();
  return Status::ok();
}

Result<std::vector<Bytes>> Dataset::save_preimages(const std::vector<Bytes>& keys, env::WriteBatch& batch) const {
  std::vector<Bytes> saved;
  if (!pinned_sequence_) return saved;
  for (const Bytes& k : keys) {
    // An entry changed twice in one journal entry keeps its first preimage.
    if (preimaged_.count(k) != 0 || std::find(saved.begin(), saved.end(), k) != saved.end()) continue;
    Result<std::optional<Bytes>> old = store_->get(key('e', k));
    if (!old) return old.status().with_context("reading a pinned entry's preimage");
    batch.put(key('p', k), encode_preimage(*old));
    saved.push_back(k);
  }
  return saved;
}

Status Dataset::load_pin(const std::vector<std::pair<Bytes, Hash256>>& entries) {
  Result<std::optional<Bytes>> stored = store_->get(key('v', {}));
  if (!stored) return stored.status().with_context("dataset pin");
  if (!stored->has_value()) return Status::ok();
  codec::Reader reader(**stored);
  uint64_t sequence = reader.u64("dataset.pin");
  FL_RETURN_IF_ERROR(reader.finish());
  // The pinned contents: today's entries with every preimage laid over them.
  std::vector<std::pair<Bytes, std::optional<Hash256>>> preimages;
  Bytes prefix = key('p', {});
  std::unique_ptr<env::StoreIterator> it = store_->iterate();
  for (it->seek(prefix); it->valid() && has_prefix(it->key(), prefix); it->next()) {
    Result<std::optional<Bytes>> old = decode_preimage(it->value());
    if (!old) return old.status();
    Bytes k(it->key().begin() + prefix.size(), it->key().end());
    preimages.emplace_back(std::move(k), *old ? std::optional<Hash256>(value_hash(**old)) : std::nullopt);
  }
  FL_RETURN_IF_ERROR(it->status());
  std::vector<std::pair<Bytes, Hash256>> merged;
  merged.reserve(entries.size());
  size_t e = 0, p = 0;
  while (e < entries.size() || p < preimages.size()) {
    bool take_preimage = e == entries.size() || (p < preimages.size() && preimages[p].first <= entries[e].first);
    if (!take_preimage) {
      merged.push_back(entries[e++]);
      continue;
    }
    if (e < entries.size() && entries[e].first == preimages[p].first) ++e;  // the preimage wins
    if (preimages[p].second) merged.emplace_back(preimages[p].first, *preimages[p].second);
    preimaged_.insert(preimages[p].first);
    ++p;
  }
  pinned_tree_ = MerkleTreap::build_sorted(std::move(merged));
  pinned_sequence_ = sequence;
  return Status::ok();
}

Result<Bytes> Dataset::entry_value(uint64_t index, Version version) const {
  const MerkleTreap& t = tree(version);
  if (index >= t.size()) return Status::error(ErrorCode::kInvalidArgument, "entry index out of range");
  Bytes k = t.key_at(index);
  Result<std::optional<Bytes>> value(std::nullopt);
  if (version == Version::kPinned && preimaged_.count(k) != 0) {
    Result<std::optional<Bytes>> stored = store_->get(key('p', k));
    if (!stored) return stored.status();
    value = stored->has_value() ? decode_preimage(**stored) : Result<std::optional<Bytes>>(std::nullopt);
  } else {
    value = store_->get(key('e', k));
  }
  if (!value) return value.status();
  if (!value->has_value()) return Status::error(ErrorCode::kNotFound, "entry " + std::to_string(index) + " is not held");
  return std::move(**value);
}

}  // namespace fluence::storage
