// One iterative lookup over d disjoint paths (S/Kademlia, section 4.4).
//
// The initial candidates are dealt round-robin to d paths. Each path keeps up
// to alpha queries in flight to the nearest candidates it owns, and a node
// learned on one path is never used by another, so one adversarial node can
// mislead at most one path. A path ends when the `count` nearest live
// candidates it owns have all answered; the lookup ends when every path has.
//
// Pure logic: the owner sends the queries it is told to and feeds replies
// back; Lookup never touches the network or a clock, which makes it testable
// on its own.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "model/dht/contact.h"
#include "model/dht/record.h"

namespace fluence::dht {

struct LookupOptions {
  NodeId target;
  size_t count = 20;       // how many nearest nodes the caller wants
  int paths = 3;           // d
  int parallelism = 3;     // alpha, per path
  bool find_value = false; // stop at the first valid record for `target`
  size_t max_queries = 0;  // 0: 16 * count * paths, a bound against endless referrals
};

struct LookupReply {
  bool ok = false;                 // false: timed out or refused
  std::vector<Contact> closer;     // contacts the node returned
  std::optional<Record> record;    // for find_value
};

class Lookup {
 public:
  Lookup(LookupOptions options, const NodeId& self, const std::vector<Contact>& seeds);

  // Contacts to query now; the owner sends one query to each and later calls
  // on_reply exactly once per contact.
  std::vector<Contact> next_queries();
  void on_reply(const NodeId& from, LookupReply reply);

  bool finished() const;
  // Responded nodes nearest first, at most `count`.
  std::vector<Contact> result() const;
  // Referral depth of the nearest result (1: it was in our own table).
  int hops() const;
  int queries_sent() const { return queries_sent_; }
  int failures() const { return failures_; }
  const std::optional<Record>& record() const { return record_; }

 private:
  enum class State { kFresh, kInFlight, kResponded, kFailed };
  struct Candidate {
    Contact contact;
    int depth;
    int path;
    State state;
  };
  bool path_finished(int path) const;

  LookupOptions options_;
  NodeId self_;
  std::map<Distance, Candidate> candidates_;  // ordered nearest first
  std::vector<int> in_flight_;                // per path
  int queries_sent_ = 0;
  int failures_ = 0;
  std::optional<Record> record_;
};

}  // namespace fluence::dht
