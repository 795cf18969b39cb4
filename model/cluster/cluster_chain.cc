#include "model/cluster/cluster_chain.h"

#include <algorithm>

namespace fluence::cluster {

namespace {

// A committed block as stored, with the state after its writes.
struct StoredBlock {
  chain::Block block;
  ChainState state;
  bool sealed = false;

  void encode(codec::Writer& writer) const {
    block.encode(writer);
    writer.u64(state.sequence);
    writer.fixed(state.root);
    writer.u64(state.entries);
    writer.boolean(sealed);
  }
  static StoredBlock decode(codec::Reader& reader) {
    StoredBlock s;
    s.block = chain::Block::decode(reader);
    s.state.sequence = reader.u64("stored.sequence");
    s.state.root = reader.fixed<crypto::kHashBytes>("stored.root");
    s.state.entries = reader.u64("stored.entries");
    s.sealed = reader.boolean("stored.sealed");
    return s;
  }
};

}  // namespace

struct ClusterChain::Waiter {
  std::function<void(Result<uint64_t>)> done;
  env::TimerId timer = 0;
};

chain::BlockHeader genesis_header(const storage::DatasetId& dataset) {
  chain::BlockHeader h;
  h.dataset = dataset;
  return h;
}

void send_cluster(rpc::Rpc& rpc, const env::Address& to, const ClusterMessage& message) {
  rpc.notify(to, rpc::Protocol::kCluster, codec::encode(message));
}

ClusterChain::ClusterChain(env::Env& env, rpc::Rpc& rpc, const crypto::SigningKey& key, storage::Dataset& dataset,
                           ClusterConfig config)
    : env_(env),
      rpc_(rpc),
      key_(key),
      dataset_(dataset),
      config_(std::move(config)),
      book_(config_.gateway != nullptr ? config_.gateway : &no_gateway(), config_.dataset,
            Roster{config_.members, config_.arbiters, config_.rules.arbiter_quorum}, config_.rules.inclusion_ticks),
      keeper_(key, env.random(), config_.member_conduct) {
  FL_ASSERT(config_.dataset == dataset_.id());
  last_ = genesis_header(config_.dataset);
}

ClusterChain::~ClusterChain() {
  *alive_ = false;
  env_.cancel(retry_timer_);
  for (auto& [id, waiter] : waiters_) env_.cancel(waiter->timer);
  for (auto& [hash, waiter] : operation_waiters_) env_.cancel(waiter->timer);
}

Bytes ClusterChain::key(char kind, uint64_t height) const {
  // 'b' + height: a stored block; 'l': the last and sealed heights; 'x': the
  // capture certificate this member was recruited by (capture.h), if any.
  return chain_store_key('c', config_.dataset, kind, kind == 'b' ? std::optional<uint64_t>(height) : std::nullopt);
}

uint64_t ClusterChain::current_tick() const { return config_.rules.tick_at(env_.now()); }

Result<std::optional<chain::Block>> ClusterChain::block(uint64_t height) const {
  if (auto it = unsealed_.find(height); it != unsealed_.end()) return std::optional<chain::Block>(it->second);
  Result<std::optional<Bytes>> bytes = env_.store().get(key('b', height));
  if (!bytes) return bytes.status();
  if (!bytes->has_value()) return std::optional<chain::Block>();
  Result<StoredBlock> stored = codec::decode<StoredBlock>(**bytes);
  if (!stored) return stored.status();
  return std::optional<chain::Block>(std::move(stored->block));
}

Status ClusterChain::start() {
  FL_ASSERT(!started_);
  Result<std::optional<Bytes>> last = env_.store().get(key('l', 0));
  if (!last) return last.status();
  if (last->has_value()) {
    codec::Reader reader(**last);
    uint64_t height = reader.u64("chain.last");
    uint64_t sealed = reader.u64("chain.sealed");
    FL_RETURN_IF_ERROR(reader.finish());
    Result<std::optional<Bytes>> bytes = env_.store().get(key('b', height));
    if (!bytes) return bytes.status();
    if (!bytes->has_value()) return Status::error(ErrorCode::kIo, "chain: last block " + std::to_string(height) + " missing");
    Result<StoredBlock> stored = codec::decode<StoredBlock>(**bytes);
    if (!stored) return stored.status();
    last_ = stored->block.header;
    state_ = stored->state;
    sealed_height_ = sealed;
    Result<std::optional<CaptureCertificate>> stored_capture = read_certificate(env_.store(), key('x', 0));
    if (!stored_capture) return stored_capture.status().with_context("chain");
    const std::optional<CaptureCertificate>& certificate = *stored_capture;
    // The ledger and the roster are a function of the blocks (and of the
    // certificate that replaced the cluster, if one did): replay them.
    // Blocks still missing signatures are kept to ask for them again.
    for (uint64_t h = 1; h <= height; ++h) {
      Result<std::optional<chain::Block>> b = block(h);
      if (!b) return b.status();
      if (!b->has_value()) return Status::error(ErrorCode::kIo, "chain: block " + std::to_string(h) + " missing");
      if (!book_.apply((*b)->header, (*b)->transactions)) {
        return Status::error(ErrorCode::kIo, "chain: block " + std::to_string(h) + "'s token operations do not apply");
      }
      if (certificate && h == certificate->height()) {
        FL_RETURN_IF_ERROR(book_.adopt_capture(*certificate, (*b)->header, config_.dataset).with_context("chain: stored capture certificate"));
      }
      if (h > sealed) unsealed_.emplace(h, std::move(**b));
    }
  }
  started_ = true;
  sync_shares();  // the ledger was rebuilt from the blocks: re-open this member's fragments
  changes_seen_ = book_.membership().changes().size();
  start_consensus();
  retry_endorsements();
  return Status::ok();
}

void ClusterChain::start_consensus() {
  std::map<uint64_t, consensus::Decision> history;
  if (consensus_) history = consensus_->decisions();
  consensus_.reset();
  evidence_reported_ = 0;
  if (!roster().is_member(key_.public_key())) {
    env_.log(env::LogLevel::kWarning, book_.membership().ejected(key_.public_key())
                                          ? "this node was ejected from the cluster; it no longer takes part"
                                          : "this node is not a member of the cluster");
    return;
  }
  consensus::ConsensusConfig consensus = config_.consensus;
  consensus.validators = roster().members;
  consensus.first_height = last_.height + 1;
  consensus.commit_delay = config_.block_interval;
  consensus::Tendermint::Outbox outbox = [this](const env::Address& to, Bytes bytes) {
    ClusterMessage message;
    message.type = ClusterMessage::Type::kConsensus;
    message.dataset = config_.dataset;
    message.consensus = std::move(bytes);
    send_cluster(rpc_, to, message);
  };
  consensus_ = std::make_unique<consensus::Tendermint>(env_, std::move(outbox), key_, consensus, *this);
  consensus_->keep_decisions(history);
  consensus_->start();
}

void ClusterChain::submit(std::vector<storage::Mutation> mutations, std::function<void(Result<uint64_t>)> done) {
  Status status = storage::validate(storage::JournalEntry{0, mutations});
  if (!status.is_ok()) return done(status);
  if (!started_) return done(Status::error(ErrorCode::kUnavailable, "the cluster chain has not started"));
  if (!consensus_) return done(Status::error(ErrorCode::kUnavailable, "this node is no longer a member of the cluster"));
  if (pool_.size() >= config_.max_pool_writes) {
    return done(Status::error(ErrorCode::kLimitExceeded, "write pool full (" + std::to_string(pool_.size()) + ")"));
  }
  crypto::Hash256 id;
  env_.random().fill(id);
  auto waiter = std::make_shared<Waiter>();
  waiter->done = std::move(done);
  waiter->timer = env_.schedule(config_.write_timeout, [this, id] {
    auto it = waiters_.find(id);
    if (it == waiters_.end()) return;
    std::shared_ptr<Waiter> w = it->second;
    waiters_.erase(it);
    w->done(Status::error(ErrorCode::kTimeout, "the write was not committed in time"));
  });
  waiters_.emplace(id, waiter);
  ClusterMessage message;
  message.type = ClusterMessage::Type::kSubmitWrite;
  message.dataset = config_.dataset;
  message.mutations = mutations;
  message.submission = id;
  for (const consensus::Validator& member : roster().members) {
    if (member.key != key_.public_key()) send_cluster(rpc_, member.address, message);
  }
  add_to_pool(id, std::move(mutations));
}

void ClusterChain::add_to_pool(const crypto::Hash256& submission, std::vector<storage::Mutation> mutations) {
  if (pool_.size() >= config_.max_pool_writes || pool_index_.count(submission) != 0 ||
      committed_submissions_.count(submission) != 0) {
    return;
  }
  PoolEntry entry;
  entry.id = submission;
  entry.bytes = codec::encode(storage::JournalEntry{0, mutations}).size();
  entry.mutations = std::move(mutations);
  pool_.push_back(std::move(entry));
  pool_index_.emplace(submission, std::prev(pool_.end()));
}

void ClusterChain::take_from_pool(const crypto::Hash256& id) {
  auto it = pool_index_.find(id);
  if (it == pool_index_.end()) return;
  pool_.erase(it->second);
  pool_index_.erase(it);
}

void ClusterChain::acknowledge(const crypto::Hash256& id, uint64_t sequence) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  std::shared_ptr<Waiter> waiter = it->second;
  waiters_.erase(it);
  env_.cancel(waiter->timer);
  waiter->done(sequence);
}

