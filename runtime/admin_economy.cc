// The admin endpoint's token-economy commands (documented in admin.h):
// "submit", "ledger", "sign_contract" and "reencrypt".
#include <array>

#include "model/cluster/chain_book.h"
#include "model/codec/codec.h"
#include "model/economy/ops.h"
#include "runtime/admin_internal.h"

namespace fluence::runtime::admin_detail {

using nlohmann::json;

namespace {

// Bounds on the hex a request may carry, in decoded bytes. The largest
// operation, an OpenShare with kMaxContractNodes sealed fragments, is about
// 30 KiB; a contract with the most nodes and arbiters about 4 KiB; a capsule
// is 96 bytes.
constexpr size_t kMaxOperationBytes = 256 * 1024;
constexpr size_t kMaxContractBytes = 16 * 1024;
constexpr size_t kMaxCapsuleBytes = 1024;

// A codec encoding of T given in hex as `name`; errors name the field.
template <typename T>
Result<T> encoded_field(const json& request, const char* name, size_t max_bytes) {
  if (!request.contains(name) || !request[name].is_string()) {
    return Status::error(ErrorCode::kMalformed, std::string(name) + ": expected a hex string");
  }
  const std::string& hex = request[name].get_ref<const std::string&>();
  if (hex.size() > 2 * max_bytes) {
    return Status::error(ErrorCode::kLimitExceeded, std::string(name) + ": " + std::to_string(hex.size() / 2) +
                                                        " bytes, over " + std::to_string(max_bytes));
  }
  Result<Bytes> bytes = from_hex(hex);
  if (!bytes) return bytes.status().with_context(name);
  Result<T> value = codec::decode<T>(*bytes);
  if (!value) return value.status().with_context(name);
  return value;
}

std::string hex(const crypto::PublicKey& key) { return to_hex(key.bytes); }

const char* phase_name(economy::SharePhase phase) {
  switch (phase) {
    case economy::SharePhase::kActive: return "active";
    case economy::SharePhase::kRevoked: return "revoked";
    case economy::SharePhase::kEnded: return "ended";
  }
  FL_ASSERT_MSG(false, "a share phase without a name");
  return "";
}

void submit(cluster::ClusterChain& chain, const json& request, const std::function<void(std::string)>& reply) {
  Result<economy::EconomyOp> op = encoded_field<economy::EconomyOp>(request, "op_hex", kMaxOperationBytes);
  if (!op) return reply(refused(op.status()));
  // The ledger's refusal comes at once, before the operation is queued;
  // anything later is the cluster's (a timeout).
  auto queued = std::make_shared<bool>(false);
  chain.submit_operation(*op, [reply, queued](Result<uint64_t> height) {
    if (height) return reply(dump(json{{"height", *height}}));
    reply(*queued ? failed(height.status()) : refused(height.status()));
  });
  *queued = true;
}

void ledger(const storage::DatasetId& dataset, const cluster::ClusterChain& chain, const json& request,
            const std::function<void(std::string)>& reply) {
  const int given = static_cast<int>(request.contains("account")) + static_cast<int>(request.contains("contract")) +
                    static_cast<int>(request.contains("share"));
  if (given != 1) {
    return reply(refused(ErrorCode::kInvalidArgument, "account, contract, share: give exactly one of them"));
  }
  const economy::Ledger& ledger = chain.ledger();
  json answer = {{"tick", chain.next_tick()}, {"chain_id", to_hex(cluster::ledger_chain_id(dataset))}};
  if (request.contains("account")) {
    Result<std::array<uint8_t, 32>> key = key_field(request, "account");
    if (!key) return reply(refused(key.status()));
    economy::Account account = ledger.account(crypto::PublicKey{*key});
    answer.update({{"spendable", account.spendable}, {"rewards", account.rewards}, {"next_nonce", account.next_nonce}});
    return reply(dump(answer));
  }
  if (request.contains("contract")) {
    Result<std::array<uint8_t, 32>> id = key_field(request, "contract");
    if (!id) return reply(refused(id.status()));
    const economy::ContractAccount* contract = ledger.contract(crypto::PublicKey{*id});
    if (contract == nullptr) return reply(refused(ErrorCode::kNotFound, "contract: not on the ledger"));
    const economy::StorageContract& c = contract->contract;
    answer.update({{"client", hex(c.client)},
                   {"nodes", key_list(c.nodes)},
                   {"arbiters", key_list(c.arbiters)},
                   {"escrow", contract->escrow},
                   {"valid_until_tick", c.valid_until_tick},
                   {"gas_price", c.gas_price},
                   {"active", contract->active()}});
    return reply(dump(answer));
  }
  Result<std::array<uint8_t, 32>> id = key_field(request, "share");
  if (!id) return reply(refused(id.status()));
  const economy::ShareAccount* share = ledger.share(crypto::PublicKey{*id});
  if (share == nullptr) return reply(refused(ErrorCode::kNotFound, "share: not on the ledger"));
  const economy::SharingContract& s = share->contract;
  answer.update({{"phase", phase_name(share->phase)},
                 {"escrow", share->escrow},
                 {"owner", hex(s.owner)},
                 {"receiver", hex(s.receiver)},
                 {"storage_contract", hex(s.storage_contract)},
                 {"threshold", s.threshold},
                 {"holders", key_list(s.holders())},
                 {"contract_hex", to_hex(codec::encode(s))}});
  reply(dump(answer));
}

void sign_contract(node::Node& node, const storage::DatasetId& dataset, const json& request,
                   const std::function<void(std::string)>& reply) {
  Result<economy::StorageContract> contract =
      encoded_field<economy::StorageContract>(request, "contract_hex", kMaxContractBytes);
  if (!contract) return reply(refused(contract.status()));
  if (Status well_formed = contract->check(); !well_formed.is_ok()) {
    return reply(refused(well_formed.with_context("contract_hex")));
  }
  node.sign_contract(dataset, *contract, [reply](Result<std::vector<economy::ContractSignature>> signatures) {
    if (!signatures) return reply(failed(signatures.status()));
    json list = json::array();
    for (const economy::ContractSignature& s : *signatures) list.push_back(to_hex(codec::encode(s)));
    reply(dump(json{{"signatures_hex", list}}));
  });
}

void reencrypt(cluster::ClusterChain& chain, const json& request, const std::function<void(std::string)>& reply) {
  Result<std::array<uint8_t, 32>> share = key_field(request, "share");
  if (!share) return reply(refused(share.status()));
  Result<crypto::pre::Capsule> capsule = encoded_field<crypto::pre::Capsule>(request, "capsule_hex", kMaxCapsuleBytes);
  if (!capsule) return reply(refused(capsule.status()));
  chain.reencrypt(crypto::PublicKey{*share}, *capsule, [reply](Result<cluster::ReencryptResult> result) {
    if (!result) return reply(failed(result.status()));
    json cfrags = json::array();
    for (const crypto::pre::VerifiedCapsuleFrag& cfrag : result->cfrags) {
      cfrags.push_back(to_hex(codec::encode(cfrag.cfrag())));
    }
    reply(dump(json{{"cfrags_hex", cfrags}}));
  });
}

}  // namespace

bool is_economy_command(const std::string& cmd) {
  return cmd == "submit" || cmd == "ledger" || cmd == "sign_contract" || cmd == "reencrypt";
}

void handle_economy_request(node::Node& node, const std::string& cmd, const json& request,
                            const std::function<void(std::string)>& reply) {
  FL_ASSERT(is_economy_command(cmd));
  Result<std::array<uint8_t, 32>> dataset = key_field(request, "dataset");
  if (!dataset) return reply(refused(dataset.status()));
  if (cmd == "sign_contract") {
    if (node.chain(*dataset) == nullptr && node.arbiter(*dataset) == nullptr) {
      return reply(refused(ErrorCode::kNotFound, "dataset: this node is neither a member nor an arbiter for it"));
    }
    return sign_contract(node, *dataset, request, reply);
  }
  cluster::ClusterChain* chain = node.chain(*dataset);
  if (chain == nullptr) return reply(refused(ErrorCode::kNotFound, "dataset: this node is not a member for it"));
  if (cmd == "submit") return submit(*chain, request, reply);
  if (cmd == "ledger") return ledger(*dataset, *chain, request, reply);
  reencrypt(*chain, request, reply);
}

}  // namespace fluence::runtime::admin_detail
