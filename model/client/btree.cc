#include "model/client/btree.h"

#include <algorithm>

namespace fluence::client {

namespace {

bool less(ByteView a, ByteView b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

// The child of an internal bucket whose range holds `key`.
size_t child_for(const Bucket& bucket, ByteView key) {
  auto it = std::upper_bound(bucket.keys.begin(), bucket.keys.end(), key,
                             [](ByteView k, const Bytes& separator) { return less(k, separator); });
  return static_cast<size_t>(it - bucket.keys.begin());
}

// The first entry of a leaf not below `key`.
size_t lower_bound(const Bucket& leaf, ByteView key) {
  auto it = std::lower_bound(leaf.keys.begin(), leaf.keys.end(), key,
                             [](const Bytes& k, ByteView bound) { return less(k, bound); });
  return static_cast<size_t>(it - leaf.keys.begin());
}

bool equal(ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

// Halves of an overfull bucket and the separator between them: a leaf's
// right half starts at the separator; an internal bucket hands its middle
// separator up to the parent.
struct Split {
  Bucket left;
  Bucket right;
  Bytes separator;
};

Split split(Bucket bucket) {
  Split out;
  out.left.level = out.right.level = bucket.level;
  size_t half = bucket.entries() / 2;
  FL_ASSERT(half >= 2);
  if (bucket.is_leaf()) {
    out.left.keys.assign(bucket.keys.begin(), bucket.keys.begin() + half);
    out.left.values.assign(bucket.values.begin(), bucket.values.begin() + half);
    out.right.keys.assign(bucket.keys.begin() + half, bucket.keys.end());
    out.right.values.assign(bucket.values.begin() + half, bucket.values.end());
    out.separator = out.right.keys.front();
  } else {
    out.left.children.assign(bucket.children.begin(), bucket.children.begin() + half);
    out.left.keys.assign(bucket.keys.begin(), bucket.keys.begin() + (half - 1));
    out.separator = bucket.keys[half - 1];
    out.right.children.assign(bucket.children.begin() + half, bucket.children.end());
    out.right.keys.assign(bucket.keys.begin() + half, bucket.keys.end());
  }
  return out;
}

// Two neighbours as one bucket; an internal pair takes back the separator
// their parent held between them.
Bucket concatenate(Bucket left, Bucket right, Bytes separator) {
  FL_ASSERT(left.level == right.level);
  if (!left.is_leaf()) left.keys.push_back(std::move(separator));
  for (Bytes& key : right.keys) left.keys.push_back(std::move(key));
  for (Bytes& value : right.values) left.values.push_back(std::move(value));
  for (BucketRef& child : right.children) left.children.push_back(child);
  return left;
}

}  // namespace

RowCipher dataset_bucket_cipher(const DatasetKeys& keys) {
  return RowCipher(keys.dataset(), keys.row_key_id(), keys.btree_key().clone());
}

Result<BTree> BTree::open(const BTreeDescriptor& descriptor, RowCipher cipher, RowSource& source,
                          env::Random& random, size_t cached_levels) {
  if (auto problem = descriptor.first_problem()) {
    return Status::error(ErrorCode::kInvalidArgument,
                         std::string("btree ") + problem->first + " " + problem->second);
  }
  if (cached_levels > kMaxBtreeHeight) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "cached levels " + std::to_string(cached_levels) + " exceed " +
                             std::to_string(kMaxBtreeHeight));
  }
  return BTree(descriptor, std::move(cipher), source, random, cached_levels);
}

BTree::BTree(BTreeDescriptor descriptor, RowCipher cipher, RowSource& source, env::Random& random,
             size_t cached_levels)
    : descriptor_(std::move(descriptor)),
      cipher_(std::move(cipher)),
      source_(source),
      random_(&random),
      cached_levels_(cached_levels) {}

Status BTree::check_key(ByteView key, const char* what) const {
  if (key.empty() || key.size() > kMaxBtreeKeyBytes) {
    return Status::error(ErrorCode::kInvalidArgument,
                         std::string(what) + " of " + std::to_string(key.size()) +
                             " bytes is outside 1.." + std::to_string(kMaxBtreeKeyBytes));
  }
  return Status::ok();
}

bool BTree::caches_level(size_t level, size_t height) const {
  return level + cached_levels_ >= height;
}

Result<const Bucket*> BTree::load(const BucketRef& ref, size_t level, Bucket& scratch) {
  auto cached = cache_.find(ref.id);
  if (cached != cache_.end() && cached->second.hash == ref.hash) return &cached->second.bucket;

  Bytes row_key = bucket_row_key(descriptor_.row_prefix, ref.id);
  Result<std::optional<Bytes>> row = source_.get(row_key);
  if (!row) return row.status().with_context("btree bucket " + std::to_string(ref.id));
  if (!row->has_value()) {
    return Status::error(ErrorCode::kAuthentication,
                         "btree bucket " + std::to_string(ref.id) +
                             " is missing, though the tree's root reaches it");
  }
  const Bytes& sealed = **row;
  if (bucket_hash(sealed) != ref.hash) {
    return Status::error(
        ErrorCode::kAuthentication,
        "btree bucket " + std::to_string(ref.id) +
            " does not match the hash its parent holds: altered, swapped or stale");
  }
  Result<Bytes> plaintext = cipher_.decrypt_row(row_key, sealed);
  if (!plaintext) return plaintext.status().with_context("btree bucket " + std::to_string(ref.id));
  Result<Bucket> bucket = decode_bucket(*plaintext, descriptor_.max_entries);
  if (!bucket) return bucket.status().with_context("btree bucket " + std::to_string(ref.id));
  if (bucket->level != level) {
    return Status::error(ErrorCode::kMalformed,
                         "btree bucket " + std::to_string(ref.id) + " is at level " +
                             std::to_string(bucket->level) + " where level " +
                             std::to_string(level) + " was expected");
  }
  if (caches_level(level, descriptor_.height)) {
    CachedBucket& slot = cache_[ref.id];
    slot = CachedBucket{ref.hash, std::move(*bucket)};
    return &slot.bucket;
  }
  scratch = std::move(*bucket);
  return &scratch;
}

Result<Bucket> BTree::load_copy(const BucketRef& ref, size_t level) {
  Bucket scratch;
  Result<const Bucket*> bucket = load(ref, level, scratch);
  if (!bucket) return bucket.status();
  if (*bucket == &scratch) return scratch;
  return **bucket;
}

Result<std::vector<BTree::Step>> BTree::descend(ByteView key) {
  FL_ASSERT(descriptor_.height > 0);
  std::vector<Step> path;
  BucketRef ref = descriptor_.root;
  for (size_t level = descriptor_.height;;) {
    --level;
    Result<Bucket> bucket = load_copy(ref, level);
    if (!bucket) return bucket.status();
    size_t child = bucket->is_leaf() ? 0 : child_for(*bucket, key);
    path.push_back(Step{ref, std::move(*bucket), child});
    if (level == 0) return path;
    ref = path.back().bucket.children[child];
  }
}

Result<BucketRef> BTree::write(Bucket bucket, Pending& pending) {
  FL_ASSERT(bucket.entries() >= 1 && bucket.entries() <= descriptor_.max_entries);
  uint64_t id = pending.next_bucket_id++;
  Bytes row_key = bucket_row_key(descriptor_.row_prefix, id);
  Result<Bytes> sealed = cipher_.encrypt_row(row_key, encode_bucket(bucket), *random_);
  // The bucket bounds keep every bucket within a row (btree_bucket.cc).
  FL_ASSERT(sealed.is_ok());
  FL_RETURN_IF_ERROR(
      source_.put(row_key, *sealed).with_context("btree bucket " + std::to_string(id)));
  BucketRef ref{id, bucket_hash(*sealed)};
  pending.written.emplace_back(ref, std::move(bucket));
  return ref;
}

void BTree::commit(Pending pending, const BucketRef& root, size_t height, uint64_t size) {
  FL_ASSERT(height <= kMaxBtreeHeight && (height == 0) == (size == 0));
  if (height != descriptor_.height) cache_.clear();
  descriptor_.root = height == 0 ? BucketRef{} : root;
  descriptor_.height = static_cast<uint8_t>(height);
  descriptor_.size = size;
  descriptor_.next_bucket_id = pending.next_bucket_id;
  ++descriptor_.generation;
  for (uint64_t id : pending.obsolete) {
    cache_.erase(id);
    obsolete_.push_back(id);
  }
  for (auto& [ref, bucket] : pending.written) {
    if (caches_level(bucket.level, height))
      cache_[ref.id] = CachedBucket{ref.hash, std::move(bucket)};
  }
  FL_ASSERT(!descriptor_.first_problem());
}

Result<bool> BTree::insert(ByteView key, ByteView value) {
  source_.reset();
  FL_RETURN_IF_ERROR(check_key(key, "btree key"));
  if (value.size() > kMaxBtreeValueBytes) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "btree value of " + std::to_string(value.size()) + " bytes exceeds " +
                             std::to_string(kMaxBtreeValueBytes));
  }
  Pending pending{descriptor_.next_bucket_id, {}, {}};
  if (descriptor_.height == 0) {
    Bucket leaf;
    leaf.keys.emplace_back(key.begin(), key.end());
    leaf.values.emplace_back(value.begin(), value.end());
    Result<BucketRef> root = write(std::move(leaf), pending);
    if (!root) return root.status();
    commit(std::move(pending), *root, 1, 1);
    return true;
  }

  Result<std::vector<Step>> path = descend(key);
  if (!path) return path.status();
  Bucket current = std::move(path->back().bucket);
  size_t position = lower_bound(current, key);
  bool added = position == current.keys.size() || !equal(current.keys[position], key);
  if (added) {
    current.keys.emplace(current.keys.begin() + static_cast<ptrdiff_t>(position), key.begin(),
                         key.end());
    current.values.emplace(current.values.begin() + static_cast<ptrdiff_t>(position), value.begin(),
                           value.end());
  } else if (equal(current.values[position], value)) {
    return false;
  } else {
    current.values[position].assign(value.begin(), value.end());
  }

  // Rewrite the path bottom-up, splitting what overflows.
  size_t height = descriptor_.height;
  for (size_t depth = path->size();;) {
    --depth;
    pending.obsolete.push_back((*path)[depth].ref.id);
    BucketRef ref;
    std::optional<std::pair<Bytes, BucketRef>> right;  // a split's separator and right half
    if (current.entries() > descriptor_.max_entries) {
      Split halves = split(std::move(current));
      Result<BucketRef> left_ref = write(std::move(halves.left), pending);
      if (!left_ref) return left_ref.status();
      Result<BucketRef> right_ref = write(std::move(halves.right), pending);
      if (!right_ref) return right_ref.status();
      ref = *left_ref;
      right.emplace(std::move(halves.separator), *right_ref);
    } else {
      Result<BucketRef> written = write(std::move(current), pending);
      if (!written) return written.status();
      ref = *written;
    }
    if (depth == 0) {
      if (right) {
        // The root split: the tree grows by a level.
        Bucket root;
        root.level = static_cast<uint8_t>(height);
        root.children = {ref, right->second};
        root.keys.push_back(std::move(right->first));
        FL_ASSERT(height < kMaxBtreeHeight);
        Result<BucketRef> root_ref = write(std::move(root), pending);
        if (!root_ref) return root_ref.status();
        ref = *root_ref;
        ++height;
      }
      commit(std::move(pending), ref, height, descriptor_.size + (added ? 1 : 0));
      return added;
    }
    Step& parent = (*path)[depth - 1];
    parent.bucket.children[parent.child] = ref;
    if (right) {
      auto at = static_cast<ptrdiff_t>(parent.child);
      parent.bucket.keys.insert(parent.bucket.keys.begin() + at, std::move(right->first));
      parent.bucket.children.insert(parent.bucket.children.begin() + at + 1, right->second);
    }
    current = std::move(parent.bucket);
  }
}

