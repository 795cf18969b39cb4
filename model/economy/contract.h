// The storage contract between a client and a cluster (white paper, "Storage
// Contract"), and the signatures that make it binding.
//
// A contract is signed at the start by every party: the client, every node and
// every arbiter. The ledger (ledger.h) accepts it only fully signed, keeps the
// client's deposit in escrow, and pays nodes from it at each period's end
// (rewards.h). The contract's economic terms are fixed once signed; only its
// node list shrinks (SLA removals) and valid_until_tick moves (prolongation),
// both in the ledger's copy.
//
// Units: money in micro-FFT (1 FFT = 10^6), time in ticks (one tick is one
// hour, the chain's tick and the PoR cadence), storage in bytes (1 GB = 10^9).
#pragma once

#include <vector>

#include "model/codec/codec.h"
#include "model/crypto/hash.h"
#include "model/crypto/sign.h"

namespace fluence::economy {

// Bounds on what a contract may say; everything decoded is checked against
// them, and they keep the reward arithmetic inside 128 bits (see rewards.h).
inline constexpr size_t kMaxContractNodes = 64;
inline constexpr size_t kMaxContractArbiters = 64;
inline constexpr size_t kMaxContractSignatures = 1 + kMaxContractNodes + kMaxContractArbiters;
inline constexpr uint64_t kMaxAllocationBytes = uint64_t{1} << 50;   // 1 PiB
inline constexpr uint64_t kMaxPricePerGbMonth = uint64_t{1} << 48;   // micro-FFT
inline constexpr uint64_t kMaxPeriodTicks = uint64_t{1} << 20;       // ~120 years of hours
inline constexpr uint64_t kBytesPerGb = 1'000'000'000;
inline constexpr uint64_t kTicksPerMonth = 30 * 24;                  // 30 days of one-hour ticks
inline constexpr uint16_t kPerMilleMax = 1000;

// What a node must offer to be placed on the contract.
struct NodeRequirements {
  uint64_t min_free_storage_bytes = 0;
  uint16_t min_uptime_per_mille = 0;  // 0..1000

  bool operator==(const NodeRequirements&) const = default;
  void encode(codec::Writer& writer) const;
  static NodeRequirements decode(codec::Reader& reader);
};

// The SLA the arbiters enforce per contract period.
struct SlaTerms {
  // Offline (or unproven) ticks in one period beyond this forfeit the node's
  // whole reward for the period and remove it from the contract.
  uint64_t max_offline_ticks_per_period = 0;
  // This many consecutive failed PoR verdicts remove the node (>= 1).
  uint32_t max_failed_proofs = 1;

  bool operator==(const SlaTerms&) const = default;
  void encode(codec::Writer& writer) const;
  static SlaTerms decode(codec::Reader& reader);
};

struct StorageContract {
  crypto::PublicKey id;      // the contract's own key (the dataset's)
  crypto::PublicKey client;  // pays, and alone may deposit-terminate-charge
  uint64_t valid_until_tick = 0;  // end (exclusive) of the current period
  std::vector<crypto::PublicKey> nodes;
  std::vector<crypto::PublicKey> arbiters;
  uint32_t replication_factor = 0;  // 1..nodes.size()
  NodeRequirements requirements;
  uint64_t allocation_bytes = 0;
  uint32_t max_response_time_ms = 0;
  uint64_t price_per_gb_month = 0;  // micro-FFT per 10^9 bytes per 720 ticks
  uint64_t gas_price = 0;           // micro-FFT per complexity unit (ops.h)
  uint64_t period_ticks = 0;        // length of one contract period
  SlaTerms sla;

  // Well-formed: counts and numbers within bounds, at least one node and one
  // arbiter, no key twice among client, nodes and arbiters, and the full
  // period's storage cost for all nodes fits in 64 bits. Errors name the field.
  Status check() const;

  bool is_node(const crypto::PublicKey& key) const;
  bool is_arbiter(const crypto::PublicKey& key) const;

  // Domain-separated canonical bytes every party signs.
  Bytes signed_bytes() const;
  crypto::Hash256 hash() const;

  bool operator==(const StorageContract&) const = default;
  void encode(codec::Writer& writer) const;
  static StorageContract decode(codec::Reader& reader);
};

struct ContractSignature {
  crypto::PublicKey signer;
  crypto::Signature signature;

  static ContractSignature make(const crypto::SigningKey& key, const StorageContract& contract);
  bool operator==(const ContractSignature&) const = default;
  void encode(codec::Writer& writer) const;
  static ContractSignature decode(codec::Reader& reader);
};

struct SignedContract {
  StorageContract contract;
  std::vector<ContractSignature> signatures;

  // The contract is well-formed (check()), and the client, every node and
  // every arbiter signed it: each signature verifies, nobody signed twice, and
  // no outsider signed. Errors name the missing or offending signer.
  Status check_fully_signed() const;

  bool operator==(const SignedContract&) const = default;
  void encode(codec::Writer& writer) const;
  static SignedContract decode(codec::Reader& reader);
};

// Writes and reads a public key as a fixed 32-byte field.
void write_key(codec::Writer& writer, const crypto::PublicKey& key);
crypto::PublicKey read_key(codec::Reader& reader, const char* field);
// "ab12cd34", the first bytes of a key in hex, for error messages.
std::string short_key(const crypto::PublicKey& key);

}  // namespace fluence::economy
