#include "model/cluster/recovery.h"

#include "model/cluster/messages.h"

namespace fluence::cluster {

Recovery::Recovery(env::Env& env, rpc::Rpc& rpc, const crypto::PublicKey& self, storage::Dataset& dataset,
                   const std::vector<chain::Block>& blocks, std::vector<consensus::Validator> members,
                   env::Duration request_timeout)
    : env_(env), rpc_(rpc), dataset_(dataset), timeout_(request_timeout) {
  for (consensus::Validator& member : members) {
    if (member.key != self) peers_.push_back(std::move(member));
  }
  for (const chain::Block& block : blocks) {
    const chain::BlockHeader& h = block.header;
    roots_[h.journal_sequence] = h.state_root;
    target_ = std::max(target_, h.journal_sequence);
    for (const chain::Transaction& t : block.transactions) {
      if (const auto* digest = std::get_if<chain::WriteDigest>(&t.body)) {
        digests_[digest->sequence] = digest->entry_hash;
        target_ = std::max(target_, digest->sequence);
      }
    }
  }
}

Recovery::~Recovery() {
  *alive_ = false;
  env_.cancel(retry_timer_);
}

void Recovery::run(std::function<void(Status)> done) {
  done_ = std::move(done);
  if (dataset_.applied_sequence() > target_) {
    return finish(Status::error(ErrorCode::kInvalidArgument, "the replica is past the block that recruited this node"));
  }
  fetch();
}

void Recovery::finish(Status status) {
  if (!done_) return;
  auto done = std::move(done_);
  done_ = nullptr;
  done(std::move(status));
}

void Recovery::fetch() {
  if (!done_) return;
  if (dataset_.applied_sequence() == target_) {
    auto root = roots_.find(target_);
    if (root != roots_.end() && root->second != dataset_.state_root()) {
      return finish(Status::error(ErrorCode::kInvalidArgument, "the rebuilt replica's root differs from the chain's"));
    }
    return finish(Status::ok());
  }
  if (peers_.empty()) return finish(Status::error(ErrorCode::kUnavailable, "no member to recover from"));
  const consensus::Validator& peer = peers_[next_peer_ % peers_.size()];
  ClusterMessage request;
  request.type = ClusterMessage::Type::kJournalRequest;
  request.dataset = dataset_.id();
  request.sequence = dataset_.applied_sequence() + 1;
  rpc_.request(peer.address, rpc::Protocol::kCluster, codec::encode(request), timeout_,
               [this, alive = alive_](Result<Bytes> body, const env::Peer&) {
                 if (!*alive || !done_) return;
                 if (body && take(*body)) return fetch();
                 if (!done_) return;  // finished with an error
                 // Nothing useful from this member: the next, after a pause
                 // once every member was asked.
                 ++next_peer_;
                 env::Duration pause = next_peer_ % peers_.size() == 0 ? timeout_ : env::Duration(0);
                 retry_timer_ = env_.schedule(pause, [this] { fetch(); });
               });
}

bool Recovery::take(const Bytes& body) {
  Result<JournalBatch> batch = codec::decode<JournalBatch>(body);
  if (!batch || batch->entries.empty()) {
    ++rejected_;
    return false;
  }
  for (const storage::JournalEntry& entry : batch->entries) {
    if (dataset_.applied_sequence() == target_) break;
    auto digest = digests_.find(entry.sequence);
    bool matches = entry.sequence == dataset_.applied_sequence() + 1 && digest != digests_.end() &&
                   write_digest(entry).entry_hash == digest->second;
    if (!matches) {
      ++rejected_;
      env_.log(env::LogLevel::kWarning, "recovery: journal entry " + std::to_string(entry.sequence) +
                                            " does not match its digest on chain");
      return false;
    }
    Status applied = dataset_.apply(entry);
    if (!applied.is_ok()) {
      finish(applied.with_context("recovery"));
      return false;
    }
    auto root = roots_.find(entry.sequence);
    if (root != roots_.end() && root->second != dataset_.state_root()) {
      finish(Status::error(ErrorCode::kInvalidArgument, "recovery: the state root at sequence " +
                                                           std::to_string(entry.sequence) + " differs from the chain's"));
      return false;
    }
  }
  return true;
}

}  // namespace fluence::cluster
