#include "model/client/key_tree.h"

#include <sodium.h>

#include "model/crypto/sodium.h"

namespace fluence::client {

namespace {

// BLAKE2b-256(key = `key`, message = len(label) || label || suffix), the
// framing of dataset_keys.h with a node's key in place of the root secret.
NodeSecret keyed_hash(const NodeSecret& key, std::string_view label, ByteView suffix) {
  crypto::ensure_sodium();
  FL_ASSERT(!label.empty() && label.size() < 256);
  crypto_generichash_state state;
  int rc = crypto_generichash_init(&state, key.data(), key.size(), kNodeKeyBytes);
  FL_ASSERT(rc == 0);
  uint8_t length = static_cast<uint8_t>(label.size());
  crypto_generichash_update(&state, &length, 1);
  crypto_generichash_update(&state, as_bytes(label).data(), label.size());
  crypto_generichash_update(&state, suffix.data(), suffix.size());
  NodeSecret out;
  crypto_generichash_final(&state, out.data(), out.size());
  // The state holds the parent's key as BLAKE2b's keyed first block.
  crypto::wipe(&state, sizeof(state));
  return out;
}

NodeSecret child_secret(const NodeSecret& parent, ByteView segment) {
  FL_ASSERT(!segment.empty() && segment.size() <= kMaxKeyPathSegmentBytes);
  // The 2-byte length makes the message prefix-free for any segment size the
  // bounds allow, so no two segments share a child key.
  static_assert(kMaxKeyPathSegmentBytes <= 0xffff);
  Bytes suffix;
  suffix.reserve(2 + segment.size());
  suffix.push_back(static_cast<uint8_t>(segment.size() >> 8));
  suffix.push_back(static_cast<uint8_t>(segment.size()));
  suffix.insert(suffix.end(), segment.begin(), segment.end());
  return keyed_hash(parent, kTreeNodeLabel, suffix);
}

// The checks KeyPath::make and decode share; empty when the path is fine.
std::string path_problem(const std::vector<Bytes>& segments) {
  if (segments.size() > kMaxKeyPathDepth) {
    return "key path of " + std::to_string(segments.size()) +
           " segments exceeds the maximum depth " + std::to_string(kMaxKeyPathDepth);
  }
  size_t total = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i].empty()) return "key path segment " + std::to_string(i) + " is empty";
    if (segments[i].size() > kMaxKeyPathSegmentBytes) {
      return "key path segment " + std::to_string(i) + " of " + std::to_string(segments[i].size()) +
             " bytes exceeds " + std::to_string(kMaxKeyPathSegmentBytes);
    }
    total += segments[i].size();
  }
  if (total > kMaxKeyPathBytes) {
    return "key path of " + std::to_string(total) + " segment bytes exceeds " +
           std::to_string(kMaxKeyPathBytes);
  }
  return {};
}

}  // namespace

Result<KeyPath> KeyPath::make(std::vector<Bytes> segments) {
  std::string problem = path_problem(segments);
  if (!problem.empty()) return Status::error(ErrorCode::kInvalidArgument, problem);
  return KeyPath(std::move(segments));
}

Result<KeyPath> KeyPath::from_strings(std::initializer_list<std::string_view> segments) {
  std::vector<Bytes> bytes;
  bytes.reserve(segments.size());
  for (std::string_view segment : segments) bytes.emplace_back(segment.begin(), segment.end());
  return make(std::move(bytes));
}

Result<KeyPath> KeyPath::child(ByteView segment) const {
  std::vector<Bytes> segments = segments_;
  segments.emplace_back(segment.begin(), segment.end());
  return make(std::move(segments));
}

KeyPath KeyPath::prefix(size_t depth) const {
  FL_ASSERT(depth <= segments_.size());
  return KeyPath(std::vector<Bytes>(segments_.begin(), segments_.begin() + depth));
}

bool KeyPath::covers(const KeyPath& other) const {
  if (other.segments_.size() < segments_.size()) return false;
  return std::equal(segments_.begin(), segments_.end(), other.segments_.begin());
}

std::string KeyPath::to_string() const {
  if (segments_.empty()) return "/";
  std::string out;
  for (const Bytes& segment : segments_) out += "/" + to_hex(segment);
  return out;
}

void KeyPath::encode(codec::Writer& writer) const {
  FL_ASSERT(path_problem(segments_).empty());
  writer.varint(segments_.size());
  for (const Bytes& segment : segments_) writer.bytes(segment);
}

KeyPath KeyPath::decode(codec::Reader& reader) {
  // Each segment takes at least 2 bytes: its length and one byte.
  size_t depth = reader.count("key_path.depth", kMaxKeyPathDepth, 2);
  std::vector<Bytes> segments;
  segments.reserve(depth);
  for (size_t i = 0; i < depth && reader.ok(); ++i) {
    segments.push_back(reader.bytes("key_path.segment", kMaxKeyPathSegmentBytes));
  }
  if (!reader.ok()) return {};
  std::string problem = path_problem(segments);
  if (!problem.empty()) {
    reader.fail("key_path", problem);
    return {};
  }
  return KeyPath(std::move(segments));
}

NodeKey::NodeKey(const storage::DatasetId& dataset, KeyPath path, NodeSecret secret)
    : dataset_(dataset), path_(std::move(path)), secret_(std::move(secret)) {}

Result<NodeKey> NodeKey::descendant(const KeyPath& path) const {
  if (!path_.covers(path)) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "key path " + path.to_string() + " is not under " + path_.to_string() +
                             ": a node's key gives only the keys below it");
  }
  NodeSecret secret = secret_.clone();
  for (size_t i = path_.depth(); i < path.depth(); ++i) {
    secret = child_secret(secret, path.segments()[i]);
  }
  return NodeKey(dataset_, path, std::move(secret));
}

Result<NodeKey> NodeKey::child(ByteView segment) const {
  Result<KeyPath> path = path_.child(segment);
  if (!path) return path.status();
  return NodeKey(dataset_, std::move(*path), child_secret(secret_, segment));
}

crypto::AeadKey NodeKey::row_key() const { return keyed_hash(secret_, kTreeRowKeyLabel, {}); }

KeyId NodeKey::row_key_id() const {
  NodeSecret full = keyed_hash(secret_, kTreeRowKeyIdLabel, {});
  KeyId id;
  std::copy(full.data(), full.data() + id.size(), id.begin());
  return id;
}

RowCipher NodeKey::row_cipher() const { return RowCipher(dataset_, row_key_id(), row_key()); }

bool NodeKey::has_secret(const NodeSecret& secret) const {
  return sodium_memcmp(secret_.data(), secret.data(), secret_.size()) == 0;
}

NodeKey node_key(const DatasetKeys& keys, const KeyPath& path) {
  NodeKey root(keys.dataset(), KeyPath(), keys.tree_key().clone());
  Result<NodeKey> node = root.descendant(path);
  FL_ASSERT(node.is_ok());  // the root covers every path
  return std::move(*node);
}

}  // namespace fluence::client
