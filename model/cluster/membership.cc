#include "model/cluster/membership.h"

#include <algorithm>

namespace fluence::cluster {

namespace {

bool contains(const std::vector<consensus::Validator>& list, const crypto::PublicKey& key) {
  return std::any_of(list.begin(), list.end(), [&](const consensus::Validator& v) { return v.key == key; });
}

std::vector<crypto::PublicKey> keys_of(const std::vector<consensus::Validator>& list) {
  std::vector<crypto::PublicKey> keys;
  for (const consensus::Validator& v : list) keys.push_back(v.key);
  return keys;
}

}  // namespace

bool Roster::is_member(const crypto::PublicKey& key) const { return contains(members, key); }
bool Roster::is_arbiter(const crypto::PublicKey& key) const { return contains(arbiters, key); }
size_t Roster::arbiter_quorum() const { return arbiter_quorum_rule != 0 ? arbiter_quorum_rule : arbiters.size() / 2 + 1; }
std::vector<crypto::PublicKey> Roster::member_keys() const { return keys_of(members); }
std::vector<crypto::PublicKey> Roster::arbiter_keys() const { return keys_of(arbiters); }

Membership::Membership(Roster genesis) {
  FL_ASSERT(!genesis.members.empty());
  rosters_.emplace(1, std::move(genesis));
}

const Roster& Membership::at(uint64_t height) const {
  auto it = rosters_.upper_bound(height);
  FL_ASSERT(it != rosters_.begin());
  return std::prev(it)->second;
}

bool Membership::vote_acceptable(const chain::EjectionVote& vote) const {
  const Roster& now = current();
  return vote.reason < chain::EjectionVote::Reason::kCaptured && now.is_arbiter(vote.arbiter) &&
         now.is_member(vote.ejected) && now.is_arbiter(vote.replacement);
}

std::optional<MembershipChange> Membership::add(const chain::EjectionVote& vote, uint64_t height) {
  if (!vote_acceptable(vote)) return std::nullopt;
  std::set<crypto::PublicKey>& voters = votes_[{vote.ejected, vote.replacement}];
  voters.insert(vote.arbiter);
  Roster next = current();
  // Only current arbiters count: one that left since voting no longer does.
  size_t counted = static_cast<size_t>(std::count_if(voters.begin(), voters.end(), [&](const crypto::PublicKey& a) { return next.is_arbiter(a); }));
  if (counted < next.arbiter_quorum()) return std::nullopt;

  auto arbiter = std::find_if(next.arbiters.begin(), next.arbiters.end(),
                              [&](const consensus::Validator& v) { return v.key == vote.replacement; });
  MembershipChange change{height, vote.ejected, *arbiter, vote.reason};
  next.arbiters.erase(arbiter);
  for (consensus::Validator& member : next.members) {
    if (member.key == vote.ejected) member = change.replacement;
  }
  rosters_[height + 1] = std::move(next);
  ejected_.insert(vote.ejected);
  // Votes about either key are moot now.
  std::erase_if(votes_, [&](const auto& entry) {
    const auto& [ejected, replacement] = entry.first;
    return ejected == vote.ejected || replacement == vote.replacement || ejected == vote.replacement;
  });
  changes_.push_back(change);
  return change;
}

void Membership::replace_cluster(uint64_t height, const Roster& next) {
  const Roster& captured = current();
  FL_ASSERT(next.members.size() == captured.members.size());
  FL_ASSERT(rosters_.rbegin()->first <= height + 1);
  for (size_t i = 0; i < captured.members.size(); ++i) {
    ejected_.insert(captured.members[i].key);
    changes_.push_back({height, captured.members[i].key, next.members[i], chain::EjectionVote::Reason::kCaptured});
  }
  rosters_[height + 1] = next;
  votes_.clear();
}

}  // namespace fluence::cluster
