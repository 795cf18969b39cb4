// The key store's file format (key_store_format.h): the plaintext sections
// and the versions it reads. The store over it is key_store_test.cc.
#include "model/client/key_store_format.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "model/client/key_store.h"
#include "model/codec/codec.h"
#include "model/crypto/aead.h"

namespace fluence::client {
namespace {

constexpr PasswordHashLimits kFast = kMinPasswordHashLimits;
constexpr size_t kVersionOffset = 4;

storage::DatasetId dataset(uint8_t n) {
  storage::DatasetId id{};
  id[0] = 0xda;
  id[31] = n;
  return id;
}

std::string hex(const crypto::Secret<32>& secret) { return to_hex(secret.view()); }

KeyPath path(std::initializer_list<std::string_view> segments) {
  Result<KeyPath> made = KeyPath::from_strings(segments);
  FL_ASSERT(made.is_ok());
  return std::move(*made);
}

std::vector<KeyStoreEntry> entries(std::initializer_list<uint8_t> datasets) {
  std::vector<KeyStoreEntry> out;
  for (uint8_t n : datasets) {
    KeyStoreEntry entry{dataset(n), {}};
    entry.root.data()[0] = n;
    out.push_back(std::move(entry));
  }
  return out;
}

TEST(KeyStorePlaintextTest, RoundTripsCanonically) {
  Bytes plaintext = encode_key_store_plaintext(entries({1, 2, 7}));
  Result<std::vector<KeyStoreEntry>> decoded = decode_key_store_plaintext(plaintext);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  ASSERT_EQ(decoded->size(), 3u);
  EXPECT_EQ((*decoded)[2].dataset, dataset(7));
  EXPECT_EQ((*decoded)[2].root.data()[0], 7);
  EXPECT_EQ(encode_key_store_plaintext(*decoded), plaintext);
}

TEST(KeyStorePlaintextTest, RejectsWhatIsNotCanonical) {
  // Two entries written in the wrong order, and one written twice.
  Bytes plaintext = encode_key_store_plaintext(entries({1, 2}));
  Bytes swapped = plaintext;
  std::swap_ranges(swapped.begin() + 1, swapped.begin() + 1 + kKeyStoreEntryBytes,
                   swapped.begin() + 1 + kKeyStoreEntryBytes);
  Bytes repeated = plaintext;
  std::copy(plaintext.begin() + 1, plaintext.begin() + 1 + kKeyStoreEntryBytes,
            repeated.begin() + 1 + kKeyStoreEntryBytes);
  Bytes trailing = plaintext;
  trailing.push_back(0);
  Bytes short_by_one(plaintext.begin(), plaintext.end() - 1);
  codec::Writer hostile;
  hostile.varint(uint64_t{1} << 40);
  for (const Bytes& bad : {swapped, repeated, trailing, short_by_one, hostile.finish(), Bytes{}}) {
    Result<std::vector<KeyStoreEntry>> decoded = decode_key_store_plaintext(bad);
    EXPECT_EQ(decoded.status().code(), ErrorCode::kMalformed);
    EXPECT_FALSE(decoded.status().message().empty());
  }
}

constexpr std::string_view kVersion1File =
    "464c4b530100000000000000010000000000002000ee8f4f75c7cfe42fb8a3b827e5ad534dc0ce3e171f2f519f"
    "2e5947fdbc44dc10c7a6930057ed0c41d9219abee797eb5d9281ad9a0b37474bd27c623fe11607f0cd43725fc6"
    "cf253138bdf4185d536dd470165aeb9c0d40d3327e6b412b90cf10fa57c61f4a335642f3ccc3a876b7bccd1010"
    "f1908b8420426e90edb9e50577f783f9b5518dd8e8925d5f0b0cf64c49257efe818c2e82e0ffb50f372ec8aeac"
    "304057e5004444255a8b8981be5a4affa75486ac7751db87d2b9";

Bytes from_hex(std::string_view hex_text) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex_text.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex_text.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(KeyStoreFormatTest, AVersion1FileStillOpensAndResealsAsTheCurrentVersion) {
  Bytes old_file = from_hex(kVersion1File);
  ASSERT_EQ(old_file[kVersionOffset], kKeyStoreFormatVersionDatasetsOnly);
  Result<KeyStore> opened = KeyStore::open(old_file, "old horse");
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  ASSERT_EQ(opened->list(), (std::vector<storage::DatasetId>{dataset(1), dataset(2)}));
  EXPECT_EQ(hex(opened->find(dataset(1))->root_secret()),
            "63bf8db86196f6de54155ae32250bce7cab17d4aae5c06b2014e88013391c06a");
  EXPECT_EQ(hex(opened->find(dataset(2))->root_secret()),
            "d48389f6641a071d314187edf0fbe6f9806c4f0b16d0ac477415e7e5130d02c7");
  EXPECT_EQ(opened->received_size(), 0u);
  EXPECT_EQ(KeyStore::open(old_file, "new horse").status().code(), ErrorCode::kAuthentication);
  // Its version is under the tag: raising it to 2 (which would read a
  // received section) fails the tag rather than misreading the body.
  Bytes raised = old_file;
  raised[kVersionOffset] = kKeyStoreFormatVersion;
  EXPECT_EQ(KeyStore::open(raised, "old horse").status().code(), ErrorCode::kAuthentication);

  // Imported into a current store, and sealed again: now version 2.
  KeyStore store;
  ASSERT_TRUE(store.add_received(NodeKey(dataset(8), path({"users"}), NodeSecret())).is_ok());
  ASSERT_EQ(*store.import(old_file, "old horse"), 2u);
  env::DeterministicRandom random(4);
  Result<Bytes> resealed = store.seal("old horse", kFast, random);
  ASSERT_TRUE(resealed.is_ok());
  EXPECT_EQ((*resealed)[kVersionOffset], kKeyStoreFormatVersion);
  Result<KeyStore> reopened = KeyStore::open(*resealed, "old horse");
  ASSERT_TRUE(reopened.is_ok());
  EXPECT_EQ(hex(reopened->find(dataset(2))->root_secret()),
            hex(opened->find(dataset(2))->root_secret()));
  EXPECT_EQ(reopened->received_size(), 1u);
}

// The same from the format's description alone, sealed here with libsodium
// directly, so the reader is checked against the documented version 1 and
// not only against what its own writer once wrote.
TEST(KeyStoreFormatTest, AVersion1FileBuiltFromTheSpecOpens) {
  std::array<uint8_t, kKeyStoreSaltBytes> salt{};
  salt.fill(0x5a);
  crypto::AeadNonce nonce{};
  nonce.fill(0xa5);
  codec::Writer header;
  header.fixed(kKeyStoreMagic);
  header.u8(1);
  header.u64(kFast.opslimit);
  header.u64(kFast.memlimit_bytes);
  header.fixed(salt);
  header.fixed(nonce);
  ASSERT_EQ(header.size(), kKeyStoreHeaderBytes);
  crypto::AeadKey key;
  ASSERT_EQ(crypto_pwhash(key.data(), key.size(), "spec", 4, salt.data(), kFast.opslimit,
                          kFast.memlimit_bytes, crypto_pwhash_ALG_ARGON2ID13),
            0);
  Bytes plaintext = {1};  // one dataset
  for (uint8_t b : dataset(3)) plaintext.push_back(b);
  for (uint8_t i = 0; i < 32; ++i) plaintext.push_back(i);
  Bytes file = header.data();
  Bytes body = crypto::aead_seal(key, nonce, header.data(), plaintext);
  file.insert(file.end(), body.begin(), body.end());

  Result<KeyStore> opened = KeyStore::open(file, "spec");
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  ASSERT_EQ(opened->list(), (std::vector<storage::DatasetId>{dataset(3)}));
  EXPECT_EQ(hex(opened->find(dataset(3))->root_secret()),
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  EXPECT_EQ(opened->received_size(), 0u);
}

std::vector<ReceivedKeyEntry> received_entries(
    std::initializer_list<std::pair<uint8_t, KeyPath>> places) {
  std::vector<ReceivedKeyEntry> out;
  for (const auto& [n, p] : places) {
    ReceivedKeyEntry entry{dataset(n), p, {}};
    entry.key.data()[0] = n;
    out.push_back(std::move(entry));
  }
  return out;
}

TEST(KeyStorePlaintextTest, TheCurrentVersionRoundTripsCanonically) {
  KeyStoreContents contents;
  contents.datasets = entries({1, 2});
  contents.received = received_entries({{1, KeyPath()},
                                        {1, path({"a"})},
                                        {1, path({"a", "b"})},
                                        {1, path({"b"})},
                                        {4, path({"a"})}});
  Bytes plaintext = encode_key_store_contents(contents);
  // The datasets section comes first, exactly as version 1 wrote it.
  Bytes datasets_only = encode_key_store_plaintext(contents.datasets);
  EXPECT_TRUE(std::equal(datasets_only.begin(), datasets_only.end(), plaintext.begin()));

  Result<KeyStoreContents> decoded = decode_key_store_contents(plaintext, kKeyStoreFormatVersion);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  ASSERT_EQ(decoded->received.size(), 5u);
  EXPECT_EQ(decoded->received[2].path, path({"a", "b"}));
  EXPECT_EQ(decoded->received[4].dataset, dataset(4));
  EXPECT_EQ(decoded->received[4].key.data()[0], 4);
  EXPECT_EQ(encode_key_store_contents(*decoded), plaintext);

  // Each version reads only its own shape.
  EXPECT_EQ(decode_key_store_contents(datasets_only, kKeyStoreFormatVersion).status().code(),
            ErrorCode::kMalformed);
  EXPECT_EQ(
      decode_key_store_contents(plaintext, kKeyStoreFormatVersionDatasetsOnly).status().code(),
      ErrorCode::kMalformed);
  EXPECT_TRUE(decode_key_store_contents(datasets_only, kKeyStoreFormatVersionDatasetsOnly).is_ok());
  EXPECT_EQ(decode_key_store_contents(plaintext, 3).status().code(), ErrorCode::kMalformed);
}

TEST(KeyStorePlaintextTest, ReceivedEntriesOutOfOrderOrRepeatedAreRejected) {
  KeyStoreContents in_order;
  in_order.received = received_entries({{1, path({"a"})}, {1, path({"a", "b"})}});
  Bytes plaintext = encode_key_store_contents(in_order);
  // Encode the same two entries the other way round, and one twice, by hand.
  auto encode_entries = [](std::vector<ReceivedKeyEntry> list) {
    codec::Writer writer;
    writer.varint(0);  // no datasets
    writer.varint(list.size());
    for (const ReceivedKeyEntry& entry : list) {
      writer.fixed(entry.dataset);
      entry.path.encode(writer);
      writer.raw(entry.key.view());
    }
    return writer.finish();
  };
  EXPECT_EQ(encode_entries(received_entries({{1, path({"a"})}, {1, path({"a", "b"})}})), plaintext);
  Bytes swapped = encode_entries(received_entries({{1, path({"a", "b"})}, {1, path({"a"})}}));
  Bytes repeated = encode_entries(received_entries({{1, path({"a"})}, {1, path({"a"})}}));
  Bytes datasets_swapped = encode_entries(received_entries({{2, path({"a"})}, {1, path({"b"})}}));
  Bytes trailing = plaintext;
  trailing.push_back(0);
  codec::Writer hostile;
  hostile.varint(0);
  hostile.varint(kMaxReceivedKeys + 1);
  for (const Bytes& bad : {swapped, repeated, datasets_swapped, trailing, hostile.finish(),
                           Bytes(plaintext.begin(), plaintext.end() - 1)}) {
    Result<KeyStoreContents> decoded = decode_key_store_contents(bad, kKeyStoreFormatVersion);
    EXPECT_EQ(decoded.status().code(), ErrorCode::kMalformed) << to_hex(bad);
    EXPECT_FALSE(decoded.status().message().empty());
  }
}

}  // namespace
}  // namespace fluence::client