void ClusterChain::submit_transaction(const chain::Transaction& transaction) {
  if (!transaction_acceptable(transaction)) return;
  crypto::Hash256 hash = transaction.hash();
  for (const PooledTransaction& t : transaction_pool_) {
    if (t.transaction.hash() == hash) return;
  }
  if (transaction_pool_.size() < chain::kMaxTransactionsPerBlock) transaction_pool_.push_back({transaction, env_.now()});
}

void ClusterChain::submit_operation(const economy::EconomyOp& op, std::function<void(Result<uint64_t>)> done) {
  if (!started_) return done(Status::error(ErrorCode::kUnavailable, "the cluster chain has not started"));
  if (!consensus_) return done(Status::error(ErrorCode::kUnavailable, "this node is no longer a member of the cluster"));
  economy::Ledger scratch = book_.ledger();
  if (Status applies = scratch.apply(op, next_tick()); !applies.is_ok()) return done(applies);
  if (transaction_pool_.size() >= chain::kMaxTransactionsPerBlock ||
      operation_waiters_.size() >= config_.max_pool_writes) {
    return done(Status::error(ErrorCode::kLimitExceeded, "transaction pool full (" +
                                                             std::to_string(transaction_pool_.size()) + ")"));
  }
  const chain::Transaction transaction{op};
  const crypto::Hash256 hash = transaction.hash();
  auto waiter = std::make_shared<Waiter>();
  waiter->done = std::move(done);
  waiter->timer = env_.schedule(config_.write_timeout, [this, hash, waiter] {
    auto [first, last] = operation_waiters_.equal_range(hash);
    for (auto it = first; it != last; ++it) {
      if (it->second != waiter) continue;
      operation_waiters_.erase(it);
      waiter->done(Status::error(ErrorCode::kTimeout, "the operation was not committed in time"));
      return;
    }
  });
  operation_waiters_.emplace(hash, waiter);
  ClusterMessage message;
  message.type = ClusterMessage::Type::kSubmitTransaction;
  message.dataset = config_.dataset;
  message.transaction = transaction;
  for (const consensus::Validator& member : roster().members) {
    if (member.key != key_.public_key()) send_cluster(rpc_, member.address, message);
  }
  submit_transaction(transaction);
}

