#include "model/client/key_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>

#include "model/codec/codec.h"

namespace fluence::client {
namespace {

// The cheapest Argon2 libsodium allows, so the suite stays fast under ASan.
constexpr PasswordHashLimits kFast = kMinPasswordHashLimits;
// Offsets into the sealed header (see key_store_format.h).
constexpr size_t kVersionOffset = 4;
constexpr size_t kOpslimitOffset = 5;
constexpr size_t kMemlimitOffset = 13;
constexpr size_t kSaltOffset = 21;
constexpr size_t kNonceOffset = 37;

storage::DatasetId dataset(uint8_t n) {
  storage::DatasetId id{};
  id[0] = 0xda;
  id[31] = n;
  return id;
}

std::string hex(const crypto::Secret<32>& secret) { return to_hex(secret.view()); }

// Every byte a dataset's keys are made of, so two key sets compare by value.
std::vector<std::string> key_bytes(const DatasetKeys& keys) {
  return {
      to_hex(keys.dataset()),    hex(keys.root_secret()),  hex(keys.row_key()),
      to_hex(keys.row_key_id()), hex(keys.index_key()),    hex(keys.btree_key()),
      hex(keys.pre_seed()),      hex(keys.owner().seed()), to_hex(keys.owner().public_key().bytes),
      hex(keys.tree_key())};
}

Bytes with_u64(Bytes file, size_t offset, uint64_t value) {
  for (int i = 0; i < 8; ++i) file[offset + i] = static_cast<uint8_t>(value >> (56 - 8 * i));
  return file;
}

// What flipping the low bit of header byte i does to a file sealed with kFast.
ErrorCode expected_error(size_t i) {
  if (i <= kVersionOffset) return ErrorCode::kMalformed;          // magic, version
  if (i < kOpslimitOffset + 7) return ErrorCode::kLimitExceeded;  // opslimit 1 becomes >= 256
  if (i == kOpslimitOffset + 7) return ErrorCode::kMalformed;     // opslimit 1 becomes 0
  if (i < kMemlimitOffset + 4) return ErrorCode::kLimitExceeded;  // memlimit 8 KiB becomes >= 4 GiB
  // A limit still in range (Argon2 runs, with up to 16 MiB), the salt or the
  // nonce: only the tag over the header can tell.
  return ErrorCode::kAuthentication;
}

class KeyStoreTest : public ::testing::Test {
 protected:
  // A store of three datasets, sealed under "correct horse".
  void SetUp() override {
    for (uint8_t n = 1; n <= 3; ++n) ASSERT_TRUE(store_.create(dataset(n), random_).is_ok());
    Result<Bytes> sealed = store_.seal("correct horse", kFast, random_);
    ASSERT_TRUE(sealed.is_ok()) << sealed.status().to_string();
    sealed_ = std::move(*sealed);
  }

