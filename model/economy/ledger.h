// The functional token (FFT) ledger of one cluster chain (white paper,
// "Functional Token I/O", "Storage Contract", "Rewards").
//
// Each account has two balances, in micro-FFT:
//   spendable - minted to it or transferred to it; pays for contracts and
//               transfers;
//   rewards   - what it earned as a node; it can only be burned (withdrawn),
//               since "there is no way to spend rewards other than withdrawal".
// and the nonce its next signed operation must carry (replay protection).
//
// Tokens enter only through Mint (confirmed by the gateway, each receipt once)
// and leave only through Burn; in between they sit in balances or in contract
// and share escrows. Conservation: minted - burned == sum of balances + sum of
// escrows, which check_conservation() recomputes. Minting checks the 64-bit total, so
// no balance or escrow can overflow afterwards.
//
// The chain drives the ledger, in tick order within each block:
//   apply(op, tick)                 for each economy transaction,
//   record_tick(contract, tick, node, outcome)  for each PoR verdict,
//   close_periods(tick)             once per block, which pays nodes at
//                                   period ends, removes SLA breakers,
//                                   prolongs funded contracts, expires others.
// Contract operations at or after a period's end are rejected until
// close_periods has settled that period; so are share reads, which bill under
// their storage contract's terms.
//
// Sharing contracts (share.h) live beside the storage contracts they share,
// under ids of their own (no id is ever a contract's and a share's). Their
// logic is in ledger_share.cc.
//
// Every call either succeeds or changes nothing. Pure logic: no clocks, no I/O.
#pragma once

#include <map>
#include <set>
#include <vector>

#include "model/economy/gateway.h"
#include "model/economy/ops.h"
#include "model/economy/rewards.h"

namespace fluence::economy {

// close_periods settles at most this many periods of one contract per call,
// so a long gap between blocks costs bounded work; later calls catch up.
inline constexpr size_t kMaxPeriodsPerClose = 64;

struct Account {
  uint64_t spendable = 0;
  uint64_t rewards = 0;
  uint64_t next_nonce = 0;
  bool operator==(const Account&) const = default;
};

struct CloseReport {
  std::vector<NodeRemoval> removed;             // for the chain to eject
  std::vector<crypto::PublicKey> prolonged;     // contract ids, once per period
  std::vector<crypto::PublicKey> expired;       // contract ids; escrow refunded
};

class Ledger {
 public:
  // `gateway` must outlive the ledger.
  Ledger(const Gateway& gateway, const ChainId& chain) : gateway_(gateway), chain_(chain) {}

  // Applies one operation at `tick`, or rejects it with the rule it broke and
  // no change at all.
  Status apply(const EconomyOp& op, uint64_t tick);

  // One PoR outcome for one node of one contract (see rewards.h).
  Status record_tick(const crypto::PublicKey& contract, uint64_t tick, const crypto::PublicKey& node,
                     ProofOutcome outcome);

  // Settles every active contract whose period ended at or before `tick`.
  CloseReport close_periods(uint64_t tick);

  // The account as it stands; a key never seen has a zero account.
  Account account(const crypto::PublicKey& key) const;
  const ContractAccount* contract(const crypto::PublicKey& id) const;
  const std::map<crypto::PublicKey, ContractAccount>& contracts() const { return contracts_; }
  // A sharing contract's state as nodes read it: phase, escrow, and in its
  // contract the holders and their public authorisations.
  const ShareAccount* share(const crypto::PublicKey& id) const;
  const std::map<crypto::PublicKey, ShareAccount>& shares() const { return shares_; }
  // Withdrawals emitted by burns, oldest first, for the gateway to read.
  const std::vector<Withdrawal>& withdrawals() const { return withdrawals_; }
  const ChainId& chain() const { return chain_; }

  uint64_t total_minted() const { return minted_; }
  uint64_t total_burned() const { return burned_; }
  uint64_t total_supply() const { return minted_ - burned_; }
  // Recounts every balance and escrow; fails naming the mismatch.
  Status check_conservation() const;

 private:
  Status apply_op(const Mint& op, uint64_t tick);
  Status apply_op(const Transfer& op, uint64_t tick);
  Status apply_op(const Burn& op, uint64_t tick);
  Status apply_op(const OpenContract& op, uint64_t tick);
  Status apply_op(const Deposit& op, uint64_t tick);
  Status apply_op(const Terminate& op, uint64_t tick);
  Status apply_op(const ChargeOperation& op, uint64_t tick);
  Status apply_op(const OpenShare& op, uint64_t tick);
  Status apply_op(const FundShare& op, uint64_t tick);
  Status apply_op(const ChargeShareRead& op, uint64_t tick);
  Status apply_op(const RevokeShare& op, uint64_t tick);

  // Checks the signature over `message` and that `nonce` is the author's next.
  Status check_author(const crypto::PublicKey& author, ByteView message,
                      const crypto::Signature& signature, uint64_t nonce) const;
  // Moves `amount` (> 0) from the author's spendable balance into `escrow`
  // and uses up the author's nonce, once check_author passed; on error
  // nothing changed.
  Status pay_into_escrow(const crypto::PublicKey& from, uint64_t amount, uint64_t& escrow);
  // The active contract `id`, in its current period at `tick`.
  Result<ContractAccount*> active_contract(const crypto::PublicKey& id, uint64_t tick);
  // Moves what a settlement pays from escrow to the nodes' rewards.
  void pay(ContractAccount& account, const Settlement& settlement);
  // Ends a contract, refunding its escrow to the client, and ends its shares.
  void close(ContractAccount& account, ContractPhase phase);
  // The share `id`, active. kNotFound or kInvalidArgument naming its phase.
  Result<ShareAccount*> active_share(const crypto::PublicKey& id);
  // Closes a share, refunding its escrow to the receiver.
  void close_share(ShareAccount& share, SharePhase phase);
  // Ends every active share of the storage contract `contract`.
  void end_shares_of(const crypto::PublicKey& contract);

  const Gateway& gateway_;
  ChainId chain_;
  std::map<crypto::PublicKey, Account> accounts_;
  std::map<crypto::PublicKey, ContractAccount> contracts_;  // closed ones stay, so ids are never reused
  std::map<crypto::PublicKey, ShareAccount> shares_;        // likewise
  std::set<crypto::Hash256> used_receipts_;
  std::vector<Withdrawal> withdrawals_;
  uint64_t minted_ = 0;
  uint64_t burned_ = 0;
};

}  // namespace fluence::economy
