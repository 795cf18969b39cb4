#include "model/cluster/capture.h"

#include <algorithm>
#include <set>

#include "model/crypto/hash.h"

namespace fluence::cluster {

CaptureVote CaptureVote::make(const crypto::SigningKey& arbiter, const storage::DatasetId& dataset,
                              const chain::BlockHeader& last_signed) {
  CaptureVote v;
  v.dataset = dataset;
  v.height = last_signed.height;
  v.header_hash = last_signed.hash();
  v.arbiter = arbiter.public_key();
  v.signature = arbiter.sign(v.signed_bytes());
  return v;
}

Bytes CaptureVote::signed_bytes() const {
  codec::Writer writer;
  writer.string("fluence/capture-vote");
  writer.fixed(dataset);
  writer.u64(height);
  writer.fixed(header_hash);
  return writer.finish();
}

bool CaptureVote::signature_valid() const { return crypto::verify(arbiter, signed_bytes(), signature); }

void CaptureVote::encode(codec::Writer& writer) const {
  writer.fixed(dataset);
  writer.u64(height);
  writer.fixed(header_hash);
  writer.fixed(arbiter.bytes);
  writer.fixed(signature.bytes);
}

CaptureVote CaptureVote::decode(codec::Reader& reader) {
  CaptureVote v;
  v.dataset = reader.fixed<storage::kDatasetIdBytes>("capture_vote.dataset");
  v.height = reader.u64("capture_vote.height");
  v.header_hash = reader.fixed<crypto::kHashBytes>("capture_vote.header_hash");
  v.arbiter.bytes = reader.fixed<crypto::kPublicKeyBytes>("capture_vote.arbiter");
  v.signature.bytes = reader.fixed<crypto::kSignatureBytes>("capture_vote.signature");
  return v;
}

const crypto::Hash256& CaptureCertificate::header_hash() const {
  FL_ASSERT(!votes.empty());
  return votes.front().header_hash;
}

void CaptureCertificate::encode(codec::Writer& writer) const {
  writer.varint(votes.size());
  for (const CaptureVote& vote : votes) vote.encode(writer);
}

CaptureCertificate CaptureCertificate::decode(codec::Reader& reader) {
  CaptureCertificate c;
  size_t n = reader.count("capture_certificate.votes", chain::kMaxSigners,
                          storage::kDatasetIdBytes + 8 + crypto::kHashBytes + crypto::kPublicKeyBytes + crypto::kSignatureBytes);
  for (size_t i = 0; i < n && reader.ok(); ++i) c.votes.push_back(CaptureVote::decode(reader));
  return c;
}

Result<std::optional<CaptureCertificate>> read_certificate(env::Store& store, const Bytes& key) {
  Result<std::optional<Bytes>> stored = store.get(key);
  if (!stored) return stored.status();
  if (!stored->has_value()) return std::optional<CaptureCertificate>();
  Result<CaptureCertificate> certificate = codec::decode<CaptureCertificate>(**stored);
  if (!certificate) return certificate.status().with_context("stored capture certificate");
  return std::optional<CaptureCertificate>(std::move(*certificate));
}

Status verify_certificate(const CaptureCertificate& certificate, const storage::DatasetId& dataset,
                          const Roster& roster) {
  if (certificate.votes.empty()) return Status::error(ErrorCode::kInvalidArgument, "capture certificate: no votes");
  std::set<crypto::PublicKey> voters;
  for (const CaptureVote& vote : certificate.votes) {
    if (vote.dataset != dataset) {
      return Status::error(ErrorCode::kInvalidArgument, "capture certificate: a vote about another dataset");
    }
    if (vote.height != certificate.height() || vote.header_hash != certificate.header_hash()) {
      return Status::error(ErrorCode::kInvalidArgument, "capture certificate: votes about different blocks");
    }
    if (!roster.is_arbiter(vote.arbiter)) {
      return Status::error(ErrorCode::kInvalidArgument, "capture certificate: a vote by a node that is not an arbiter");
    }
    if (!voters.insert(vote.arbiter).second) {
      return Status::error(ErrorCode::kInvalidArgument, "capture certificate: two votes by one arbiter");
    }
    if (!vote.signature_valid()) return Status::error(ErrorCode::kInvalidArgument, "capture certificate: a bad signature");
  }
  if (voters.size() < roster.arbiter_quorum()) {
    return Status::error(ErrorCode::kInvalidArgument, "capture certificate: " + std::to_string(voters.size()) +
                                                          " votes, fewer than the arbiter quorum " +
                                                          std::to_string(roster.arbiter_quorum()));
  }
  return Status::ok();
}

std::optional<Roster> replacement_roster(const Roster& captured, const storage::DatasetId& dataset, uint64_t height) {
  if (captured.arbiters.size() <= captured.members.size()) return std::nullopt;
  codec::Writer at;
  at.u64(height);
  std::vector<std::pair<crypto::Hash256, size_t>> ranked;
  for (size_t i = 0; i < captured.arbiters.size(); ++i) {
    ranked.emplace_back(crypto::blake2b_256("fluence/capture-rank", {dataset, at.data(), captured.arbiters[i].key.bytes}), i);
  }
  std::sort(ranked.begin(), ranked.end());
  Roster next;
  next.arbiter_quorum_rule = captured.arbiter_quorum_rule;
  std::vector<bool> recruited(captured.arbiters.size(), false);
  for (size_t position = 0; position < captured.members.size(); ++position) {
    next.members.push_back(captured.arbiters[ranked[position].second]);
    recruited[ranked[position].second] = true;
  }
  for (size_t i = 0; i < captured.arbiters.size(); ++i) {
    if (!recruited[i]) next.arbiters.push_back(captured.arbiters[i]);
  }
  return next;
}

std::optional<CaptureCertificate> CaptureTally::add(const CaptureVote& vote, const storage::DatasetId& dataset,
                                                    const Roster& roster) {
  if (vote.dataset != dataset || !roster.is_arbiter(vote.arbiter)) return std::nullopt;
  auto known = latest_.find(vote.arbiter);
  if (known != latest_.end() && known->second == vote) {
    // Heard before: nothing new, but the certificate may stand already.
  } else {
    if (!vote.signature_valid()) return std::nullopt;
    latest_[vote.arbiter] = vote;
  }
  CaptureCertificate certificate;
  for (const auto& [arbiter, heard] : latest_) {
    if (heard.height == vote.height && heard.header_hash == vote.header_hash && roster.is_arbiter(arbiter)) {
      certificate.votes.push_back(heard);
    }
  }
  if (certificate.votes.size() < roster.arbiter_quorum()) return std::nullopt;
  return certificate;
}

}  // namespace fluence::cluster
