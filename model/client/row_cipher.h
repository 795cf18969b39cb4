// Row and document encryption: what a node stores is only ever this.
//
// Ciphertext (version 1):
//   version (1 byte, 1) || nonce (24 bytes) || XChaCha20-Poly1305 ciphertext || tag (16 bytes)
// Associated data, not stored but rebuilt by the reader (codec encoding):
//   version u8 || kind u8 (1 row, 2 document) || dataset id (32 bytes)
//   || key id (16 bytes) || length-prefixed row key or document id
//
// The associated data binds a ciphertext to where it belongs: a node that
// moves it to another row or another dataset, or serves a row where a
// document was asked for, makes decryption fail with kAuthentication rather
// than hand the client someone else's data. Rolling a row back to an older
// ciphertext of the same row is not caught here; the dataset's state hash in
// the cluster's blocks is what tells a stale replica from a fresh one.
//
// The nonce is drawn at random per write (from the caller's randomness, as
// everything in model/ is): with 192 bits, 2^64 writes under one key collide
// with probability about 2^-65, so no counter needs to survive crashes.
#pragma once

#include "model/base/bytes.h"
#include "model/base/status.h"
#include "model/client/dataset_keys.h"
#include "model/crypto/aead.h"
#include "model/env/random.h"
#include "model/storage/dataset.h"

namespace fluence::client {

inline constexpr uint8_t kRowCipherVersion = 1;
inline constexpr size_t kRowCipherOverheadBytes =
    1 + crypto::kAeadNonceBytes + crypto::kAeadTagBytes;
// A row's ciphertext is a node's row value, so it fits storage's bound.
inline constexpr size_t kMaxRowPlaintextBytes =
    storage::kMaxRowValueBytes - kRowCipherOverheadBytes;
// MongoDB's own bounds, as the gateway speaks its protocol: a BSON document
// is at most 16 MiB, and an _id, being always indexed, at most the 1024 bytes
// of MongoDB's former index key limit.
inline constexpr size_t kMaxDocumentBytes = size_t{16} << 20;
inline constexpr size_t kMaxDocumentIdBytes = 1024;

class RowCipher {
 public:
  RowCipher(const storage::DatasetId& dataset, const KeyId& key_id, crypto::AeadKey key);
  // The dataset's row key and its id.
  static RowCipher for_dataset(const DatasetKeys& keys);

  // kInvalidArgument unless the row key is 1..storage::kMaxRowKeyBytes long;
  // kLimitExceeded for a row over kMaxRowPlaintextBytes.
  Result<Bytes> encrypt_row(ByteView row_key, ByteView row, env::Random& random) const;
  // The row key's errors as for encrypt_row; kMalformed for a ciphertext too
  // short to hold the version, nonce and tag, or of an unknown version;
  // kLimitExceeded for one longer than any row; kAuthentication for one
  // altered, cut short, or made for another row, dataset or key.
  Result<Bytes> decrypt_row(ByteView row_key, ByteView ciphertext) const;

  // The same for a whole document as the gateway sees it, named by its id
  // (1..kMaxDocumentIdBytes bytes) and at most kMaxDocumentBytes long.
  Result<Bytes> encrypt_document(ByteView document_id, ByteView document,
                                 env::Random& random) const;
  Result<Bytes> decrypt_document(ByteView document_id, ByteView ciphertext) const;

 private:
  enum class Kind : uint8_t { kRow = 1, kDocument = 2 };
  Bytes associated_data(Kind kind, ByteView name) const;
  Result<Bytes> encrypt(Kind kind, ByteView name, ByteView plaintext, env::Random& random) const;
  Result<Bytes> decrypt(Kind kind, ByteView name, ByteView ciphertext) const;

  storage::DatasetId dataset_;
  KeyId key_id_;
  crypto::AeadKey key_;
};

}  // namespace fluence::client
