#include "model/chain/transaction.h"

#include "model/chain/vote.h"
#include "model/crypto/hash.h"

namespace fluence::chain {

void WriteDigest::encode(codec::Writer& writer) const {
  writer.u64(sequence);
  writer.fixed(entry_hash);
}

WriteDigest WriteDigest::decode(codec::Reader& reader) {
  WriteDigest d;
  d.sequence = reader.u64("write_digest.sequence");
  d.entry_hash = reader.fixed<crypto::kHashBytes>("write_digest.entry_hash");
  return d;
}

bool Equivocation::proves_equivocation() const {
  return first != second && crypto::verify(signer, vote_message(height, first), first_signature) &&
         crypto::verify(signer, vote_message(height, second), second_signature);
}

void Equivocation::encode(codec::Writer& writer) const {
  writer.fixed(signer.bytes);
  writer.u64(height);
  writer.fixed(first);
  writer.fixed(first_signature.bytes);
  writer.fixed(second);
  writer.fixed(second_signature.bytes);
}

Equivocation Equivocation::decode(codec::Reader& reader) {
  Equivocation e;
  e.signer.bytes = reader.fixed<crypto::kPublicKeyBytes>("equivocation.signer");
  e.height = reader.u64("equivocation.height");
  e.first = reader.fixed<crypto::kHashBytes>("equivocation.first");
  e.first_signature.bytes = reader.fixed<crypto::kSignatureBytes>("equivocation.first_signature");
  e.second = reader.fixed<crypto::kHashBytes>("equivocation.second");
  e.second_signature.bytes = reader.fixed<crypto::kSignatureBytes>("equivocation.second_signature");
  return e;
}

bool VoteEquivocation::proves_equivocation() const {
  return first.voter == second.voter && first.type == second.type && first.height == second.height &&
         first.round == second.round && first.value != second.value && first.signature_valid() &&
         second.signature_valid();
}

void VoteEquivocation::encode(codec::Writer& writer) const {
  first.encode(writer);
  second.encode(writer);
}

VoteEquivocation VoteEquivocation::decode(codec::Reader& reader) {
  VoteEquivocation e;
  e.first = consensus::Vote::decode(reader);
  e.second = consensus::Vote::decode(reader);
  return e;
}

EjectionVote EjectionVote::make(const crypto::SigningKey& arbiter, const storage::DatasetId& dataset,
                                const crypto::PublicKey& ejected, const crypto::PublicKey& replacement, Reason reason) {
  EjectionVote v;
  v.dataset = dataset;
  v.ejected = ejected;
  v.replacement = replacement;
  v.reason = reason;
  v.arbiter = arbiter.public_key();
  v.signature = arbiter.sign(v.signed_bytes());
  return v;
}

Bytes EjectionVote::signed_bytes() const {
  codec::Writer writer;
  writer.string("fluence/ejection-vote");
  writer.fixed(dataset);
  writer.fixed(ejected.bytes);
  writer.fixed(replacement.bytes);
  writer.u8(static_cast<uint8_t>(reason));
  return writer.finish();
}

bool EjectionVote::signature_valid() const { return crypto::verify(arbiter, signed_bytes(), signature); }

void EjectionVote::encode(codec::Writer& writer) const {
  writer.fixed(dataset);
  writer.fixed(ejected.bytes);
  writer.fixed(replacement.bytes);
  writer.u8(static_cast<uint8_t>(reason));
  writer.fixed(arbiter.bytes);
  writer.fixed(signature.bytes);
}

EjectionVote EjectionVote::decode(codec::Reader& reader) {
  EjectionVote v;
  v.dataset = reader.fixed<storage::kDatasetIdBytes>("ejection.dataset");
  v.ejected.bytes = reader.fixed<crypto::kPublicKeyBytes>("ejection.ejected");
  v.replacement.bytes = reader.fixed<crypto::kPublicKeyBytes>("ejection.replacement");
  v.reason = static_cast<EjectionVote::Reason>(reader.tag("ejection.reason", static_cast<uint8_t>(EjectionVote::Reason::kLimit)));
  v.arbiter.bytes = reader.fixed<crypto::kPublicKeyBytes>("ejection.arbiter");
  v.signature.bytes = reader.fixed<crypto::kSignatureBytes>("ejection.signature");
  return v;
}

const char* reason_name(EjectionVote::Reason reason) {
  switch (reason) {
    case EjectionVote::Reason::kFailedProofs: return "failed proofs";
    case EjectionVote::Reason::kOffline: return "offline";
    case EjectionVote::Reason::kEquivocation: return "equivocation";
    case EjectionVote::Reason::kCaptured: return "captured cluster";
    case EjectionVote::Reason::kLimit: break;
  }
  return "unknown";
}

namespace {
enum class Tag : uint8_t {
  kWriteDigest = 0,
  kPorVerdict = 1,
  kEquivocation = 2,
  kEconomy = 3,
  kVoteEquivocation = 4,
  kEjectionVote = 5,
  kLimit
};
}

void Transaction::encode(codec::Writer& writer) const {
  writer.u8(static_cast<uint8_t>(body.index()));
  std::visit([&](const auto& b) { b.encode(writer); }, body);
}

Transaction Transaction::decode(codec::Reader& reader) {
  Transaction t;
  switch (static_cast<Tag>(reader.tag("transaction.kind", static_cast<uint8_t>(Tag::kLimit)))) {
    case Tag::kWriteDigest: t.body = WriteDigest::decode(reader); break;
    case Tag::kPorVerdict: t.body = por::PorVerdict::decode(reader); break;
    case Tag::kEquivocation: t.body = Equivocation::decode(reader); break;
    case Tag::kEconomy: t.body = economy::EconomyOp::decode(reader); break;
    case Tag::kVoteEquivocation: t.body = VoteEquivocation::decode(reader); break;
    case Tag::kEjectionVote: t.body = EjectionVote::decode(reader); break;
    case Tag::kLimit: break;
  }
  return t;
}

crypto::Hash256 Transaction::hash() const {
  return crypto::blake2b_256("fluence/transaction", {codec::encode(*this)});
}

}  // namespace fluence::chain
