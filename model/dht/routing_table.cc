#include "model/dht/routing_table.h"

#include <algorithm>

namespace fluence::dht {

namespace {
// A small cache is enough: it only has to outlive one ping round trip.
constexpr size_t kReplacementCacheSize = 4;

template <typename Container>
auto find_by_id(Container& contacts, const NodeId& id) {
  return std::find_if(contacts.begin(), contacts.end(),
                      [&](const Contact& c) { return c.id == id; });
}
}  // namespace

RoutingTable::RoutingTable(NodeId self, int bucket_size)
    : self_(self), bucket_size_(bucket_size), buckets_(kIdBits) {
  FL_ASSERT(bucket_size > 0);
}

RoutingTable::ObserveResult RoutingTable::observe(const Contact& contact) {
  if (contact.id == self_) return {Outcome::kIgnoredSelf, std::nullopt};
  Bucket& bucket = buckets_[bucket_index(self_, contact.id)];
  auto it = find_by_id(bucket.contacts, contact.id);
  if (it != bucket.contacts.end()) {
    // The id is bound to the key by the puzzle; an address may change.
    Contact updated = contact;
    bucket.contacts.erase(it);
    bucket.contacts.push_back(std::move(updated));
    return {Outcome::kRefreshed, std::nullopt};
  }
  if (bucket.contacts.size() < static_cast<size_t>(bucket_size_)) {
    bucket.contacts.push_back(contact);
    ++size_;
    return {Outcome::kInserted, std::nullopt};
  }
  auto cached = find_by_id(bucket.replacements, contact.id);
  if (cached != bucket.replacements.end()) bucket.replacements.erase(cached);
  bucket.replacements.push_back(contact);
  if (bucket.replacements.size() > kReplacementCacheSize) bucket.replacements.erase(bucket.replacements.begin());
  return {Outcome::kBucketFull, bucket.contacts.front()};
}

void RoutingTable::evict(const NodeId& id) {
  if (id == self_) return;
  Bucket& bucket = buckets_[bucket_index(self_, id)];
  auto it = find_by_id(bucket.contacts, id);
  if (it == bucket.contacts.end()) return;
  bucket.contacts.erase(it);
  --size_;
  if (!bucket.replacements.empty()) {
    bucket.contacts.push_back(bucket.replacements.back());
    bucket.replacements.pop_back();
    ++size_;
  }
  FL_ASSERT(bucket.contacts.size() <= static_cast<size_t>(bucket_size_));
}

void RoutingTable::mark_alive(const NodeId& id) {
  if (id == self_) return;
  Bucket& bucket = buckets_[bucket_index(self_, id)];
  auto it = find_by_id(bucket.contacts, id);
  if (it == bucket.contacts.end()) return;
  Contact contact = *it;
  bucket.contacts.erase(it);
  bucket.contacts.push_back(std::move(contact));
}

std::vector<Contact> RoutingTable::closest(const NodeId& target, size_t count,
                                           const std::optional<NodeId>& excluding) const {
  // Buckets nearer the target's own bucket hold the nearer contacts, but a
  // full scan keeps this obviously right; tables hold a few hundred contacts.
  std::vector<const Contact*> all;
  all.reserve(size_);
  for (const Bucket& bucket : buckets_) {
    for (const Contact& contact : bucket.contacts) {
      if (contact.id != excluding) all.push_back(&contact);
    }
  }
  size_t n = std::min(count, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                    [&](const Contact* a, const Contact* b) { return closer(target, a->id, b->id); });
  std::vector<Contact> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(*all[i]);
  return out;
}

std::optional<Contact> RoutingTable::find(const NodeId& id) const {
  if (id == self_) return std::nullopt;
  const Bucket& bucket = buckets_[bucket_index(self_, id)];
  auto it = find_by_id(bucket.contacts, id);
  if (it == bucket.contacts.end()) return std::nullopt;
  return *it;
}

std::vector<Contact> RoutingTable::all() const {
  std::vector<Contact> out;
  out.reserve(size_);
  for (const Bucket& bucket : buckets_) out.insert(out.end(), bucket.contacts.begin(), bucket.contacts.end());
  return out;
}

}  // namespace fluence::dht
