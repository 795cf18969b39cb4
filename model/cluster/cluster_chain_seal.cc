// ClusterChain's endorsements (cluster_chain.h): the members' and the
// arbiters' signatures on committed blocks, sending and re-sending its own
// and the blocks arbiters still lack, and sealing a block once it has 2f + 1
// member signatures and an arbiter quorum.
#include <algorithm>

#include "model/chain/vote.h"
#include "model/cluster/cluster_chain.h"

namespace fluence::cluster {

const chain::Endorsement* ClusterChain::own_endorsement(const chain::Block& block) const {
  for (const chain::Endorsement& e : block.node_signatures) {
    if (e.signer == key_.public_key()) return &e;
  }
  return nullptr;
}

void ClusterChain::send_endorsement(const chain::Block& block, const crypto::PublicKey& arbiter) {
  const chain::Endorsement* own = own_endorsement(block);
  if (own == nullptr) return;
  for (const chain::Endorsement& e : block.arbiter_signatures) {
    if (e.signer == arbiter) return;
  }
  for (const consensus::Validator& a : roster_at(block.header.height).arbiters) {
    if (a.key != arbiter) continue;
    ClusterMessage message;
    message.type = ClusterMessage::Type::kNodeEndorsement;
    message.dataset = config_.dataset;
    message.header = block.header;
    message.endorsement = *own;
    // Each member signs; f + 1 carry the transactions, which the arbiter
    // needs once (see carries_transactions).
    if (carries_transactions(block.header.height)) message.transactions = block.transactions;
    send_cluster(rpc_, a.address, message);
  }
}

void ClusterChain::send_endorsements(const chain::Block& block) {
  const chain::Endorsement* own = own_endorsement(block);
  if (own == nullptr) return;
  ClusterMessage message;
  message.type = ClusterMessage::Type::kNodeEndorsement;
  message.dataset = config_.dataset;
  message.header = block.header;
  message.endorsement = *own;
  const Roster& roster = roster_at(block.header.height);
  if (block.node_signatures.size() < roster.member_quorum() || block.header.height == last_.height) {
    for (const consensus::Validator& member : roster.members) {
      bool has = std::any_of(block.node_signatures.begin(), block.node_signatures.end(),
                             [&](const chain::Endorsement& e) { return e.signer == member.key; });
      if (!has) send_cluster(rpc_, member.address, message);
    }
  }
  for (const consensus::Validator& arbiter : roster.arbiters) send_endorsement(block, arbiter.key);
}

bool ClusterChain::carries_transactions(uint64_t height) const {
  // f + 1 consecutive members carry, starting at a position that moves with
  // the height and the retry: at least one of them is up and honest.
  auto it = attempts_.find(height);
  uint64_t attempt = it == attempts_.end() ? 0 : it->second;
  const std::vector<consensus::Validator>& members = roster_at(height).members;
  size_t n = members.size();
  size_t carriers = (n - 1) / 3 + 1;
  size_t first = static_cast<size_t>((height + attempt * carriers) % n);
  for (size_t k = 0; k < carriers; ++k) {
    if (members[(first + k) % n].key == key_.public_key()) return true;
  }
  return false;
}

void ClusterChain::retry_endorsements() {
  // The oldest unsealed blocks first; arbiters sign in height order, and an
  // arbiter's signature pulls the next block at once (add_endorsement).
  size_t sent = 0;
  std::erase_if(attempts_, [&](const auto& entry) { return unsealed_.count(entry.first) == 0; });
  for (auto& [height, block] : unsealed_) {
    if (++sent > 32) break;
    ++attempts_[height];
    send_endorsements(block);
  }
  // An arbiter behind the sealed blocks (down while the others sealed them)
  // gets them one by one; the ones it already signed it says so.
  for (const consensus::Validator& arbiter : roster().arbiters) {
    auto known = arbiter_progress_.find(arbiter.key);
    uint64_t signed_height = known == arbiter_progress_.end() ? 0 : known->second;
    if (signed_height < sealed_height_) feed_arbiter(arbiter.key, signed_height);
  }
  constexpr int kMaxBackoff = 16;
  bool stuck = !unsealed_.empty() && sealed_height_ == sealed_at_last_retry_;
  retry_backoff_ = stuck ? std::min(2 * retry_backoff_, kMaxBackoff) : 1;
  sealed_at_last_retry_ = sealed_height_;
  retry_timer_ = env_.schedule(config_.endorsement_retry * retry_backoff_, [this] { retry_endorsements(); });
}

void ClusterChain::feed_arbiter(const crypto::PublicKey& arbiter, uint64_t signed_height) {
  if (signed_height >= last_.height) return;
  if (auto it = unsealed_.find(signed_height + 1); it != unsealed_.end()) return send_endorsement(it->second, arbiter);
  Result<std::optional<chain::Block>> stored = block(signed_height + 1);
  if (stored && stored->has_value()) send_endorsement(**stored, arbiter);
}

void ClusterChain::add_endorsement(const chain::BlockHeader& header, const chain::Endorsement& endorsement,
                                   bool from_arbiter) {
  auto it = unsealed_.find(header.height);
  if (from_arbiter && it == unsealed_.end() && header.height <= last_.height) {
    // A block sealed already: the arbiter is catching up, or telling us how
    // far it got. Believe it only for a header we committed.
    Result<std::optional<chain::Block>> stored = block(header.height);
    if (!stored || !stored->has_value() || (*stored)->header.hash() != header.hash()) return;
    if (!roster_at(header.height).is_arbiter(endorsement.signer)) return;
    env_.charge(env::Work::kVerify, 1);
    if (!crypto::verify(endorsement.signer, chain::vote_message(header.height, header.hash()), endorsement.signature)) return;
    uint64_t& progress = arbiter_progress_[endorsement.signer];
    if (header.height > progress) {
      progress = header.height;
      feed_arbiter(endorsement.signer, progress);
    }
    return;
  }
  if (it == unsealed_.end() && header.height > last_.height && header.height <= last_.height + kEarlyHeights) {
    // Faster members' signatures reach us before we commit the block: keep
    // them for then (they are not re-sent once the sender has a quorum).
    auto& early = early_endorsements_[header.height];
    if (early.size() < 4 * (roster().members.size() + roster().arbiters.size())) {
      early.push_back({header, endorsement, from_arbiter});
    }
    return;
  }
  if (it == unsealed_.end() || it->second.header.hash() != header.hash()) return;
  const Roster& roster = roster_at(header.height);
  if (!(from_arbiter ? roster.is_arbiter(endorsement.signer) : roster.is_member(endorsement.signer))) return;
  chain::Block& block = it->second;
  std::vector<chain::Endorsement>& list = from_arbiter ? block.arbiter_signatures : block.node_signatures;
  if (std::any_of(list.begin(), list.end(), [&](const chain::Endorsement& e) { return e.signer == endorsement.signer; })) return;
  env_.charge(env::Work::kVerify, 1);
  if (!crypto::verify(endorsement.signer, chain::vote_message(header.height, header.hash()), endorsement.signature)) return;
  list.push_back(endorsement);
  maybe_seal(block);
  if (from_arbiter) {
    // The arbiter moved on: hand it the next block now rather than at the
    // next retry, so an arbiter that fell behind catches up at network speed.
    uint64_t& progress = arbiter_progress_[endorsement.signer];
    progress = std::max(progress, header.height);
    feed_arbiter(endorsement.signer, header.height);
  }
}

void ClusterChain::maybe_seal(chain::Block& block) {
  auto sealed = [this](const chain::Block& b) {
    const Roster& roster = roster_at(b.header.height);
    return b.node_signatures.size() >= roster.member_quorum() && b.arbiter_signatures.size() >= roster.arbiter_quorum();
  };
  if (!sealed(block)) return;
  block.absent.clear();
  for (const consensus::Validator& member : roster_at(block.header.height).members) {
    bool signed_it = std::any_of(block.node_signatures.begin(), block.node_signatures.end(),
                                 [&](const chain::Endorsement& e) { return e.signer == member.key; });
    if (!signed_it) block.absent.push_back(member.key);
  }
  uint64_t height = block.header.height;
  if (height == sealed_height_ + 1) {
    // Sealed heights are contiguous: a block counts once its parent does.
    sealed_height_ = height;
    while (true) {
      auto next = unsealed_.find(sealed_height_ + 1);
      if (next == unsealed_.end() || !sealed(next->second)) break;
      ++sealed_height_;
    }
  }
  Status saved = save(block, true);
  if (!saved.is_ok()) env_.log(env::LogLevel::kWarning, "cannot save block signatures: " + saved.to_string());
  if (height <= sealed_height_) {
    for (auto it = unsealed_.begin(); it != unsealed_.end() && it->first <= sealed_height_;) {
      if (it->first != height) (void)save(it->second, true);
      it = unsealed_.erase(it);
    }
  }
}

}  // namespace fluence::cluster
