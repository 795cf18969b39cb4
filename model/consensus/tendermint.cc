#include "model/consensus/tendermint.h"

#include <algorithm>

namespace fluence::consensus {

Tendermint::Tendermint(env::Env& env, Outbox outbox, const crypto::SigningKey& key, ConsensusConfig config,
                       Application& application)
    : env_(env), outbox_(std::move(outbox)), key_(key), config_(std::move(config)), application_(application) {
  FL_ASSERT(!config_.validators.empty());
  FL_ASSERT(config_.first_height >= 1);
  height_ = config_.first_height;
}

Tendermint::~Tendermint() {
  for (env::TimerId id : timers_) env_.cancel(id);
}

void Tendermint::start() {
  FL_ASSERT(!started_);
  started_ = true;
  start_round(0);
  after_timeout(config_.timeout_precommit, [this] { heartbeat(); });
  evaluate();
}

bool Tendermint::is_validator(const crypto::PublicKey& key) const {
  return std::any_of(config_.validators.begin(), config_.validators.end(),
                     [&](const Validator& v) { return v.key == key; });
}

const Validator& Tendermint::proposer(uint64_t height, uint32_t round) const {
  return config_.validators[(height + round) % config_.validators.size()];
}

env::Duration Tendermint::timeout(env::Duration base, uint32_t round) const {
  return base + config_.timeout_increase * static_cast<int64_t>(round);
}

void Tendermint::after_timeout(env::Duration delay, std::function<void()> callback) {
  auto id = std::make_shared<env::TimerId>(0);
  *id = env_.schedule(delay, [this, id, callback = std::move(callback)] {
    timers_.erase(*id);
    callback();
    evaluate();
  });
  timers_.insert(*id);
}

bool Tendermint::valid(const Bytes& value) {
  crypto::Hash256 id = value_id(value);
  auto it = validity_.find(id);
  if (it != validity_.end()) return it->second;
  bool ok = value.size() <= kMaxValueBytes && application_.valid(height_, value);
  validity_.emplace(id, ok);
  return ok;
}

size_t Tendermint::count(VoteType type, uint32_t round, const crypto::Hash256& value) const {
  auto it = votes_.find({type, round});
  if (it == votes_.end()) return 0;
  return static_cast<size_t>(std::count_if(it->second.begin(), it->second.end(),
                                           [&](const auto& entry) { return entry.second.value == value; }));
}

size_t Tendermint::count_any(VoteType type, uint32_t round) const {
  auto it = votes_.find({type, round});
  return it == votes_.end() ? 0 : it->second.size();
}

void Tendermint::broadcast(const ConsensusMessage& message) {
  Bytes encoded = codec::encode(message);
  for (const Validator& v : config_.validators) {
    if (v.key != key_.public_key()) outbox_(v.address, encoded);
  }
}

void Tendermint::cast(VoteType type, const crypto::Hash256& value) {
  env_.charge(env::Work::kSign, 1);
  Vote vote = Vote::make(key_, type, height_, round_, value);
  add_vote(vote);
  ConsensusMessage message;
  message.type = ConsensusMessage::Type::kVote;
  message.vote = vote;
  own_.push_back(message);
  broadcast(message);
}

void Tendermint::resend_own() {
  // All of this height's messages: a peer in an earlier round may need them
  // to reach the quorum that moves it on, and one that missed a round's
  // proposal needs it to decide from that round's precommits.
  for (const ConsensusMessage& message : own_) broadcast(message);
}

void Tendermint::heartbeat() {
  resend_own();
  after_timeout(config_.timeout_precommit, [this] { heartbeat(); });
}

// StartRound(round), lines 11-21.
void Tendermint::start_round(uint32_t round) {
  round_ = round;
  step_ = Step::kPropose;
  if (proposer(height_, round).key == key_.public_key()) {
    Bytes value = valid_value_ ? *valid_value_ : application_.propose(height_);
    env_.charge(env::Work::kSign, 1);
    Proposal proposal = Proposal::make(key_, height_, round, valid_round_, std::move(value));
    add_proposal(proposal);
    ConsensusMessage message;
    message.type = ConsensusMessage::Type::kProposal;
    message.proposal = proposal;
    own_.push_back(message);
    broadcast(message);
  }
  const uint64_t h = height_;
  after_timeout(timeout(config_.timeout_propose, round), [this, h, round] {
    // OnTimeoutPropose, lines 57-60.
    if (h != height_) return;  // a stale timer: re-sending now would repeat a later height's block
    if (round == round_ && step_ == Step::kPropose) {
      cast(VoteType::kPrevote, crypto::Hash256{});
      step_ = Step::kPrevote;
    }
    resend_own();
  });
}

void Tendermint::add_proposal(const Proposal& proposal) {
  if (proposal.height != height_ || proposal.proposer != proposer(height_, proposal.round).key) return;
  senders_[proposal.round].insert(proposal.proposer);
  proposals_.emplace(proposal.round, proposal);  // the first one counts; a second is equivocation
}

void Tendermint::add_vote(const Vote& vote) {
  if (vote.height != height_) return;
  Key key{vote.type, vote.round};
  auto& round_votes = votes_[key];
  auto [it, inserted] = round_votes.emplace(vote.voter, vote);
  if (!inserted && it->second.value != vote.value && evidence_seen_.insert({vote.voter, key}).second) {
    evidence_.push_back({it->second, vote});
  }
  senders_[vote.round].insert(vote.voter);
}

void Tendermint::evaluate() {
  // Each rule fires at most once per state; the loop ends when none fires.
  for (int guard = 0; guard < 10000 && evaluate_once(); ++guard) {
  }
}

bool Tendermint::evaluate_once() {
  const size_t q = quorum();
  // Lines 49-54: a decision, in any round of this height.
  for (const auto& [r, proposal] : proposals_) {
    crypto::Hash256 id = value_id(proposal.value);
    if (count(VoteType::kPrecommit, r, id) >= q && valid(proposal.value)) {
      decide(proposal.value, r);
      return true;
    }
  }
  auto current = proposals_.find(round_);
  if (step_ == Step::kPropose && current != proposals_.end()) {
    const Proposal& p = current->second;
    crypto::Hash256 id = value_id(p.value);
    if (p.valid_round == -1) {  // lines 22-27
      bool ok = valid(p.value) && (locked_round_ == -1 || (locked_value_ && *locked_value_ == p.value));
      cast(VoteType::kPrevote, ok ? id : crypto::Hash256{});
      step_ = Step::kPrevote;
      return true;
    }
    if (p.valid_round >= 0 && static_cast<uint32_t>(p.valid_round) < round_ &&
        count(VoteType::kPrevote, static_cast<uint32_t>(p.valid_round), id) >= q) {  // lines 28-33
      bool ok = valid(p.value) && (locked_round_ <= p.valid_round || (locked_value_ && *locked_value_ == p.value));
      cast(VoteType::kPrevote, ok ? id : crypto::Hash256{});
      step_ = Step::kPrevote;
      return true;
    }
  }
  if (step_ == Step::kPrevote && count_any(VoteType::kPrevote, round_) >= q &&
      prevote_timeout_started_.insert(round_).second) {  // lines 34-35
    const uint64_t h = height_;
    const uint32_t r = round_;
    after_timeout(timeout(config_.timeout_prevote, r), [this, h, r] {
      if (h != height_) return;
      if (r == round_ && step_ == Step::kPrevote) {  // lines 61-64
        cast(VoteType::kPrecommit, crypto::Hash256{});
        step_ = Step::kPrecommit;
      }
      resend_own();
    });
    return true;
  }
  if (current != proposals_.end() && step_ != Step::kPropose && !locked_once_.count(round_)) {  // lines 36-43
    const Proposal& p = current->second;
    crypto::Hash256 id = value_id(p.value);
    if (count(VoteType::kPrevote, round_, id) >= q && valid(p.value)) {
      locked_once_.insert(round_);
      if (step_ == Step::kPrevote) {
        locked_value_ = p.value;
        locked_round_ = static_cast<int32_t>(round_);
        cast(VoteType::kPrecommit, id);
        step_ = Step::kPrecommit;
      }
      valid_value_ = p.value;
      valid_round_ = static_cast<int32_t>(round_);
      return true;
    }
  }
  if (step_ == Step::kPrevote && count(VoteType::kPrevote, round_, crypto::Hash256{}) >= q) {  // lines 44-46
    cast(VoteType::kPrecommit, crypto::Hash256{});
    step_ = Step::kPrecommit;
    return true;
  }
  if (count_any(VoteType::kPrecommit, round_) >= q && precommit_timeout_started_.insert(round_).second) {  // 47-48
    const uint64_t h = height_;
    const uint32_t r = round_;
    after_timeout(timeout(config_.timeout_precommit, r), [this, h, r] {
      if (h != height_) return;
      if (r == round_) start_round(r + 1);  // lines 65-67
      resend_own();
    });
    return true;
  }
  // Lines 55-56: f + 1 validators are in a later round; join them.
  for (auto it = senders_.upper_bound(round_); it != senders_.end(); ++it) {
    if (it->second.size() >= faulty_tolerated() + 1) {
      start_round(it->first);
      return true;
    }
  }
  return false;
}

void Tendermint::decide(const Bytes& value, uint32_t round) {
  Decision decision;
  decision.height = height_;
  decision.value = value;
  crypto::Hash256 id = value_id(value);
  for (const auto& [voter, vote] : votes_[{VoteType::kPrecommit, round}]) {
    if (vote.value == id) decision.certificate.push_back(vote);
  }
  // Not broadcast: the others decide from the same precommits, and one that
  // missed them keeps sending votes of this height, which are answered with
  // the decision (a decision carries a whole block: n - 1 copies per block
  // from every validator would dominate the traffic).
  apply_decision(decision);
}

void Tendermint::keep_decisions(const std::map<uint64_t, Decision>& decisions) {
  for (const auto& [height, decision] : decisions) {
    if (height < height_) decided_.emplace(height, decision);
  }
}

void Tendermint::apply_decision(const Decision& decision) {
  FL_ASSERT(decision.height == height_);
  decided_.emplace(decision.height, decision);
  application_.commit(decision);
  ++height_;
  round_ = 0;
  step_ = Step::kPropose;
  locked_value_.reset();
  locked_round_ = -1;
  valid_value_.reset();
  valid_round_ = -1;
  proposals_.clear();
  votes_.clear();
  senders_.clear();
  prevote_timeout_started_.clear();
  precommit_timeout_started_.clear();
  locked_once_.clear();
  validity_.clear();
  own_.clear();
  sync_requested_.clear();  // at the new height, ask at once
  if (config_.commit_delay <= env::Duration::zero()) {
    start_round(0);
  } else {
    const uint64_t h = height_;
    after_timeout(config_.commit_delay, [this, h] {
      // Unless messages of this height already moved the node on.
      if (h == height_ && round_ == 0 && step_ == Step::kPropose) start_round(0);
    });
  }
  // Messages that arrived early for this height count now; those still
  // ahead wait again (and keep asking the peers ahead for decisions).
  std::vector<std::pair<env::Peer, Bytes>> early;
  early.swap(future_);
  for (auto& [peer, bytes] : early) {
    Result<ConsensusMessage> message = codec::decode<ConsensusMessage>(bytes);
    if (!message) continue;
    if (message_height(*message) > height_) {
      future_.emplace_back(peer, std::move(bytes));
      request_sync(peer.address);
    } else {
      handle(peer, *message);
    }
  }
}

uint64_t Tendermint::message_height(const ConsensusMessage& message) {
  return message.proposal   ? message.proposal->height
         : message.vote     ? message.vote->height
         : message.decision ? message.decision->height
                            : message.sync_height;
}

void Tendermint::apply_buffered_decisions() {
  // Decisions a peer sent ahead of this height, applied in order as soon as
  // each is the next one: a lagger catches up at the speed of its links.
  while (!future_decisions_.empty()) {
    auto it = future_decisions_.begin();
    if (it->first < height_) {
      future_decisions_.erase(it);
      continue;
    }
    if (it->first != height_) return;
    Decision d = std::move(it->second);
    future_decisions_.erase(it);
    env_.charge(env::Work::kVerify, d.certificate.size());
    if (!certificate_valid(d) || !valid(d.value)) return;
    apply_decision(d);
  }
}

bool Tendermint::certificate_valid(const Decision& decision) const {
  crypto::Hash256 id = value_id(decision.value);
  std::set<crypto::PublicKey> voters;
  std::optional<uint32_t> round;
  for (const Vote& vote : decision.certificate) {
    if (vote.type != VoteType::kPrecommit || vote.height != decision.height || vote.value != id) return false;
    if (round && *round != vote.round) return false;
    round = vote.round;
    if (!is_validator(vote.voter) || !vote.signature_valid()) return false;
    voters.insert(vote.voter);
  }
  return voters.size() >= quorum();
}

void Tendermint::on_message(const env::Peer& from, ByteView body) {
  if (!started_) return;
  Result<ConsensusMessage> message = codec::decode<ConsensusMessage>(body);
  if (!message) return;
  uint64_t height = message_height(*message);
  if (message->type != ConsensusMessage::Type::kSyncRequest && height > height_ &&
      message->type != ConsensusMessage::Type::kDecision) {
    // Ahead of us: keep it for later, and ask for what we miss.
    if (future_.size() < config_.max_buffered_messages) future_.emplace_back(from, Bytes(body.begin(), body.end()));
    request_sync(from.address);
    return;
  }
  handle(from, *message);
  evaluate();
  return;
}

void Tendermint::send_decision(const env::Address& to, uint64_t height) {
  auto it = decided_.find(height);
  if (it == decided_.end()) return;
  // A lagger asks with every message it sends; a decision carries a whole
  // block, so one copy per peer and height per heartbeat is enough (another
  // follows if that one is lost).
  env::Time now = env_.now();
  auto [sent, fresh] = decision_sent_.try_emplace({to, height}, now);
  if (!fresh) {
    if (now - sent->second < config_.timeout_precommit) return;
    sent->second = now;
  }
  if (decision_sent_.size() > 4 * config_.validators.size() * 16) {
    std::erase_if(decision_sent_, [&](const auto& entry) { return now - entry.second >= config_.timeout_precommit; });
  }
  ConsensusMessage reply;
  reply.type = ConsensusMessage::Type::kDecision;
  reply.decision = it->second;
  outbox_(to, codec::encode(reply));
}

void Tendermint::request_sync(const env::Address& to) {
  // Every message from a peer ahead would ask again: once per peer and
  // height per heartbeat.
  env::Time now = env_.now();
  auto [asked, fresh] = sync_requested_.try_emplace(to, now);
  if (!fresh) {
    if (now - asked->second < config_.timeout_precommit) return;
    asked->second = now;
  }
  ConsensusMessage sync;
  sync.type = ConsensusMessage::Type::kSyncRequest;
  sync.sync_height = height_;
  outbox_(to, codec::encode(sync));
}

void Tendermint::handle(const env::Peer& from, const ConsensusMessage& message) {
  switch (message.type) {
    case ConsensusMessage::Type::kProposal: {
      const Proposal& p = *message.proposal;
      if (p.height != height_ || !is_validator(p.proposer)) break;
      env_.charge(env::Work::kVerify, 1);
      if (p.signature_valid()) add_proposal(p);
      break;
    }
    case ConsensusMessage::Type::kVote: {
      const Vote& v = *message.vote;
      if (v.height < height_) {
        // The sender lags: send it the decision it misses. Every time: the
        // reply may be lost, and a lagger's votes come once per heartbeat.
        send_decision(from.address, v.height);
        break;
      }
      if (v.height > height_ || !is_validator(v.voter)) break;
      env_.charge(env::Work::kVerify, 1);
      if (v.signature_valid()) add_vote(v);
      break;
    }
    case ConsensusMessage::Type::kDecision: {
      const Decision& d = *message.decision;
      if (d.height > height_) {
        // Kept (bounded) until it is the next one; checked then.
        if (d.height <= height_ + kSyncBurst * 4 && future_decisions_.size() < kSyncBurst * 4) {
          future_decisions_.try_emplace(d.height, d);
        }
        request_sync(from.address);
        break;
      }
      if (d.height < height_) break;
      env_.charge(env::Work::kVerify, d.certificate.size());
      if (certificate_valid(d) && valid(d.value)) {
        apply_decision(d);
        apply_buffered_decisions();
      }
      break;
    }
    case ConsensusMessage::Type::kSyncRequest:
      // A burst, so that a lagger catches up faster than blocks are made.
      for (uint64_t h = message.sync_height; h < message.sync_height + kSyncBurst; ++h) send_decision(from.address, h);
      break;
    case ConsensusMessage::Type::kLimit: break;
  }
}

}  // namespace fluence::consensus
