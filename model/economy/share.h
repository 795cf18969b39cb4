// The sharing contract (white paper, "Sharing Data Overview", "Proxy
// Re-Encryption Key", "Denial of Remove"): a dataset's owner lets a receiver
// read it through the cluster, which re-encrypts the owner's capsules towards
// the receiver with threshold proxy re-encryption (model/crypto/pre.h).
//
// The contract goes on the cluster chain in one OpenShare (ops.h), signed by
// the owner, carrying for every node of the storage contract one KeyFrag
// sealed to that node (share_seal.h) and, in the clear, its public
// ShareAuthorisation, so that anyone holding the chain can check that a
// CapsuleFrag was made with a share of this contract. The receiver funds the
// contract's escrow (FundShare) and each read is charged from it
// (ChargeShareRead); the owner revokes it (RevokeShare), after which honest
// nodes forget their fragments and refuse.
//
// Price rule (all amounts micro-FFT, all arithmetic exact in 128 bits):
//   base    = operation_price(kRead, bytes, rows_touched, gas_price)
//             the price the owner's own read would have under the storage
//             contract (ops.h); the share never has another gas price;
//   markup  = floor(base * owner_markup_per_mille / 1000);
//   total   = base + markup                    what the escrow must cover;
//   per_node = floor(base / nodes)             to each of the storage
//             contract's current nodes, as rewards (split_operation, as
//             ChargeOperation pays them);
//   charged = per_node * nodes + markup        what leaves the escrow;
//   total - charged = base mod nodes (< nodes) stays in the escrow, as an
//             operation charge's remainder does (rewards.h).
// With markup 0 (the default: "zero profit, zero loss") the receiver pays
// exactly what the owner's read costs and all of it goes to the nodes; with
// markup > 0 the owner gets the markup, rounded down, in its spendable balance
// (it is a client's income, not a node's reward, so it may pay for storage).
// Every token that leaves the escrow lands in exactly one balance.
//
// Holders are fixed at open time: the storage contract's nodes then, in its
// order, one fragment each (n = nodes). A node removed from the storage
// contract later keeps its fragment but is no longer paid; a node added
// later has none (the owner opens a new share to include it).
//
// A share ends with its storage contract: when the contract expires or is
// terminated, its active shares end too and their escrow returns to the
// receiver, so no token is stuck behind a contract that can no longer serve.
#pragma once

#include <optional>
#include <vector>

#include "model/economy/contract.h"
#include "model/economy/share_seal.h"

namespace fluence::economy {

// A markup of 10^6 per mille makes a read cost 1001 times the base: ample for
// any price, and small enough that the 128-bit arithmetic never saturates.
inline constexpr uint32_t kMaxShareMarkupPerMille = 1'000'000;

// One node's part: who holds it, its public commitment, its sealed KeyFrag.
struct ShareFragment {
  crypto::PublicKey holder;
  pre::ShareAuthorisation authorisation;
  SealedKeyFrag sealed;

  bool operator==(const ShareFragment&) const = default;
  void encode(codec::Writer& writer) const;
  static ShareFragment decode(codec::Reader& reader);
};

struct SharingContract {
  crypto::PublicKey id;                // the sharing contract's own key
  crypto::PublicKey storage_contract;  // the shared dataset's contract id
  crypto::PublicKey owner;             // the storage contract's client; signs the KeyFrags
  crypto::PublicKey receiver;          // pays and reads
  pre::Point delegator_key;            // the owner's PRE key the capsules are made to
  pre::Point receiver_key;             // the receiver's PRE key, re-encrypted towards
  uint8_t threshold = 0;               // m: cfrags needed to decrypt, 1..fragments
  uint32_t owner_markup_per_mille = 0;  // 0..kMaxShareMarkupPerMille
  std::vector<ShareFragment> fragments;  // one per holder, 1..kMaxContractNodes

  // Well-formed on its own: counts and numbers within bounds, receiver other
  // than owner, distinct holders, and every authorisation from one
  // generate_kfrags call (same threshold m and precursor, distinct ids)
  // signed by the owner for (delegator_key, receiver_key). What only a
  // holder can check, that its sealed rk matches its commitment, is
  // open_fragment's: the ledger cannot open the seals. Errors name the field.
  Status check() const;

  const ShareFragment* fragment_of(const crypto::PublicKey& holder) const;
  std::vector<crypto::PublicKey> holders() const;

  bool operator==(const SharingContract&) const = default;
  void encode(codec::Writer& writer) const;
  static SharingContract decode(codec::Reader& reader);
};

// What the owner decides; make_sharing_contract does the cryptography.
struct ShareTerms {
  crypto::PublicKey id;
  crypto::PublicKey storage_contract;
  crypto::PublicKey receiver;
  pre::Point receiver_key;
  uint8_t threshold = 0;
  uint32_t owner_markup_per_mille = 0;
};

// Splits `delegator`'s key towards terms.receiver_key into one KeyFrag per
// holder (any threshold of them suffice), signs them with `owner`, and seals
// each to its holder. The result passes check(). Fails if the terms are out
// of bounds or a key is not a valid point.
Result<SharingContract> make_sharing_contract(const crypto::SigningKey& owner, const pre::KeyPair& delegator,
                                              const ShareTerms& terms,
                                              const std::vector<crypto::PublicKey>& holders, env::Random& random);

// A holder opens its fragment and checks it fully (pre::verify_kfrag: the
// owner's signature, and rk against the commitment) and against the public
// authorisation on the contract. kNotFound if `node` holds no fragment here;
// kAuthentication if the seal does not open or the fragment is not what the
// contract committed to (an owner that sealed garbage).
Result<pre::KeyFrag> open_fragment(const SharingContract& contract, const crypto::SigningKey& node);

// The associated data that binds a sealed fragment to its place.
Bytes fragment_seal_context(const SharingContract& contract, const ShareFragment& fragment);

// ---- Price -------------------------------------------------------------------

// One read's charge under the rule above.
struct ShareReadCharge {
  uint64_t base = 0;
  uint64_t markup = 0;
  uint64_t total = 0;     // base + markup
  uint64_t per_node = 0;
  uint64_t charged = 0;   // per_node * nodes + markup <= total
};

// kLimitExceeded when base or total does not fit 64 bits (no escrow could
// pay it). node_count >= 1; markup within bounds.
Result<ShareReadCharge> share_read_charge(uint64_t gas_price, uint32_t owner_markup_per_mille, uint64_t bytes,
                                          uint64_t rows_touched, size_t node_count);

// ---- The ledger's copy -----------------------------------------------------------

enum class SharePhase : uint8_t { kActive = 0, kRevoked, kEnded };
const char* share_phase_name(SharePhase phase);

struct ShareAccount {
  SharingContract contract;
  uint64_t escrow = 0;  // the receiver's; refunded to it when the share closes
  SharePhase phase = SharePhase::kActive;

  bool active() const { return phase == SharePhase::kActive; }
};

}  // namespace fluence::economy
