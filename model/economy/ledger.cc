#include "model/economy/ledger.h"

#include <limits>

#include "model/economy/ledger_amounts.h"

namespace fluence::economy {

using namespace ledger_detail;

Status Ledger::apply(const EconomyOp& op, uint64_t tick) {
  Status status = std::visit([&](const auto& body) { return apply_op(body, tick); }, op.body);
  return status.with_context(op.name());
}

Account Ledger::account(const crypto::PublicKey& key) const {
  auto it = accounts_.find(key);
  return it == accounts_.end() ? Account{} : it->second;
}

const ContractAccount* Ledger::contract(const crypto::PublicKey& id) const {
  auto it = contracts_.find(id);
  return it == contracts_.end() ? nullptr : &it->second;
}

Status Ledger::check_author(const crypto::PublicKey& author, ByteView message,
                            const crypto::Signature& signature, uint64_t nonce) const {
  if (!crypto::verify(author, message, signature)) {
    return rejected(ErrorCode::kAuthentication,
                    "signature by " + short_key(author) + " does not verify");
  }
  uint64_t expected = account(author).next_nonce;
  if (nonce != expected) {
    return rejected(ErrorCode::kInvalidArgument, "nonce " + std::to_string(nonce) +
                                                     ", expected " + std::to_string(expected));
  }
  return Status::ok();
}

Result<ContractAccount*> Ledger::active_contract(const crypto::PublicKey& id, uint64_t tick) {
  auto it = contracts_.find(id);
  if (it == contracts_.end()) {
    return rejected(ErrorCode::kNotFound, "no contract " + short_key(id));
  }
  ContractAccount& account = it->second;
  if (!account.active()) {
    return rejected(ErrorCode::kInvalidArgument,
                    "contract " + short_key(id) + " is " + contract_phase_name(account.phase));
  }
  if (tick >= account.contract.valid_until_tick) {
    return rejected(ErrorCode::kInvalidArgument,
                    "contract period ended at tick " +
                        std::to_string(account.contract.valid_until_tick) + "; close_periods first");
  }
  if (tick < account.period_start_tick) {
    return rejected(ErrorCode::kInvalidArgument, "tick " + std::to_string(tick) +
                                                     " before the current period");
  }
  return &account;
}

// ---- Tokens in and out ----------------------------------------------------------

Status Ledger::apply_op(const Mint& op, uint64_t /*tick*/) {
  if (op.amount == 0) return rejected(ErrorCode::kInvalidArgument, "amount: zero");
  if (used_receipts_.contains(op.gateway_receipt_id)) {
    return rejected(ErrorCode::kInvalidArgument,
                    "gateway_receipt_id: " + to_hex(op.gateway_receipt_id) + " already used");
  }
  if (!gateway_.confirms(op)) {
    return rejected(ErrorCode::kAuthentication, "gateway_receipt_id: not confirmed by the gateway");
  }
  if (minted_ > std::numeric_limits<uint64_t>::max() - op.amount) {
    return rejected(ErrorCode::kLimitExceeded, "amount: total minted would overflow 64 bits");
  }
  used_receipts_.insert(op.gateway_receipt_id);
  minted_ += op.amount;
  Account& to = accounts_[op.to];
  to.spendable = plus(to.spendable, op.amount);
  return Status::ok();
}

Status Ledger::apply_op(const Transfer& op, uint64_t /*tick*/) {
  if (op.amount == 0) return rejected(ErrorCode::kInvalidArgument, "amount: zero");
  FL_RETURN_IF_ERROR(check_author(op.from, op.signed_bytes(chain_), op.signature, op.nonce));
  const Account from = account(op.from);
  if (from.spendable < op.amount) {
    return rejected(ErrorCode::kInvalidArgument,
                    "amount: " + amount_text(op.amount) + " exceeds spendable balance " + amount_text(from.spendable) +
                        (from.rewards > 0 ? " (rewards can only be burned)" : ""));
  }
  Account& sender = accounts_[op.from];
  sender.spendable -= op.amount;
  ++sender.next_nonce;
  Account& receiver = accounts_[op.to];
  receiver.spendable = plus(receiver.spendable, op.amount);
  return Status::ok();
}

Status Ledger::apply_op(const Burn& op, uint64_t /*tick*/) {
  if (op.amount == 0) return rejected(ErrorCode::kInvalidArgument, "amount: zero");
  if (op.destination.size() > kMaxDestinationBytes) {
    return rejected(ErrorCode::kLimitExceeded, "destination: longer than " + std::to_string(kMaxDestinationBytes));
  }
  FL_RETURN_IF_ERROR(check_author(op.from, op.signed_bytes(chain_), op.signature, op.nonce));
  const Account from = account(op.from);
  if (static_cast<unsigned __int128>(from.rewards) + from.spendable < op.amount) {
    return rejected(ErrorCode::kInvalidArgument, "amount: " + amount_text(op.amount) + " exceeds rewards " +
                                                     amount_text(from.rewards) + " plus spendable " +
                                                     amount_text(from.spendable));
  }
  Account& burner = accounts_[op.from];
  uint64_t from_rewards = std::min(burner.rewards, op.amount);
  burner.rewards -= from_rewards;
  burner.spendable -= op.amount - from_rewards;
  ++burner.next_nonce;
  burned_ = plus(burned_, op.amount);
  FL_ASSERT(burned_ <= minted_);
  withdrawals_.push_back({op.from, op.amount, op.destination, op.nonce});
  return Status::ok();
}

// ---- Contracts --------------------------------------------------------------------

Status Ledger::apply_op(const OpenContract& op, uint64_t tick) {
  const StorageContract& c = op.signed_contract.contract;
  FL_RETURN_IF_ERROR(op.signed_contract.check_fully_signed());
  if (contracts_.contains(c.id) || shares_.contains(c.id)) {
    return rejected(ErrorCode::kInvalidArgument, "contract.id: " + short_key(c.id) + " already used");
  }
  if (c.valid_until_tick <= tick || c.valid_until_tick - tick > c.period_ticks) {
    return rejected(ErrorCode::kInvalidArgument,
                    "contract.valid_until_tick: " + std::to_string(c.valid_until_tick) +
                        " must lie in (tick, tick + period_ticks] at tick " + std::to_string(tick));
  }
  FL_RETURN_IF_ERROR(check_author(c.client, op.signed_bytes(chain_), op.signature, op.nonce));
  const Account client = account(c.client);
  if (client.spendable < op.deposit) {
    return rejected(ErrorCode::kInvalidArgument, "deposit: " + amount_text(op.deposit) +
                                                     " exceeds client's spendable balance " +
                                                     amount_text(client.spendable));
  }
  uint64_t first_period = period_cost(c, c.valid_until_tick - tick);
  if (op.deposit < first_period) {
    return rejected(ErrorCode::kInvalidArgument, "deposit: " + amount_text(op.deposit) +
                                                     " does not cover the first period's " +
                                                     amount_text(first_period));
  }
  Account& payer = accounts_[c.client];
  payer.spendable -= op.deposit;
  ++payer.next_nonce;
  ContractAccount& account = contracts_[c.id];
  account.contract = c;
  account.escrow = op.deposit;
  account.period_start_tick = tick;
  for (const auto& node : c.nodes) account.tallies[node] = NodeTally{};
  FL_ASSERT(account.escrow >= account.committed_storage());
  return Status::ok();
}

Status Ledger::apply_op(const Deposit& op, uint64_t tick) {
  if (op.amount == 0) return rejected(ErrorCode::kInvalidArgument, "amount: zero");
  Result<ContractAccount*> target = active_contract(op.contract, tick);
  if (!target) return target.status();
  FL_RETURN_IF_ERROR(check_author(op.from, op.signed_bytes(chain_), op.signature, op.nonce));
  return pay_into_escrow(op.from, op.amount, (*target)->escrow);
}

Status Ledger::pay_into_escrow(const crypto::PublicKey& from, uint64_t amount, uint64_t& escrow) {
  FL_ASSERT(amount > 0);
  const Account balance = account(from);
  if (balance.spendable < amount) {
    return rejected(ErrorCode::kInvalidArgument, "amount: " + amount_text(amount) + " exceeds spendable balance " +
                                                     amount_text(balance.spendable));
  }
  Account& payer = accounts_[from];
  payer.spendable -= amount;
  ++payer.next_nonce;
  escrow = plus(escrow, amount);
  return Status::ok();
}

Status Ledger::apply_op(const Terminate& op, uint64_t tick) {
  Result<ContractAccount*> target = active_contract(op.contract, tick);
  if (!target) return target.status();
  ContractAccount& account = **target;
  FL_RETURN_IF_ERROR(
      check_author(account.contract.client, op.signed_bytes(chain_), op.signature, op.nonce));
  ++accounts_[account.contract.client].next_nonce;
  // The tick of termination counts: its proof may already be on the chain.
  pay(account, settle_period(account, tick + 1));
  close(account, ContractPhase::kTerminated);
  return Status::ok();
}

Status Ledger::apply_op(const ChargeOperation& op, uint64_t tick) {
  if (op.kind >= OperationKind::kLimit) return rejected(ErrorCode::kInvalidArgument, "kind: unknown");
  Result<ContractAccount*> target = active_contract(op.contract, tick);
  if (!target) return target.status();
  ContractAccount& account = **target;
  FL_RETURN_IF_ERROR(check_author(account.contract.client, op.signed_bytes(chain_),
                                  op.signature, op.nonce));
  uint64_t price = operation_price(op.kind, op.bytes, op.rows_touched, account.contract.gas_price);
  uint64_t committed = account.committed_storage();
  FL_ASSERT(account.escrow >= committed);
  if (account.escrow - committed < price) {
    return rejected(ErrorCode::kInvalidArgument,
                    "escrow: " + amount_text(account.escrow - committed) + " free of the period's storage, the " +
                        operation_kind_name(op.kind) + " costs " + amount_text(price));
  }
  ++accounts_[account.contract.client].next_nonce;
  OperationSplit split = split_operation(price, account.contract.nodes.size());
  account.escrow -= split.charged;
  for (const auto& node : account.contract.nodes) {
    Account& earner = accounts_[node];
    earner.rewards = plus(earner.rewards, split.share_per_node);
  }
  return Status::ok();
}

// ---- Rewards ------------------------------------------------------------------------

Status Ledger::record_tick(const crypto::PublicKey& contract, uint64_t tick, const crypto::PublicKey& node,
                           ProofOutcome outcome) {
  auto it = contracts_.find(contract);
  if (it == contracts_.end()) {
    return rejected(ErrorCode::kNotFound, "record_tick: no contract " + short_key(contract));
  }
  return record_outcome(it->second, tick, node, outcome);
}

void Ledger::pay(ContractAccount& account, const Settlement& settlement) {
  FL_ASSERT(settlement.total_paid <= account.escrow);
  account.escrow -= settlement.total_paid;
  for (const auto& payment : settlement.payments) {
    Account& node = accounts_[payment.node];
    node.rewards = plus(node.rewards, payment.amount);
  }
}

void Ledger::close(ContractAccount& account, ContractPhase phase) {
  FL_ASSERT(account.active() && phase != ContractPhase::kActive);
  Account& client = accounts_[account.contract.client];
  client.spendable = plus(client.spendable, account.escrow);
  account.escrow = 0;
  account.phase = phase;
  end_shares_of(account.contract.id);
}

CloseReport Ledger::close_periods(uint64_t tick) {
  CloseReport report;
  for (auto& [id, account] : contracts_) {
    for (size_t n = 0; n < kMaxPeriodsPerClose && account.active() && account.contract.valid_until_tick <= tick;
         ++n) {
      StorageContract& c = account.contract;
      Settlement settlement = settle_period(account, c.valid_until_tick);
      pay(account, settlement);
      for (const auto& removal : settlement.removals) {
        std::erase(c.nodes, removal.node);
        account.tallies.erase(removal.node);
        report.removed.push_back(removal);
      }
      // A new period: counts restart, failure runs and tick order carry over.
      for (auto& [node, tally] : account.tallies) {
        FL_ASSERT(!tally.failed_run_breached && tally.failed_run < c.sla.max_failed_proofs);
        tally.proven_ticks = tally.failed_ticks = tally.offline_ticks = 0;
      }
      account.period_start_tick = c.valid_until_tick;
      // With no nodes left the contract cannot be served; the chain places a
      // new contract with new nodes.
      if (!c.nodes.empty() && account.escrow >= period_cost(c, c.period_ticks)) {
        c.valid_until_tick += c.period_ticks;
        report.prolonged.push_back(id);
        FL_ASSERT(account.escrow >= account.committed_storage());
      } else {
        close(account, ContractPhase::kExpired);
        report.expired.push_back(id);
      }
    }
  }
  return report;
}

Status Ledger::check_conservation() const {
  unsigned __int128 held = 0;
  for (const auto& [key, a] : accounts_) held += static_cast<unsigned __int128>(a.spendable) + a.rewards;
  for (const auto& [id, c] : contracts_) {
    if (!c.active() && c.escrow != 0) {
      return Status::error(ErrorCode::kInvalidArgument, "conservation: closed contract " + short_key(id) +
                                                            " still holds " + amount_text(c.escrow));
    }
    held += c.escrow;
  }
  for (const auto& [id, s] : shares_) {
    if (!s.active() && s.escrow != 0) {
      return Status::error(ErrorCode::kInvalidArgument, "conservation: closed share " + short_key(id) +
                                                            " still holds " + amount_text(s.escrow));
    }
    held += s.escrow;
  }
  if (burned_ > minted_ || held != minted_ - burned_) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "conservation: minted " + std::to_string(minted_) + " - burned " + std::to_string(burned_) +
                             " != held " + std::to_string(static_cast<uint64_t>(held)));
  }
  return Status::ok();
}

}  // namespace fluence::economy