void ClusterChain::acknowledge_operation(const crypto::Hash256& transaction, uint64_t height) {
  auto [first, last] = operation_waiters_.equal_range(transaction);
  std::vector<std::shared_ptr<Waiter>> acknowledged;
  for (auto it = first; it != last; ++it) acknowledged.push_back(it->second);
  operation_waiters_.erase(first, last);
  for (const std::shared_ptr<Waiter>& waiter : acknowledged) {
    env_.cancel(waiter->timer);
    waiter->done(height);
  }
}

bool ClusterChain::transaction_acceptable(const chain::Transaction& transaction) const {
  if (committed_transactions_.count(transaction.hash()) != 0) return false;
  const std::set<crypto::PublicKey>& censored = config_.member_conduct.censored_arbiters;
  if (const auto* verdict = std::get_if<por::PorVerdict>(&transaction.body)) {
    if (censored.count(verdict->arbiter) != 0) return false;
    return verdict->dataset == config_.dataset && roster().is_arbiter(verdict->arbiter) &&
           roster().is_member(verdict->node) && verdict->signature_valid();
  }
  if (const auto* vote = std::get_if<chain::EjectionVote>(&transaction.body)) {
    if (censored.count(vote->arbiter) != 0) return false;
    return vote->dataset == config_.dataset && book_.membership().vote_acceptable(*vote) && vote->signature_valid();
  }
  if (const auto* evidence = std::get_if<chain::Equivocation>(&transaction.body)) {
    return roster().is_member(evidence->signer) && evidence->proves_equivocation();
  }
  if (const auto* votes = std::get_if<chain::VoteEquivocation>(&transaction.body)) {
    return roster().is_member(votes->first.voter) && votes->proves_equivocation();
  }
  if (std::holds_alternative<economy::EconomyOp>(transaction.body)) return true;  // the ledger decides
  return false;  // write digests come only with their writes
}

