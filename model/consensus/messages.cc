#include "model/consensus/messages.h"

namespace fluence::consensus {

crypto::Hash256 value_id(ByteView value) { return crypto::blake2b_256("fluence/consensus-value", {value}); }

Bytes Vote::signed_bytes() const {
  codec::Writer w;
  w.string("fluence/consensus-vote");
  w.u8(static_cast<uint8_t>(type));
  w.u64(height);
  w.u32(round);
  w.fixed(value);
  return w.finish();
}

Vote Vote::make(const crypto::SigningKey& key, VoteType type, uint64_t height, uint32_t round,
                const crypto::Hash256& value) {
  Vote v{type, height, round, value, key.public_key(), {}};
  v.signature = key.sign(v.signed_bytes());
  return v;
}

bool Vote::signature_valid() const { return crypto::verify(voter, signed_bytes(), signature); }

void Vote::encode(codec::Writer& w) const {
  w.u8(static_cast<uint8_t>(type));
  w.u64(height);
  w.u32(round);
  w.fixed(value);
  w.fixed(voter.bytes);
  w.fixed(signature.bytes);
}

Vote Vote::decode(codec::Reader& r) {
  Vote v;
  v.type = static_cast<VoteType>(r.tag("vote.type", static_cast<uint8_t>(VoteType::kLimit)));
  v.height = r.u64("vote.height");
  v.round = r.u32("vote.round");
  v.value = r.fixed<crypto::kHashBytes>("vote.value");
  v.voter.bytes = r.fixed<crypto::kPublicKeyBytes>("vote.voter");
  v.signature.bytes = r.fixed<crypto::kSignatureBytes>("vote.signature");
  return v;
}

Bytes Proposal::signed_bytes() const {
  codec::Writer w;
  w.string("fluence/consensus-proposal");
  w.u64(height);
  w.u32(round);
  w.u32(static_cast<uint32_t>(valid_round));
  w.fixed(value_id(value));
  return w.finish();
}

Proposal Proposal::make(const crypto::SigningKey& key, uint64_t height, uint32_t round, int32_t valid_round, Bytes value) {
  Proposal p{height, round, valid_round, std::move(value), key.public_key(), {}};
  p.signature = key.sign(p.signed_bytes());
  return p;
}

bool Proposal::signature_valid() const { return crypto::verify(proposer, signed_bytes(), signature); }

void Proposal::encode(codec::Writer& w) const {
  w.u64(height);
  w.u32(round);
  w.u32(static_cast<uint32_t>(valid_round));
  w.bytes(value);
  w.fixed(proposer.bytes);
  w.fixed(signature.bytes);
}

Proposal Proposal::decode(codec::Reader& r) {
  Proposal p;
  p.height = r.u64("proposal.height");
  p.round = r.u32("proposal.round");
  p.valid_round = static_cast<int32_t>(r.u32("proposal.valid_round"));
  if (r.ok() && p.valid_round < -1) r.fail("proposal.valid_round", "below -1");
  p.value = r.bytes("proposal.value", kMaxValueBytes);
  p.proposer.bytes = r.fixed<crypto::kPublicKeyBytes>("proposal.proposer");
  p.signature.bytes = r.fixed<crypto::kSignatureBytes>("proposal.signature");
  return p;
}

void Decision::encode(codec::Writer& w) const {
  w.u64(height);
  w.bytes(value);
  w.varint(certificate.size());
  for (const Vote& v : certificate) v.encode(w);
}

Decision Decision::decode(codec::Reader& r) {
  Decision d;
  d.height = r.u64("decision.height");
  d.value = r.bytes("decision.value", kMaxValueBytes);
  size_t n = r.count("decision.certificate", kMaxCertificateVotes, 1 + 8 + 4 + 32 + 32 + 64);
  for (size_t i = 0; i < n && r.ok(); ++i) d.certificate.push_back(Vote::decode(r));
  return d;
}

void ConsensusMessage::encode(codec::Writer& w) const {
  w.u8(static_cast<uint8_t>(type));
  switch (type) {
    case Type::kProposal: proposal->encode(w); break;
    case Type::kVote: vote->encode(w); break;
    case Type::kDecision: decision->encode(w); break;
    case Type::kSyncRequest: w.u64(sync_height); break;
    case Type::kLimit: FL_ASSERT(false);
  }
}

ConsensusMessage ConsensusMessage::decode(codec::Reader& r) {
  ConsensusMessage m;
  m.type = static_cast<Type>(r.tag("consensus.type", static_cast<uint8_t>(Type::kLimit)));
  switch (m.type) {
    case Type::kProposal: m.proposal = Proposal::decode(r); break;
    case Type::kVote: m.vote = Vote::decode(r); break;
    case Type::kDecision: m.decision = Decision::decode(r); break;
    case Type::kSyncRequest: m.sync_height = r.u64("consensus.sync_height"); break;
    case Type::kLimit: break;
  }
  return m;
}

}  // namespace fluence::consensus
