#include "model/cluster/contract_signing.h"

#include <memory>
#include <set>

#include "model/cluster/messages.h"

namespace fluence::cluster {

using economy::short_key;

namespace {

// A refusal names at most this many keys of each kind; the rest are counted.
constexpr size_t kMaxNamedKeys = 4;

std::string key_list(const std::vector<crypto::PublicKey>& keys) {
  std::string text;
  for (size_t i = 0; i < keys.size() && i < kMaxNamedKeys; ++i) text += (i == 0 ? "" : ", ") + short_key(keys[i]);
  if (keys.size() > kMaxNamedKeys) text += " and " + std::to_string(keys.size() - kMaxNamedKeys) + " more";
  return text;
}

// "" when `named` and `expected` hold the same keys; else what differs.
std::string set_difference_text(const std::vector<crypto::PublicKey>& named,
                                const std::vector<crypto::PublicKey>& expected, const char* role) {
  const std::set<crypto::PublicKey> in_contract(named.begin(), named.end());
  const std::set<crypto::PublicKey> in_roster(expected.begin(), expected.end());
  std::vector<crypto::PublicKey> missing, extra;
  for (const crypto::PublicKey& key : in_roster) {
    if (in_contract.count(key) == 0) missing.push_back(key);
  }
  for (const crypto::PublicKey& key : in_contract) {
    if (in_roster.count(key) == 0) extra.push_back(key);
  }
  if (missing.empty() && extra.empty()) return "";
  std::string text = std::string("the contract's ") + role + "s are not the dataset's " + role + "s:";
  if (!missing.empty()) text += " leaves out " + key_list(missing);
  if (!missing.empty() && !extra.empty()) text += ";";
  if (!extra.empty()) text += " names " + key_list(extra) + ", not " + role + "s of the dataset";
  return text;
}

Status refuse(const std::string& reason) { return Status::error(ErrorCode::kInvalidArgument, reason); }

// Everything but the signer and signature, as signed and as sent.
void encode_answer(codec::Writer& writer, const ContractSigningAnswer& a) {
  FL_ASSERT_MSG(!a.contract_signature || a.refusal.empty(), "an answer either signs or refuses");
  writer.fixed(a.dataset);
  writer.fixed(a.contract_hash);
  writer.boolean(a.contract_signature.has_value());
  if (a.contract_signature) {
    writer.fixed(a.contract_signature->bytes);
  } else {
    writer.string(a.refusal);
  }
}

}  // namespace

Result<economy::ContractSignature> decide_contract_signature(const crypto::SigningKey& key, const Roster& roster,
                                                             const economy::StorageContract& contract,
                                                             const SigningPolicy& policy) {
  FL_RETURN_IF_ERROR(contract.check());
  const crypto::PublicKey self = key.public_key();
  if (!contract.is_node(self) && !contract.is_arbiter(self)) {
    return refuse("this party (" + short_key(self) + ") is not named in the contract");
  }
  if (std::string nodes = set_difference_text(contract.nodes, roster.member_keys(), "member"); !nodes.empty()) {
    return refuse(nodes);
  }
  if (std::string arbiters = set_difference_text(contract.arbiters, roster.arbiter_keys(), "arbiter");
      !arbiters.empty()) {
    return refuse(arbiters);
  }
  const auto below = [](const char* what, uint64_t offered, uint64_t least) {
    return refuse(std::string("the contract's ") + what + " " + std::to_string(offered) + " is below this party's " +
                  std::to_string(least));
  };
  if (contract.price_per_gb_month < policy.min_price_per_gb_month) {
    return below("price_per_gb_month", contract.price_per_gb_month, policy.min_price_per_gb_month);
  }
  if (contract.gas_price < policy.min_gas_price) return below("gas_price", contract.gas_price, policy.min_gas_price);
  if (contract.allocation_bytes > policy.max_allocation_bytes) {
    return refuse("the contract's allocation_bytes " + std::to_string(contract.allocation_bytes) +
                  " is above this party's " + std::to_string(policy.max_allocation_bytes));
  }
  return economy::ContractSignature::make(key, contract);
}

Bytes ContractSigningAnswer::signed_bytes() const {
  codec::Writer writer;
  writer.string("fluence/contract-signing-answer");
  encode_answer(writer, *this);
  return writer.finish();
}

ContractSigningAnswer ContractSigningAnswer::make(const crypto::SigningKey& key, const storage::DatasetId& dataset,
                                                  const economy::StorageContract& contract,
                                                  const Result<economy::ContractSignature>& decision) {
  ContractSigningAnswer a;
  a.dataset = dataset;
  a.contract_hash = contract.hash();
  if (decision) {
    FL_ASSERT(decision->signer == key.public_key());
    a.contract_signature = decision->signature;
  } else {
    a.refusal = decision.status().message().substr(0, kMaxSigningRefusalBytes);
  }
  a.signer = key.public_key();
  a.signature = key.sign(a.signed_bytes());
  return a;
}

bool ContractSigningAnswer::signature_valid() const { return crypto::verify(signer, signed_bytes(), signature); }

void ContractSigningAnswer::encode(codec::Writer& writer) const {
  encode_answer(writer, *this);
  writer.fixed(signer.bytes);
  writer.fixed(signature.bytes);
}

ContractSigningAnswer ContractSigningAnswer::decode(codec::Reader& reader) {
  ContractSigningAnswer a;
  a.dataset = reader.fixed<storage::kDatasetIdBytes>("contract_signing.dataset");
  a.contract_hash = reader.fixed<crypto::kHashBytes>("contract_signing.contract_hash");
  if (reader.boolean("contract_signing.signed")) {
    a.contract_signature =
        crypto::Signature{reader.fixed<crypto::kSignatureBytes>("contract_signing.contract_signature")};
  } else {
    a.refusal = reader.string("contract_signing.refusal", kMaxSigningRefusalBytes);
  }
  a.signer.bytes = reader.fixed<crypto::kPublicKeyBytes>("contract_signing.signer");
  a.signature.bytes = reader.fixed<crypto::kSignatureBytes>("contract_signing.signature");
  return a;
}

ContractSigningAnswer answer_contract_signing(const crypto::SigningKey& key, const storage::DatasetId& dataset,
                                              const Roster& roster, const economy::StorageContract& contract,
                                              const SigningPolicy& policy) {
  return ContractSigningAnswer::make(key, dataset, contract, decide_contract_signature(key, roster, contract, policy));
}

Result<economy::ContractSignature> check_contract_signing_answer(const ContractSigningAnswer& answer,
                                                                 const storage::DatasetId& dataset,
                                                                 const economy::StorageContract& contract,
                                                                 const crypto::PublicKey& party) {
  if (answer.signer != party) {
    return Status::error(ErrorCode::kAuthentication, "answered as " + short_key(answer.signer));
  }
  if (answer.dataset != dataset || answer.contract_hash != contract.hash()) {
    return Status::error(ErrorCode::kAuthentication, "answered about another dataset or contract");
  }
  if (!answer.signature_valid()) {
    return Status::error(ErrorCode::kAuthentication, "its answer's signature does not verify");
  }
  if (!answer.contract_signature) return Status::error(ErrorCode::kInvalidArgument, "refused: " + answer.refusal);
  economy::ContractSignature signature{party, *answer.contract_signature};
  if (!crypto::verify(party, contract.signed_bytes(), signature.signature)) {
    return Status::error(ErrorCode::kAuthentication, "its contract signature does not verify");
  }
  return signature;
}

void gather_contract_signatures(rpc::Rpc& rpc, const crypto::SigningKey& key, const storage::DatasetId& dataset,
                                const Roster& roster, const economy::StorageContract& contract,
                                const SigningPolicy& policy, env::Duration timeout,
                                std::function<void(Result<std::vector<economy::ContractSignature>>)> done) {
  if (Status well_formed = contract.check(); !well_formed.is_ok()) return done(well_formed);
  // One slot per party, in the order the reply lists them.
  struct Party {
    std::string name;  // "node ab12cd34"
    crypto::PublicKey key;
    std::optional<Result<economy::ContractSignature>> outcome;  // nullopt: still waiting
  };
  struct Pending {
    std::vector<Party> parties;
    size_t waiting = 0;
    std::function<void(Result<std::vector<economy::ContractSignature>>)> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  for (const crypto::PublicKey& node : contract.nodes) {
    pending->parties.push_back({"node " + short_key(node), node, {}});
  }
  for (const crypto::PublicKey& arbiter : contract.arbiters) {
    pending->parties.push_back({"arbiter " + short_key(arbiter), arbiter, {}});
  }
  FL_ASSERT(pending->parties.size() <= economy::kMaxContractNodes + economy::kMaxContractArbiters);
  auto finish = [pending] {
    std::vector<economy::ContractSignature> signatures;
    std::string failures;
    size_t failed = 0;
    bool refused = false;
    for (const Party& party : pending->parties) {
      FL_ASSERT(party.outcome.has_value());
      if (*party.outcome) {
        signatures.push_back(**party.outcome);
        continue;
      }
      ++failed;
      refused = refused || party.outcome->status().code() == ErrorCode::kInvalidArgument;
      failures += "; " + party.name + " " + party.outcome->status().message();
    }
    if (failed == 0) return pending->done(std::move(signatures));
    pending->done(Status::error(refused ? ErrorCode::kInvalidArgument : ErrorCode::kUnavailable,
                                std::to_string(failed) + " of " + std::to_string(pending->parties.size()) +
                                    " parties did not sign" + failures));
  };
  ClusterMessage request;
  request.type = ClusterMessage::Type::kSignContractRequest;
  request.dataset = dataset;
  request.contract = contract;
  const Bytes body = codec::encode(request);
  for (size_t i = 0; i < pending->parties.size(); ++i) {
    Party& party = pending->parties[i];
    if (party.key == key.public_key()) {
      party.outcome = check_contract_signing_answer(answer_contract_signing(key, dataset, roster, contract, policy), dataset,
                                                    contract, party.key);
      continue;
    }
    const consensus::Validator* at = nullptr;
    for (const auto* list : {&roster.members, &roster.arbiters}) {
      for (const consensus::Validator& v : *list) {
        if (v.key == party.key) at = &v;
      }
    }
    if (at == nullptr) {
      party.outcome = Status::error(ErrorCode::kUnavailable, "is not in this dataset's roster: no address to ask");
      continue;
    }
    ++pending->waiting;
    rpc.request(at->address, rpc::Protocol::kCluster, body, timeout,
                [pending, i, dataset, contract, finish](Result<Bytes> reply, const env::Peer&) {
                  Party& asked = pending->parties[i];
                  Result<ContractSigningAnswer> answer =
                      reply ? codec::decode<ContractSigningAnswer>(*reply) : Result<ContractSigningAnswer>(reply.status());
                  if (!reply) {
                    asked.outcome = Status::error(ErrorCode::kUnavailable,
                                                  reply.status().code() == ErrorCode::kTimeout
                                                      ? "did not answer in time"
                                                      : "could not be asked: " + reply.status().message());
                  } else if (!answer) {
                    asked.outcome = Status::error(ErrorCode::kUnavailable,
                                                  "sent no answer (" + answer.status().message() + ")");
                  } else {
                    asked.outcome = check_contract_signing_answer(*answer, dataset, contract, asked.key);
                  }
                  if (--pending->waiting == 0) finish();
                });
  }
  if (pending->waiting == 0) finish();
}

}  // namespace fluence::cluster