Bytes ClusterChain::propose(uint64_t height) {
  BlockProposal p;
  p.header.dataset = config_.dataset;
  p.header.height = height;
  p.header.previous = last_.hash();
  p.header.tick = std::max(last_.tick, current_tick());
  p.header.journal_sequence = state_.sequence;
  p.header.state_root = state_.root;
  p.header.entry_count = state_.entries;
  size_t bytes = 0;
  uint64_t sequence = state_.sequence;
  for (const PoolEntry& entry : pool_) {
    if (p.writes.size() >= std::min(config_.max_block_writes, kMaxWritesPerBlock)) break;
    if (!p.writes.empty() && bytes + entry.bytes > config_.max_block_bytes) break;
    bytes += entry.bytes;
    p.writes.push_back({++sequence, entry.mutations});
    p.submissions.push_back(entry.id);
    p.transactions.push_back({write_digest(p.writes.back())});
  }
  // What our consensus caught goes on chain (transaction_acceptable skips
  // what is already there).
  for (; evidence_reported_ < consensus_->evidence().size(); ++evidence_reported_) {
    const consensus::Equivocating& e = consensus_->evidence()[evidence_reported_];
    submit_transaction({chain::VoteEquivocation{e.first, e.second}});
  }
  economy::Ledger scratch = book_.ledger();
  for (const auto& [t, added] : transaction_pool_) {
    if (p.transactions.size() >= chain::kMaxTransactionsPerBlock) break;
    if (!transaction_acceptable(t)) continue;
    if (const auto* op = std::get_if<economy::EconomyOp>(&t.body)) {
      if (!scratch.apply(*op, p.header.tick).is_ok()) continue;
    }
    p.transactions.push_back(t);
  }
  p.header.transactions_root = chain::transactions_root(p.transactions);
  return codec::encode(p);
}

bool ClusterChain::valid(uint64_t height, ByteView value) {
  Result<BlockProposal> p = codec::decode<BlockProposal>(value);
  if (!p) return false;
  const chain::BlockHeader& h = p->header;
  auto reject = [&](const std::string& why) {
    env_.log(env::LogLevel::kDebug, "rejecting proposal for height " + std::to_string(height) + ": " + why);
    return false;
  };
  if (Status shape = check_shape(*p); !shape.is_ok()) return reject(shape.message());
  if (h.dataset != config_.dataset || h.height != height || h.previous != last_.hash()) return reject("not the next block");
  if (h.tick < last_.tick) return reject("tick goes backwards");
  uint64_t latest = config_.rules.latest_acceptable_tick(env_.now());
  if (h.tick > latest) return reject("tick " + std::to_string(h.tick) + " is ahead of this clock");
  if (ChainState{h.journal_sequence, h.state_root, h.entry_count} != state_) return reject("state differs from ours");
  for (size_t i = p->writes.size(); i < p->transactions.size(); ++i) {
    if (!transaction_acceptable(p->transactions[i])) return reject("transaction " + std::to_string(i));
  }
  for (const crypto::Hash256& id : p->submissions) {
    if (committed_submissions_.count(id) != 0) return reject("a write already committed");
  }
  ChainBook scratch = book_;
  if (!scratch.apply(h, p->transactions)) return reject("a token operation does not apply");
  return true;
}

