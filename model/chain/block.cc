#include "model/chain/block.h"

#include <algorithm>
#include <set>

#include "model/chain/vote.h"

namespace fluence::chain {

Bytes vote_message(uint64_t height, const crypto::Hash256& header_hash) {
  codec::Writer writer;
  writer.string("fluence/block-vote");
  writer.u64(height);
  writer.fixed(header_hash);
  return writer.finish();
}

void BlockHeader::encode(codec::Writer& writer) const {
  writer.fixed(dataset);
  writer.u64(height);
  writer.fixed(previous);
  writer.u64(tick);
  writer.u64(journal_sequence);
  writer.fixed(state_root);
  writer.u64(entry_count);
  writer.fixed(transactions_root);
}

BlockHeader BlockHeader::decode(codec::Reader& reader) {
  BlockHeader h;
  h.dataset = reader.fixed<storage::kDatasetIdBytes>("header.dataset");
  h.height = reader.u64("header.height");
  h.previous = reader.fixed<crypto::kHashBytes>("header.previous");
  h.tick = reader.u64("header.tick");
  h.journal_sequence = reader.u64("header.journal_sequence");
  h.state_root = reader.fixed<crypto::kHashBytes>("header.state_root");
  h.entry_count = reader.u64("header.entry_count");
  h.transactions_root = reader.fixed<crypto::kHashBytes>("header.transactions_root");
  return h;
}

crypto::Hash256 BlockHeader::hash() const { return crypto::blake2b_256("fluence/block-header", {codec::encode(*this)}); }

void Endorsement::encode(codec::Writer& writer) const {
  writer.fixed(signer.bytes);
  writer.fixed(signature.bytes);
}

Endorsement Endorsement::decode(codec::Reader& reader) {
  Endorsement e;
  e.signer.bytes = reader.fixed<crypto::kPublicKeyBytes>("endorsement.signer");
  e.signature.bytes = reader.fixed<crypto::kSignatureBytes>("endorsement.signature");
  return e;
}

namespace {
void encode_endorsements(codec::Writer& writer, const std::vector<Endorsement>& list) {
  writer.varint(list.size());
  for (const Endorsement& e : list) e.encode(writer);
}
std::vector<Endorsement> decode_endorsements(codec::Reader& reader, const char* field) {
  size_t n = reader.count(field, kMaxSigners, crypto::kPublicKeyBytes + crypto::kSignatureBytes);
  std::vector<Endorsement> list;
  for (size_t i = 0; i < n && reader.ok(); ++i) list.push_back(Endorsement::decode(reader));
  return list;
}
}  // namespace

void Block::encode(codec::Writer& writer) const {
  header.encode(writer);
  writer.varint(transactions.size());
  for (const Transaction& t : transactions) t.encode(writer);
  encode_endorsements(writer, node_signatures);
  encode_endorsements(writer, arbiter_signatures);
  writer.varint(absent.size());
  for (const crypto::PublicKey& k : absent) writer.fixed(k.bytes);
}

Block Block::decode(codec::Reader& reader) {
  Block b;
  b.header = BlockHeader::decode(reader);
  size_t n = reader.count("block.transactions", kMaxTransactionsPerBlock, 2);
  for (size_t i = 0; i < n && reader.ok(); ++i) b.transactions.push_back(Transaction::decode(reader));
  b.node_signatures = decode_endorsements(reader, "block.node_signatures");
  b.arbiter_signatures = decode_endorsements(reader, "block.arbiter_signatures");
  size_t absent = reader.count("block.absent", kMaxSigners, crypto::kPublicKeyBytes);
  for (size_t i = 0; i < absent && reader.ok(); ++i) {
    b.absent.push_back(crypto::PublicKey{reader.fixed<crypto::kPublicKeyBytes>("block.absent")});
  }
  return b;
}

crypto::Hash256 transactions_root(const std::vector<Transaction>& transactions) {
  // A flat hash over the ordered transaction hashes: blocks are small, and a
  // transaction is proven by shipping the block.
  crypto::Blake2b hasher("fluence/transactions");
  for (const Transaction& t : transactions) hasher.update(t.hash());
  return hasher.finish();
}

Endorsement endorse(const crypto::SigningKey& key, const BlockHeader& header) {
  return {key.public_key(), key.sign(vote_message(header.height, header.hash()))};
}

uint64_t ChainRules::tick_at(env::Time now) const {
  if (now < genesis) return 0;
  return static_cast<uint64_t>((now - genesis) / tick_length);
}

namespace {

// Counts distinct valid signatures from `members`; the error names the first
// signature that is not acceptable.
Result<size_t> count_endorsements(const std::vector<Endorsement>& endorsements, const std::vector<crypto::PublicKey>& members,
                                  const Bytes& message, const char* what) {
  std::set<crypto::PublicKey> seen;
  for (const Endorsement& e : endorsements) {
    if (std::find(members.begin(), members.end(), e.signer) == members.end()) {
      return Status::error(ErrorCode::kAuthentication, std::string(what) + ": a signer is not a member");
    }
    if (!seen.insert(e.signer).second) {
      return Status::error(ErrorCode::kMalformed, std::string(what) + ": a member signed twice");
    }
    if (!crypto::verify(e.signer, message, e.signature)) {
      return Status::error(ErrorCode::kAuthentication, std::string(what) + ": a signature does not verify");
    }
  }
  return seen.size();
}

}  // namespace

Status validate_block(const Block& block, const BlockHeader* parent, const std::vector<crypto::PublicKey>& cluster,
                      const std::vector<crypto::PublicKey>& arbiters, const ChainRules& rules, env::Time now) {
  const BlockHeader& h = block.header;
  if (parent == nullptr) {
    if (h.height != 0 || h.previous != crypto::Hash256{}) {
      return Status::error(ErrorCode::kInvalidArgument, "genesis: height must be 0 and previous zero");
    }
  } else {
    if (h.dataset != parent->dataset) return Status::error(ErrorCode::kInvalidArgument, "dataset differs from the parent's");
    if (h.height != parent->height + 1) return Status::error(ErrorCode::kInvalidArgument, "height does not follow the parent");
    if (h.previous != parent->hash()) return Status::error(ErrorCode::kInvalidArgument, "previous is not the parent's hash");
    if (h.tick < parent->tick) return Status::error(ErrorCode::kInvalidArgument, "tick goes backwards");
    if (h.journal_sequence < parent->journal_sequence) {
      return Status::error(ErrorCode::kInvalidArgument, "journal sequence goes backwards");
    }
  }
  uint64_t latest = rules.latest_acceptable_tick(now);
  if (h.tick > latest) {
    return Status::error(ErrorCode::kInvalidArgument, "tick " + std::to_string(h.tick) +
                                                          " is ahead of this validator's clock (latest acceptable " +
                                                          std::to_string(latest) + ")");
  }
  if (block.transactions.size() > kMaxTransactionsPerBlock) {
    return Status::error(ErrorCode::kLimitExceeded, "too many transactions");
  }
  if (h.transactions_root != transactions_root(block.transactions)) {
    return Status::error(ErrorCode::kInvalidArgument, "transactions root does not match the transactions");
  }
  Bytes message = vote_message(h.height, h.hash());
  Result<size_t> nodes = count_endorsements(block.node_signatures, cluster, message, "node signatures");
  if (!nodes) return nodes.status();
  size_t f = cluster.empty() ? 0 : (cluster.size() - 1) / 3;
  if (*nodes < 2 * f + 1) {
    return Status::error(ErrorCode::kAuthentication, "node signatures: " + std::to_string(*nodes) + " of " +
                                                         std::to_string(cluster.size()) + ", need " + std::to_string(2 * f + 1));
  }
  // Everyone in the cluster either signed or is named absent.
  for (const crypto::PublicKey& member : cluster) {
    bool signed_it = std::any_of(block.node_signatures.begin(), block.node_signatures.end(),
                                 [&](const Endorsement& e) { return e.signer == member; });
    bool named = std::find(block.absent.begin(), block.absent.end(), member) != block.absent.end();
    if (signed_it == named) {
      return Status::error(ErrorCode::kInvalidArgument, "absent list must name exactly the members that did not sign");
    }
  }
  Result<size_t> arbiter_count = count_endorsements(block.arbiter_signatures, arbiters, message, "arbiter signatures");
  if (!arbiter_count) return arbiter_count.status();
  size_t quorum = rules.arbiter_quorum != 0 ? rules.arbiter_quorum : arbiters.size() / 2 + 1;
  if (*arbiter_count < quorum) {
    return Status::error(ErrorCode::kAuthentication, "arbiter signatures: " + std::to_string(*arbiter_count) +
                                                         ", need " + std::to_string(quorum));
  }
  for (const Transaction& t : block.transactions) {
    if (const auto* verdict = std::get_if<por::PorVerdict>(&t.body)) {
      if (!verdict->signature_valid()) return Status::error(ErrorCode::kAuthentication, "a PoR verdict's signature");
      if (std::find(arbiters.begin(), arbiters.end(), verdict->arbiter) == arbiters.end()) {
        return Status::error(ErrorCode::kAuthentication, "a PoR verdict from a non-arbiter");
      }
    } else if (const auto* evidence = std::get_if<Equivocation>(&t.body)) {
      if (!evidence->proves_equivocation()) return Status::error(ErrorCode::kInvalidArgument, "equivocation evidence does not prove it");
    } else if (const auto* votes = std::get_if<VoteEquivocation>(&t.body)) {
      if (!votes->proves_equivocation()) return Status::error(ErrorCode::kInvalidArgument, "vote equivocation evidence does not prove it");
      if (std::find(cluster.begin(), cluster.end(), votes->first.voter) == cluster.end()) {
        return Status::error(ErrorCode::kInvalidArgument, "vote equivocation evidence against a non-member");
      }
    } else if (const auto* vote = std::get_if<EjectionVote>(&t.body)) {
      if (!vote->signature_valid()) return Status::error(ErrorCode::kAuthentication, "an ejection vote's signature");
      if (std::find(arbiters.begin(), arbiters.end(), vote->arbiter) == arbiters.end()) {
        return Status::error(ErrorCode::kAuthentication, "an ejection vote from a non-arbiter");
      }
    }
  }
  return Status::ok();
}

}  // namespace fluence::chain