  env::DeterministicRandom random_{7};
  KeyStore store_;
  Bytes sealed_;
};

TEST_F(KeyStoreTest, CreateFindRemoveList) {
  EXPECT_EQ(store_.list(), (std::vector<storage::DatasetId>{dataset(1), dataset(2), dataset(3)}));
  const DatasetKeys* keys = store_.find(dataset(2));
  ASSERT_NE(keys, nullptr);
  EXPECT_EQ(keys->dataset(), dataset(2));
  EXPECT_EQ(store_.find(dataset(9)), nullptr);

  Result<const DatasetKeys*> again = store_.create(dataset(2), random_);
  EXPECT_EQ(again.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(again.status().message().find(to_hex(dataset(2))), std::string::npos);

  EXPECT_TRUE(store_.remove(dataset(2)).is_ok());
  EXPECT_EQ(store_.find(dataset(2)), nullptr);
  EXPECT_EQ(store_.remove(dataset(2)).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_.list(), (std::vector<storage::DatasetId>{dataset(1), dataset(3)}));

  Result<const DatasetKeys*> fresh = store_.create(dataset(0), random_);
  ASSERT_TRUE(fresh.is_ok());
  EXPECT_EQ(store_.find(dataset(0)), *fresh);
  EXPECT_EQ(store_.list().front(), dataset(0));
  EXPECT_EQ(store_.size(), 3u);
}

TEST_F(KeyStoreTest, SealThenOpenGivesIdenticalKeys) {
  Result<KeyStore> opened = KeyStore::open(sealed_, "correct horse");
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  ASSERT_EQ(opened->list(), store_.list());
  for (const storage::DatasetId& id : store_.list()) {
    EXPECT_EQ(key_bytes(*opened->find(id)), key_bytes(*store_.find(id)));
  }
  // A fresh salt and nonce per seal: the same store never seals the same way twice.
  Result<Bytes> resealed = store_.seal("correct horse", kFast, random_);
  ASSERT_TRUE(resealed.is_ok());
  EXPECT_NE(*resealed, sealed_);
  // Three datasets, then an empty received section (its count, 0).
  EXPECT_EQ(resealed->size(),
            kKeyStoreHeaderBytes + 1 + 3 * kKeyStoreEntryBytes + 1 + crypto::kAeadTagBytes);
}

TEST_F(KeyStoreTest, EmptyStoreSealsAndOpens) {
  Result<Bytes> sealed = KeyStore().seal("pass", kFast, random_);
  ASSERT_TRUE(sealed.is_ok());
  Result<KeyStore> opened = KeyStore::open(*sealed, "pass");
  ASSERT_TRUE(opened.is_ok());
  EXPECT_EQ(opened->size(), 0u);
}

TEST_F(KeyStoreTest, WrongPassphraseIsAnAuthenticationError) {
  for (std::string_view wrong : {"correct horsf", "", "correct horse "}) {
    Result<KeyStore> opened = KeyStore::open(sealed_, wrong);
    EXPECT_EQ(opened.status().code(), ErrorCode::kAuthentication) << wrong;
  }
}

TEST_F(KeyStoreTest, EveryAlteredHeaderByteIsRejected) {
  for (size_t i = 0; i < kKeyStoreHeaderBytes; ++i) {
    Bytes altered = sealed_;
    altered[i] ^= 0x01;
    Result<KeyStore> opened = KeyStore::open(altered, "correct horse");
    ASSERT_FALSE(opened.is_ok()) << "header byte " << i;
    EXPECT_EQ(opened.status().code(), expected_error(i))
        << "header byte " << i << ": " << opened.status().to_string();
  }
}

TEST_F(KeyStoreTest, AlteredSaltNonceOrCiphertextIsAnAuthenticationError) {
  for (size_t offset :
       {kSaltOffset, kSaltOffset + 15, kNonceOffset, kKeyStoreHeaderBytes, sealed_.size() - 1}) {
    Bytes altered = sealed_;
    altered[offset] ^= 0x80;
    EXPECT_EQ(KeyStore::open(altered, "correct horse").status().code(), ErrorCode::kAuthentication)
        << "byte " << offset;
  }
}

TEST_F(KeyStoreTest, TruncatedOrExtendedFilesAreRejected) {
  for (size_t size : {size_t{0}, size_t{3}, kKeyStoreHeaderBytes,
                      kKeyStoreHeaderBytes + crypto::kAeadTagBytes - 1}) {
    EXPECT_EQ(KeyStore::open(ByteView(sealed_).first(size), "correct horse").status().code(),
              ErrorCode::kMalformed)
        << size;
  }
  for (size_t size : {kKeyStoreHeaderBytes + crypto::kAeadTagBytes, sealed_.size() - 1}) {
    EXPECT_EQ(KeyStore::open(ByteView(sealed_).first(size), "correct horse").status().code(),
              ErrorCode::kAuthentication)
        << size;
  }
  Bytes extended = sealed_;
  extended.push_back(0);
  EXPECT_EQ(KeyStore::open(extended, "correct horse").status().code(), ErrorCode::kAuthentication);
}

// Were Argon2 to run on these limits, it would spend 100 GiB or years (and
// abort under AddressSanitizer); refusing them is the parser's job.
TEST_F(KeyStoreTest, HostileLimitsAreRejectedBeforeArgon2Runs) {
  const uint64_t hostile_memlimits[] = {uint64_t{100} << 30,
                                        kMaxPasswordHashLimits.memlimit_bytes + 1, UINT64_MAX};
  for (uint64_t memlimit : hostile_memlimits) {
    Bytes hostile = with_u64(sealed_, kMemlimitOffset, memlimit);
    Result<SealedKeyStore> parsed = parse_sealed_key_store(hostile);
    EXPECT_EQ(parsed.status().code(), ErrorCode::kLimitExceeded) << memlimit;
    EXPECT_NE(parsed.status().message().find("memlimit"), std::string::npos);
    EXPECT_EQ(KeyStore::open(hostile, "correct horse").status().code(), ErrorCode::kLimitExceeded);
  }
  for (uint64_t opslimit : {kMaxPasswordHashLimits.opslimit + 1, uint64_t{1} << 40}) {
    Bytes hostile = with_u64(sealed_, kOpslimitOffset, opslimit);
    EXPECT_EQ(KeyStore::open(hostile, "correct horse").status().code(), ErrorCode::kLimitExceeded)
        << opslimit;
  }
  EXPECT_EQ(
      KeyStore::open(with_u64(sealed_, kMemlimitOffset, 1024), "correct horse").status().code(),
      ErrorCode::kMalformed);
  // A body longer than the most entries a store can hold is refused unread:
  // for version 1, datasets alone; for version 2, received keys too.
  Bytes huge_v1 = sealed_;
  huge_v1[kVersionOffset] = kKeyStoreFormatVersionDatasetsOnly;
  huge_v1.resize(kKeyStoreHeaderBytes + 4 + kMaxKeyStoreDatasets * kKeyStoreEntryBytes +
                 crypto::kAeadTagBytes);
  EXPECT_EQ(KeyStore::open(huge_v1, "correct horse").status().code(), ErrorCode::kLimitExceeded);
  Bytes huge = sealed_;
  huge.resize(kKeyStoreHeaderBytes + kMaxKeyStorePlaintextBytes + 1 + crypto::kAeadTagBytes);
  EXPECT_EQ(KeyStore::open(huge, "correct horse").status().code(), ErrorCode::kLimitExceeded);
}

TEST_F(KeyStoreTest, SealRefusesLimitsItCouldNotReadBackAndAnEmptyPassphrase) {
  EXPECT_EQ(
      store_.seal("pass", {kMaxPasswordHashLimits.opslimit + 1, 8192}, random_).status().code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      store_.seal("pass", {1, kMaxPasswordHashLimits.memlimit_bytes + 1}, random_).status().code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_.seal("pass", {0, 8192}, random_).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_.seal("", kFast, random_).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(KeyStoreTest, SealedHeaderCarriesItsLimits) {
  Result<Bytes> sealed = store_.seal("pass", {2, 16384}, random_);
  ASSERT_TRUE(sealed.is_ok());
  Result<SealedKeyStore> parsed = parse_sealed_key_store(*sealed);
  ASSERT_TRUE(parsed.is_ok());
  EXPECT_EQ(parsed->limits, (PasswordHashLimits{2, 16384}));
  EXPECT_EQ(parsed->header.size(), kKeyStoreHeaderBytes);
  EXPECT_EQ((*sealed)[kVersionOffset], kKeyStoreFormatVersion);
  EXPECT_TRUE(KeyStore::open(*sealed, "pass").is_ok());
}

TEST_F(KeyStoreTest, ExportImportAcrossStoresWithDifferentPassphrases) {
  env::DeterministicRandom other_random(8);
  KeyStore other;
  ASSERT_TRUE(other.create(dataset(9), other_random).is_ok());
  Result<Bytes> other_sealed = other.seal("other store", kFast, other_random);
  ASSERT_TRUE(other_sealed.is_ok());

  const storage::DatasetId chosen[] = {dataset(3), dataset(1), dataset(3)};
  Result<Bytes> backup = store_.export_datasets(chosen, "backup passphrase", kFast, random_);
  ASSERT_TRUE(backup.is_ok()) << backup.status().to_string();
  EXPECT_EQ(other.import(*backup, "correct horse").status().code(), ErrorCode::kAuthentication);

  Result<size_t> added = other.import(*backup, "backup passphrase");
  ASSERT_TRUE(added.is_ok()) << added.status().to_string();
  EXPECT_EQ(*added, 2u);
  EXPECT_EQ(other.list(), (std::vector<storage::DatasetId>{dataset(1), dataset(3), dataset(9)}));
  EXPECT_EQ(key_bytes(*other.find(dataset(1))), key_bytes(*store_.find(dataset(1))));
  EXPECT_EQ(key_bytes(*other.find(dataset(3))), key_bytes(*store_.find(dataset(3))));

  // Importing the same backup again adds nothing and changes nothing.
  Result<size_t> again = other.import(*backup, "backup passphrase");
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*again, 0u);

  // The merged store seals under its own passphrase and keeps every key.
  Result<Bytes> merged = other.seal("other store", kFast, other_random);
  ASSERT_TRUE(merged.is_ok());
  Result<KeyStore> reopened = KeyStore::open(*merged, "other store");
  ASSERT_TRUE(reopened.is_ok());
  EXPECT_EQ(key_bytes(*reopened->find(dataset(3))), key_bytes(*store_.find(dataset(3))));
  EXPECT_EQ(key_bytes(*reopened->find(dataset(9))), key_bytes(*other.find(dataset(9))));

  const storage::DatasetId missing[] = {dataset(1), dataset(7)};
  Result<Bytes> refused = store_.export_datasets(missing, "backup passphrase", kFast, random_);
  EXPECT_EQ(refused.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(refused.status().message().find(to_hex(dataset(7))), std::string::npos);
}

TEST_F(KeyStoreTest, ConflictingImportIsRefusedAndTheStoreUnchanged) {
  // Another store that made its own keys for dataset 2, and has dataset 5.
  env::DeterministicRandom other_random(8);
  KeyStore other;
  ASSERT_TRUE(other.create(dataset(2), other_random).is_ok());
  ASSERT_TRUE(other.create(dataset(5), other_random).is_ok());
  Result<Bytes> backup = other.seal("theirs", kFast, other_random);
  ASSERT_TRUE(backup.is_ok());

  std::vector<std::vector<std::string>> before;
  for (const storage::DatasetId& id : store_.list()) before.push_back(key_bytes(*store_.find(id)));

  Result<size_t> imported = store_.import(*backup, "theirs");
  EXPECT_EQ(imported.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(imported.status().message().find(to_hex(dataset(2))), std::string::npos)
      << imported.status().to_string();

  EXPECT_EQ(store_.find(dataset(5)), nullptr);
  std::vector<std::vector<std::string>> after;
  for (const storage::DatasetId& id : store_.list()) after.push_back(key_bytes(*store_.find(id)));
  EXPECT_EQ(after, before);
}

TEST(DatasetKeysTest, DerivedKeysDifferPerLabelAndPerDataset) {
  RootSecret root;
  root.data()[0] = 42;
  DatasetKeys a(dataset(1), root.clone());
  DatasetKeys b(dataset(2), root.clone());
  std::vector<std::string> derived_a = key_bytes(a);
  std::vector<std::string> derived_b = key_bytes(b);
  // Skip the dataset id and root; compare row key .. owner public key.
  std::set<std::string> distinct;
  for (size_t i = 2; i < derived_a.size(); ++i) {
    distinct.insert(derived_a[i]);
    distinct.insert(derived_b[i]);
  }
  EXPECT_EQ(distinct.size(), 2 * (derived_a.size() - 2));
  EXPECT_TRUE(a.has_root(root));
  EXPECT_FALSE(a.has_root(RootSecret()));
}

// The derivation is a compatibility contract: these bytes must never change.
// Computed independently with Python's hashlib.blake2b(message, key=root,
// digest_size=32) and cryptography's Ed25519PrivateKey.from_private_bytes.
TEST(DatasetKeysTest, FixedRootGivesTheseExactKeys) {
  Bytes root_bytes(32);
  for (size_t i = 0; i < 32; ++i) root_bytes[i] = static_cast<uint8_t>(i);
  storage::DatasetId id = dataset(1);
  DatasetKeys keys(id, RootSecret(std::span<const uint8_t, 32>(root_bytes.data(), 32)));
  EXPECT_EQ(hex(keys.row_key()),
            "b62c2e8c1736f7d4cb570a87d0753f49a464abd1f2ce6edba56a57c3d2c9ee92");
  EXPECT_EQ(to_hex(keys.row_key_id()), "b77ea9d11a6cc69289cb2899f56d367a");
  EXPECT_EQ(hex(keys.index_key()),
            "ffd9aaaf65dadeb553cf610ec5a0f164ef610fa0433e66b5367ae135baa9e6a7");
  EXPECT_EQ(hex(keys.btree_key()),
            "25663c6f31266b730a7c3b2db15b0aec3583ba66068cb8e3ccb0fb1c5c8ce028");
  EXPECT_EQ(hex(keys.pre_seed()),
            "a27088a2afe0c6de832fdfabf1a58a7d06cc37c1f6a306a15826398e6cdc255e");
  EXPECT_EQ(hex(keys.owner().seed()),
            "f951bd15ab0445d1402c727b62e4ac75bb79c944b560de528b7413aac8bcb3b4");
  EXPECT_EQ(to_hex(keys.owner().public_key().bytes),
            "2f02347851d96aad17c616142647de5af543da0e9fa815d529c3859bcbea224a");
}

// ---- Received keys (grants of key_tree.h subtrees) -------------------------

KeyPath path(std::initializer_list<std::string_view> segments) {
  Result<KeyPath> made = KeyPath::from_strings(segments);
  FL_ASSERT(made.is_ok());
  return std::move(*made);
}

// A receiver's key for `p` in dataset n's tree, made from a root secret of n.
NodeKey received(uint8_t n, const KeyPath& p) {
  RootSecret root;
  root.data()[0] = n;
  return node_key(DatasetKeys(dataset(n), std::move(root)), p);
}

// Every received key, as (dataset, path, secret) strings.
std::vector<std::string> received_bytes(const KeyStore& store) {
  std::vector<std::string> out;
  for (const auto& [id, p] : store.list_received()) {
    out.push_back(to_hex(id) + p.to_string() + "=" + hex(store.find_received(id, p)->secret()));
  }
  return out;
}

TEST(KeyStoreReceivedTest, AddFindRemoveAndTheDeepestGrantedAncestor) {
  KeyStore store;
  ASSERT_TRUE(store.add_received(received(8, path({"users"}))).is_ok());
  ASSERT_TRUE(store.add_received(received(8, path({"users", "alice"}))).is_ok());
  ASSERT_TRUE(store.add_received(received(9, KeyPath())).is_ok());
  EXPECT_EQ(store.received_size(), 3u);
  // The same key again is fine; another key for the same place is not.
  EXPECT_TRUE(store.add_received(received(8, path({"users"}))).is_ok());
  // The same path in another dataset is another place.
  EXPECT_TRUE(store.add_received(received(7, path({"users"}))).is_ok());
  NodeKey impostor(dataset(8), path({"users"}), NodeSecret());
  Status refused = store.add_received(std::move(impostor));
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.message().find(to_hex(dataset(8))), std::string::npos);
  EXPECT_EQ(store.received_size(), 4u);

  ASSERT_NE(store.find_received(dataset(8), path({"users"})), nullptr);
  EXPECT_EQ(store.find_received(dataset(8), path({"orders"})), nullptr);
  EXPECT_EQ(store.find_received(dataset(9), path({"users"})), nullptr);

  // The deepest covering grant: alice's own, users/ for bob, none for orders.
  KeyPath alice_row = path({"users", "alice", "row-1"});
  EXPECT_EQ(store.find_granted_ancestor(dataset(8), alice_row)->path(), path({"users", "alice"}));
  EXPECT_EQ(store.find_granted_ancestor(dataset(8), path({"users", "bob"}))->path(),
            path({"users"}));
  EXPECT_EQ(store.find_granted_ancestor(dataset(8), path({"users"}))->path(), path({"users"}));
  EXPECT_EQ(store.find_granted_ancestor(dataset(8), path({"orders", "1"})), nullptr);
  EXPECT_EQ(store.find_granted_ancestor(dataset(8), KeyPath()), nullptr);
  EXPECT_EQ(store.find_granted_ancestor(dataset(9), alice_row)->path(), KeyPath());
  EXPECT_EQ(store.find_granted_ancestor(dataset(1), alice_row), nullptr);

  Result<NodeKey> derived = store.received_key_for(dataset(8), path({"users", "bob"}));
  ASSERT_TRUE(derived.is_ok());
  EXPECT_EQ(hex(derived->secret()), hex(received(8, path({"users", "bob"})).secret()));
  EXPECT_EQ(store.received_key_for(dataset(8), path({"orders"})).status().code(),
            ErrorCode::kNotFound);

  EXPECT_TRUE(store.remove_received(dataset(8), path({"users", "alice"})).is_ok());
  EXPECT_EQ(store.remove_received(dataset(8), path({"users", "alice"})).code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store.find_granted_ancestor(dataset(8), alice_row)->path(), path({"users"}));
  EXPECT_EQ(store.list_received(),
            (std::vector<std::pair<storage::DatasetId, KeyPath>>{{dataset(7), path({"users"})},
                                                                 {dataset(8), path({"users"})},
                                                                 {dataset(9), KeyPath()}}));
}

TEST_F(KeyStoreTest, ReceivedKeysSurviveSealOpenExportAndImport) {
  ASSERT_TRUE(store_.add_received(received(8, path({"users"}))).is_ok());
  ASSERT_TRUE(store_.add_received(received(8, path({"orders", "o-1"}))).is_ok());
  ASSERT_TRUE(store_.add_received(received(9, path({"x"}))).is_ok());
  Result<Bytes> sealed = store_.seal("correct horse", kFast, random_);
  ASSERT_TRUE(sealed.is_ok());
  EXPECT_EQ((*sealed)[kVersionOffset], kKeyStoreFormatVersion);
  Result<KeyStore> opened = KeyStore::open(*sealed, "correct horse");
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  EXPECT_EQ(received_bytes(*opened), received_bytes(store_));
  EXPECT_EQ(opened->list(), store_.list());
  EXPECT_EQ(opened->received_size(), 3u);

  // Exporting dataset 8 (received only) and dataset 1 (owned only).
  const storage::DatasetId chosen[] = {dataset(8), dataset(1)};
  Result<Bytes> backup = store_.export_datasets(chosen, "backup", kFast, random_);
  ASSERT_TRUE(backup.is_ok()) << backup.status().to_string();
  KeyStore other;
  Result<size_t> added = other.import(*backup, "backup");
  ASSERT_TRUE(added.is_ok()) << added.status().to_string();
  EXPECT_EQ(*added, 1u);
  EXPECT_EQ(other.list(), (std::vector<storage::DatasetId>{dataset(1)}));
  ASSERT_EQ(other.received_size(), 2u);
  EXPECT_EQ(hex(other.find_received(dataset(8), path({"orders", "o-1"}))->secret()),
            hex(received(8, path({"orders", "o-1"})).secret()));
  EXPECT_EQ(other.find_received(dataset(9), path({"x"})), nullptr);
  // Again: nothing new, nothing changed.
  EXPECT_EQ(*other.import(*backup, "backup"), 0u);
  EXPECT_EQ(other.received_size(), 2u);

  // A backup that holds another key for a place the store has refuses whole.
  KeyStore conflicting;
  ASSERT_TRUE(conflicting.add_received(received(9, path({"new"}))).is_ok());
  ASSERT_TRUE(
      conflicting.add_received(NodeKey(dataset(8), path({"users"}), NodeSecret())).is_ok());
  Result<Bytes> bad_backup = conflicting.seal("theirs", kFast, random_);
  ASSERT_TRUE(bad_backup.is_ok());
  std::vector<std::string> before = received_bytes(other);
  Result<size_t> refused = other.import(*bad_backup, "theirs");
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("received key"), std::string::npos);
  EXPECT_EQ(received_bytes(other), before);

  // A dataset held neither way is not exported.
  const storage::DatasetId missing[] = {dataset(42)};
  EXPECT_EQ(store_.export_datasets(missing, "backup", kFast, random_).status().code(),
            ErrorCode::kNotFound);
}

// A version 1 store, sealed by this code before received keys existed (with
// DeterministicRandom(21), datasets dataset(1) and dataset(2) created in that
// order, passphrase "old horse", kMinPasswordHashLimits). Its roots follow.
}  // namespace
}  // namespace fluence::client
