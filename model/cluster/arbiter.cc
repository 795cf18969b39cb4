#include "model/cluster/arbiter.h"

#include <algorithm>

#include "model/chain/vote.h"

namespace fluence::cluster {

ChainArbiter::ChainArbiter(env::Env& env, rpc::Rpc& rpc, const crypto::SigningKey& key, ArbiterConfig config)
    : env_(env), rpc_(rpc), key_(key), config_(std::move(config)), por_(env, rpc, key, config_.por) {
  FL_ASSERT(!config_.members.empty());
  last_ = genesis_header(config_.dataset);
}

ChainArbiter::~ChainArbiter() { env_.cancel(recheck_timer_); }

Bytes ChainArbiter::key(uint64_t height) const {
  // Height 0: the last signed header; otherwise the header signed at that height.
  return height == 0 ? chain_store_key('a', config_.dataset, 'h', std::nullopt)
                     : chain_store_key('a', config_.dataset, 'b', height);
}

Status ChainArbiter::start() {
  Result<std::optional<Bytes>> last = env_.store().get(key(0));
  if (!last) return last.status();
  if (!last->has_value()) return Status::ok();
  Result<chain::BlockHeader> header = codec::decode<chain::BlockHeader>(**last);
  if (!header) return header.status();
  last_ = *header;
  return Status::ok();
}

void ChainArbiter::on_message(const env::Peer& from, const ClusterMessage& message) {
  if (message.dataset != config_.dataset || message.type != ClusterMessage::Type::kNodeEndorsement) return;
  const chain::BlockHeader& header = *message.header;
  bool member = std::any_of(config_.members.begin(), config_.members.end(),
                            [&](const consensus::Validator& v) { return v.key == message.endorsement->signer; });
  if (!member || header.dataset != config_.dataset) return;
  if (header.height <= last_.height) {
    // Signed already: the member lost our signature; send it again.
    Result<std::optional<Bytes>> stored = env_.store().get(key(header.height));
    if (stored && stored->has_value()) {
      Result<chain::BlockHeader> mine = codec::decode<chain::BlockHeader>(**stored);
      if (mine && *mine == header) send_signature(from.address, header, sign(header));
    }
    return;
  }
  if (header.height > last_.height + config_.max_candidate_heights) return;
  consider(header, *message.endorsement, message.transactions);
  try_sign();
}

void ChainArbiter::consider(const chain::BlockHeader& header, const chain::Endorsement& endorsement,
                            const std::vector<chain::Transaction>& transactions) {
  crypto::Hash256 hash = header.hash();
  auto& at_height = candidates_[header.height];
  auto it = at_height.find(hash);
  bool complete = chain::transactions_root(transactions) == header.transactions_root;
  if (!complete && !transactions.empty()) return;  // transactions that are not the block's
  if (it == at_height.end()) {
    if (at_height.size() >= config_.members.size()) return;  // a member cannot make us keep unbounded junk
    it = at_height.emplace(hash, Candidate{header, {}, {}, false}).first;
  }
  if (complete && !it->second.complete) {
    it->second.transactions = transactions;
    it->second.complete = true;
  }
  if (it->second.signers.count(endorsement.signer) != 0) return;
  env_.charge(env::Work::kVerify, 1);
  if (!crypto::verify(endorsement.signer, chain::vote_message(header.height, hash), endorsement.signature)) return;
  it->second.signers.insert(endorsement.signer);
}

void ChainArbiter::try_sign() {
  size_t quorum = 2 * ((config_.members.size() - 1) / 3) + 1;
  while (true) {
    auto at_height = candidates_.find(last_.height + 1);
    if (at_height == candidates_.end()) return;
    const Candidate* chosen = nullptr;
    for (const auto& [hash, candidate] : at_height->second) {
      if (candidate.complete && candidate.signers.size() >= quorum && candidate.header.previous == last_.hash()) {
        chosen = &candidate;
      }
    }
    if (chosen == nullptr) return;
    const chain::BlockHeader& h = chosen->header;
    if (h.tick < last_.tick || h.journal_sequence < last_.journal_sequence) {
      candidates_.erase(at_height);  // never valid: a later, correct block may come
      return;
    }
    uint64_t latest = config_.rules.latest_acceptable_tick(env_.now());
    if (h.tick > latest) {
      if (refused_for_time_.insert(h.hash()).second) {
        env_.log(env::LogLevel::kWarning, "refusing block " + std::to_string(h.height) + ": tick " +
                                              std::to_string(h.tick) + " is ahead of this clock (latest " +
                                              std::to_string(latest) + ")");
      }
      // Look again when our clock reaches the tick.
      env::Duration wait = config_.rules.tick_start(h.tick) - config_.rules.max_clock_skew - env_.now();
      env_.cancel(recheck_timer_);
      recheck_timer_ = env_.schedule(std::max(wait, env::Duration(std::chrono::milliseconds(1))), [this] { try_sign(); });
      return;
    }
    chain::BlockHeader header = h;
    uint64_t parent_tick = last_.tick;
    env::WriteBatch batch;
    batch.put(key(header.height), codec::encode(header));
    batch.put(key(0), codec::encode(header));
    Status saved = env_.store().write(batch);
    if (!saved.is_ok()) {
      env_.log(env::LogLevel::kError, "cannot store a signed header: " + saved.to_string());
      return;
    }
    last_ = header;
    candidates_.erase(candidates_.begin(), std::next(at_height));
    chain::Endorsement endorsement = sign(header);
    for (const consensus::Validator& member : config_.members) send_signature(member.address, header, endorsement);
    if (header.tick > parent_tick && header.tick == config_.rules.tick_at(env_.now())) challenge(header);
  }
}

void ChainArbiter::challenge(const chain::BlockHeader& header) {
  std::vector<por::Member> members;
  for (const consensus::Validator& v : config_.members) members.push_back({v.address, v.key});
  por_.run_round(config_.dataset, header.tick, header.state_root, header.entry_count, members,
                 [this](std::vector<por::PorVerdict> verdicts) {
                   ++rounds_;
                   for (const por::PorVerdict& verdict : verdicts) {
                     if (!verdict.passed()) ++faults_;
                     ClusterMessage message;
                     message.type = ClusterMessage::Type::kSubmitTransaction;
                     message.dataset = config_.dataset;
                     message.transaction = chain::Transaction{verdict};
                     for (const consensus::Validator& member : config_.members) send_cluster(rpc_, member.address, message);
                   }
                 });
}

chain::Endorsement ChainArbiter::sign(const chain::BlockHeader& header) {
  env_.charge(env::Work::kSign, 1);
  return chain::endorse(key_, header);
}

void ChainArbiter::send_signature(const env::Address& to, const chain::BlockHeader& header,
                                  const chain::Endorsement& endorsement) {
  ClusterMessage message;
  message.type = ClusterMessage::Type::kArbiterEndorsement;
  message.dataset = config_.dataset;
  message.header = header;
  message.endorsement = endorsement;
  send_cluster(rpc_, to, message);
}

}  // namespace fluence::cluster
