// ClusterChain's side of sharing contracts and of the denial-of-remove
// conduct (cluster_chain.h): its ShareKeeper, synced at every committed
// block, its signed re-encryption answers, and the deleted rows a member
// that keeps them still signs. ClusterChain::reencrypt, which gathers
// answers with the chain's request machinery, is in cluster_chain_reads.cc.
#include "model/cluster/cluster_chain.h"

namespace fluence::cluster {

ReadAnswer ClusterChain::read_answer(ByteView row_key) const {
  ReadAnswer answer = ReadAnswer::make(key_, dataset_, row_key);
  if (answer.value || kept_rows_.empty()) return answer;
  auto kept = kept_rows_.find(Bytes(row_key.begin(), row_key.end()));
  if (kept == kept_rows_.end()) return answer;
  // The denial-of-remove member signs the deleted value with its true
  // sequence and root: only the read agreement can outvote it.
  answer.value = kept->second;
  answer.signature = key_.sign(answer.signed_bytes());
  return answer;
}

void ClusterChain::keep_deleted_rows(const storage::JournalEntry& entry) {
  if (!config_.member_conduct.keeps_deleted_rows) return;
  for (const storage::Mutation& m : entry.mutations) {
    if (m.kind == storage::Mutation::Kind::kPutRow) {
      kept_rows_.erase(m.row_key);  // the row lives again: its current value is served
    } else if (m.kind == storage::Mutation::Kind::kDeleteRow && kept_rows_.size() < kMaxKeptRows) {
      Result<std::optional<Bytes>> old = dataset_.get_row(m.row_key);
      if (old && old->has_value()) kept_rows_[m.row_key] = std::move(**old);
    }
  }
}

void ClusterChain::sync_shares() {
  ShareKeeper::SyncReport report = keeper_.sync(book_.ledger());
  for (const crypto::PublicKey& share : report.opened) {
    env_.log(env::LogLevel::kInfo, "opened this member's fragment of share " + economy::short_key(share));
  }
  for (const crypto::PublicKey& share : report.forgotten) {
    env_.log(env::LogLevel::kInfo, "forgot this member's fragment of share " + economy::short_key(share));
  }
  for (const auto& [share, status] : report.unusable) {
    env_.log(env::LogLevel::kWarning, "share " + economy::short_key(share) + ": " + status.to_string());
  }
}

ReencryptAnswer ClusterChain::reencrypt_answer(const crypto::PublicKey& share, const crypto::pre::Capsule& capsule) {
  Result<crypto::pre::CapsuleFrag> cfrag = keeper_.reencrypt(book_.ledger(), share, capsule);
  return ReencryptAnswer::make(key_, config_.dataset, share, capsule, cfrag);
}

Bytes ClusterChain::answer_reencrypt(const crypto::PublicKey& share, const crypto::pre::Capsule& capsule) {
  if (!started_) return {};  // fails to decode at the asker: no answer
  // A re-encryption and its proof cost a few signatures' worth of group operations.
  env_.charge(env::Work::kSign, 4);
  return codec::encode(reencrypt_answer(share, capsule));
}

}  // namespace fluence::cluster
