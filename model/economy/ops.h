// Operations on a cluster chain's functional token (FFT) ledger (white paper,
// "Functional Token I/O"), and the published price of data operations.
//
// Every operation but Mint is signed by its author over a domain label, the
// chain's id and its fields, and carries the author's next nonce: the chain id
// keeps an operation from being replayed on another cluster's chain, the nonce
// from being replayed on this one. Mint is authorised instead by the gateway's
// receipt (gateway.h), which the ledger accepts once.
//
// Author of each: Transfer, Burn, Deposit, FundShare -> `from`; OpenContract,
// Terminate, ChargeOperation -> the contract's client; OpenShare, RevokeShare
// -> the sharing contract's owner; ChargeShareRead -> its receiver.
#pragma once

#include <variant>

#include "model/economy/contract.h"
#include "model/economy/share.h"

namespace fluence::economy {

// Identifies one cluster chain, and so one ledger.
using ChainId = crypto::Hash256;

inline constexpr size_t kMaxDestinationBytes = 64;         // an external chain address
inline constexpr uint64_t kMaxOperationBytes = uint64_t{1} << 32;
inline constexpr uint64_t kMaxOperationRows = uint64_t{1} << 32;

// ---- Pricing of data operations --------------------------------------------

enum class OperationKind : uint8_t { kRead = 0, kWrite = 1, kLimit };
const char* operation_kind_name(OperationKind kind);

// The complexity formula known to all parties (white paper, "Rewards"):
//
//   units = base + per_kib * ceil(bytes / 1024) + per_row * rows_touched
//
//             base  per_kib  per_row
//   kRead       1      1        1
//   kWrite      4      4        2     (every node executes and signs a write)
//
// price = units * gas_price micro-FFT, saturating at UINT64_MAX (which no
// escrow can pay). bytes and rows_touched are clamped to kMaxOperationBytes
// and kMaxOperationRows.
uint64_t complexity_units(OperationKind kind, size_t bytes, size_t rows_touched);
uint64_t operation_price(OperationKind kind, size_t bytes, size_t rows_touched, uint64_t gas_price);

// ---- Operations --------------------------------------------------------------

// New FFT issued by the gateway against tradable tokens locked outside.
struct Mint {
  crypto::Hash256 gateway_receipt_id{};
  crypto::PublicKey to;
  uint64_t amount = 0;

  bool operator==(const Mint&) const = default;
  void encode(codec::Writer& writer) const;
  static Mint decode(codec::Reader& reader);
};

// A client pays from its spendable balance into another's spendable balance.
struct Transfer {
  crypto::PublicKey from;
  crypto::PublicKey to;
  uint64_t amount = 0;
  uint64_t nonce = 0;
  crypto::Signature signature;

  static Transfer make(const crypto::SigningKey& from, const ChainId& chain, const crypto::PublicKey& to,
                       uint64_t amount, uint64_t nonce);
  Bytes signed_bytes(const ChainId& chain) const;
  bool operator==(const Transfer&) const = default;
  void encode_fields(codec::Writer& writer) const;  // all but the signature
  void encode(codec::Writer& writer) const;
  static Transfer decode(codec::Reader& reader);
};

// Withdrawal: destroys FFT (rewards first, then spendable) so the gateway
// issues tradable tokens to `destination` on the external chain.
struct Burn {
  crypto::PublicKey from;
  uint64_t amount = 0;
  Bytes destination;  // external chain address, at most kMaxDestinationBytes
  uint64_t nonce = 0;
  crypto::Signature signature;

  static Burn make(const crypto::SigningKey& from, const ChainId& chain, uint64_t amount, Bytes destination,
                   uint64_t nonce);
  Bytes signed_bytes(const ChainId& chain) const;
  bool operator==(const Burn&) const = default;
  void encode_fields(codec::Writer& writer) const;
  void encode(codec::Writer& writer) const;
  static Burn decode(codec::Reader& reader);
};

// Puts a fully signed contract on the chain and moves `deposit` from the
// client's spendable balance into the contract's escrow.
struct OpenContract {
  SignedContract signed_contract;
  uint64_t deposit = 0;
  uint64_t nonce = 0;  // the client's
  crypto::Signature signature;

  static OpenContract make(const crypto::SigningKey& client, const ChainId& chain, SignedContract contract,
                           uint64_t deposit, uint64_t nonce);
  Bytes signed_bytes(const ChainId& chain) const;
  bool operator==(const OpenContract&) const = default;
  void encode_fields(codec::Writer& writer) const;
  void encode(codec::Writer& writer) const;
  static OpenContract decode(codec::Reader& reader);
};

// Tops up a contract's escrow from anyone's spendable balance.
struct Deposit {
  crypto::PublicKey contract;
  crypto::PublicKey from;
  uint64_t amount = 0;
  uint64_t nonce = 0;
  crypto::Signature signature;

  static Deposit make(const crypto::SigningKey& from, const ChainId& chain, const crypto::PublicKey& contract,
                      uint64_t amount, uint64_t nonce);
  Bytes signed_bytes(const ChainId& chain) const;
  bool operator==(const Deposit&) const = default;
  void encode_fields(codec::Writer& writer) const;
  void encode(codec::Writer& writer) const;
  static Deposit decode(codec::Reader& reader);
};

// The client ends its contract now: nodes are paid for the current period's
// proven ticks so far, and the rest of the escrow returns to the client.
struct Terminate {
  crypto::PublicKey contract;
  uint64_t nonce = 0;  // the client's
  crypto::Signature signature;

