#include "model/dht/lookup.h"

#include <algorithm>

namespace fluence::dht {

Lookup::Lookup(LookupOptions options, const NodeId& self, const std::vector<Contact>& seeds)
    : options_(options), self_(self) {
  FL_ASSERT(options_.count > 0);
  FL_ASSERT(options_.paths > 0 && options_.parallelism > 0);
  if (options_.max_queries == 0) options_.max_queries = 16 * options_.count * options_.paths;
  options_.paths = std::max(1, std::min<int>(options_.paths, static_cast<int>(seeds.size())));
  in_flight_.assign(options_.paths, 0);
  // Deal seeds nearest first, round-robin, so every path starts near the target.
  std::vector<Contact> sorted = seeds;
  std::sort(sorted.begin(), sorted.end(), [&](const Contact& a, const Contact& b) {
    return closer(options_.target, a.id, b.id);
  });
  int path = 0;
  for (const Contact& seed : sorted) {
    if (seed.id == self_) continue;
    auto [it, inserted] = candidates_.emplace(distance(seed.id, options_.target),
                                              Candidate{seed, 1, path, State::kFresh});
    if (inserted) path = (path + 1) % options_.paths;
  }
}

bool Lookup::path_finished(int path) const {
  if (in_flight_[path] > 0) return false;
  size_t live = 0;
  for (const auto& [d, candidate] : candidates_) {
    if (candidate.path != path || candidate.state == State::kFailed) continue;
    if (candidate.state == State::kFresh) return false;
    if (++live == options_.count) break;
  }
  return true;
}

bool Lookup::finished() const {
  // Replies still in flight after this are dropped by the owner.
  if (options_.find_value && record_) return true;
  if (static_cast<size_t>(queries_sent_) >= options_.max_queries) {
    return std::all_of(in_flight_.begin(), in_flight_.end(), [](int n) { return n == 0; });
  }
  for (int path = 0; path < options_.paths; ++path) {
    if (!path_finished(path)) return false;
  }
  return true;
}

std::vector<Contact> Lookup::next_queries() {
  std::vector<Contact> out;
  if (options_.find_value && record_) return out;
  for (int path = 0; path < options_.paths; ++path) {
    size_t live = 0;
    for (auto& [d, candidate] : candidates_) {
      if (in_flight_[path] >= options_.parallelism) break;
      if (static_cast<size_t>(queries_sent_) >= options_.max_queries) return out;
      if (candidate.path != path || candidate.state == State::kFailed) continue;
      if (live++ == options_.count) break;  // only the `count` nearest matter
      if (candidate.state != State::kFresh) continue;
      candidate.state = State::kInFlight;
      ++in_flight_[path];
      ++queries_sent_;
      out.push_back(candidate.contact);
    }
  }
  return out;
}

void Lookup::on_reply(const NodeId& from, LookupReply reply) {
  auto it = candidates_.find(distance(from, options_.target));
  FL_ASSERT_MSG(it != candidates_.end() && it->second.state == State::kInFlight,
                "a lookup reply for a query it never sent");
  Candidate& asked = it->second;
  --in_flight_[asked.path];
  FL_ASSERT(in_flight_[asked.path] >= 0);
  if (!reply.ok) {
    asked.state = State::kFailed;
    ++failures_;
    return;
  }
  asked.state = State::kResponded;
  if (reply.record && options_.find_value && reply.record->key() == options_.target &&
      (!record_ || reply.record->sequence > record_->sequence)) {
    record_ = std::move(reply.record);
  }
  for (const Contact& contact : reply.closer) {
    if (contact.id == self_) continue;
    // emplace keeps an existing entry: a node another path owns stays there.
    candidates_.emplace(distance(contact.id, options_.target),
                        Candidate{contact, asked.depth + 1, asked.path, State::kFresh});
  }
}

std::vector<Contact> Lookup::result() const {
  std::vector<Contact> out;
  for (const auto& [d, candidate] : candidates_) {
    if (candidate.state != State::kResponded) continue;
    out.push_back(candidate.contact);
    if (out.size() == options_.count) break;
  }
  return out;
}

int Lookup::hops() const {
  for (const auto& [d, candidate] : candidates_) {
    if (candidate.state == State::kResponded) return candidate.depth;
  }
  return 0;
}

}  // namespace fluence::dht
