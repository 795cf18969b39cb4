#include "model/cluster/read.h"

#include <algorithm>
#include <map>
#include <set>

namespace fluence::cluster {

namespace {
// Everything but the signature, as signed and as sent.
void encode_answer(codec::Writer& writer, const ReadAnswer& a) {
  writer.fixed(a.dataset);
  writer.bytes(a.row_key);
  writer.boolean(a.value.has_value());
  if (a.value) writer.bytes(*a.value);
  writer.u64(a.sequence);
  writer.fixed(a.state_root);
}
}  // namespace

Bytes ReadAnswer::signed_bytes() const {
  codec::Writer writer;
  writer.string("fluence/read-answer");
  encode_answer(writer, *this);
  return writer.finish();
}

ReadAnswer ReadAnswer::make(const crypto::SigningKey& key, const storage::Dataset& dataset, ByteView row_key) {
  ReadAnswer a;
  a.dataset = dataset.id();
  a.row_key.assign(row_key.begin(), row_key.end());
  Result<std::optional<Bytes>> row = dataset.get_row(row_key);
  if (row) a.value = std::move(*row);  // a store error reads as absent: it can only fail to agree
  a.sequence = dataset.applied_sequence();
  a.state_root = dataset.state_root();
  a.signer = key.public_key();
  a.signature = key.sign(a.signed_bytes());
  return a;
}

bool ReadAnswer::signature_valid() const { return crypto::verify(signer, signed_bytes(), signature); }

void ReadAnswer::encode(codec::Writer& writer) const {
  encode_answer(writer, *this);
  writer.fixed(signer.bytes);
  writer.fixed(signature.bytes);
}

ReadAnswer ReadAnswer::decode(codec::Reader& reader) {
  ReadAnswer a;
  a.dataset = reader.fixed<storage::kDatasetIdBytes>("read.dataset");
  a.row_key = reader.bytes("read.row_key", storage::kMaxRowKeyBytes);
  if (reader.boolean("read.found")) a.value = reader.bytes("read.value", storage::kMaxRowValueBytes);
  a.sequence = reader.u64("read.sequence");
  a.state_root = reader.fixed<crypto::kHashBytes>("read.state_root");
  a.signer.bytes = reader.fixed<crypto::kPublicKeyBytes>("read.signer");
  a.signature.bytes = reader.fixed<crypto::kSignatureBytes>("read.signature");
  return a;
}

Result<ReadResult> agree(const std::vector<ReadAnswer>& answers, size_t signatures,
                         const std::vector<crypto::PublicKey>& members) {
  std::map<std::optional<Bytes>, std::vector<const ReadAnswer*>> by_value;
  std::set<crypto::PublicKey> seen;
  for (const ReadAnswer& a : answers) {
    if (std::find(members.begin(), members.end(), a.signer) == members.end()) continue;
    if (!seen.insert(a.signer).second || !a.signature_valid()) continue;
    by_value[a.value].push_back(&a);
  }
  size_t best = 0;
  for (const auto& [value, list] : by_value) {
    best = std::max(best, list.size());
    if (list.size() < signatures) continue;
    ReadResult result;
    result.value = value;
    for (size_t i = 0; i < signatures; ++i) result.answers.push_back(*list[i]);
    return result;
  }
  return Status::error(ErrorCode::kUnavailable, "only " + std::to_string(best) + " of the " + std::to_string(signatures) +
                                                    " members asked for agree on the value");
}

}  // namespace fluence::cluster