Result<bool> BTree::erase(ByteView key) {
  source_.reset();
  FL_RETURN_IF_ERROR(check_key(key, "btree key"));
  if (descriptor_.height == 0) return false;
  Result<std::vector<Step>> path = descend(key);
  if (!path) return path.status();
  Bucket current = std::move(path->back().bucket);
  size_t position = lower_bound(current, key);
  if (position == current.keys.size() || !equal(current.keys[position], key)) return false;
  current.keys.erase(current.keys.begin() + static_cast<ptrdiff_t>(position));
  current.values.erase(current.values.begin() + static_cast<ptrdiff_t>(position));

  // Rewrite the path bottom-up; a bucket under half full borrows from or
  // merges with a neighbour, which costs a round trip to fetch it.
  Pending pending{descriptor_.next_bucket_id, {}, {}};
  const size_t min_entries = descriptor_.max_entries / 2;
  for (size_t depth = path->size() - 1; depth > 0; --depth) {
    pending.obsolete.push_back((*path)[depth].ref.id);
    Bucket& parent = (*path)[depth - 1].bucket;
    size_t child = (*path)[depth - 1].child;
    if (current.entries() >= min_entries) {
      Result<BucketRef> ref = write(std::move(current), pending);
      if (!ref) return ref.status();
      parent.children[child] = *ref;
    } else {
      size_t left = child + 1 < parent.children.size() ? child : child - 1;
      size_t sibling = left == child ? child + 1 : left;
      Result<Bucket> neighbour = load_copy(parent.children[sibling], current.level);
      if (!neighbour) return neighbour.status();
      pending.obsolete.push_back(parent.children[sibling].id);
      Bucket merged =
          sibling > child
              ? concatenate(std::move(current), std::move(*neighbour), parent.keys[left])
              : concatenate(std::move(*neighbour), std::move(current), parent.keys[left]);
      auto at = static_cast<ptrdiff_t>(left);
      if (merged.entries() <= descriptor_.max_entries) {
        Result<BucketRef> ref = write(std::move(merged), pending);
        if (!ref) return ref.status();
        parent.children[left] = *ref;
        parent.children.erase(parent.children.begin() + at + 1);
        parent.keys.erase(parent.keys.begin() + at);
      } else {
        Split halves = split(std::move(merged));
        Result<BucketRef> left_ref = write(std::move(halves.left), pending);
        if (!left_ref) return left_ref.status();
        Result<BucketRef> right_ref = write(std::move(halves.right), pending);
        if (!right_ref) return right_ref.status();
        parent.children[left] = *left_ref;
        parent.children[left + 1] = *right_ref;
        parent.keys[left] = std::move(halves.separator);
      }
    }
    current = std::move(parent);
  }

  pending.obsolete.push_back((*path)[0].ref.id);
  uint64_t size = descriptor_.size - 1;
  if (current.entries() == 0) {
    commit(std::move(pending), BucketRef{}, 0, size);
  } else if (!current.is_leaf() && current.children.size() == 1) {
    // The root's last two children merged: the tree loses a level, and the
    // merged child, just written, is the root.
    commit(std::move(pending), current.children[0], descriptor_.height - 1, size);
  } else {
    Result<BucketRef> root = write(std::move(current), pending);
    if (!root) return root.status();
    commit(std::move(pending), *root, descriptor_.height, size);
  }
  return true;
}