  static Terminate make(const crypto::SigningKey& client, const ChainId& chain, const crypto::PublicKey& contract,
                        uint64_t nonce);
  Bytes signed_bytes(const ChainId& chain) const;
  bool operator==(const Terminate&) const = default;
  void encode_fields(codec::Writer& writer) const;
  void encode(codec::Writer& writer) const;
  static Terminate decode(codec::Reader& reader);
};

// The client pays, from escrow, for one data operation at the published price;
// the nodes share it equally (rewards.h).
struct ChargeOperation {
  crypto::PublicKey contract;
  OperationKind kind = OperationKind::kRead;
  uint64_t bytes = 0;         // at most kMaxOperationBytes
  uint64_t rows_touched = 0;  // at most kMaxOperationRows
  uint64_t nonce = 0;         // the client's
  crypto::Signature signature;

  uint64_t units() const { return complexity_units(kind, bytes, rows_touched); }
  static ChargeOperation make(const crypto::SigningKey& client, const ChainId& chain,
                              const crypto::PublicKey& contract, OperationKind kind, uint64_t bytes,
                              uint64_t rows_touched, uint64_t nonce);
  Bytes signed_bytes(const ChainId& chain) const;
  bool operator==(const ChargeOperation&) const = default;
  void encode_fields(codec::Writer& writer) const;
  void encode(codec::Writer& writer) const;
  static ChargeOperation decode(codec::Reader& reader);
};

// ---- Sharing (share.h) ----------------------------------------------------------

// The owner puts a sharing contract, with its sealed fragments, on the chain.
// Its escrow starts empty: the receiver funds it.
struct OpenShare {
  SharingContract share;
  uint64_t nonce = 0;  // the owner's
  crypto::Signature signature;

  static OpenShare make(const crypto::SigningKey& owner, const ChainId& chain, SharingContract share,
                        uint64_t nonce);
  Bytes signed_bytes(const ChainId& chain) const;
  bool operator==(const OpenShare&) const = default;
  void encode_fields(codec::Writer& writer) const;
  void encode(codec::Writer& writer) const;
  static OpenShare decode(codec::Reader& reader);
};

// Tops up an active share's escrow from anyone's spendable balance (usually
// the receiver's). Whatever is left returns to the receiver when it closes.
struct FundShare {
  crypto::PublicKey share;
  crypto::PublicKey from;
  uint64_t amount = 0;
  uint64_t nonce = 0;  // from's
  crypto::Signature signature;

  static FundShare make(const crypto::SigningKey& from, const ChainId& chain, const crypto::PublicKey& share,
                        uint64_t amount, uint64_t nonce);
  Bytes signed_bytes(const ChainId& chain) const;
  bool operator==(const FundShare&) const = default;
  void encode_fields(codec::Writer& writer) const;
  void encode(codec::Writer& writer) const;
  static FundShare decode(codec::Reader& reader);
};

// The receiver pays, from the share's escrow, for one read under the share's
// price rule (share.h). A share only reads.
struct ChargeShareRead {
  crypto::PublicKey share;
  uint64_t bytes = 0;         // at most kMaxOperationBytes
  uint64_t rows_touched = 0;  // at most kMaxOperationRows
  uint64_t nonce = 0;         // the receiver's
  crypto::Signature signature;

  static ChargeShareRead make(const crypto::SigningKey& receiver, const ChainId& chain,
                              const crypto::PublicKey& share, uint64_t bytes, uint64_t rows_touched,
                              uint64_t nonce);
  Bytes signed_bytes(const ChainId& chain) const;
  bool operator==(const ChargeShareRead&) const = default;
  void encode_fields(codec::Writer& writer) const;
  void encode(codec::Writer& writer) const;
  static ChargeShareRead decode(codec::Reader& reader);
};

// The owner ends a share: charges fail from now on, the escrow returns to the
// receiver, and honest nodes forget their fragments (model/cluster/share_keeper.h).
struct RevokeShare {
  crypto::PublicKey share;
  uint64_t nonce = 0;  // the owner's
  crypto::Signature signature;

  static RevokeShare make(const crypto::SigningKey& owner, const ChainId& chain, const crypto::PublicKey& share,
                          uint64_t nonce);
  Bytes signed_bytes(const ChainId& chain) const;
  bool operator==(const RevokeShare&) const = default;
  void encode_fields(codec::Writer& writer) const;
  void encode(codec::Writer& writer) const;
  static RevokeShare decode(codec::Reader& reader);
};

// One operation as the chain carries it: a tag byte, then the operation.
struct EconomyOp {
  std::variant<Mint, Transfer, Burn, OpenContract, Deposit, Terminate, ChargeOperation, OpenShare, FundShare,
               ChargeShareRead, RevokeShare>
      body;

  const char* name() const;
  bool operator==(const EconomyOp&) const = default;
  void encode(codec::Writer& writer) const;
  static EconomyOp decode(codec::Reader& reader);
};

}  // namespace fluence::economy
