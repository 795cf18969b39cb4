// Kademlia k-buckets with S/Kademlia's preference for old, live contacts.
//
// A full bucket keeps its contacts: a newcomer waits in the bucket's small
// replacement cache and gets in only when the least recently seen contact
// fails to answer a ping. Long-lived contacts are more likely to stay up
// (Maymounkov and Mazières), and an attacker cannot flush a bucket by
// announcing fresh ids.
#pragma once

#include <optional>
#include <vector>

#include "model/dht/contact.h"

namespace fluence::dht {

class RoutingTable {
 public:
  RoutingTable(NodeId self, int bucket_size);

  enum class Outcome {
    kInserted,
    kRefreshed,      // already known: moved to the bucket's tail
    kBucketFull,     // cached as a replacement; the caller pings `oldest`
    kIgnoredSelf,
  };
  struct ObserveResult {
    Outcome outcome;
    std::optional<Contact> oldest;  // set for kBucketFull
  };
  ObserveResult observe(const Contact& contact);

  // The oldest contact did not answer: drop it and promote a replacement.
  void evict(const NodeId& id);
  // The oldest answered: keep it (move to the tail).
  void mark_alive(const NodeId& id);

  // Up to `count` known contacts nearest `target`, nearest first, leaving out
  // `excluding` (a reply leaves out the asker, who has no use for itself).
  std::vector<Contact> closest(const NodeId& target, size_t count,
                               const std::optional<NodeId>& excluding = std::nullopt) const;
  std::optional<Contact> find(const NodeId& id) const;

  size_t size() const { return size_; }
  int bucket_size() const { return bucket_size_; }
  const NodeId& self() const { return self_; }
  // Number of contacts in bucket i (0..255).
  size_t bucket_fill(int index) const { return buckets_[index].contacts.size(); }
  std::vector<Contact> all() const;

 private:
  // Vectors, not deques: a bucket holds at most k contacts, and an empty
  // libstdc++ deque costs ~600 bytes, which 256 buckets x 10^5 simulated
  // nodes turn into tens of gigabytes.
  struct Bucket {
    std::vector<Contact> contacts;       // least recently seen first
    std::vector<Contact> replacements;   // newest last
  };
  NodeId self_;
  int bucket_size_;
  std::vector<Bucket> buckets_;
  size_t size_ = 0;
};

}  // namespace fluence::dht
