#include "model/economy/gateway.h"

namespace fluence::economy {

namespace {
Bytes u64_bytes(uint64_t value) {
  codec::Writer writer;
  writer.u64(value);
  return writer.finish();
}
}  // namespace

Status ListedGateway::add(const Mint& receipt) {
  if (receipt.amount == 0) return Status::error(ErrorCode::kInvalidArgument, "amount: zero");
  if (!receipts_.emplace(receipt.gateway_receipt_id, receipt).second) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "receipt: " + to_hex(receipt.gateway_receipt_id) + " listed twice");
  }
  return Status::ok();
}

bool ListedGateway::confirms(const Mint& mint) const {
  auto it = receipts_.find(mint.gateway_receipt_id);
  return it != receipts_.end() && it->second == mint;
}

Mint SimulatedGateway::issue(const crypto::PublicKey& to, uint64_t amount) {
  Mint mint;
  mint.gateway_receipt_id =
      crypto::blake2b_256("fluence/simulated-gateway-receipt", {u64_bytes(seed_), u64_bytes(counter_)});
  mint.to = to;
  mint.amount = amount;
  ++counter_;
  issued_ += amount;
  bool fresh = receipts_.emplace(mint.gateway_receipt_id, mint).second;
  FL_ASSERT(fresh);
  return mint;
}

bool SimulatedGateway::confirms(const Mint& mint) const {
  auto it = receipts_.find(mint.gateway_receipt_id);
  return it != receipts_.end() && it->second == mint;
}

bool SimulatedGateway::observe(const Burn& burn) {
  if (!seen_burns_.emplace(burn.from, burn.nonce).second) return false;
  withdrawals_.push_back({burn.from, burn.amount, burn.destination, burn.nonce});
  withdrawn_ += burn.amount;
  return true;
}

}  // namespace fluence::economy
