// Sharing collections through the nodes' ledger (white paper, "Sharing Data
// Overview", "Proxy Re-Encryption Key"): the gateway's side of it, behind
// the fluence* commands (sharing_commands.cc). Every step is an admin
// request to a member of the dataset's cluster (runtime/admin.h); every
// ledger operation is signed here and committed by the cluster before the
// step returns.
//
// The owner's gateway:
//   open_contract  the dataset's storage contract: nodes and arbiters are
//                  the cluster's roster, which all of them sign (admin
//                  "sign_contract"); the client is the dataset's owner key
//                  (client::DatasetKeys::owner), which the deposit is first
//                  transferred to from this gateway's account. One contract
//                  per dataset: its id derives from the owner key.
//   share          one collection to one receiver: a grant of the
//                  collection's key-tree node [db, name] (client/grant.h),
//                  kept in the row kGrantRowPrefix || share id of the
//                  collection's dataset (the grant is sealed and signed, so
//                  a row is as good a courier as any), and an OpenShare whose
//                  fragments the contract's nodes hold. The collection must
//                  live in one dataset, since a share rides one contract.
//   revoke         RevokeShare, then the grant row is erased.
// The receiver's gateway:
//   attach         names a share (its id, dataset and a member's admin
//                  endpoint): the collection [db, name] of its grant then
//                  reads through this gateway under its own name. A funded
//                  share is opened once here, so a share that does not work
//                  says so at once.
//   fund           FundShare from this gateway's account.
//   open_view      for each command on a shared collection: checks on the
//                  ledger that the share is active, has the cluster
//                  re-encrypt the grant's capsule (admin "reencrypt"), opens
//                  the grant (client::receive_grant, against the owner key of
//                  the sharing contract on chain, never the grant's own) and
//                  returns a read-only EncryptedStore view under that key.
//                  The key lives as long as the view: nothing is cached, so
//                  the command after a revocation is refused, by the ledger
//                  and by every honest member, which forgot its fragment.
//   charge         after a read, ChargeShareRead for the bytes and documents
//                  it returned; the read is refused when the escrow cannot
//                  pay. An unfunded share reads nothing: members re-encrypt
//                  only for a share whose escrow can pay for a read.
//
// What revocation cannot do, and the white paper's "Denial of Remove" says
// so: a receiver that kept a key it was once given still opens the rows it
// can fetch. Honest gateways keep none.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/client/grant.h"
#include "model/client/key_store.h"
#include "model/economy/ops.h"
#include "runtime/gateway/encrypted_store.h"
#include "runtime/gateway/gateway_identity.h"
#include "runtime/gateway/node_rows.h"

namespace fluence::gateway {

inline constexpr std::string_view kGrantRowPrefix = "g";

// The storage contract's economic terms; the rest comes from the roster.
struct ContractTerms {
  uint64_t deposit = 0;             // micro-FFT; at least the first period's price
  uint64_t price_per_gb_month = 0;  // micro-FFT per 10^9 bytes per 720 ticks
  uint64_t gas_price = 0;           // micro-FFT per complexity unit
  uint64_t period_ticks = economy::kTicksPerMonth;
  uint32_t max_failed_proofs = 3;
  uint64_t max_offline_ticks_per_period = 24;
  uint32_t max_response_time_ms = 5000;
};

struct ShareOffer {
  crypto::PublicKey receiver;          // its gateway's account
  crypto::pre::Point receiver_key;     // its gateway's PRE key
  uint8_t threshold = 0;               // m of the contract's nodes; 0: a majority
  uint32_t owner_markup_per_mille = 0;
};

struct MadeShare {
  crypto::PublicKey id;
  storage::DatasetId dataset{};
  crypto::PublicKey contract;
  uint8_t threshold = 0;
  size_t holders = 0;
};

// Where a receiver finds a share.
struct ShareSource {
  crypto::PublicKey share;
  storage::DatasetId dataset{};
  std::string node_admin;  // "127.0.0.1:8001", a member of the dataset's cluster
  size_t read_signatures = 1;
  std::string node_admin_token;  // empty: the gateway's default (set_node_admin_token)
};

// One dataset this gateway owns, as the store sees it.
struct OwnedDataset {
  storage::DatasetId id{};
  NodeRowSource* rows = nullptr;
  uint64_t allocation_bytes = kUnlimitedAllocationBytes;
};

class Sharing {
 public:
  // `keys` and `store` may be null for a gateway with no datasets of its
  // own (it can only receive); all pointers outlive this object.
  Sharing(GatewayIdentity identity, const client::KeyStore* keys, EncryptedStore* store,
          std::vector<OwnedDataset> datasets, env::Random& random);
  ~Sharing();

  const GatewayIdentity& identity() const { return identity_; }
  // The admin token attach() presents to a node when its source names
  // none (fluenceAttachShare's nodeAdmin): the configuration's default.
  void set_node_admin_token(std::string token) { node_admin_token_ = std::move(token); }

  // Owner side. Errors: kInvalidArgument naming what is wrong (a dataset
  // not configured, a collection that does not exist or spans several
  // datasets, a contract already open), and the nodes' and ledger's own.
  Result<crypto::PublicKey> open_contract(const storage::DatasetId& dataset, const ContractTerms& terms);
  Result<MadeShare> share(const Namespace& ns, const ShareOffer& offer);
  Status revoke(const Namespace& ns, const crypto::PublicKey& share);

  // Receiver side.
  Result<Namespace> attach(const ShareSource& source);
  Status fund(const crypto::PublicKey& share, uint64_t amount);
  bool is_shared(const Namespace& ns) const { return attached_.contains(ns); }
  std::vector<std::string> shared_collections(const std::string& db) const;
  Result<std::unique_ptr<EncryptedStore>> open_view(const Namespace& ns);
  // Bills one read of `ns` that returned `bytes` in `documents`.
  Status charge(const Namespace& ns, uint64_t bytes, uint64_t documents);

 private:
  struct Attached;
  const OwnedDataset* owned(const storage::DatasetId& dataset) const;
  Result<const client::DatasetKeys*> owner_keys(const storage::DatasetId& dataset) const;
  // The dataset holding all of `ns`, which this gateway owns, and its keys.
  struct OwnedCollection {
    const OwnedDataset* dataset;
    const client::DatasetKeys* keys;
  };
  Result<OwnedCollection> owned_collection(const Namespace& ns) const;

  GatewayIdentity identity_;
  const client::KeyStore* keys_;
  EncryptedStore* store_;
  std::vector<OwnedDataset> datasets_;
  std::string node_admin_token_;
  env::Random& random_;
  std::map<Namespace, std::unique_ptr<Attached>> attached_;
};

// The id of the storage contract open_contract makes for a dataset.
crypto::PublicKey storage_contract_id(const client::DatasetKeys& keys);
// The row a share's grant is kept in.
Bytes grant_row_key(const crypto::PublicKey& share);

}  // namespace fluence::gateway
