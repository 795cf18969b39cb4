#include "model/client/row_cipher.h"

#include <gtest/gtest.h>

#include "model/client/key_store.h"

namespace fluence::client {
namespace {

storage::DatasetId dataset(uint8_t n) {
  storage::DatasetId id{};
  id[0] = 0xda;
  id[31] = n;
  return id;
}

Bytes b(std::string_view text) { return Bytes(text.begin(), text.end()); }

// Words whose little-endian bytes count up from 1, so a drawn nonce is 01 02 .. 18.
class CountingRandom final : public env::Random {
 public:
  uint64_t next_u64() override {
    uint64_t word = 0;
    for (int i = 0; i < 8; ++i) word |= static_cast<uint64_t>(next_byte_++) << (8 * i);
    return word;
  }

 private:
  uint8_t next_byte_ = 1;
};

crypto::AeadKey counting_key() {
  crypto::AeadKey key;
  for (size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<uint8_t>(i);
  return key;
}

KeyId counting_key_id() {
  KeyId id;
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(0xa0 + i);
  return id;
}

class RowCipherTest : public ::testing::Test {
 protected:
  RowCipherTest() {
    first_ = *store_.create(dataset(1), random_);
    second_ = *store_.create(dataset(2), random_);
  }

  env::DeterministicRandom random_{11};
  KeyStore store_;
  const DatasetKeys* first_ = nullptr;
  const DatasetKeys* second_ = nullptr;
};

TEST_F(RowCipherTest, RowsAndDocumentsRoundTrip) {
  RowCipher cipher = RowCipher::for_dataset(*first_);
  for (const Bytes& plaintext : {Bytes{}, b("alice,42"), Bytes(kMaxRowPlaintextBytes, 0x5a)}) {
    Result<Bytes> sealed = cipher.encrypt_row(b("row-1"), plaintext, random_);
    ASSERT_TRUE(sealed.is_ok()) << sealed.status().to_string();
    EXPECT_EQ(sealed->size(), plaintext.size() + kRowCipherOverheadBytes);
    EXPECT_EQ((*sealed)[0], kRowCipherVersion);
    Result<Bytes> opened = cipher.decrypt_row(b("row-1"), *sealed);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    EXPECT_EQ(*opened, plaintext);
  }
  Bytes document = b(R"({"_id": 7, "name": "alice"})");
  Result<Bytes> sealed = cipher.encrypt_document(b("7"), document, random_);
  ASSERT_TRUE(sealed.is_ok());
  Result<Bytes> opened = cipher.decrypt_document(b("7"), *sealed);
  ASSERT_TRUE(opened.is_ok());
  EXPECT_EQ(*opened, document);
  // A cipher rebuilt from a reopened key store reads what the first one wrote.
  Result<Bytes> file = store_.seal("pass", kMinPasswordHashLimits, random_);
  ASSERT_TRUE(file.is_ok());
  Result<KeyStore> reopened = KeyStore::open(*file, "pass");
  ASSERT_TRUE(reopened.is_ok());
  EXPECT_EQ(*RowCipher::for_dataset(*reopened->find(dataset(1))).decrypt_document(b("7"), *sealed),
            document);
}

TEST_F(RowCipherTest, EveryWriteDrawsAFreshNonce) {
  RowCipher cipher = RowCipher::for_dataset(*first_);
  Result<Bytes> one = cipher.encrypt_row(b("row-1"), b("same"), random_);
  Result<Bytes> two = cipher.encrypt_row(b("row-1"), b("same"), random_);
  ASSERT_TRUE(one.is_ok() && two.is_ok());
  EXPECT_NE(*one, *two);
  EXPECT_FALSE(
      std::equal(one->begin() + 1, one->begin() + 1 + crypto::kAeadNonceBytes, two->begin() + 1));
  EXPECT_EQ(*cipher.decrypt_row(b("row-1"), *one), b("same"));
  EXPECT_EQ(*cipher.decrypt_row(b("row-1"), *two), b("same"));
}

// The format and its associated data are a compatibility contract. Computed
// independently in Python: HChaCha20 (draft-irtf-cfrg-xchacha-03, checked
// against its section 2.2.1 vector) and cryptography's ChaCha20Poly1305.
TEST_F(RowCipherTest, FixedKeyAndNonceGiveTheseExactBytes) {
  RowCipher cipher(dataset(1), counting_key_id(), counting_key());
  CountingRandom counting;
  Result<Bytes> row = cipher.encrypt_row(b("row-7"), b("hello, row"), counting);
  ASSERT_TRUE(row.is_ok());
  EXPECT_EQ(to_hex(*row),
            "010102030405060708090a0b0c0d0e0f101112131415161718"
            "d49e3ef6c43098415a7fd63339e32a46b36a8e56e413f6a46431");
  CountingRandom counting_again;
  Result<Bytes> document = cipher.encrypt_document(b("doc-1"), b(R"({"a":1})"), counting_again);
  ASSERT_TRUE(document.is_ok());
  EXPECT_EQ(to_hex(*document),
            "010102030405060708090a0b0c0d0e0f101112131415161718"
            "c7d933b8912dc5fb882919e4bf249bfaca0f965fda3767");
}

TEST_F(RowCipherTest, CiphertextMovedElsewhereFailsAuthentication) {
  RowCipher cipher = RowCipher::for_dataset(*first_);
  Bytes sealed = *cipher.encrypt_row(b("row-1"), b("alice,42"), random_);

  // Another row of the same dataset.
  EXPECT_EQ(cipher.decrypt_row(b("row-2"), sealed).status().code(), ErrorCode::kAuthentication);
  // The same key under another dataset's id, and under another key id: only
  // the associated data tells these apart.
  RowCipher other_dataset(dataset(2), first_->row_key_id(), first_->row_key().clone());
  EXPECT_EQ(other_dataset.decrypt_row(b("row-1"), sealed).status().code(),
            ErrorCode::kAuthentication);
  RowCipher other_key_id(dataset(1), second_->row_key_id(), first_->row_key().clone());
  EXPECT_EQ(other_key_id.decrypt_row(b("row-1"), sealed).status().code(),
            ErrorCode::kAuthentication);
  // Another key under the same dataset and key id.
  RowCipher other_key(dataset(1), first_->row_key_id(), second_->row_key().clone());
  EXPECT_EQ(other_key.decrypt_row(b("row-1"), sealed).status().code(), ErrorCode::kAuthentication);
  // Another dataset altogether.
  Result<Bytes> opened = RowCipher::for_dataset(*second_).decrypt_row(b("row-1"), sealed);
  EXPECT_EQ(opened.status().code(), ErrorCode::kAuthentication);
  EXPECT_NE(opened.status().message().find(to_hex(second_->row_key_id())), std::string::npos);
  // A row served where a document was asked for, under the same name.
  EXPECT_EQ(cipher.decrypt_document(b("row-1"), sealed).status().code(),
            ErrorCode::kAuthentication);
  // And the original still opens.
  EXPECT_TRUE(cipher.decrypt_row(b("row-1"), sealed).is_ok());
}

TEST_F(RowCipherTest, EveryAlteredByteFailsAndTruncationIsMalformed) {
  RowCipher cipher = RowCipher::for_dataset(*first_);
  Bytes sealed = *cipher.encrypt_row(b("row-1"), b("alice,42"), random_);
  for (size_t i = 0; i < sealed.size(); ++i) {
    Bytes altered = sealed;
    altered[i] ^= 0x04;
    ErrorCode expected = i == 0 ? ErrorCode::kMalformed : ErrorCode::kAuthentication;
    EXPECT_EQ(cipher.decrypt_row(b("row-1"), altered).status().code(), expected) << "byte " << i;
  }
  for (size_t size = 0; size < kRowCipherOverheadBytes; ++size) {
    EXPECT_EQ(cipher.decrypt_row(b("row-1"), ByteView(sealed).first(size)).status().code(),
              ErrorCode::kMalformed)
        << size;
  }
  // Cut short but still long enough to parse: only the tag can tell.
  EXPECT_EQ(
      cipher.decrypt_row(b("row-1"), ByteView(sealed).first(sealed.size() - 1)).status().code(),
      ErrorCode::kAuthentication);
  Bytes extended = sealed;
  extended.push_back(0);
  EXPECT_EQ(cipher.decrypt_row(b("row-1"), extended).status().code(), ErrorCode::kAuthentication);
}

TEST_F(RowCipherTest, SizesOutsideTheBoundsAreRefused) {
  RowCipher cipher = RowCipher::for_dataset(*first_);
  EXPECT_EQ(cipher.encrypt_row({}, b("x"), random_).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      cipher.encrypt_row(Bytes(storage::kMaxRowKeyBytes + 1, 'k'), b("x"), random_).status().code(),
      ErrorCode::kInvalidArgument);
  EXPECT_TRUE(cipher.encrypt_row(Bytes(storage::kMaxRowKeyBytes, 'k'), b("x"), random_).is_ok());
  EXPECT_EQ(cipher.decrypt_row({}, Bytes(64)).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(cipher.encrypt_row(b("k"), Bytes(kMaxRowPlaintextBytes + 1), random_).status().code(),
            ErrorCode::kLimitExceeded);
  EXPECT_EQ(cipher.decrypt_row(b("k"), Bytes(storage::kMaxRowValueBytes + 1)).status().code(),
            ErrorCode::kLimitExceeded);
  // A document may be larger than a row, up to its own bound.
  EXPECT_TRUE(cipher.encrypt_document(b("d"), Bytes(kMaxRowPlaintextBytes + 1), random_).is_ok());
  EXPECT_EQ(cipher.encrypt_document(b("d"), Bytes(kMaxDocumentBytes + 1), random_).status().code(),
            ErrorCode::kLimitExceeded);
  EXPECT_EQ(cipher.encrypt_document(Bytes(kMaxDocumentIdBytes + 1, 'i'), b("{}"), random_)
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fluence::client
