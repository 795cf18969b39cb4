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

namespace {
// The first group of at least `signatures` answers that say the same thing
// (`said`), among the answers of distinct members whose signatures check
// and that `relevant` keeps. The signature is checked before the signer is
// counted as heard: a forged answer in a member's name must not shut out
// the member's real one.
template <typename Answer, typename Said, typename Relevant>
Result<std::vector<const Answer*>> agreeing(const std::vector<Answer>& answers, size_t signatures,
                                            const std::vector<crypto::PublicKey>& members, Said said,
                                            Relevant relevant, const std::string& what) {
  if (signatures < 1) return Status::error(ErrorCode::kInvalidArgument, "signatures: at least 1");
  using Key = std::decay_t<decltype(said(answers.front()))>;
  std::map<Key, std::vector<const Answer*>> by_said;
  std::set<crypto::PublicKey> seen;
  for (const Answer& a : answers) {
    if (std::find(members.begin(), members.end(), a.signer) == members.end() || !relevant(a)) continue;
    if (seen.count(a.signer) != 0 || !a.signature_valid()) continue;
    seen.insert(a.signer);
    by_said[said(a)].push_back(&a);
  }
  size_t best = 0;
  for (auto& [key, list] : by_said) {
    best = std::max(best, list.size());
    if (list.size() < signatures) continue;
    list.resize(signatures);
    return list;
  }
  return Status::error(ErrorCode::kUnavailable, "only " + std::to_string(best) + " of the " +
                                                    std::to_string(signatures) + " members asked for agree on the " +
                                                    what);
}
}  // namespace

Result<ReadResult> agree(const std::vector<ReadAnswer>& answers, size_t signatures,
                         const std::vector<crypto::PublicKey>& members) {
  Result<std::vector<const ReadAnswer*>> group = agreeing(
      answers, signatures, members, [](const ReadAnswer& a) { return a.value; },
      [](const ReadAnswer&) { return true; }, "value");
  if (!group) return group.status();
  ReadResult result;
  result.value = group->front()->value;
  for (const ReadAnswer* a : *group) result.answers.push_back(*a);
  return result;
}

// A page holds at most max(max_bytes, one largest row) of keys and payloads
// (ore_scan.h); with each row's two length prefixes and the rest of the
// answer it fits one message.
static_assert(std::max<size_t>(storage::kMaxOreScanBytes, storage::kMaxRowKeyBytes + storage::kMaxRowValueBytes) +
                  storage::kMaxOreScanRows * 2 * 10 + storage::kMaxRowKeyBytes + 4096 <=
              env::kMaxMessageBytes);

crypto::Hash256 ore_scan_query_hash(const storage::OreScanQuery& query) {
  return crypto::blake2b_256("fluence/ore-scan-query", {codec::encode(query)});
}

crypto::Hash256 OreScanAnswer::page_hash() const {
  return crypto::blake2b_256("fluence/ore-scan-page", {codec::encode(page)});
}

Bytes OreScanAnswer::signed_bytes() const {
  codec::Writer writer;
  writer.string("fluence/ore-scan-answer");
  writer.fixed(dataset);
  writer.fixed(query_hash);
  writer.fixed(page_hash());
  writer.u64(sequence);
  writer.fixed(state_root);
  return writer.finish();
}

Result<OreScanAnswer> OreScanAnswer::make(const crypto::SigningKey& key, const storage::Dataset& dataset,
                                          const storage::OreScanQuery& query) {
  Result<storage::OreScanPage> page = storage::scan_ore(dataset, query);
  if (!page) return page.status();
  OreScanAnswer a;
  a.dataset = dataset.id();
  a.query_hash = ore_scan_query_hash(query);
  a.page = std::move(*page);
  a.sequence = dataset.applied_sequence();
  a.state_root = dataset.state_root();
  a.signer = key.public_key();
  a.signature = key.sign(a.signed_bytes());
  return a;
}

bool OreScanAnswer::signature_valid() const { return crypto::verify(signer, signed_bytes(), signature); }

void OreScanAnswer::encode(codec::Writer& writer) const {
  writer.fixed(dataset);
  writer.fixed(query_hash);
  page.encode(writer);
  writer.u64(sequence);
  writer.fixed(state_root);
  writer.fixed(signer.bytes);
  writer.fixed(signature.bytes);
}

OreScanAnswer OreScanAnswer::decode(codec::Reader& reader) {
  OreScanAnswer a;
  a.dataset = reader.fixed<storage::kDatasetIdBytes>("ore_answer.dataset");
  a.query_hash = reader.fixed<crypto::kHashBytes>("ore_answer.query_hash");
  a.page = storage::OreScanPage::decode(reader);
  a.sequence = reader.u64("ore_answer.sequence");
  a.state_root = reader.fixed<crypto::kHashBytes>("ore_answer.state_root");
  a.signer.bytes = reader.fixed<crypto::kPublicKeyBytes>("ore_answer.signer");
  a.signature.bytes = reader.fixed<crypto::kSignatureBytes>("ore_answer.signature");
  return a;
}

Result<OreScanResult> agree(const std::vector<OreScanAnswer>& answers, const storage::DatasetId& dataset,
                            const storage::OreScanQuery& query, size_t signatures,
                            const std::vector<crypto::PublicKey>& members) {
  const crypto::Hash256 query_hash = ore_scan_query_hash(query);
  Result<std::vector<const OreScanAnswer*>> group = agreeing(
      answers, signatures, members, [](const OreScanAnswer& a) { return a.page_hash(); },
      [&](const OreScanAnswer& a) { return a.dataset == dataset && a.query_hash == query_hash; }, "page");
  if (!group) return group.status();
  OreScanResult result;
  result.page = group->front()->page;
  for (const OreScanAnswer* a : *group) result.answers.push_back(*a);
  return result;
}

}  // namespace fluence::cluster
