#include "runtime/gateway/sharing.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "model/cluster/chain_book.h"
#include "model/crypto/hash.h"
#include "model/economy/share.h"

namespace fluence::gateway {

using json = nlohmann::json;

namespace {

// A ledger operation waits for its block; the cluster gives up on one after
// 30 s (ClusterConfig::write_timeout).
constexpr std::chrono::milliseconds kSubmitTimeout{35000};
constexpr std::chrono::milliseconds kQueryTimeout{10000};
// A contract's signatures come from every node and arbiter over the network.
constexpr std::chrono::milliseconds kSignTimeout{20000};

Status invalid(std::string message) { return Status::error(ErrorCode::kInvalidArgument, std::move(message)); }
Status malformed(std::string message) { return Status::error(ErrorCode::kMalformed, std::move(message)); }

// A codec-encoded value in hex, from a node's reply.
template <typename T>
Result<T> decode_hex_value(const json& hex, const std::string& what) {
  if (!hex.is_string()) return malformed("node reply: " + what + ": expected a hex string");
  Result<Bytes> bytes = from_hex(hex.get_ref<const std::string&>());
  if (!bytes) return bytes.status().with_context("node reply's " + what);
  Result<T> value = codec::decode<T>(*bytes);
  if (!value) return value.status().with_context("node reply's " + what);
  return value;
}

template <typename T>
Result<T> decode_hex(const json& reply, const char* field) {
  auto it = reply.find(field);
  if (it == reply.end()) return malformed(std::string("node reply: no \"") + field + "\"");
  return decode_hex_value<T>(*it, field);
}

// A list of codec-encoded values in hex.
template <typename T>
Result<std::vector<T>> decode_hex_list(const json& reply, const char* field) {
  auto it = reply.find(field);
  if (it == reply.end() || !it->is_array()) return malformed(std::string("node reply: no \"") + field + "\" list");
  std::vector<T> out;
  for (const json& entry : *it) {
    Result<T> value = decode_hex_value<T>(entry, field);
    if (!value) return value.status();
    out.push_back(std::move(*value));
  }
  return out;
}

Result<uint64_t> number(const json& reply, const char* field) {
  auto it = reply.find(field);
  if (it == reply.end() || !it->is_number_unsigned()) {
    return malformed(std::string("node reply: no \"") + field + "\" number");
  }
  return it->get<uint64_t>();
}

Result<std::vector<crypto::PublicKey>> key_list(const json& reply, const char* field) {
  auto it = reply.find(field);
  if (it == reply.end() || !it->is_array()) return malformed(std::string("node reply: no \"") + field + "\" list");
  std::vector<crypto::PublicKey> out;
  for (const json& entry : *it) {
    if (!entry.is_string()) return malformed(std::string("node reply: ") + field + ": expected hex strings");
    Result<std::array<uint8_t, crypto::kPublicKeyBytes>> key =
        fixed_from_hex<crypto::kPublicKeyBytes>(entry.get_ref<const std::string&>(), field);
    if (!key) return key.status();
    out.push_back(crypto::PublicKey{*key});
  }
  return out;
}

// The ledger's view of one account, contract or share (admin "ledger").
Result<json> ledger(NodeRowSource& rows, const char* kind, ByteView id) {
  return rows.command({{"cmd", "ledger"}, {kind, to_hex(id)}}, kQueryTimeout);
}

Result<uint64_t> next_nonce(NodeRowSource& rows, const crypto::PublicKey& account) {
  Result<json> reply = ledger(rows, "account", account.view());
  if (!reply) return reply.status();
  return number(*reply, "next_nonce");
}

// Signs `make(nonce)` with `author`'s next nonce and returns once a
// committed block holds it, or with the ledger's refusal.
template <typename Make>
Status submit(NodeRowSource& rows, const crypto::PublicKey& author, Make make) {
  Result<uint64_t> nonce = next_nonce(rows, author);
  if (!nonce) return nonce.status();
  const economy::EconomyOp op{make(*nonce)};
  return rows.command({{"cmd", "submit"}, {"op_hex", to_hex(codec::encode(op))}}, kSubmitTimeout).status();
}

economy::ChainId chain_of(const storage::DatasetId& dataset) { return cluster::ledger_chain_id(dataset); }

// A fresh public key as an id: what contracts and shares are named by.
crypto::PublicKey fresh_id(env::Random& random) {
  crypto::Secret<crypto::kSeedBytes> seed;
  random.fill(std::span<uint8_t>(seed.data(), seed.size()));
  return crypto::SigningKey::from_seed(seed).public_key();
}

// The share's contract as the ledger holds it, active.
struct ShareOnChain {
  economy::SharingContract contract;
  std::string phase;
  uint64_t escrow = 0;
};

Result<ShareOnChain> share_on_chain(NodeRowSource& rows, const crypto::PublicKey& share) {
  Result<json> reply = ledger(rows, "share", share.view());
  if (!reply) return reply.status();
  Result<economy::SharingContract> contract = decode_hex<economy::SharingContract>(*reply, "contract_hex");
  if (!contract) return contract.status();
  if (contract->id != share) return malformed("node reply: the ledger's share is another one");
  Result<uint64_t> escrow = number(*reply, "escrow");
  if (!escrow) return escrow.status();
  auto phase = reply->find("phase");
  if (phase == reply->end() || !phase->is_string()) return malformed("node reply: no \"phase\" string");
  return ShareOnChain{std::move(*contract), phase->get<std::string>(), *escrow};
}

}  // namespace

crypto::PublicKey storage_contract_id(const client::DatasetKeys& keys) {
  const auto& seed = keys.owner().seed();
  crypto::Hash256 derived = crypto::blake2b_256("fluence/gateway/v1/storage-contract-id",
                                                {ByteView(seed.data(), seed.size()), keys.dataset()});
  crypto::Secret<crypto::kSeedBytes> id_seed{std::span<const uint8_t, crypto::kSeedBytes>(derived)};
  crypto::wipe(derived.data(), derived.size());
  return crypto::SigningKey::from_seed(id_seed).public_key();
}

Bytes grant_row_key(const crypto::PublicKey& share) {
  Bytes key(kGrantRowPrefix.size() + share.bytes.size());
  std::copy(kGrantRowPrefix.begin(), kGrantRowPrefix.end(), key.begin());
  std::copy(share.bytes.begin(), share.bytes.end(), key.begin() + static_cast<ptrdiff_t>(kGrantRowPrefix.size()));
  return key;
}

// A share this gateway receives, with its grant read once (it is signed and
// does not change).
struct Sharing::Attached {
  ShareSource source;
  std::unique_ptr<NodeRowSource> rows;
  client::Grant grant;
};

Sharing::Sharing(GatewayIdentity identity, const client::KeyStore* keys, EncryptedStore* store,
                 std::vector<OwnedDataset> datasets, env::Random& random)
    : identity_(std::move(identity)), keys_(keys), store_(store), datasets_(std::move(datasets)), random_(random) {}

Sharing::~Sharing() = default;

const OwnedDataset* Sharing::owned(const storage::DatasetId& dataset) const {
  for (const OwnedDataset& d : datasets_) {
    if (d.id == dataset) return &d;
  }
  return nullptr;
}

Result<const client::DatasetKeys*> Sharing::owner_keys(const storage::DatasetId& dataset) const {
  const client::DatasetKeys* keys = keys_ != nullptr ? keys_->find(dataset) : nullptr;
  if (owned(dataset) == nullptr || keys == nullptr) {
    return invalid("dataset " + to_hex(dataset) + " is not one of this gateway's (config \"datasets\")");
  }
  return keys;
}

Result<Sharing::OwnedCollection> Sharing::owned_collection(const Namespace& ns) const {
  if (store_ == nullptr) return invalid("this gateway has no datasets of its own (config \"datasets\")");
  std::vector<storage::DatasetId> shards = store_->shards_of(ns);
  if (shards.empty()) return invalid(ns.full() + " does not exist");
  if (shards.size() > 1) {
    return invalid(ns.full() + " spans " + std::to_string(shards.size()) +
                   " datasets; a share rides one dataset's contract");
  }
  const OwnedDataset* dataset = owned(shards.front());
  FL_ASSERT(dataset != nullptr);
  Result<const client::DatasetKeys*> keys = owner_keys(dataset->id);
  if (!keys) return keys.status();
  return OwnedCollection{dataset, *keys};
}

Result<crypto::PublicKey> Sharing::open_contract(const storage::DatasetId& dataset, const ContractTerms& terms) {
  Result<const client::DatasetKeys*> keys = owner_keys(dataset);
  if (!keys) return keys.status();
  NodeRowSource& rows = *owned(dataset)->rows;
  const crypto::SigningKey& owner = (*keys)->owner();
  const economy::ChainId chain = chain_of(dataset);

  economy::StorageContract c;
  c.id = storage_contract_id(**keys);
  if (ledger(rows, "contract", c.id.view()).is_ok()) {
    return invalid("dataset " + to_hex(dataset) + " already has its contract " + to_hex(c.id.view()));
  }
  Result<json> roster = rows.command({{"cmd", "dataset"}}, kQueryTimeout);
  if (!roster) return roster.status();
  Result<std::vector<crypto::PublicKey>> members = key_list(*roster, "members");
  if (!members) return members.status();
  Result<std::vector<crypto::PublicKey>> arbiters = key_list(*roster, "arbiters");
  if (!arbiters) return arbiters.status();
  Result<json> account = ledger(rows, "account", owner.public_key().view());
  if (!account) return account.status();
  Result<uint64_t> tick = number(*account, "tick");
  if (!tick) return tick.status();

  c.client = owner.public_key();
  c.nodes = std::move(*members);
  c.arbiters = std::move(*arbiters);
  c.replication_factor = static_cast<uint32_t>(c.nodes.size());
  c.allocation_bytes = std::min(owned(dataset)->allocation_bytes, economy::kMaxAllocationBytes);
  c.max_response_time_ms = terms.max_response_time_ms;
  c.price_per_gb_month = terms.price_per_gb_month;
  c.gas_price = terms.gas_price;
  c.period_ticks = terms.period_ticks;
  c.valid_until_tick = *tick + terms.period_ticks;
  c.sla = {terms.max_offline_ticks_per_period, terms.max_failed_proofs};
  FL_RETURN_IF_ERROR(c.check().with_context("the contract"));

  Result<json> signed_reply =
      rows.command({{"cmd", "sign_contract"}, {"contract_hex", to_hex(codec::encode(c))}}, kSignTimeout);
  if (!signed_reply) return signed_reply.status();
  Result<std::vector<economy::ContractSignature>> signatures =
      decode_hex_list<economy::ContractSignature>(*signed_reply, "signatures_hex");
  if (!signatures) return signatures.status();
  economy::SignedContract s{c, {economy::ContractSignature::make(owner, c)}};
  s.signatures.insert(s.signatures.end(), signatures->begin(), signatures->end());
  FL_RETURN_IF_ERROR(s.check_fully_signed().with_context("the nodes' signatures"));

  if (terms.deposit > 0) {
    FL_RETURN_IF_ERROR(submit(rows, identity_.account.public_key(), [&](uint64_t nonce) {
                         return economy::Transfer::make(identity_.account, chain, owner.public_key(), terms.deposit, nonce);
                       }).with_context("paying the deposit to the dataset's owner key"));
  }
  FL_RETURN_IF_ERROR(submit(rows, owner.public_key(), [&](uint64_t nonce) {
                       return economy::OpenContract::make(owner, chain, std::move(s), terms.deposit, nonce);
                     }).with_context("opening the contract"));
  return c.id;
}

Result<MadeShare> Sharing::share(const Namespace& ns, const ShareOffer& offer) {
  Result<OwnedCollection> owned = owned_collection(ns);
  if (!owned) return owned.status();
  const storage::DatasetId& dataset = owned->dataset->id;
  NodeRowSource& rows = *owned->dataset->rows;
  const crypto::SigningKey& owner = owned->keys->owner();
  const crypto::PublicKey contract_id = storage_contract_id(*owned->keys);

  Result<json> contract = ledger(rows, "contract", contract_id.view());
  if (!contract) {
    return contract.status().with_context("dataset " + to_hex(dataset) +
                                          " has no storage contract: open one first (fluenceOpenContract)");
  }
  Result<std::vector<crypto::PublicKey>> holders = key_list(*contract, "nodes");
  if (!holders) return holders.status();
  Result<client::KeyPath> path = client::KeyPath::from_strings({ns.db, ns.collection});
  if (!path) return path.status();
  Result<client::MadeGrant> made = client::make_grant(*owned->keys, *path, random_);
  if (!made) return made.status();

  economy::ShareTerms terms;
  terms.id = fresh_id(random_);
  terms.storage_contract = contract_id;
  terms.receiver = offer.receiver;
  terms.receiver_key = offer.receiver_key;
  terms.threshold = offer.threshold != 0 ? offer.threshold : static_cast<uint8_t>(holders->size() / 2 + 1);
  terms.owner_markup_per_mille = offer.owner_markup_per_mille;
  Result<economy::SharingContract> share =
      economy::make_sharing_contract(owner, made->delegation, terms, *holders, random_);
  if (!share) return share.status();

  // The grant first: a share on chain whose grant is missing would be paid
  // for and unusable; a grant without its share opens nothing.
  FL_RETURN_IF_ERROR(rows.put(grant_row_key(terms.id), codec::encode(made->grant)));
  FL_RETURN_IF_ERROR(rows.flush().with_context("writing the grant"));
  FL_RETURN_IF_ERROR(submit(rows, owner.public_key(), [&](uint64_t nonce) {
                       return economy::OpenShare::make(owner, chain_of(dataset), std::move(*share), nonce);
                     }).with_context("opening the share"));
  return MadeShare{terms.id, dataset, contract_id, terms.threshold, holders->size()};
}

Status Sharing::revoke(const Namespace& ns, const crypto::PublicKey& share) {
  Result<OwnedCollection> owned = owned_collection(ns);
  if (!owned) return owned.status();
  NodeRowSource& rows = *owned->dataset->rows;
  const crypto::SigningKey& owner = owned->keys->owner();
  FL_RETURN_IF_ERROR(submit(rows, owner.public_key(), [&](uint64_t nonce) {
    return economy::RevokeShare::make(owner, chain_of(owned->dataset->id), share, nonce);
  }));
  FL_RETURN_IF_ERROR(rows.erase(grant_row_key(share)));
  return rows.flush().with_context("erasing the grant");
}

Result<Namespace> Sharing::attach(const ShareSource& source) {
  NodeRowSourceOptions options;
  options.admin_address = source.node_admin;
  options.admin_token = source.node_admin_token.empty() ? node_admin_token_ : source.node_admin_token;
  options.dataset = to_hex(source.dataset);
  options.signatures = source.read_signatures;
  Result<std::unique_ptr<NodeRowSource>> rows = NodeRowSource::open(options);
  if (!rows) return rows.status();
  Result<ShareOnChain> on_chain = share_on_chain(**rows, source.share);
  if (!on_chain) return on_chain.status();
  if (on_chain->contract.receiver != identity_.account.public_key()) {
    return invalid("share " + to_hex(source.share.view()) + " is made to another receiver, not this gateway's account " +
                   to_hex(identity_.account.public_key().view()));
  }
  Result<std::optional<Bytes>> row = (*rows)->get(grant_row_key(source.share));
  if (!row) return row.status().with_context("reading the share's grant");
  if (!row->has_value()) return Status::error(ErrorCode::kNotFound, "the share's grant is not in its dataset (revoked?)");
  Result<client::Grant> grant = codec::decode<client::Grant>(**row);
  if (!grant) return grant.status().with_context("the share's grant");
  if (grant->dataset != source.dataset || grant->delegator != on_chain->contract.delegator_key ||
      grant->path.depth() != 2) {
    return Status::error(ErrorCode::kAuthentication, "the share's grant is not the one its contract was made for");
  }
  const auto& segments = grant->path.segments();
  Outcome<Namespace> ns = make_namespace(std::string(segments[0].begin(), segments[0].end()),
                                         std::string(segments[1].begin(), segments[1].end()));
  if (!ns) return invalid("the share's grant names no collection: " + ns.error().message);
  if (store_ != nullptr && store_->dataset_of(*ns)) {
    return invalid(ns->full() + " is also a collection of this gateway's own; the share cannot take its name");
  }
  attached_[*ns] = std::make_unique<Attached>(Attached{source, std::move(*rows), std::move(*grant)});
  // Members re-encrypt only for a funded share: an unfunded one is opened
  // at its first read, after fluenceFundShare.
  if (on_chain->escrow == 0) return *ns;
  // Opened once now, so that a share that does not work says so here.
  Result<std::unique_ptr<EncryptedStore>> view = open_view(*ns);
  if (!view) {
    attached_.erase(*ns);
    return view.status();
  }
  return *ns;
}

Status Sharing::fund(const crypto::PublicKey& share, uint64_t amount) {
  for (const auto& [ns, attached] : attached_) {
    if (attached->source.share != share) continue;
    return submit(*attached->rows, identity_.account.public_key(), [&](uint64_t nonce) {
      return economy::FundShare::make(identity_.account, chain_of(attached->source.dataset), share, amount, nonce);
    });
  }
  return invalid("share " + to_hex(share.view()) + " is not attached to this gateway (fluenceAttachShare)");
}

std::vector<std::string> Sharing::shared_collections(const std::string& db) const {
  std::vector<std::string> names;
  for (const auto& [ns, attached] : attached_) {
    if (ns.db == db) names.push_back(ns.collection);
  }
  return names;
}

Result<std::unique_ptr<EncryptedStore>> Sharing::open_view(const Namespace& ns) {
  auto it = attached_.find(ns);
  FL_ASSERT(it != attached_.end());
  Attached& a = *it->second;
  Result<ShareOnChain> on_chain = share_on_chain(*a.rows, a.source.share);
  if (!on_chain) return on_chain.status();
  if (on_chain->phase != "active") {
    return Status::error(ErrorCode::kAuthentication,
                         "share " + to_hex(a.source.share.view()) + " of " + ns.full() + " is " + on_chain->phase +
                             " on chain: its owner no longer shares it");
  }
  Result<json> reply = a.rows->command(
      {{"cmd", "reencrypt"}, {"share", to_hex(a.source.share.view())}, {"capsule_hex", to_hex(codec::encode(a.grant.capsule))}},
      kQueryTimeout);
  if (!reply) return reply.status().with_context("re-encrypting the grant of " + ns.full());
  Result<std::vector<crypto::pre::CapsuleFrag>> cfrags = decode_hex_list<crypto::pre::CapsuleFrag>(*reply, "cfrags_hex");
  if (!cfrags) return cfrags.status();
  Result<client::NodeKey> key = client::receive_grant(a.grant, on_chain->contract.owner, identity_.pre, *cfrags);
  if (!key) return key.status().with_context("opening the grant of " + ns.full());
  std::vector<DatasetRows> datasets{{a.source.dataset, a.rows.get(), kUnlimitedAllocationBytes, ""}};
  return EncryptedStore::open_shared(std::move(datasets), ns, std::move(*key), random_);
}

Status Sharing::charge(const Namespace& ns, uint64_t bytes, uint64_t documents) {
  auto it = attached_.find(ns);
  FL_ASSERT(it != attached_.end());
  Attached& a = *it->second;
  bytes = std::min(bytes, economy::kMaxOperationBytes);
  documents = std::min(documents, economy::kMaxOperationRows);
  return submit(*a.rows, identity_.account.public_key(),
                [&](uint64_t nonce) {
                  return economy::ChargeShareRead::make(identity_.account, chain_of(a.source.dataset), a.source.share,
                                                        bytes, documents, nonce);
                })
      .with_context("paying for the read of " + ns.full() + " from the share's escrow (fluenceFundShare)");
}

}  // namespace fluence::gateway
