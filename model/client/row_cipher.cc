#include "model/client/row_cipher.h"

#include <algorithm>

#include "model/codec/codec.h"

namespace fluence::client {

namespace {

struct Bounds {
  const char* name;  // what the name of the plaintext is, for errors
  const char* what;  // what the plaintext is, for errors
  size_t max_name_bytes;
  size_t max_plaintext_bytes;
};

constexpr Bounds kRowBounds{"row key", "row", storage::kMaxRowKeyBytes, kMaxRowPlaintextBytes};
constexpr Bounds kDocumentBounds{"document id", "document", kMaxDocumentIdBytes, kMaxDocumentBytes};

Status check_name(const Bounds& bounds, ByteView name) {
  if (name.empty() || name.size() > bounds.max_name_bytes) {
    return Status::error(ErrorCode::kInvalidArgument,
                         std::string(bounds.name) + " of " + std::to_string(name.size()) +
                             " bytes is outside 1.." + std::to_string(bounds.max_name_bytes));
  }
  return Status::ok();
}

}  // namespace

RowCipher::RowCipher(const storage::DatasetId& dataset, const KeyId& key_id, crypto::AeadKey key)
    : dataset_(dataset), key_id_(key_id), key_(std::move(key)) {}

RowCipher RowCipher::for_dataset(const DatasetKeys& keys) {
  return RowCipher(keys.dataset(), keys.row_key_id(), keys.row_key().clone());
}

Result<Bytes> RowCipher::encrypt_row(ByteView row_key, ByteView row, env::Random& random) const {
  return encrypt(Kind::kRow, row_key, row, random);
}

Result<Bytes> RowCipher::decrypt_row(ByteView row_key, ByteView ciphertext) const {
  return decrypt(Kind::kRow, row_key, ciphertext);
}

Result<Bytes> RowCipher::encrypt_document(ByteView document_id, ByteView document,
                                          env::Random& random) const {
  return encrypt(Kind::kDocument, document_id, document, random);
}

Result<Bytes> RowCipher::decrypt_document(ByteView document_id, ByteView ciphertext) const {
  return decrypt(Kind::kDocument, document_id, ciphertext);
}

Bytes RowCipher::associated_data(Kind kind, ByteView name) const {
  codec::Writer writer;
  writer.u8(kRowCipherVersion);
  writer.u8(static_cast<uint8_t>(kind));
  writer.fixed(dataset_);
  writer.fixed(key_id_);
  writer.bytes(name);
  return writer.finish();
}

Result<Bytes> RowCipher::encrypt(Kind kind, ByteView name, ByteView plaintext,
                                 env::Random& random) const {
  const Bounds& bounds = kind == Kind::kRow ? kRowBounds : kDocumentBounds;
  FL_RETURN_IF_ERROR(check_name(bounds, name));
  if (plaintext.size() > bounds.max_plaintext_bytes) {
    return Status::error(ErrorCode::kLimitExceeded,
                         std::string(bounds.what) + " of " + std::to_string(plaintext.size()) +
                             " bytes exceeds " + std::to_string(bounds.max_plaintext_bytes));
  }
  crypto::AeadNonce nonce;
  random.fill(nonce);
  Bytes sealed = crypto::aead_seal(key_, nonce, associated_data(kind, name), plaintext);
  Bytes out;
  out.reserve(kRowCipherOverheadBytes + plaintext.size());
  out.push_back(kRowCipherVersion);
  out.insert(out.end(), nonce.begin(), nonce.end());
  out.insert(out.end(), sealed.begin(), sealed.end());
  FL_ASSERT(out.size() == kRowCipherOverheadBytes + plaintext.size());
  return out;
}

Result<Bytes> RowCipher::decrypt(Kind kind, ByteView name, ByteView ciphertext) const {
  const Bounds& bounds = kind == Kind::kRow ? kRowBounds : kDocumentBounds;
  FL_RETURN_IF_ERROR(check_name(bounds, name));
  const std::string what = bounds.what;
  if (ciphertext.size() < kRowCipherOverheadBytes) {
    return Status::error(ErrorCode::kMalformed,
                         what + " ciphertext of " + std::to_string(ciphertext.size()) +
                             " bytes is shorter than its version, nonce and tag (" +
                             std::to_string(kRowCipherOverheadBytes) + ")");
  }
  if (ciphertext.size() > kRowCipherOverheadBytes + bounds.max_plaintext_bytes) {
    return Status::error(ErrorCode::kLimitExceeded, what + " ciphertext of " +
                                                        std::to_string(ciphertext.size()) +
                                                        " bytes is longer than any " + bounds.what);
  }
  if (ciphertext[0] != kRowCipherVersion) {
    return Status::error(ErrorCode::kMalformed, what + " ciphertext has version " +
                                                    std::to_string(ciphertext[0]) + ", not " +
                                                    std::to_string(kRowCipherVersion));
  }
  crypto::AeadNonce nonce;
  ByteView nonce_bytes = ciphertext.subspan(1, nonce.size());
  std::copy(nonce_bytes.begin(), nonce_bytes.end(), nonce.begin());
  Result<Bytes> plaintext = crypto::aead_open(key_, nonce, associated_data(kind, name),
                                              ciphertext.subspan(1 + nonce.size()));
  if (!plaintext) {
    return Status::error(ErrorCode::kAuthentication,
                         what + " ciphertext does not verify: altered, or made for another " +
                             bounds.name + ", dataset or key (key id " + to_hex(key_id_) + ")");
  }
  return plaintext;
}

}  // namespace fluence::client
