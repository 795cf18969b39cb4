#include "model/cluster/messages.h"

#include <set>

namespace fluence::cluster {

void BlockProposal::encode(codec::Writer& writer) const {
  header.encode(writer);
  writer.varint(transactions.size());
  for (const chain::Transaction& t : transactions) t.encode(writer);
  writer.varint(writes.size());
  for (const storage::JournalEntry& e : writes) e.encode(writer);
  FL_ASSERT(submissions.size() == writes.size());
  for (const crypto::Hash256& id : submissions) writer.fixed(id);
}

BlockProposal BlockProposal::decode(codec::Reader& reader) {
  BlockProposal p;
  p.header = chain::BlockHeader::decode(reader);
  size_t n = reader.count("proposal.transactions", chain::kMaxTransactionsPerBlock, 2);
  for (size_t i = 0; i < n && reader.ok(); ++i) p.transactions.push_back(chain::Transaction::decode(reader));
  size_t w = reader.count("proposal.writes", kMaxWritesPerBlock, 9);
  for (size_t i = 0; i < w && reader.ok(); ++i) p.writes.push_back(storage::JournalEntry::decode(reader));
  for (size_t i = 0; i < w && reader.ok(); ++i) p.submissions.push_back(reader.fixed<crypto::kHashBytes>("proposal.submission"));
  return p;
}

chain::WriteDigest write_digest(const storage::JournalEntry& entry) {
  return {entry.sequence, crypto::blake2b_256("fluence/journal-entry", {codec::encode(entry)})};
}

Status check_shape(const BlockProposal& proposal) {
  if (proposal.writes.size() > kMaxWritesPerBlock) return Status::error(ErrorCode::kLimitExceeded, "too many writes");
  if (proposal.submissions.size() != proposal.writes.size()) {
    return Status::error(ErrorCode::kInvalidArgument, "one submission id per write");
  }
  if (std::set<crypto::Hash256>(proposal.submissions.begin(), proposal.submissions.end()).size() !=
      proposal.submissions.size()) {
    return Status::error(ErrorCode::kInvalidArgument, "a write submitted twice");
  }
  if (proposal.transactions.size() < proposal.writes.size()) {
    return Status::error(ErrorCode::kInvalidArgument, "fewer transactions than write digests");
  }
  uint64_t expected = proposal.header.journal_sequence + 1;
  for (size_t i = 0; i < proposal.writes.size(); ++i) {
    const storage::JournalEntry& entry = proposal.writes[i];
    if (entry.sequence != expected + i) {
      return Status::error(ErrorCode::kInvalidArgument, "write " + std::to_string(i) + " does not continue the journal");
    }
    FL_RETURN_IF_ERROR(storage::validate(entry));
    const auto* digest = std::get_if<chain::WriteDigest>(&proposal.transactions[i].body);
    if (digest == nullptr || !(*digest == write_digest(entry))) {
      return Status::error(ErrorCode::kInvalidArgument, "transaction " + std::to_string(i) + " is not write " +
                                                            std::to_string(i) + "'s digest");
    }
  }
  for (size_t i = proposal.writes.size(); i < proposal.transactions.size(); ++i) {
    if (std::holds_alternative<chain::WriteDigest>(proposal.transactions[i].body)) {
      return Status::error(ErrorCode::kInvalidArgument, "a write digest without its write");
    }
  }
  if (proposal.header.transactions_root != chain::transactions_root(proposal.transactions)) {
    return Status::error(ErrorCode::kInvalidArgument, "transactions root does not match the transactions");
  }
  return Status::ok();
}

Bytes chain_store_key(char role, const storage::DatasetId& dataset, char kind, std::optional<uint64_t> height) {
  Bytes key;
  key.reserve(2 + dataset.size() + 8);
  key.push_back(static_cast<uint8_t>(role));
  key.insert(key.end(), dataset.begin(), dataset.end());
  key.push_back(static_cast<uint8_t>(kind));
  for (int shift = 56; height && shift >= 0; shift -= 8) key.push_back(static_cast<uint8_t>(*height >> shift));
  return key;
}

void JournalBatch::encode(codec::Writer& writer) const {
  writer.varint(entries.size());
  for (const storage::JournalEntry& e : entries) e.encode(writer);
}

JournalBatch JournalBatch::decode(codec::Reader& reader) {
  JournalBatch batch;
  size_t n = reader.count("journal_batch.entries", kMaxJournalBatchEntries, 9);
  for (size_t i = 0; i < n && reader.ok(); ++i) batch.entries.push_back(storage::JournalEntry::decode(reader));
  return batch;
}

namespace {
void encode_transactions(codec::Writer& writer, const std::vector<chain::Transaction>& list) {
  writer.varint(list.size());
  for (const chain::Transaction& t : list) t.encode(writer);
}
}  // namespace

void ClusterMessage::encode(codec::Writer& writer) const {
  writer.u8(static_cast<uint8_t>(type));
  writer.fixed(dataset);
  switch (type) {
    case Type::kSubmitWrite:
      writer.varint(mutations.size());
      for (const storage::Mutation& m : mutations) m.encode(writer);
      writer.fixed(submission);
      break;
    case Type::kSubmitTransaction:
      FL_ASSERT(transaction.has_value());
      transaction->encode(writer);
      break;
    case Type::kConsensus: writer.bytes(consensus); break;
    case Type::kNodeEndorsement:
    case Type::kArbiterEndorsement:
      FL_ASSERT(header.has_value() && endorsement.has_value());
      header->encode(writer);
      endorsement->encode(writer);
      encode_transactions(writer, transactions);
      break;
    case Type::kReadRequest: writer.bytes(row_key); break;
    case Type::kJournalRequest: writer.u64(sequence); break;
    case Type::kOreScanRequest:
      FL_ASSERT(ore_scan.has_value());
      ore_scan->encode(writer);
      break;
    case Type::kReencryptRequest:
      FL_ASSERT(capsule.has_value());
      writer.fixed(share.bytes);
      capsule->encode(writer);
      break;
    case Type::kSignContractRequest:
      FL_ASSERT(contract.has_value());
      contract->encode(writer);
      break;
    case Type::kCaptureVote:
      FL_ASSERT(capture_vote.has_value());
      capture_vote->encode(writer);
      break;
    case Type::kLimit: FL_ASSERT(false); break;
  }
}

ClusterMessage ClusterMessage::decode(codec::Reader& reader) {
  ClusterMessage m;
  m.type = static_cast<Type>(reader.tag("cluster.type", static_cast<uint8_t>(Type::kLimit)));
  m.dataset = reader.fixed<storage::kDatasetIdBytes>("cluster.dataset");
  switch (m.type) {
    case Type::kSubmitWrite: {
      size_t n = reader.count("cluster.mutations", storage::kMaxMutationsPerEntry, 2);
      for (size_t i = 0; i < n && reader.ok(); ++i) m.mutations.push_back(storage::Mutation::decode(reader));
      m.submission = reader.fixed<crypto::kHashBytes>("cluster.submission");
      break;
    }
    case Type::kSubmitTransaction: m.transaction = chain::Transaction::decode(reader); break;
    case Type::kConsensus: m.consensus = reader.bytes("cluster.consensus", env::kMaxMessageBytes); break;
    case Type::kNodeEndorsement:
    case Type::kArbiterEndorsement: {
      m.header = chain::BlockHeader::decode(reader);
      m.endorsement = chain::Endorsement::decode(reader);
      size_t n = reader.count("cluster.transactions", chain::kMaxTransactionsPerBlock, 2);
      for (size_t i = 0; i < n && reader.ok(); ++i) m.transactions.push_back(chain::Transaction::decode(reader));
      break;
    }
    case Type::kReadRequest: m.row_key = reader.bytes("cluster.row_key", storage::kMaxRowKeyBytes); break;
    case Type::kJournalRequest: m.sequence = reader.u64("cluster.sequence"); break;
    case Type::kOreScanRequest: m.ore_scan = storage::OreScanQuery::decode(reader); break;
    case Type::kReencryptRequest:
      m.share.bytes = reader.fixed<crypto::kPublicKeyBytes>("cluster.share");
      m.capsule = crypto::pre::Capsule::decode(reader);
      break;
    case Type::kSignContractRequest: m.contract = economy::StorageContract::decode(reader); break;
    case Type::kCaptureVote: m.capture_vote = CaptureVote::decode(reader); break;
    case Type::kLimit: break;
  }
  return m;
}

std::optional<storage::DatasetId> ClusterMessage::peek_dataset(ByteView body) {
  codec::Reader reader(body);
  reader.tag("cluster.type", static_cast<uint8_t>(Type::kLimit));
  storage::DatasetId id = reader.fixed<storage::kDatasetIdBytes>("cluster.dataset");
  if (!reader.ok()) return std::nullopt;
  return id;
}

}  // namespace fluence::cluster
