#include "model/cluster/arbiter.h"

#include <algorithm>

#include "model/chain/vote.h"

namespace fluence::cluster {

ChainArbiter::ChainArbiter(env::Env& env, rpc::Rpc& rpc, const crypto::SigningKey& key, ArbiterConfig config)
    : env_(env),
      rpc_(rpc),
      key_(key),
      config_(std::move(config)),
      por_(env, rpc, key, config_.por),
      book_(nullptr, config_.dataset, Roster{config_.members, config_.arbiters, config_.rules.arbiter_quorum},
            config_.rules.inclusion_ticks) {
  FL_ASSERT(!config_.members.empty());
  last_ = genesis_header(config_.dataset);
}

ChainArbiter::~ChainArbiter() {
  *alive_ = false;
  env_.cancel(recheck_timer_);
  env_.cancel(capture_timer_);
  env_.cancel(halt_timer_);
}

Bytes ChainArbiter::key(uint64_t height) const {
  // Height 0: the last signed header; otherwise the block (header and
  // transactions) signed at that height.
  return height == 0 ? chain_store_key('a', config_.dataset, 'h', std::nullopt)
                     : chain_store_key('a', config_.dataset, 'b', height);
}

namespace {
Bytes capture_key(const storage::DatasetId& dataset) { return chain_store_key('a', dataset, 'x', std::nullopt); }
Bytes pending_key(const storage::DatasetId& dataset) { return chain_store_key('a', dataset, 'p', std::nullopt); }
}  // namespace

void ChainArbiter::save_pending() {
  // What the chain owes us survives a restart: an arbiter that forgot it
  // would sign the very chain that left it out.
  codec::Writer writer;
  writer.varint(pending_.size());
  for (const auto& [hash, pending] : pending_) {
    pending.transaction.encode(writer);
    writer.u64(pending.tick);
  }
  env::WriteBatch batch;
  batch.put(pending_key(config_.dataset), writer.finish());
  Status saved = env_.store().write(batch);
  if (!saved.is_ok()) env_.log(env::LogLevel::kError, "cannot store the transactions the chain owes: " + saved.to_string());
}

Status ChainArbiter::load_pending() {
  Result<std::optional<Bytes>> stored = env_.store().get(pending_key(config_.dataset));
  if (!stored) return stored.status();
  if (!stored->has_value()) return Status::ok();
  codec::Reader reader(**stored);
  size_t n = reader.count("arbiter.pending", chain::kMaxTransactionsPerBlock, 2);
  for (size_t i = 0; i < n && reader.ok(); ++i) {
    chain::Transaction transaction = chain::Transaction::decode(reader);
    uint64_t tick = reader.u64("arbiter.pending.tick");
    if (reader.ok()) pending_[transaction.hash()] = Pending{std::move(transaction), tick, last_.height};
  }
  return reader.finish().with_context("arbiter: stored transactions owed");
}

Status ChainArbiter::start() {
  Result<std::optional<Bytes>> last = env_.store().get(key(0));
  if (!last) return last.status();
  if (!last->has_value()) return Status::ok();
  Result<chain::BlockHeader> header = codec::decode<chain::BlockHeader>(**last);
  if (!header) return header.status();
  last_ = *header;
  Result<std::optional<CaptureCertificate>> capture = read_certificate(env_.store(), capture_key(config_.dataset));
  if (!capture) return capture.status().with_context("arbiter");
  capture_ = std::move(*capture);
  // The book is a function of the blocks and the certificate: replay them.
  Result<std::vector<chain::Block>> blocks = signed_blocks();
  if (!blocks) return blocks.status();
  for (const chain::Block& block : *blocks) {
    book_.apply(block.header, block.transactions);
    if (capture_ && block.header.height == capture_->height()) {
      FL_RETURN_IF_ERROR(book_.adopt_capture(*capture_, block.header, config_.dataset).with_context("arbiter: stored capture certificate"));
    }
  }
  recruited_ = book_.roster().is_member(key_.public_key());
  // Back from a long stop, it has not yet heard of the blocks it missed:
  // the chain gets halt_ticks from now before it counts as halted.
  last_progress_ = env_.now();
  watch_for_halt();
  return load_pending();
}

std::vector<consensus::Validator> ChainArbiter::recovery_sources() const {
  if (capture_ && recruited_) return book_.membership().at(capture_->height()).members;
  return book_.roster().members;
}

Result<std::vector<chain::Block>> ChainArbiter::signed_blocks() const {
  std::vector<chain::Block> blocks;
  for (uint64_t h = 1; h <= last_.height; ++h) {
    Result<std::optional<Bytes>> stored = env_.store().get(key(h));
    if (!stored) return stored.status();
    if (!stored->has_value()) return Status::error(ErrorCode::kIo, "arbiter: signed block " + std::to_string(h) + " missing");
    Result<chain::Block> block = codec::decode<chain::Block>(**stored);
    if (!block) return block.status().with_context("arbiter: signed block " + std::to_string(h));
    blocks.push_back(std::move(*block));
  }
  return blocks;
}

void ChainArbiter::on_message(const env::Peer& from, const ClusterMessage& message) {
  if (recruited_ || message.dataset != config_.dataset) return;
  if (message.type == ClusterMessage::Type::kCaptureVote && message.capture_vote) {
    on_capture_vote(*message.capture_vote);
    return;
  }
  if (message.type != ClusterMessage::Type::kNodeEndorsement) return;
  const chain::BlockHeader& header = *message.header;
  if (!book_.roster().is_member(message.endorsement->signer) || header.dataset != config_.dataset) return;
  if (header.height <= last_.height) {
    // Signed already: the member lost our signature; send it again.
    Result<std::optional<Bytes>> stored = env_.store().get(key(header.height));
    if (stored && stored->has_value()) {
      Result<chain::Block> mine = codec::decode<chain::Block>(**stored);
      if (mine && mine->header == header) send_signature(from.address, header, sign(header));
    }
    // And how far we got, so the member stops feeding us blocks we signed.
    if (header.height < last_.height) send_signature(from.address, last_, sign(last_));
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
    if (at_height.size() >= book_.roster().members.size()) return;  // a member cannot make us keep unbounded junk
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
  while (!recruited_) {
    auto at_height = candidates_.find(last_.height + 1);
    if (at_height == candidates_.end()) return;
    // The roster after the blocks signed so far signs this one: a member
    // ejected meanwhile no longer counts.
    const Roster& roster = book_.roster();
    const Candidate* chosen = nullptr;
    for (const auto& [hash, candidate] : at_height->second) {
      size_t signers = static_cast<size_t>(std::count_if(candidate.signers.begin(), candidate.signers.end(),
                                                         [&](const crypto::PublicKey& k) { return roster.is_member(k); }));
      if (candidate.complete && signers >= roster.member_quorum() && candidate.header.previous == last_.hash()) {
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
    if (config_.conduct.checks_time && h.tick > latest) {
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
    if (config_.conduct.demands_inclusion && leaves_out_ours(*chosen)) {
      // The block is committed, so no other will come at this height: this
      // arbiter is done with this chain.
      if (refused_for_censorship_.insert(h.height).second) {
        env_.log(env::LogLevel::kWarning, "refusing block " + std::to_string(h.height) + ": the chain left out our verdicts or votes for " +
                                              std::to_string(config_.rules.inclusion_ticks) + " ticks");
      }
      if (!capture_vote_) vote_capture();
      return;
    }
    chain::Block block;
    block.header = h;
    block.transactions = chosen->transactions;
    const chain::BlockHeader& header = block.header;
    uint64_t parent_tick = last_.tick;
    env::WriteBatch batch;
    batch.put(key(header.height), codec::encode(block));
    batch.put(key(0), codec::encode(header));
    Status saved = env_.store().write(batch);
    if (!saved.is_ok()) {
      env_.log(env::LogLevel::kError, "cannot store a signed header: " + saved.to_string());
      return;
    }
    last_ = header;
    candidates_.erase(candidates_.begin(), std::next(at_height));
    chain::Endorsement endorsement = sign(header);
    for (const consensus::Validator& member : book_.roster().members) send_signature(member.address, header, endorsement);
    follow(block);
    last_progress_ = env_.now();
    if (capture_vote_ && !capture_) {
      // The cluster moved on after all: the vote is stale.
      capture_vote_.reset();
      env_.cancel(capture_timer_);
      capture_timer_ = 0;
    }
    watch_for_halt();
    if (!recruited_ && header.tick > parent_tick && header.tick == config_.rules.tick_at(env_.now())) challenge(header);
  }
}

bool ChainArbiter::leaves_out_ours(const Candidate& candidate) {
  // What can no longer go on chain is no longer owed: a verdict about a
  // member that left, a vote the membership no longer accepts.
  size_t moot = std::erase_if(pending_, [&](const auto& entry) {
    const chain::Transaction& t = entry.second.transaction;
    if (const auto* verdict = std::get_if<por::PorVerdict>(&t.body)) return !book_.roster().is_member(verdict->node);
    if (const auto* vote = std::get_if<chain::EjectionVote>(&t.body)) return !book_.membership().vote_acceptable(*vote);
    return false;
  });
  if (moot > 0) save_pending();
  std::set<crypto::Hash256> carried;
  for (const chain::Transaction& t : candidate.transactions) carried.insert(t.hash());
  for (const auto& [hash, pending] : pending_) {
    if (pending.tick + config_.rules.inclusion_ticks <= candidate.header.tick && carried.count(hash) == 0) return true;
  }
  return false;
}

void ChainArbiter::publish(const chain::Transaction& transaction, uint64_t tick) {
  if (config_.conduct.demands_inclusion) {
    pending_[transaction.hash()] = Pending{transaction, tick, last_.height};
    save_pending();
  }
  send_to_members(transaction);
}

void ChainArbiter::follow(const chain::Block& block) {
  size_t owed = pending_.size();
  for (const chain::Transaction& t : block.transactions) pending_.erase(t.hash());
  if (pending_.size() != owed) save_pending();
  // Still missing two blocks after it was sent: a member lost it (a crash
  // empties its pool), or the proposers left it out. Send it again.
  for (auto& [hash, pending] : pending_) {
    if (block.header.height < pending.sent_height + 2) continue;
    pending.sent_height = block.header.height;
    send_to_members(pending.transaction);
  }
  size_t changes = book_.membership().changes().size();
  book_.apply(block.header, block.transactions);
  for (size_t i = changes; i < book_.membership().changes().size(); ++i) {
    const MembershipChange& change = book_.membership().changes()[i];
    if (change.replacement.key != key_.public_key()) continue;
    become_member(change.height);
    return;
  }
  if (!config_.conduct.votes) return;
  for (const EjectionGround& ground : book_.grounds(config_.ejection)) vote(ground);
}

void ChainArbiter::become_member(uint64_t height) {
  // Recovery mode: this arbiter is a member from the next height on.
  recruited_ = true;
  candidates_.clear();
  env_.log(env::LogLevel::kWarning, "recruited into the cluster at height " + std::to_string(height));
  if (config_.recruited) {
    env_.schedule(env::Duration(0), [this, alive = alive_, height] {
      if (*alive) config_.recruited(height);
    });
  }
}

void ChainArbiter::watch_for_halt() {
  env_.cancel(halt_timer_);
  halt_timer_ = 0;
  uint64_t halt = config_.rules.halt_ticks;
  if (halt == 0 || last_.height == 0 || recruited_ || capture_ || !config_.conduct.demands_inclusion) return;
  env::Time due = last_progress_ + config_.rules.tick_length * static_cast<int64_t>(halt);
  halt_timer_ = env_.schedule(std::max(due - env_.now(), env::Duration(std::chrono::milliseconds(1))), [this, halt, due] {
    halt_timer_ = 0;
    if (recruited_ || capture_ || capture_vote_) return;
    if (env_.now() < due) return watch_for_halt();
    env_.log(env::LogLevel::kWarning, "no block after " + std::to_string(last_.height) + " for " + std::to_string(halt) +
                                          " ticks: the cluster has halted");
    vote_capture();
  });
}

void ChainArbiter::vote_capture() {
  if (!replacement_roster(book_.roster(), config_.dataset, last_.height)) {
    env_.log(env::LogLevel::kWarning, "the cluster is captured, but there are too few arbiters to replace it");
    return;
  }
  if (!capture_vote_) {
    env_.charge(env::Work::kSign, 1);
    capture_vote_ = CaptureVote::make(key_, config_.dataset, last_);
    env_.log(env::LogLevel::kWarning, "voting the cluster captured after block " + std::to_string(last_.height));
  }
  ClusterMessage message;
  message.type = ClusterMessage::Type::kCaptureVote;
  message.dataset = config_.dataset;
  message.capture_vote = capture_vote_;
  for (const consensus::Validator& arbiter : book_.roster().arbiters) {
    if (arbiter.key != key_.public_key()) send_cluster(rpc_, arbiter.address, message);
  }
  on_capture_vote(*capture_vote_);
  if (capture_ || recruited_) return;
  // A vote can be lost, and an arbiter that was down missed it: send it
  // again until a certificate stands.
  env_.cancel(capture_timer_);
  capture_timer_ = env_.schedule(config_.capture_vote_resend, [this] {
    capture_timer_ = 0;
    vote_capture();
  });
}

void ChainArbiter::on_capture_vote(const CaptureVote& vote) {
  // A corrupted arbiter stays with the captors.
  if (capture_ || !config_.conduct.demands_inclusion) return;
  if (vote.arbiter != key_.public_key()) env_.charge(env::Work::kVerify, 1);
  std::optional<CaptureCertificate> certificate = capture_tally_.add(vote, config_.dataset, book_.roster());
  // Only a certificate about the last block we signed: that block's roster
  // is the one it must be checked against, and the chain it ends is ours.
  if (!certificate || certificate->height() != last_.height || certificate->header_hash() != last_.hash()) return;
  Status adopted = adopt(*certificate);
  if (!adopted.is_ok()) env_.log(env::LogLevel::kError, "cannot adopt a capture certificate: " + adopted.to_string());
}

Status ChainArbiter::adopt(const CaptureCertificate& certificate) {
  // Checked before it is stored, so that a restart never meets one that fails.
  Result<Roster> next = book_.capture_roster(certificate, last_, config_.dataset);
  if (!next) return next.status();
  env::WriteBatch batch;
  batch.put(capture_key(config_.dataset), codec::encode(certificate));
  FL_RETURN_IF_ERROR(env_.store().write(batch));
  book_.replace_cluster(certificate.height(), *next);
  capture_ = certificate;
  env_.cancel(capture_timer_);
  capture_timer_ = 0;
  // The old chain's candidates and what we owed it are moot.
  candidates_.clear();
  pending_.clear();
  save_pending();
  env_.log(env::LogLevel::kWarning, "the cluster was certified captured after block " + std::to_string(last_.height) +
                                        " by " + std::to_string(certificate.votes.size()) + " arbiters; its members are replaced");
  if (book_.roster().is_member(key_.public_key())) become_member(last_.height);
  return Status::ok();
}

void ChainArbiter::vote(const EjectionGround& ground) {
  // Votes travel like verdicts; one lost is sent again a few blocks later.
  constexpr uint64_t kRevoteBlocks = 16;
  auto it = voted_at_.find(ground.member);
  if (it != voted_at_.end() && last_.height < it->second + kRevoteBlocks) return;
  voted_at_[ground.member] = last_.height;
  const Roster& roster = book_.roster();
  if (roster.arbiters.empty()) return;  // nobody left to recover with
  chain::EjectionVote vote = chain::EjectionVote::make(key_, config_.dataset, ground.member, roster.arbiters.front().key,
                                                       ground.reason);
  env_.charge(env::Work::kSign, 1);
  ++votes_sent_;
  env_.log(env::LogLevel::kWarning, std::string("voting to eject a member: ") + chain::reason_name(ground.reason));
  publish({vote}, last_.tick);
}

void ChainArbiter::send_to_members(const chain::Transaction& transaction) {
  ClusterMessage message;
  message.type = ClusterMessage::Type::kSubmitTransaction;
  message.dataset = config_.dataset;
  message.transaction = transaction;
  for (const consensus::Validator& member : book_.roster().members) send_cluster(rpc_, member.address, message);
}

void ChainArbiter::challenge(const chain::BlockHeader& header) {
  if (!config_.conduct.challenges) {
    // Corrupted: a passing verdict for every member, nothing asked.
    por::PorChallenge unasked;
    unasked.dataset = config_.dataset;
    unasked.tick = header.tick;
    ++rounds_;
    for (const consensus::Validator& v : book_.roster().members) {
      env_.charge(env::Work::kSign, 1);
      publish({por::PorVerdict::make(key_, unasked, v.key, por::Fault::kNone)}, header.tick);
    }
    return;
  }
  std::vector<por::Member> members;
  for (const consensus::Validator& v : book_.roster().members) members.push_back({v.address, v.key});
  por_.run_round(config_.dataset, header.tick, header.state_root, header.entry_count, members,
                 [this](std::vector<por::PorVerdict> verdicts) {
                   ++rounds_;
                   for (const por::PorVerdict& verdict : verdicts) {
                     if (!verdict.passed()) ++faults_;
                     publish({verdict}, verdict.tick);
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
