// The ledger's sharing-contract operations (share.h, ledger.h). Like every
// other operation, each either succeeds or changes nothing: all checks come
// before the first write.
#include <limits>

#include "model/economy/ledger.h"
#include "model/economy/ledger_amounts.h"

namespace fluence::economy {

using namespace ledger_detail;

const ShareAccount* Ledger::share(const crypto::PublicKey& id) const {
  auto it = shares_.find(id);
  return it == shares_.end() ? nullptr : &it->second;
}

Result<ShareAccount*> Ledger::active_share(const crypto::PublicKey& id) {
  auto it = shares_.find(id);
  if (it == shares_.end()) return rejected(ErrorCode::kNotFound, "no share " + short_key(id));
  if (!it->second.active()) {
    return rejected(ErrorCode::kInvalidArgument,
                    "share " + short_key(id) + " is " + share_phase_name(it->second.phase));
  }
  return &it->second;
}

void Ledger::close_share(ShareAccount& share, SharePhase phase) {
  FL_ASSERT(share.active() && phase != SharePhase::kActive);
  Account& receiver = accounts_[share.contract.receiver];
  receiver.spendable = plus(receiver.spendable, share.escrow);
  share.escrow = 0;
  share.phase = phase;
}

void Ledger::end_shares_of(const crypto::PublicKey& contract) {
  for (auto& [id, share] : shares_) {
    if (share.active() && share.contract.storage_contract == contract) close_share(share, SharePhase::kEnded);
  }
}

Status Ledger::apply_op(const OpenShare& op, uint64_t tick) {
  const SharingContract& s = op.share;
  FL_RETURN_IF_ERROR(s.check());
  if (shares_.contains(s.id) || contracts_.contains(s.id)) {
    return rejected(ErrorCode::kInvalidArgument, "share.id: " + short_key(s.id) + " already used");
  }
  Result<ContractAccount*> target = active_contract(s.storage_contract, tick);
  if (!target) return target.status().with_context("share.storage_contract");
  const StorageContract& c = (*target)->contract;
  if (s.owner != c.client) {
    return rejected(ErrorCode::kAuthentication, "share.owner: " + short_key(s.owner) +
                                                    " is not the client of storage contract " + short_key(c.id));
  }
  // One fragment per node of the contract as it stands, in its order: n = nodes.
  if (s.fragments.size() != c.nodes.size()) {
    return rejected(ErrorCode::kInvalidArgument, "share.fragments: " + std::to_string(s.fragments.size()) +
                                                     ", the storage contract has " +
                                                     std::to_string(c.nodes.size()) + " nodes");
  }
  for (size_t i = 0; i < c.nodes.size(); ++i) {
    if (s.fragments[i].holder != c.nodes[i]) {
      return rejected(ErrorCode::kInvalidArgument, "share.fragments[" + std::to_string(i) + "].holder: " +
                                                       short_key(s.fragments[i].holder) + " is not node " +
                                                       std::to_string(i) + " of the storage contract");
    }
  }
  FL_RETURN_IF_ERROR(check_author(s.owner, op.signed_bytes(chain_), op.signature, op.nonce));
  ++accounts_[s.owner].next_nonce;
  auto [it, inserted] = shares_.emplace(s.id, ShareAccount{s, 0, SharePhase::kActive});
  FL_ASSERT(inserted && it->second.active());
  return Status::ok();
}

Status Ledger::apply_op(const FundShare& op, uint64_t /*tick*/) {
  if (op.amount == 0) return rejected(ErrorCode::kInvalidArgument, "amount: zero");
  Result<ShareAccount*> target = active_share(op.share);
  if (!target) return target.status();
  FL_RETURN_IF_ERROR(check_author(op.from, op.signed_bytes(chain_), op.signature, op.nonce));
  return pay_into_escrow(op.from, op.amount, (*target)->escrow);
}

Status Ledger::apply_op(const ChargeShareRead& op, uint64_t tick) {
  if (op.bytes > kMaxOperationBytes || op.rows_touched > kMaxOperationRows) {
    return rejected(ErrorCode::kLimitExceeded, "bytes or rows_touched: exceeds 2^32");
  }
  Result<ShareAccount*> target = active_share(op.share);
  if (!target) return target.status();
  ShareAccount& share = **target;
  // An active share's contract is active (close() ends its shares), but it
  // may be past its period's end, when no operation is billed.
  Result<ContractAccount*> contract = active_contract(share.contract.storage_contract, tick);
  if (!contract) return contract.status().with_context("share's storage contract");
  const StorageContract& c = (*contract)->contract;
  FL_ASSERT(!c.nodes.empty());
  FL_RETURN_IF_ERROR(check_author(share.contract.receiver, op.signed_bytes(chain_), op.signature, op.nonce));
  Result<ShareReadCharge> charge =
      share_read_charge(c.gas_price, share.contract.owner_markup_per_mille, op.bytes, op.rows_touched, c.nodes.size());
  if (!charge) return charge.status();
  if (share.escrow < charge->total) {
    return rejected(ErrorCode::kInvalidArgument, "escrow: " + amount_text(share.escrow) + ", the read costs " +
                                                     amount_text(charge->total) + " (" + amount_text(charge->base) +
                                                     " to the nodes, " + amount_text(charge->markup) +
                                                     " to the owner)");
  }
  ++accounts_[share.contract.receiver].next_nonce;
  const uint64_t escrow_before = share.escrow;
  share.escrow -= charge->charged;
  for (const auto& node : c.nodes) {
    Account& earner = accounts_[node];
    earner.rewards = plus(earner.rewards, charge->per_node);
  }
  Account& owner = accounts_[share.contract.owner];
  owner.spendable = plus(owner.spendable, charge->markup);
  FL_ASSERT(escrow_before - share.escrow == charge->per_node * c.nodes.size() + charge->markup);
  return Status::ok();
}

Status Ledger::apply_op(const RevokeShare& op, uint64_t /*tick*/) {
  Result<ShareAccount*> target = active_share(op.share);
  if (!target) return target.status();
  ShareAccount& share = **target;
  FL_RETURN_IF_ERROR(check_author(share.contract.owner, op.signed_bytes(chain_), op.signature, op.nonce));
  ++accounts_[share.contract.owner].next_nonce;
  close_share(share, SharePhase::kRevoked);
  return Status::ok();
}

}  // namespace fluence::economy
