// A dataset's tree of keys, down to one key per row: the white paper's "tree
// of Private Keys, even with a special key for every row", so that the owner
// can share "just the required amount of data" (whitepaper, "Proxy
// Re-Encryption Key").
//
// A node of the tree is named by a KeyPath, a short list of byte-string
// segments: the gateway uses e.g. [collection, document id] for a key per
// document, or [collection, bucket] for a key per bucket of rows. Every node's
// key derives top-down from the dataset's tree key (dataset_keys.h), one keyed
// BLAKE2b per segment, so holding a node's key gives the key of every node
// below it and, BLAKE2b being a PRF, nothing about its parent or siblings.
//
// Derivation, a compatibility contract pinned by fixed vectors in the tests
// (framed like dataset_keys.h: a 1-byte label length, the label, the input):
//
//   node([])         = DatasetKeys::tree_key()
//                    = BLAKE2b-256(key = root secret,
//                                  message = len || "fluence/client/v1/tree" || dataset id)
//   node(p || s)     = BLAKE2b-256(key = node(p),
//                                  message = len || "fluence/client/v1/tree-node"
//                                            || len(s) (2 bytes, big-endian) || s)
//   row key of p     = BLAKE2b-256(key = node(p),
//                                  message = len || "fluence/client/v1/tree-row")
//   row key id of p  = first 16 bytes of
//                      BLAKE2b-256(key = node(p),
//                                  message = len || "fluence/client/v1/tree-row-key-id")
//
// A node key is only ever a key for deriving: rows are sealed under the row key
// (another PRF output), so that a row key, which a reader of one row holds in
// memory, never doubles as the key of a subtree. The row key id is public, as
// row_key_id() in dataset_keys.h is: it goes into row_cipher's associated data
// and names which tree key sealed a row. Rows under one leaf share its row key;
// row_cipher's associated data still binds each ciphertext to its row name.
#pragma once

#include <compare>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "model/base/bytes.h"
#include "model/base/status.h"
#include "model/client/dataset_keys.h"
#include "model/client/row_cipher.h"
#include "model/codec/codec.h"

namespace fluence::client {

// Bounds on a path, as paths travel in grants through untrusted nodes. Eight
// levels leave room for [collection, bucket, sub-bucket, ..., row]; a segment
// holds a whole MongoDB _id (kMaxDocumentIdBytes); the sum bound holds a
// 255-byte MongoDB namespace next to that id and keeps a grant under 2 KiB.
inline constexpr size_t kMaxKeyPathDepth = 8;
inline constexpr size_t kMaxKeyPathSegmentBytes = kMaxDocumentIdBytes;
inline constexpr size_t kMaxKeyPathBytes = 1536;  // all segments together
// The longest canonical encoding: a depth byte, then each segment's length
// varint (at most 2 bytes for 1024) and bytes.
inline constexpr size_t kMaxKeyPathEncodedBytes = 1 + 2 * kMaxKeyPathDepth + kMaxKeyPathBytes;

inline constexpr size_t kNodeKeyBytes = 32;
using NodeSecret = crypto::Secret<kNodeKeyBytes>;

// A node's name: 0..kMaxKeyPathDepth segments of 1..kMaxKeyPathSegmentBytes
// bytes each, at most kMaxKeyPathBytes in all. Only the constructors below
// and decode() make one, so every KeyPath in hand is within these bounds.
// Ordered segment by segment, so a map of paths lists a parent before its
// children.
class KeyPath {
 public:
  // The root: the whole dataset.
  KeyPath() = default;
  // kInvalidArgument naming the bound a segment or the whole path breaks.
  static Result<KeyPath> make(std::vector<Bytes> segments);
  static Result<KeyPath> from_strings(std::initializer_list<std::string_view> segments);

  Result<KeyPath> child(ByteView segment) const;
  // The first `depth` segments; depth <= this->depth().
  KeyPath prefix(size_t depth) const;
  // True when `other` is this path or lies below it: this path's key gives
  // `other`'s.
  bool covers(const KeyPath& other) const;

  size_t depth() const { return segments_.size(); }
  bool is_root() const { return segments_.empty(); }
  const std::vector<Bytes>& segments() const { return segments_; }
  // "/" for the root, else "/hex/hex/..." (for errors and logs).
  std::string to_string() const;

  auto operator<=>(const KeyPath&) const = default;
  bool operator==(const KeyPath&) const = default;

  // Canonical: depth varint || each segment as a length-prefixed byte string.
  // The decoder enforces every bound above (kMalformed naming the field).
  void encode(codec::Writer& writer) const;
  static KeyPath decode(codec::Reader& reader);

 private:
  explicit KeyPath(std::vector<Bytes> segments) : segments_(std::move(segments)) {}
  std::vector<Bytes> segments_;
};

// One node's key, with the dataset and path it belongs to. Move-only, as the
// secret it holds is.
class NodeKey {
 public:
  // The caller vouches that `secret` is `path`'s key in `dataset`'s tree:
  // the owner derives it (node_key below), a receiver opens it from a grant
  // or reads it back from the key store.
  NodeKey(const storage::DatasetId& dataset, KeyPath path, NodeSecret secret);

  const storage::DatasetId& dataset() const { return dataset_; }
  const KeyPath& path() const { return path_; }
  const NodeSecret& secret() const { return secret_; }

  // The key of `path`, which must be this node's path or below it
  // (kInvalidArgument otherwise: a key gives nothing above or beside it).
  Result<NodeKey> descendant(const KeyPath& path) const;
  // The path's bounds as for KeyPath::child.
  Result<NodeKey> child(ByteView segment) const;

  crypto::AeadKey row_key() const;
  KeyId row_key_id() const;
  // Seals and opens the rows at this node with its row key, naming its row
  // key id in the associated data.
  RowCipher row_cipher() const;

  NodeKey clone() const { return NodeKey(dataset_, path_, secret_.clone()); }
  // Constant time, like DatasetKeys::has_root.
  bool has_secret(const NodeSecret& secret) const;

 private:
  storage::DatasetId dataset_;
  KeyPath path_;
  NodeSecret secret_;
};

// The owner's side: any node's key, from the dataset's keys alone. The
// owner stores nothing per node or per share.
NodeKey node_key(const DatasetKeys& keys, const KeyPath& path);

}  // namespace fluence::client
