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

namespace {
enum class Tag : uint8_t { kWriteDigest = 0, kPorVerdict = 1, kEquivocation = 2, kEconomy = 3, kVoteEquivocation = 4, kLimit };
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
    case Tag::kLimit: break;
  }
  return t;
}

crypto::Hash256 Transaction::hash() const {
  return crypto::blake2b_256("fluence/transaction", {codec::encode(*this)});
}

}  // namespace fluence::chain