Result<std::optional<Bytes>> BTree::find(ByteView key) {
  source_.reset();
  FL_RETURN_IF_ERROR(check_key(key, "btree key"));
  if (descriptor_.height == 0) return std::optional<Bytes>();
  Bucket scratch;
  BucketRef ref = descriptor_.root;
  for (size_t level = descriptor_.height;;) {
    --level;
    Result<const Bucket*> bucket = load(ref, level, scratch);
    if (!bucket) return bucket.status();
    const Bucket& current = **bucket;
    if (level == 0) {
      size_t position = lower_bound(current, key);
      if (position == current.keys.size() || !equal(current.keys[position], key)) {
        return std::optional<Bytes>();
      }
      return std::optional<Bytes>(current.values[position]);
    }
    ref = current.children[child_for(current, key)];
  }
}

Result<std::vector<BTreeEntry>> BTree::range(ByteView lo, ByteView hi, size_t limit) {
  source_.reset();
  if (!lo.empty()) FL_RETURN_IF_ERROR(check_key(lo, "btree range start"));
  if (!hi.empty()) FL_RETURN_IF_ERROR(check_key(hi, "btree range end"));
  if (limit == 0 || limit > kMaxBtreeRangeEntries) {
    return Status::error(ErrorCode::kInvalidArgument, "btree range limit " + std::to_string(limit) +
                                                          " is outside 1.." +
                                                          std::to_string(kMaxBtreeRangeEntries));
  }
  std::vector<BTreeEntry> out;
  if (descriptor_.height == 0 || (!hi.empty() && !less(lo, hi))) return out;
  auto below_hi = [&](const Bytes& key) { return hi.empty() || less(key, hi); };

  // The internal buckets above the current leaf, each with the next child
  // the scan will enter.
  struct Frame {
    Bucket bucket;
    size_t next;
  };
  std::vector<Frame> stack;
  BucketRef ref = descriptor_.root;
  size_t level = descriptor_.height - 1;
  bool leftmost = false;  // after the first leaf, each descent takes child 0
  for (;;) {
    Result<Bucket> bucket = load_copy(ref, level);
    if (!bucket) return bucket.status();
    if (level > 0) {
      size_t child = leftmost ? 0 : child_for(*bucket, lo);
      ref = bucket->children[child];
      stack.push_back(Frame{std::move(*bucket), child + 1});
      --level;
      continue;
    }
    size_t position = leftmost ? 0 : lower_bound(*bucket, lo);
    for (; position < bucket->keys.size(); ++position) {
      if (!below_hi(bucket->keys[position])) return out;
      out.push_back(
          BTreeEntry{std::move(bucket->keys[position]), std::move(bucket->values[position])});
      if (out.size() == limit) return out;
    }
    while (!stack.empty() && stack.back().next == stack.back().bucket.children.size()) {
      stack.pop_back();
    }
    if (stack.empty()) return out;
    Frame& frame = stack.back();
    // The next subtree holds only keys from its separator up.
    if (!below_hi(frame.bucket.keys[frame.next - 1])) return out;
    ref = frame.bucket.children[frame.next++];
    level = frame.bucket.level - 1;
    leftmost = true;
  }
}

Status BTree::collect_garbage() {
  source_.reset();
  while (!obsolete_.empty()) {
    uint64_t id = obsolete_.back();
    FL_RETURN_IF_ERROR(source_.erase(bucket_row_key(descriptor_.row_prefix, id))
                           .with_context("btree obsolete bucket " + std::to_string(id)));
    obsolete_.pop_back();
  }
  return Status::ok();
}

}  // namespace fluence::client
