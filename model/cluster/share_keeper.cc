#include "model/cluster/share_keeper.h"

namespace fluence::cluster {

namespace pre = crypto::pre;
using economy::ShareAccount;
using economy::short_key;

ShareKeeper::ShareKeeper(const crypto::SigningKey& identity, env::Random& random, MemberConduct conduct)
    : identity_(identity), random_(random), conduct_(std::move(conduct)) {}

Result<const pre::KeyFrag*> ShareKeeper::open(const ShareAccount& share, SyncReport* report) {
  FL_ASSERT(share.active());
  const crypto::PublicKey& id = share.contract.id;
  if (auto held = fragments_.find(id); held != fragments_.end()) return &held->second;
  if (auto bad = unusable_.find(id); bad != unusable_.end()) return bad->second;
  if (share.contract.fragment_of(identity_.public_key()) == nullptr) {
    return Status::error(ErrorCode::kNotFound,
                         "share " + short_key(id) + ": this member holds no fragment of it");
  }
  Result<pre::KeyFrag> kfrag = economy::open_fragment(share.contract, identity_);
  if (!kfrag) {
    unusable_.emplace(id, kfrag.status());
    if (report != nullptr) report->unusable.emplace_back(id, kfrag.status());
    return kfrag.status();
  }
  auto [it, inserted] = fragments_.emplace(id, std::move(*kfrag));
  FL_ASSERT(inserted);
  if (report != nullptr) report->opened.push_back(id);
  return &it->second;
}

void ShareKeeper::forget(const crypto::PublicKey& share, SyncReport* report) {
  // Erasing destroys the KeyFrag, whose Secret wipes rk.
  if (fragments_.erase(share) > 0 && report != nullptr) report->forgotten.push_back(share);
  FL_ASSERT(!fragments_.contains(share));
}

ShareKeeper::SyncReport ShareKeeper::sync(const economy::Ledger& ledger) {
  SyncReport report;
  for (const auto& [id, share] : ledger.shares()) {
    if (share.active()) {
      if (share.contract.fragment_of(identity_.public_key()) != nullptr) (void)open(share, &report);
    } else {
      unusable_.erase(id);  // a closed share never opens again
      if (!conduct_.keeps_revoked_fragments) forget(id, &report);
    }
  }
  // A share the ledger does not know (a fork this member followed, then
  // left) has no standing either.
  for (auto it = fragments_.begin(); it != fragments_.end();) {
    if (ledger.share(it->first) == nullptr && !conduct_.keeps_revoked_fragments) {
      report.forgotten.push_back(it->first);
      it = fragments_.erase(it);
    } else {
      ++it;
    }
  }
  return report;
}

Result<pre::CapsuleFrag> ShareKeeper::reencrypt(const economy::Ledger& ledger, const crypto::PublicKey& share,
                                                const pre::Capsule& capsule) {
  const std::string where = "share " + short_key(share);
  const ShareAccount* account = ledger.share(share);
  auto kept = fragments_.find(share);
  // The denial-of-remove member answers from a fragment it should have
  // erased, whatever the chain says; the cluster's consensus has to outvote it.
  if (conduct_.keeps_revoked_fragments && kept != fragments_.end() && (account == nullptr || !account->active())) {
    return pre::reencrypt(kept->second, capsule, random_);
  }
  if (account == nullptr) return Status::error(ErrorCode::kNotFound, where + ": unknown");
  if (!account->active()) {
    forget(share, nullptr);  // in case sync has not run since
    return Status::error(ErrorCode::kInvalidArgument,
                         where + ": " + economy::share_phase_name(account->phase) + ", refusing");
  }
  const economy::ContractAccount* contract = ledger.contract(account->contract.storage_contract);
  FL_ASSERT(contract != nullptr && contract->active());  // an active share's contract is active
  Result<economy::ShareReadCharge> cheapest =
      economy::share_read_charge(contract->contract.gas_price, account->contract.owner_markup_per_mille, 0, 0,
                                 contract->contract.nodes.size());
  if (!cheapest || account->escrow < cheapest->total) {
    return Status::error(ErrorCode::kInvalidArgument,
                         where + ": escrow of " + std::to_string(account->escrow) +
                             " micro-FFT cannot pay for one read; the receiver must fund it first");
  }
  Result<const pre::KeyFrag*> kfrag = open(*account, nullptr);
  if (!kfrag) return kfrag.status().with_context(where);
  Result<pre::CapsuleFrag> cfrag = pre::reencrypt(**kfrag, capsule, random_);
  if (!cfrag) return cfrag.status().with_context(where);
  return cfrag;
}

}  // namespace fluence::cluster
