#include "model/storage/merkle_treap.h"

#include <algorithm>

namespace fluence::storage {

namespace {

Hash256 node_hash(ByteView key, const Hash256& value, uint64_t count, const Hash256& left,
                  const Hash256& right) {
  uint8_t count_bytes[8];
  for (int i = 0; i < 8; ++i) count_bytes[i] = static_cast<uint8_t>(count >> (56 - 8 * i));
  uint8_t key_length[4];
  for (int i = 0; i < 4; ++i) key_length[i] = static_cast<uint8_t>(key.size() >> (24 - 8 * i));
  return crypto::blake2b_256("fluence/merkle-node", {ByteView(key_length, 4), key, value,
                                                     ByteView(count_bytes, 8), left, right});
}

int compare(ByteView a, ByteView b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

}  // namespace

Hash256 value_hash(ByteView value) { return crypto::blake2b_256("fluence/merkle-value", {value}); }

Hash256 MerkleTreap::empty_root() {
  static const Hash256 empty = crypto::blake2b_256("fluence/merkle-empty", {});
  return empty;
}

struct MerkleTreap::Node {
  Bytes key;
  Hash256 value;
  Hash256 priority;  // H(key): the heap order that makes the shape canonical
  uint64_t count = 1;
  Hash256 hash{};
  std::unique_ptr<Node> left;
  std::unique_ptr<Node> right;

