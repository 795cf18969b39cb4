// Contract signing by the nodes (white paper, "Storage Contract": the
// contract "is signed at the start by the client, every node and every
// arbiter"). A client's gateway hands a member (or an arbiter) of the
// dataset the contract; it asks every node and arbiter the contract names
// for its signature, over the nodes' Rpc (ClusterMessage
// kSignContractRequest), and returns them all, or says which party refused
// and why and which did not answer.
//
// A party signs only a contract for the cluster it is part of:
//   - the contract is well-formed (StorageContract::check);
//   - the party is named in it, as a node or as an arbiter;
//   - its nodes are, as a set, the members of the party's current roster of
//     the dataset (membership.h), and its arbiters the roster's arbiters.
//   - its terms are ones the party's operator accepts (SigningPolicy): at
//     least its price per GB-month and its gas price, at most its
//     allocation.
// So no party signs up for a cluster other than the one that holds the data,
// a contract cannot leave out a member that would then hold the data
// unpaid, and no client gets a node's signature on a price its operator did
// not offer. Every party checks this against its own roster and policy: the
// asker's word counts for nothing.
//
// Each answer is signed by the party that gives it, a refusal too, and the
// asker takes an answer only if it is the asked party's, about this dataset
// and this very contract; the contract signature in it must verify.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/cluster/membership.h"
#include "model/economy/contract.h"
#include "model/rpc/rpc.h"
#include "model/storage/dataset.h"

namespace fluence::cluster {

// A refusal's reason is for people; it is cut to this many bytes.
inline constexpr size_t kMaxSigningRefusalBytes = 512;

// The terms a party's operator accepts (fluence-node's contract_* config
// fields). The defaults accept any price and allocation.
struct SigningPolicy {
  uint64_t min_price_per_gb_month = 0;
  uint64_t min_gas_price = 0;
  uint64_t max_allocation_bytes = economy::kMaxAllocationBytes;
};

// Whether `key`, a party of a dataset whose current roster is `roster`,
// signs `contract`: its signature, or kInvalidArgument saying why not.
Result<economy::ContractSignature> decide_contract_signature(const crypto::SigningKey& key, const Roster& roster,
                                                             const economy::StorageContract& contract,
                                                             const SigningPolicy& policy = {});

// A party's signed answer to a kSignContractRequest.
struct ContractSigningAnswer {
  storage::DatasetId dataset{};
  crypto::Hash256 contract_hash{};                      // StorageContract::hash()
  std::optional<crypto::Signature> contract_signature;  // over contract.signed_bytes(); nullopt: refused
  std::string refusal;                                  // why, when refused; empty with a signature
  crypto::PublicKey signer;
  crypto::Signature signature;  // the signer's, over all of the above

  Bytes signed_bytes() const;
  // `key`'s answer: decide_contract_signature's signature, or its error as the refusal.
  static ContractSigningAnswer make(const crypto::SigningKey& key, const storage::DatasetId& dataset,
                                    const economy::StorageContract& contract,
                                    const Result<economy::ContractSignature>& decision);
  bool signature_valid() const;
  bool operator==(const ContractSigningAnswer&) const = default;
  // Canonical: a flag, then either the contract signature or the refusal.
  void encode(codec::Writer& writer) const;
  static ContractSigningAnswer decode(codec::Reader& reader);
};

// What a party answers: decides and signs its answer.
ContractSigningAnswer answer_contract_signing(const crypto::SigningKey& key, const storage::DatasetId& dataset,
                                              const Roster& roster, const economy::StorageContract& contract,
                                              const SigningPolicy& policy = {});

// The asker's check of `party`'s answer about `contract`: its verified
// ContractSignature; kInvalidArgument "refused: <reason>" for a refusal;
// kAuthentication for an answer that is not party's own about this dataset
// and contract, or whose contract signature does not verify.
Result<economy::ContractSignature> check_contract_signing_answer(const ContractSigningAnswer& answer,
                                                                 const storage::DatasetId& dataset,
                                                                 const economy::StorageContract& contract,
                                                                 const crypto::PublicKey& party);

// Gathers the signature of every node and every arbiter `contract` names:
// this party's own (`key`, under `policy`) decided here, every other's asked at its address
// in `roster` with one request each, which waits `timeout`. `done` gets the
// signatures, the nodes' in the contract's order then the arbiters', once
// all of them verified; or, once every party answered or timed out, an
// error that names each party that refused (with its reason), did not
// answer in time, answered wrongly, or is not in `roster` (no address to
// ask): kInvalidArgument if any refused, else kUnavailable. A contract that
// fails check() is refused at once (kInvalidArgument), asking no one.
void gather_contract_signatures(rpc::Rpc& rpc, const crypto::SigningKey& key, const storage::DatasetId& dataset,
                                const Roster& roster, const economy::StorageContract& contract,
                                const SigningPolicy& policy, env::Duration timeout,
                                std::function<void(Result<std::vector<economy::ContractSignature>>)> done);

}  // namespace fluence::cluster
