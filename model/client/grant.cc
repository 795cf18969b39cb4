#include "model/client/grant.h"

#include <sodium.h>

#include <algorithm>

#include "model/crypto/aead.h"
#include "model/crypto/sodium.h"

namespace fluence::client {

namespace {

namespace pre = crypto::pre;

constexpr std::string_view kGrantKeyLabel = "fluence/client/v1/grant-key";
constexpr std::string_view kGrantSignatureLabel = "fluence/client/v1/grant";
// K seals one message only (see grant.h), so one nonce serves every grant.
constexpr crypto::AeadNonce kGrantNonce{};

// len(label) || label, as every label of the client is framed.
void write_label(codec::Writer& writer, std::string_view label) {
  FL_ASSERT(!label.empty() && label.size() < 256);
  writer.u8(static_cast<uint8_t>(label.size()));
  writer.raw(as_bytes(label));
}

// version || dataset id || path || delegator || capsule, after a label.
codec::Writer labelled_header(std::string_view label, const Grant& grant) {
  codec::Writer writer;
  write_label(writer, label);
  writer.u8(kGrantVersion);
  writer.fixed(grant.dataset);
  grant.path.encode(writer);
  writer.fixed(grant.delegator.bytes);
  grant.capsule.encode(writer);
  return writer;
}

Bytes associated_data(const Grant& grant) {
  return labelled_header(kGrantKeyLabel, grant).finish();
}

}  // namespace

Bytes Grant::signed_bytes() const {
  codec::Writer writer = labelled_header(kGrantSignatureLabel, *this);
  writer.fixed(sealed_key);
  return writer.finish();
}

void Grant::encode(codec::Writer& writer) const {
  writer.u8(kGrantVersion);
  writer.fixed(dataset);
  path.encode(writer);
  writer.fixed(delegator.bytes);
  capsule.encode(writer);
  writer.fixed(sealed_key);
  writer.fixed(signature.bytes);
}

Grant Grant::decode(codec::Reader& reader) {
  Grant grant;
  uint8_t version = reader.u8("grant.version");
  if (reader.ok() && version != kGrantVersion) {
    reader.fail("grant.version", "grant version " + std::to_string(version) +
                                     " is not the one this build reads (" +
                                     std::to_string(kGrantVersion) + ")");
  }
  grant.dataset = reader.fixed<storage::kDatasetIdBytes>("grant.dataset");
  grant.path = KeyPath::decode(reader);
  ByteView delegator = reader.raw("grant.delegator", pre::kPointBytes);
  if (reader.ok()) {
    Result<pre::Point> point = pre::point_from_bytes(delegator);
    if (point) {
      grant.delegator = *point;
    } else {
      reader.fail("grant.delegator", point.status().message());
    }
  }
  grant.capsule = pre::Capsule::decode(reader);
  grant.sealed_key = reader.fixed<kSealedNodeKeyBytes>("grant.sealed_key");
  grant.signature.bytes = reader.fixed<crypto::kSignatureBytes>("grant.signature");
  return grant;
}

crypto::Secret<32> delegation_seed(const DatasetKeys& keys, const KeyPath& path) {
  crypto::ensure_sodium();
  codec::Writer message;
  write_label(message, kTreeDelegationLabel);
  path.encode(message);
  const crypto::Secret<32>& key = keys.pre_seed();
  crypto::Secret<32> seed;
  int rc = crypto_generichash(seed.data(), seed.size(), message.data().data(), message.size(),
                              key.data(), key.size());
  FL_ASSERT(rc == 0);
  return seed;
}

pre::KeyPair delegation_key(const DatasetKeys& keys, const KeyPath& path) {
  return pre::KeyPair::from_seed(delegation_seed(keys, path));
}

Result<MadeGrant> make_grant(const DatasetKeys& keys, const KeyPath& path, env::Random& random) {
  pre::KeyPair delegation = delegation_key(keys, path);
  Result<pre::Encapsulation> encapsulation = pre::encapsulate(delegation.public_key(), random);
  if (!encapsulation) return encapsulation.status().with_context("make_grant");
  Grant grant;
  grant.dataset = keys.dataset();
  grant.path = path;
  grant.delegator = delegation.public_key();
  grant.capsule = encapsulation->capsule;
  NodeKey node = node_key(keys, path);
  Bytes sealed = crypto::aead_seal(encapsulation->key, kGrantNonce, associated_data(grant),
                                   node.secret().view());
  FL_ASSERT(sealed.size() == kSealedNodeKeyBytes);
  std::copy(sealed.begin(), sealed.end(), grant.sealed_key.begin());
  grant.signature = keys.owner().sign(grant.signed_bytes());
  return MadeGrant{std::move(grant), std::move(delegation)};
}

Result<NodeKey> open_grant(const Grant& grant, const crypto::PublicKey& owner,
                           const pre::SymmetricKey& key) {
  if (!crypto::verify(owner, grant.signed_bytes(), grant.signature)) {
    return Status::error(ErrorCode::kAuthentication, "grant of " + grant.path.to_string() +
                                                         " in dataset " + to_hex(grant.dataset) +
                                                         " is not signed by the dataset's owner " +
                                                         to_hex(owner.bytes));
  }
  Result<Bytes> secret =
      crypto::aead_open(key, kGrantNonce, associated_data(grant), grant.sealed_key);
  if (!secret) {
    return Status::error(ErrorCode::kAuthentication,
                         "grant of " + grant.path.to_string() +
                             " does not open: the key is not the one its capsule encapsulates");
  }
  FL_ASSERT(secret->size() == kNodeKeyBytes);
  NodeKey node(grant.dataset, grant.path,
               NodeSecret(std::span<const uint8_t, kNodeKeyBytes>(secret->data(), kNodeKeyBytes)));
  crypto::wipe(secret->data(), secret->size());
  return node;
}

Result<NodeKey> receive_grant(const Grant& grant, const crypto::PublicKey& owner,
                              const pre::KeyPair& receiver,
                              std::span<const pre::CapsuleFrag> cfrags) {
  if (cfrags.size() > pre::kMaxShares) {
    return Status::error(ErrorCode::kLimitExceeded,
                         "receive_grant: " + std::to_string(cfrags.size()) +
                             " cfrags, more than any delegation has");
  }
  std::vector<pre::VerifiedCapsuleFrag> verified;
  verified.reserve(cfrags.size());
  for (size_t i = 0; i < cfrags.size(); ++i) {
    Result<pre::VerifiedCapsuleFrag> checked =
        pre::verify_cfrag(cfrags[i], grant.capsule, grant.delegator, receiver.public_key(), owner);
    if (!checked) return checked.status().with_context("receive_grant: cfrag " + std::to_string(i));
    verified.push_back(std::move(*checked));
  }
  Result<pre::SymmetricKey> key =
      pre::decrypt_reencrypted(receiver, grant.delegator, grant.capsule, verified);
  if (!key) return key.status().with_context("receive_grant");
  return open_grant(grant, owner, *key);
}

}  // namespace fluence::client