void ClusterChain::commit(const consensus::Decision& decision) {
  Result<BlockProposal> p = codec::decode<BlockProposal>(decision.value);
  FL_ASSERT_MSG(p.is_ok(), "a decided value does not decode");
  if (p->header.tick > last_.tick) pin_for_challenges(p->header);
  for (const storage::JournalEntry& entry : p->writes) {
    if (entry.sequence <= dataset_.applied_sequence()) {
      // Applied before a crash: it must be this very entry, or the replica
      // went its own way (a disk that lied, a hand that edited it).
      Result<storage::JournalEntry> held = dataset_.journal_entry(entry.sequence);
      if (held && !(*held == entry)) {
        env_.log(env::LogLevel::kError, "replica diverged at journal sequence " + std::to_string(entry.sequence));
      }
      continue;
    }
    keep_deleted_rows(entry);
    Status applied = dataset_.apply(entry);
    // A decided batch that does not apply means the store failed or this
    // replica diverged: stopping beats serving a wrong state.
    FL_ASSERT_MSG(applied.is_ok(), applied.to_string().c_str());
  }
  last_ = p->header;
  state_ = {dataset_.applied_sequence(), dataset_.state_root(), dataset_.entry_count()};
  // valid() applied the same block to a copy of this book.
  FL_ASSERT_MSG(book_.apply(p->header, p->transactions), "a decided block's token operations do not apply");
  sync_shares();
  chain::Block block;
  block.header = p->header;
  block.transactions = std::move(p->transactions);
  block.node_signatures.push_back(chain::endorse(key_, block.header));
  Status saved = save(block, false);
  FL_ASSERT_MSG(saved.is_ok(), saved.to_string().c_str());
  for (size_t i = 0; i < p->writes.size(); ++i) {
    const crypto::Hash256& id = p->submissions[i];
    committed_submissions_.insert(id);
    take_from_pool(id);
    acknowledge(id, p->writes[i].sequence);
  }
  std::vector<crypto::Hash256> operations;  // committed economy operations, whose submitters wait
  for (const chain::Transaction& t : block.transactions) {
    if (std::holds_alternative<chain::WriteDigest>(t.body)) continue;
    committed_transactions_.insert(t.hash());
    if (std::holds_alternative<economy::EconomyOp>(t.body)) operations.push_back(t.hash());
  }
  // Committed ones leave the pool, and so do token operations that did not
  // apply for write_timeout (their submitters were told kTimeout): a used
  // nonce or receipt never will, and nothing else may fill the pool for good.
  const env::Time expired = env_.now() - std::chrono::duration_cast<env::Time>(config_.write_timeout);
  std::erase_if(transaction_pool_, [&](const PooledTransaction& t) {
    return committed_transactions_.count(t.transaction.hash()) != 0 ||
           (std::holds_alternative<economy::EconomyOp>(t.transaction.body) && t.added < expired);
  });
  for (const crypto::Hash256& hash : operations) acknowledge_operation(hash, block.header.height);
  send_endorsements(block);
  uint64_t height = block.header.height;
  unsealed_.emplace(height, std::move(block));
  if (book_.membership().changes().size() != changes_seen_) {
    for (; changes_seen_ < book_.membership().changes().size(); ++changes_seen_) {
      const MembershipChange& c = book_.membership().changes()[changes_seen_];
      env_.log(env::LogLevel::kWarning, "block " + std::to_string(c.height) + " replaces member " +
                                            to_hex(c.ejected.bytes).substr(0, 12) + " (" + chain::reason_name(c.reason) +
                                            ") with arbiter " + to_hex(c.replacement.key.bytes).substr(0, 12));
    }
    // The next height runs with the new roster. Not from inside the
    // engine's own call: it is replaced.
    env_.schedule(env::Duration(0), [this, alive = alive_] {
      if (*alive) start_consensus();
    });
  }
  auto early = early_endorsements_.find(height);
  if (early != early_endorsements_.end()) {
    std::vector<EarlyEndorsement> list = std::move(early->second);
    early_endorsements_.erase(early_endorsements_.begin(), std::next(early));
    for (const EarlyEndorsement& e : list) add_endorsement(e.header, e.endorsement, e.from_arbiter);
  } else {
    early_endorsements_.erase(early_endorsements_.begin(), early_endorsements_.upper_bound(height));
  }
}

void ClusterChain::pin_for_challenges(const chain::BlockHeader& header) {
  // The first block of a tick names the state this tick's challenges are
  // about: the state before its own writes. (A member that applied them
  // before a crash cannot pin it any more, and fails this tick's proofs.)
  if (dataset_.state_root() != header.state_root || dataset_.applied_sequence() != header.journal_sequence) {
    env_.log(env::LogLevel::kWarning, "cannot pin the state of tick " + std::to_string(header.tick) + ": the replica moved on");
    return;
  }
  Status pinned = dataset_.pin();
  if (!pinned.is_ok()) env_.log(env::LogLevel::kError, "cannot pin the dataset: " + pinned.to_string());
}