  static uint64_t count_of(const std::unique_ptr<Node>& n) { return n ? n->count : 0; }
  static Hash256 hash_of(const std::unique_ptr<Node>& n) { return n ? n->hash : empty_root(); }
  void update() {
    count = 1 + count_of(left) + count_of(right);
    hash = node_hash(key, value, count, hash_of(left), hash_of(right));
  }
};

MerkleTreap::MerkleTreap() = default;
MerkleTreap::~MerkleTreap() {
  // Tear down iteratively: a recursive destructor of a deep tree could
  // overflow a small simulation stack.
  std::vector<std::unique_ptr<Node>> stack;
  if (root_) stack.push_back(std::move(root_));
  while (!stack.empty()) {
    std::unique_ptr<Node> node = std::move(stack.back());
    stack.pop_back();
    if (node->left) stack.push_back(std::move(node->left));
    if (node->right) stack.push_back(std::move(node->right));
  }
}
MerkleTreap::MerkleTreap(MerkleTreap&&) noexcept = default;
MerkleTreap& MerkleTreap::operator=(MerkleTreap&&) noexcept = default;

void MerkleTreap::split(std::unique_ptr<Node> node, ByteView key, std::unique_ptr<Node>& less,
                        std::unique_ptr<Node>& rest) {
  if (!node) {
    less.reset();
    rest.reset();
    return;
  }
  if (compare(node->key, key) < 0) {
    std::unique_ptr<Node> right_less;
    split(std::move(node->right), key, right_less, rest);
    node->right = std::move(right_less);
    node->update();
    less = std::move(node);
  } else {
    std::unique_ptr<Node> left_rest;
    split(std::move(node->left), key, less, left_rest);
    node->left = std::move(left_rest);
    node->update();
    rest = std::move(node);
  }
}

std::unique_ptr<MerkleTreap::Node> MerkleTreap::merge(std::unique_ptr<Node> a, std::unique_ptr<Node> b) {
  if (!a) return b;
  if (!b) return a;
  if (a->priority > b->priority) {
    a->right = merge(std::move(a->right), std::move(b));
    a->update();
    return a;
  }
  b->left = merge(std::move(a), std::move(b->left));
  b->update();
  return b;
}

std::unique_ptr<MerkleTreap::Node> MerkleTreap::insert(std::unique_ptr<Node> node,
                                                      std::unique_ptr<Node> fresh) {
  if (!node) return fresh;
  if (fresh->priority > node->priority) {
    split(std::move(node), fresh->key, fresh->left, fresh->right);
    fresh->update();
    return fresh;
  }
  if (compare(fresh->key, node->key) < 0) {
    node->left = insert(std::move(node->left), std::move(fresh));
  } else {
    node->right = insert(std::move(node->right), std::move(fresh));
  }
  node->update();
  return node;
}

MerkleTreap MerkleTreap::clone() const {
  MerkleTreap copy;
  // Iterative, like the destructor: (source, where its copy goes).
  std::vector<std::pair<const Node*, std::unique_ptr<Node>*>> stack;
  if (root_) stack.push_back({root_.get(), &copy.root_});
  while (!stack.empty()) {
    auto [from, to] = stack.back();
    stack.pop_back();
    auto node = std::make_unique<Node>();
    node->key = from->key;
    node->value = from->value;
    node->priority = from->priority;
    node->count = from->count;
    node->hash = from->hash;
    *to = std::move(node);
    if (from->left) stack.push_back({from->left.get(), &(*to)->left});
    if (from->right) stack.push_back({from->right.get(), &(*to)->right});
  }
  return copy;
}

MerkleTreap MerkleTreap::build_sorted(std::vector<std::pair<Bytes, Hash256>> entries) {
  MerkleTreap tree;
  // The right spine of the tree built so far; priorities decrease down it.
  std::vector<Node*> spine;
  std::unique_ptr<Node> root;
  for (size_t i = 0; i < entries.size(); ++i) {
    FL_ASSERT_MSG(i == 0 || compare(entries[i - 1].first, entries[i].first) < 0, "build_sorted needs increasing keys");
    auto node = std::make_unique<Node>();
    node->key = std::move(entries[i].first);
    node->value = entries[i].second;
    node->priority = crypto::blake2b_256("fluence/merkle-priority", {node->key});
    Node* raw = node.get();
    std::unique_ptr<Node> left;  // what the new node adopts as its left subtree
    while (!spine.empty() && spine.back()->priority < raw->priority) spine.pop_back();
    if (spine.empty()) {
      left = std::move(root);
      node->left = std::move(left);
      root = std::move(node);
    } else {
      node->left = std::move(spine.back()->right);
      spine.back()->right = std::move(node);
    }
    spine.push_back(raw);
  }
  // Hash bottom-up once: a post-order walk without recursion.
  std::vector<std::pair<Node*, bool>> stack;
  if (root) stack.push_back({root.get(), false});
  while (!stack.empty()) {
    auto [node, children_done] = stack.back();
    stack.pop_back();
    if (children_done) {
      node->update();
      continue;
    }
    stack.push_back({node, true});
    if (node->left) stack.push_back({node->left.get(), false});
    if (node->right) stack.push_back({node->right.get(), false});
  }
  tree.root_ = std::move(root);
  return tree;
}

void MerkleTreap::put(ByteView key, const Hash256& value) {
  FL_ASSERT(key.size() <= kMaxEntryKeyBytes);
  // Replace in place when present: the shape does not change.
  std::vector<Node*> path;
  for (Node* node = root_.get(); node != nullptr;) {
    path.push_back(node);
    int order = compare(key, node->key);
    if (order == 0) {
      node->value = value;
      for (auto it = path.rbegin(); it != path.rend(); ++it) (*it)->update();
      return;
    }
    node = order < 0 ? node->left.get() : node->right.get();
  }
  auto fresh = std::make_unique<Node>();
  fresh->key.assign(key.begin(), key.end());
  fresh->value = value;
  fresh->priority = crypto::blake2b_256("fluence/merkle-priority", {key});
  fresh->update();
  root_ = insert(std::move(root_), std::move(fresh));
}

bool MerkleTreap::erase(ByteView key) {
  std::unique_ptr<Node>* slot = &root_;
  std::vector<Node*> path;
  while (*slot && compare(key, (*slot)->key) != 0) {
    path.push_back(slot->get());
    slot = compare(key, (*slot)->key) < 0 ? &(*slot)->left : &(*slot)->right;
  }
  if (!*slot) return false;
  std::unique_ptr<Node> gone = std::move(*slot);
  *slot = merge(std::move(gone->left), std::move(gone->right));
  for (auto it = path.rbegin(); it != path.rend(); ++it) (*it)->update();
  return true;
}

Hash256 MerkleTreap::root() const { return Node::hash_of(root_); }
uint64_t MerkleTreap::size() const { return Node::count_of(root_); }

std::optional<Hash256> MerkleTreap::find(ByteView key) const {
  for (const Node* node = root_.get(); node != nullptr;) {
    int order = compare(key, node->key);
    if (order == 0) return node->value;
    node = order < 0 ? node->left.get() : node->right.get();
  }
  return std::nullopt;
}

Bytes MerkleTreap::key_at(uint64_t index) const {
  // open()'s descent without its proof: every PoR answer reads entries by index.
  FL_ASSERT(index < size());
  const Node* node = root_.get();
  while (true) {
    uint64_t left = Node::count_of(node->left);
    if (index == left) return node->key;
    if (index < left) {
      node = node->left.get();
    } else {
      index -= left + 1;
      node = node->right.get();
    }
  }
}

MerkleProof MerkleTreap::open(uint64_t index) const {
  FL_ASSERT(index < size());
  std::vector<ProofStep> steps;  // root first while descending
  const Node* node = root_.get();
  while (true) {
    uint64_t left = Node::count_of(node->left);
    if (index == left) break;
    ProofStep step;
    step.key = node->key;
    step.value_hash = node->value;
    if (index < left) {
      step.from_left = true;
      step.sibling_hash = Node::hash_of(node->right);
      step.sibling_count = Node::count_of(node->right);
      node = node->left.get();
    } else {
      step.from_left = false;
      step.sibling_hash = Node::hash_of(node->left);
      step.sibling_count = left;
      index -= left + 1;
      node = node->right.get();
    }
    steps.push_back(std::move(step));
  }
  MerkleProof proof;
  proof.key = node->key;
  proof.value_hash = node->value;
  proof.left_hash = Node::hash_of(node->left);
  proof.left_count = Node::count_of(node->left);
  proof.right_hash = Node::hash_of(node->right);
  proof.right_count = Node::count_of(node->right);
  proof.path.assign(steps.rbegin(), steps.rend());
  return proof;
}

int MerkleTreap::depth() const {
  int deepest = 0;
  std::vector<std::pair<const Node*, int>> stack;
  if (root_) stack.push_back({root_.get(), 1});
  while (!stack.empty()) {
    auto [node, d] = stack.back();
    stack.pop_back();
    deepest = std::max(deepest, d);
    if (node->left) stack.push_back({node->left.get(), d + 1});
    if (node->right) stack.push_back({node->right.get(), d + 1});
  }
  return deepest;
}

bool verify_proof(const Hash256& root, uint64_t size, uint64_t index, const MerkleProof& proof) {
  if (proof.path.size() > kMaxProofDepth) return false;
  // Counts come from the prover: reject sums that would wrap.
  constexpr uint64_t kLimit = uint64_t{1} << 62;
  if (proof.left_count >= kLimit || proof.right_count >= kLimit) return false;
  uint64_t count = 1 + proof.left_count + proof.right_count;
  uint64_t position = proof.left_count;
  Hash256 hash = node_hash(proof.key, proof.value_hash, count, proof.left_hash, proof.right_hash);
  for (const ProofStep& step : proof.path) {
    if (step.sibling_count >= kLimit || count >= kLimit) return false;
    uint64_t total = count + step.sibling_count + 1;
    if (step.from_left) {
      hash = node_hash(step.key, step.value_hash, total, hash, step.sibling_hash);
    } else {
      position += step.sibling_count + 1;
      hash = node_hash(step.key, step.value_hash, total, step.sibling_hash, hash);
    }
    count = total;
  }
  return hash == root && count == size && position == index;
}

void ProofStep::encode(codec::Writer& writer) const {
  writer.boolean(from_left);
  writer.bytes(key);
  writer.fixed(value_hash);
  writer.fixed(sibling_hash);
  writer.varint(sibling_count);
}

ProofStep ProofStep::decode(codec::Reader& reader) {
  ProofStep step;
  step.from_left = reader.boolean("proof.step.from_left");
  step.key = reader.bytes("proof.step.key", kMaxEntryKeyBytes);
  step.value_hash = reader.fixed<crypto::kHashBytes>("proof.step.value_hash");
  step.sibling_hash = reader.fixed<crypto::kHashBytes>("proof.step.sibling_hash");
  step.sibling_count = reader.varint("proof.step.sibling_count");
  return step;
}

void MerkleProof::encode(codec::Writer& writer) const {
  writer.bytes(key);
  writer.fixed(value_hash);
  writer.fixed(left_hash);
  writer.varint(left_count);
  writer.fixed(right_hash);
  writer.varint(right_count);
  writer.varint(path.size());
  for (const ProofStep& step : path) step.encode(writer);
}

MerkleProof MerkleProof::decode(codec::Reader& reader) {
  MerkleProof proof;
  proof.key = reader.bytes("proof.key", kMaxEntryKeyBytes);
  proof.value_hash = reader.fixed<crypto::kHashBytes>("proof.value_hash");
  proof.left_hash = reader.fixed<crypto::kHashBytes>("proof.left_hash");
  proof.left_count = reader.varint("proof.left_count");
  proof.right_hash = reader.fixed<crypto::kHashBytes>("proof.right_hash");
  proof.right_count = reader.varint("proof.right_count");
  // Each step takes at least 1 + 1 + 32 + 32 + 1 bytes.
  size_t steps = reader.count("proof.path", kMaxProofDepth, 67);
  for (size_t i = 0; i < steps && reader.ok(); ++i) proof.path.push_back(ProofStep::decode(reader));
  return proof;
}

}  // namespace fluence::storage
