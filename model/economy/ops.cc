#include "model/economy/ops.h"

#include <algorithm>
#include <limits>

namespace fluence::economy {

namespace {

struct Rate {
  uint64_t base, per_kib, per_row;
};
constexpr Rate kRates[] = {
    {1, 1, 1},  // kRead
    {4, 4, 2},  // kWrite
};
static_assert(std::size(kRates) == static_cast<size_t>(OperationKind::kLimit));

// Domain label, chain id, then the operation's fields without the signature.
template <typename Op>
Bytes signed_bytes_of(const char* domain, const ChainId& chain, const Op& op) {
  codec::Writer writer;
  writer.string(domain);
  writer.fixed(chain);
  op.encode_fields(writer);
  return writer.finish();
}

crypto::Signature read_signature(codec::Reader& reader, const char* field) {
  crypto::Signature s;
  s.bytes = reader.fixed<crypto::kSignatureBytes>(field);
  return s;
}

}  // namespace

const char* operation_kind_name(OperationKind kind) {
  switch (kind) {
    case OperationKind::kRead: return "read";
    case OperationKind::kWrite: return "write";
    case OperationKind::kLimit: break;
  }
  return "unknown";
}

uint64_t complexity_units(OperationKind kind, size_t bytes, size_t rows_touched) {
  FL_ASSERT(kind < OperationKind::kLimit);
  const Rate& rate = kRates[static_cast<size_t>(kind)];
  uint64_t b = std::min<uint64_t>(bytes, kMaxOperationBytes);
  uint64_t r = std::min<uint64_t>(rows_touched, kMaxOperationRows);
  // At most 4 + 4 * 2^22 + 2 * 2^32: no overflow.
  return rate.base + rate.per_kib * ((b + 1023) / 1024) + rate.per_row * r;
}

uint64_t operation_price(OperationKind kind, size_t bytes, size_t rows_touched, uint64_t gas_price) {
  unsigned __int128 price = static_cast<unsigned __int128>(complexity_units(kind, bytes, rows_touched)) * gas_price;
  return price > std::numeric_limits<uint64_t>::max() ? std::numeric_limits<uint64_t>::max()
                                                      : static_cast<uint64_t>(price);
}

// ---- Mint ---------------------------------------------------------------------

void Mint::encode(codec::Writer& writer) const {
  writer.fixed(gateway_receipt_id);
  write_key(writer, to);
  writer.u64(amount);
}

Mint Mint::decode(codec::Reader& reader) {
  Mint m;
  m.gateway_receipt_id = reader.fixed<crypto::kHashBytes>("mint.gateway_receipt_id");
  m.to = read_key(reader, "mint.to");
  m.amount = reader.u64("mint.amount");
  return m;
}

// ---- Transfer -----------------------------------------------------------------

Transfer Transfer::make(const crypto::SigningKey& from, const ChainId& chain, const crypto::PublicKey& to,
                        uint64_t amount, uint64_t nonce) {
  Transfer t{from.public_key(), to, amount, nonce, {}};
  t.signature = from.sign(t.signed_bytes(chain));
  return t;
}

Bytes Transfer::signed_bytes(const ChainId& chain) const {
  return signed_bytes_of("fluence/economy/transfer", chain, *this);
}

void Transfer::encode_fields(codec::Writer& writer) const {
  write_key(writer, from);
  write_key(writer, to);
  writer.u64(amount);
  writer.u64(nonce);
}

void Transfer::encode(codec::Writer& writer) const {
  encode_fields(writer);
  writer.fixed(signature.bytes);
}

Transfer Transfer::decode(codec::Reader& reader) {
  Transfer t;
  t.from = read_key(reader, "transfer.from");
  t.to = read_key(reader, "transfer.to");
  t.amount = reader.u64("transfer.amount");
  t.nonce = reader.u64("transfer.nonce");
  t.signature = read_signature(reader, "transfer.signature");
  return t;
}

// ---- Burn ---------------------------------------------------------------------

Burn Burn::make(const crypto::SigningKey& from, const ChainId& chain, uint64_t amount, Bytes destination,
                uint64_t nonce) {
  Burn b{from.public_key(), amount, std::move(destination), nonce, {}};
  b.signature = from.sign(b.signed_bytes(chain));
  return b;
}

Bytes Burn::signed_bytes(const ChainId& chain) const { return signed_bytes_of("fluence/economy/burn", chain, *this); }

void Burn::encode_fields(codec::Writer& writer) const {
  write_key(writer, from);
  writer.u64(amount);
  writer.bytes(destination);
  writer.u64(nonce);
}

void Burn::encode(codec::Writer& writer) const {
  encode_fields(writer);
  writer.fixed(signature.bytes);
}

Burn Burn::decode(codec::Reader& reader) {
  Burn b;
  b.from = read_key(reader, "burn.from");
  b.amount = reader.u64("burn.amount");
  b.destination = reader.bytes("burn.destination", kMaxDestinationBytes);
  b.nonce = reader.u64("burn.nonce");
  b.signature = read_signature(reader, "burn.signature");
  return b;
}

// ---- OpenContract -------------------------------------------------------------

OpenContract OpenContract::make(const crypto::SigningKey& client, const ChainId& chain, SignedContract contract,
                                uint64_t deposit, uint64_t nonce) {
  OpenContract o{std::move(contract), deposit, nonce, {}};
  o.signature = client.sign(o.signed_bytes(chain));
  return o;
}

Bytes OpenContract::signed_bytes(const ChainId& chain) const {
  return signed_bytes_of("fluence/economy/open-contract", chain, *this);
}

void OpenContract::encode_fields(codec::Writer& writer) const {
  signed_contract.encode(writer);
  writer.u64(deposit);
  writer.u64(nonce);
}

void OpenContract::encode(codec::Writer& writer) const {
  encode_fields(writer);
  writer.fixed(signature.bytes);
}

OpenContract OpenContract::decode(codec::Reader& reader) {
  OpenContract o;
  o.signed_contract = SignedContract::decode(reader);
  o.deposit = reader.u64("open_contract.deposit");
  o.nonce = reader.u64("open_contract.nonce");
  o.signature = read_signature(reader, "open_contract.signature");
  return o;
}

// ---- Deposit ------------------------------------------------------------------

Deposit Deposit::make(const crypto::SigningKey& from, const ChainId& chain, const crypto::PublicKey& contract,
                      uint64_t amount, uint64_t nonce) {
  Deposit d{contract, from.public_key(), amount, nonce, {}};
  d.signature = from.sign(d.signed_bytes(chain));
  return d;
}

Bytes Deposit::signed_bytes(const ChainId& chain) const {
  return signed_bytes_of("fluence/economy/deposit", chain, *this);
}

void Deposit::encode_fields(codec::Writer& writer) const {
  write_key(writer, contract);
  write_key(writer, from);
  writer.u64(amount);
  writer.u64(nonce);
}

void Deposit::encode(codec::Writer& writer) const {
  encode_fields(writer);
  writer.fixed(signature.bytes);
}

Deposit Deposit::decode(codec::Reader& reader) {
  Deposit d;
  d.contract = read_key(reader, "deposit.contract");
  d.from = read_key(reader, "deposit.from");
  d.amount = reader.u64("deposit.amount");
  d.nonce = reader.u64("deposit.nonce");
  d.signature = read_signature(reader, "deposit.signature");
  return d;
}

// ---- Terminate ----------------------------------------------------------------

Terminate Terminate::make(const crypto::SigningKey& client, const ChainId& chain, const crypto::PublicKey& contract,
                          uint64_t nonce) {
  Terminate t{contract, nonce, {}};
  t.signature = client.sign(t.signed_bytes(chain));
  return t;
}

Bytes Terminate::signed_bytes(const ChainId& chain) const {
  return signed_bytes_of("fluence/economy/terminate", chain, *this);
}

void Terminate::encode_fields(codec::Writer& writer) const {
  write_key(writer, contract);
  writer.u64(nonce);
}

void Terminate::encode(codec::Writer& writer) const {
  encode_fields(writer);
  writer.fixed(signature.bytes);
}

Terminate Terminate::decode(codec::Reader& reader) {
  Terminate t;
  t.contract = read_key(reader, "terminate.contract");
  t.nonce = reader.u64("terminate.nonce");
  t.signature = read_signature(reader, "terminate.signature");
  return t;
}

// ---- ChargeOperation ----------------------------------------------------------

ChargeOperation ChargeOperation::make(const crypto::SigningKey& client, const ChainId& chain,
                                      const crypto::PublicKey& contract, OperationKind kind, uint64_t bytes,
                                      uint64_t rows_touched, uint64_t nonce) {
  FL_ASSERT(kind < OperationKind::kLimit);
  ChargeOperation c{contract, kind, bytes, rows_touched, nonce, {}};
  c.signature = client.sign(c.signed_bytes(chain));
  return c;
}

Bytes ChargeOperation::signed_bytes(const ChainId& chain) const {
  return signed_bytes_of("fluence/economy/charge-operation", chain, *this);
}

void ChargeOperation::encode_fields(codec::Writer& writer) const {
  write_key(writer, contract);
  writer.u8(static_cast<uint8_t>(kind));
  writer.u64(bytes);
  writer.u64(rows_touched);
  writer.u64(nonce);
}

void ChargeOperation::encode(codec::Writer& writer) const {
  encode_fields(writer);
  writer.fixed(signature.bytes);
}

ChargeOperation ChargeOperation::decode(codec::Reader& reader) {
  ChargeOperation c;
  c.contract = read_key(reader, "charge_operation.contract");
  c.kind = static_cast<OperationKind>(
      reader.tag("charge_operation.kind", static_cast<uint8_t>(OperationKind::kLimit)));
  c.bytes = reader.u64("charge_operation.bytes");
  if (reader.ok() && c.bytes > kMaxOperationBytes) reader.fail("charge_operation.bytes", "exceeds 2^32");
  c.rows_touched = reader.u64("charge_operation.rows_touched");
  if (reader.ok() && c.rows_touched > kMaxOperationRows) {
    reader.fail("charge_operation.rows_touched", "exceeds 2^32");
  }
  c.nonce = reader.u64("charge_operation.nonce");
  c.signature = read_signature(reader, "charge_operation.signature");
  return c;
}

// ---- OpenShare ------------------------------------------------------------------

OpenShare OpenShare::make(const crypto::SigningKey& owner, const ChainId& chain, SharingContract share,
                          uint64_t nonce) {
  OpenShare o{std::move(share), nonce, {}};
  o.signature = owner.sign(o.signed_bytes(chain));
  return o;
}

Bytes OpenShare::signed_bytes(const ChainId& chain) const {
  return signed_bytes_of("fluence/economy/open-share", chain, *this);
}

void OpenShare::encode_fields(codec::Writer& writer) const {
  share.encode(writer);
  writer.u64(nonce);
}

void OpenShare::encode(codec::Writer& writer) const {
  encode_fields(writer);
  writer.fixed(signature.bytes);
}

OpenShare OpenShare::decode(codec::Reader& reader) {
  OpenShare o;
  o.share = SharingContract::decode(reader);
  o.nonce = reader.u64("open_share.nonce");
  o.signature = read_signature(reader, "open_share.signature");
  return o;
}

// ---- FundShare ------------------------------------------------------------------

FundShare FundShare::make(const crypto::SigningKey& from, const ChainId& chain, const crypto::PublicKey& share,
                          uint64_t amount, uint64_t nonce) {
  FundShare f{share, from.public_key(), amount, nonce, {}};
  f.signature = from.sign(f.signed_bytes(chain));
  return f;
}

Bytes FundShare::signed_bytes(const ChainId& chain) const {
  return signed_bytes_of("fluence/economy/fund-share", chain, *this);
}

void FundShare::encode_fields(codec::Writer& writer) const {
  write_key(writer, share);
  write_key(writer, from);
  writer.u64(amount);
  writer.u64(nonce);
}

void FundShare::encode(codec::Writer& writer) const {
  encode_fields(writer);
  writer.fixed(signature.bytes);
}

FundShare FundShare::decode(codec::Reader& reader) {
  FundShare f;
  f.share = read_key(reader, "fund_share.share");
  f.from = read_key(reader, "fund_share.from");
  f.amount = reader.u64("fund_share.amount");
  f.nonce = reader.u64("fund_share.nonce");
  f.signature = read_signature(reader, "fund_share.signature");
  return f;
}

// ---- ChargeShareRead ------------------------------------------------------------

ChargeShareRead ChargeShareRead::make(const crypto::SigningKey& receiver, const ChainId& chain,
                                      const crypto::PublicKey& share, uint64_t bytes, uint64_t rows_touched,
                                      uint64_t nonce) {
  ChargeShareRead c{share, bytes, rows_touched, nonce, {}};
  c.signature = receiver.sign(c.signed_bytes(chain));
  return c;
}

Bytes ChargeShareRead::signed_bytes(const ChainId& chain) const {
  return signed_bytes_of("fluence/economy/charge-share-read", chain, *this);
}

void ChargeShareRead::encode_fields(codec::Writer& writer) const {
  write_key(writer, share);
  writer.u64(bytes);
  writer.u64(rows_touched);
  writer.u64(nonce);
}

void ChargeShareRead::encode(codec::Writer& writer) const {
  encode_fields(writer);
  writer.fixed(signature.bytes);
}

ChargeShareRead ChargeShareRead::decode(codec::Reader& reader) {
  ChargeShareRead c;
  c.share = read_key(reader, "charge_share_read.share");
  c.bytes = reader.u64("charge_share_read.bytes");
  if (reader.ok() && c.bytes > kMaxOperationBytes) reader.fail("charge_share_read.bytes", "exceeds 2^32");
  c.rows_touched = reader.u64("charge_share_read.rows_touched");
  if (reader.ok() && c.rows_touched > kMaxOperationRows) {
    reader.fail("charge_share_read.rows_touched", "exceeds 2^32");
  }
  c.nonce = reader.u64("charge_share_read.nonce");
  c.signature = read_signature(reader, "charge_share_read.signature");
  return c;
}

// ---- RevokeShare ----------------------------------------------------------------

RevokeShare RevokeShare::make(const crypto::SigningKey& owner, const ChainId& chain, const crypto::PublicKey& share,
                              uint64_t nonce) {
  RevokeShare r{share, nonce, {}};
  r.signature = owner.sign(r.signed_bytes(chain));
  return r;
}

Bytes RevokeShare::signed_bytes(const ChainId& chain) const {
  return signed_bytes_of("fluence/economy/revoke-share", chain, *this);
}

void RevokeShare::encode_fields(codec::Writer& writer) const {
  write_key(writer, share);
  writer.u64(nonce);
}

void RevokeShare::encode(codec::Writer& writer) const {
  encode_fields(writer);
  writer.fixed(signature.bytes);
}

RevokeShare RevokeShare::decode(codec::Reader& reader) {
  RevokeShare r;
  r.share = read_key(reader, "revoke_share.share");
  r.nonce = reader.u64("revoke_share.nonce");
  r.signature = read_signature(reader, "revoke_share.signature");
  return r;
}

// ---- EconomyOp ----------------------------------------------------------------

namespace {
enum class Tag : uint8_t {
  kMint = 0,
  kTransfer,
  kBurn,
  kOpenContract,
  kDeposit,
  kTerminate,
  kChargeOperation,
  kOpenShare,
  kFundShare,
  kChargeShareRead,
  kRevokeShare,
  kLimit
};
static_assert(static_cast<size_t>(Tag::kLimit) == std::variant_size_v<decltype(EconomyOp::body)>);
}  // namespace

const char* EconomyOp::name() const {
  constexpr const char* kNames[] = {"mint",       "transfer",   "burn",              "open_contract",
                                    "deposit",    "terminate",  "charge_operation",  "open_share",
                                    "fund_share", "charge_share_read", "revoke_share"};
  static_assert(std::size(kNames) == std::variant_size_v<decltype(EconomyOp::body)>);
  return kNames[body.index()];
}

void EconomyOp::encode(codec::Writer& writer) const {
  writer.u8(static_cast<uint8_t>(body.index()));
  std::visit([&](const auto& op) { op.encode(writer); }, body);
}

EconomyOp EconomyOp::decode(codec::Reader& reader) {
  EconomyOp op;
  switch (static_cast<Tag>(reader.tag("economy_op.kind", static_cast<uint8_t>(Tag::kLimit)))) {
    case Tag::kMint: op.body = Mint::decode(reader); break;
    case Tag::kTransfer: op.body = Transfer::decode(reader); break;
    case Tag::kBurn: op.body = Burn::decode(reader); break;
    case Tag::kOpenContract: op.body = OpenContract::decode(reader); break;
    case Tag::kDeposit: op.body = Deposit::decode(reader); break;
    case Tag::kTerminate: op.body = Terminate::decode(reader); break;
    case Tag::kChargeOperation: op.body = ChargeOperation::decode(reader); break;
    case Tag::kOpenShare: op.body = OpenShare::decode(reader); break;
    case Tag::kFundShare: op.body = FundShare::decode(reader); break;
    case Tag::kChargeShareRead: op.body = ChargeShareRead::decode(reader); break;
    case Tag::kRevokeShare: op.body = RevokeShare::decode(reader); break;
    case Tag::kLimit: break;
  }
  return op;
}

}  // namespace fluence::economy