Status ClusterChain::save(const chain::Block& block, bool sealed) {
  env::WriteBatch batch;
  StoredBlock stored{block, state_, sealed};
  if (block.header.height != last_.height) {
    // An older block gaining signatures keeps the state it was stored with.
    Result<std::optional<Bytes>> old = env_.store().get(key('b', block.header.height));
    if (!old) return old.status();
    if (old->has_value()) {
      Result<StoredBlock> previous = codec::decode<StoredBlock>(**old);
      if (!previous) return previous.status();
      stored.state = previous->state;
    }
  }
  batch.put(key('b', block.header.height), codec::encode(stored));
  codec::Writer last;
  last.u64(last_.height);
  last.u64(sealed_height_);
  batch.put(key('l', 0), last.finish());
  return env_.store().write(batch);
}

Bytes ClusterChain::answer_journal(uint64_t from) const {
  JournalBatch batch;
  size_t bytes = 0;
  for (uint64_t s = std::max<uint64_t>(from, dataset_.first_journal_sequence()); s <= dataset_.applied_sequence(); ++s) {
    if (batch.entries.size() >= kMaxJournalBatchEntries || bytes >= kJournalBatchBytes) break;
    Result<storage::JournalEntry> entry = dataset_.journal_entry(s);
    if (!entry) break;
    bytes += codec::encode(*entry).size();
    batch.entries.push_back(std::move(*entry));
  }
  return codec::encode(batch);
}

bool ClusterChain::has_history(env::Store& store, const storage::DatasetId& dataset) {
  Result<std::optional<Bytes>> last = store.get(chain_store_key('c', dataset, 'l', std::nullopt));
  return last && last->has_value();
}

Status ClusterChain::install_history(env::Store& store, const storage::Dataset& dataset,
                                     const std::vector<chain::Block>& blocks,
                                     const std::optional<CaptureCertificate>& capture) {
  FL_ASSERT(!blocks.empty());
  env::WriteBatch batch;
  if (capture) batch.put(chain_store_key('c', dataset.id(), 'x', std::nullopt), codec::encode(*capture));
  for (const chain::Block& block : blocks) {
    // Only the last block's state is read back (start()); the others'
    // states are in their successors' headers.
    ChainState state;
    if (&block == &blocks.back()) state = {dataset.applied_sequence(), dataset.state_root(), dataset.entry_count()};
    batch.put(chain_store_key('c', dataset.id(), 'b', block.header.height), codec::encode(StoredBlock{block, state, true}));
  }
  codec::Writer last;
  last.u64(blocks.back().header.height);
  last.u64(blocks.back().header.height);
  batch.put(chain_store_key('c', dataset.id(), 'l', std::nullopt), last.finish());
  return store.write(batch);
}

void ClusterChain::on_message(const env::Peer& from, const ClusterMessage& message) {
  if (!started_ || message.dataset != config_.dataset) return;
  switch (message.type) {
    case ClusterMessage::Type::kSubmitWrite:
      if (roster().is_member(from.key) && storage::validate(storage::JournalEntry{0, message.mutations}).is_ok()) {
        add_to_pool(message.submission, message.mutations);
      }
      break;
    case ClusterMessage::Type::kSubmitTransaction:
      if (message.transaction) submit_transaction(*message.transaction);
      break;
    case ClusterMessage::Type::kConsensus:
      if (consensus_ && roster().is_member(from.key)) consensus_->on_message(from, message.consensus);
      break;
    case ClusterMessage::Type::kNodeEndorsement:
      add_endorsement(*message.header, *message.endorsement, false);
      break;
    case ClusterMessage::Type::kArbiterEndorsement:
      add_endorsement(*message.header, *message.endorsement, true);
      break;
    case ClusterMessage::Type::kReadRequest:  // requests come through the answer_ methods
    case ClusterMessage::Type::kJournalRequest:
    case ClusterMessage::Type::kOreScanRequest:
    case ClusterMessage::Type::kReencryptRequest:
    case ClusterMessage::Type::kSignContractRequest:
    case ClusterMessage::Type::kCaptureVote:  // between arbiters
    case ClusterMessage::Type::kLimit: break;
  }
}

}  // namespace fluence::cluster
