// The Fluence Gateway (white paper, "Functional Token I/O"): the bridge
// between a cluster chain's functional tokens (FFT) and tradable tokens on an
// external chain. It issues FFT by receipts the ledger mints against, and it
// watches the chain for burns, for which it pays out outside.
//
// The ledger sees the gateway only through `Gateway::confirms`; how a real
// gateway proves its receipts (an Ethereum event and its inclusion proof) is
// its business. SimulatedGateway is an in-memory external chain for tests and
// the simulation; ListedGateway confirms the receipts its operators list (the
// runtime's stand-in for the bridge).
#pragma once

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "model/economy/ops.h"

namespace fluence::economy {

class Gateway {
 public:
  virtual ~Gateway() = default;
  // True if the gateway issued exactly this mint: the receipt exists and
  // names the same recipient and amount. Whether the receipt was already used
  // is the ledger's check, not the gateway's.
  virtual bool confirms(const Mint& mint) const = 0;
};

// A withdrawal the ledger emitted for a Burn: what the gateway pays out.
struct Withdrawal {
  crypto::PublicKey from;
  uint64_t amount = 0;
  Bytes destination;
  uint64_t nonce = 0;  // the burn's, which with `from` identifies it
  bool operator==(const Withdrawal&) const = default;
};

// The receipts the operators of a cluster agreed on, listed in each member's
// configuration: it confirms a Mint iff a listed receipt has exactly its id,
// recipient and amount. Every member of a cluster must list the same
// receipts, or their ledgers disagree on which Mint applies and the cluster
// cannot commit the block that holds it.
class ListedGateway final : public Gateway {
 public:
  // Lists one receipt. kInvalidArgument for an amount of 0 (the ledger
  // mints none) or an id listed already.
  Status add(const Mint& receipt);
  bool confirms(const Mint& mint) const override;
  size_t size() const { return receipts_.size(); }

 private:
  std::map<crypto::Hash256, Mint> receipts_;
};

class SimulatedGateway final : public Gateway {
 public:
  // `seed` separates the receipt ids of different simulated gateways.
  explicit SimulatedGateway(uint64_t seed = 0) : seed_(seed) {}

  // Issues FFT to `to`; the receipt id is the hash of the seed and a counter,
  // so runs are reproducible and ids never repeat.
  Mint issue(const crypto::PublicKey& to, uint64_t amount);
  bool confirms(const Mint& mint) const override;

  // Records a burn seen on the chain, once per (from, nonce); false if seen.
  bool observe(const Burn& burn);
  const std::vector<Withdrawal>& withdrawals() const { return withdrawals_; }

  uint64_t issued() const { return issued_; }
  uint64_t withdrawn() const { return withdrawn_; }

 private:
  uint64_t seed_;
  uint64_t counter_ = 0;
  uint64_t issued_ = 0;
  uint64_t withdrawn_ = 0;
  std::map<crypto::Hash256, Mint> receipts_;
  std::set<std::pair<crypto::PublicKey, uint64_t>> seen_burns_;
  std::vector<Withdrawal> withdrawals_;
};

}  // namespace fluence::economy
