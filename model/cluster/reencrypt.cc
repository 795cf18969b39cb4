#include "model/cluster/reencrypt.h"

#include <algorithm>
#include <set>

namespace fluence::cluster {

namespace pre = crypto::pre;
using economy::short_key;

crypto::Hash256 capsule_hash(const pre::Capsule& capsule) {
  return crypto::blake2b_256("fluence/pre-capsule", {codec::encode(capsule)});
}

namespace {
// Everything but the signer and signature, as signed and as sent.
void encode_answer(codec::Writer& writer, const ReencryptAnswer& a) {
  FL_ASSERT_MSG(!a.cfrag || a.refusal.empty(), "an answer either re-encrypts or refuses");
  writer.fixed(a.dataset);
  writer.fixed(a.share.bytes);
  writer.fixed(a.capsule_hash);
  writer.boolean(a.cfrag.has_value());
  if (a.cfrag) {
    a.cfrag->encode(writer);
  } else {
    writer.string(a.refusal);
  }
}
}  // namespace

Bytes ReencryptAnswer::signed_bytes() const {
  codec::Writer writer;
  writer.string("fluence/reencrypt-answer");
  encode_answer(writer, *this);
  return writer.finish();
}

ReencryptAnswer ReencryptAnswer::make(const crypto::SigningKey& key, const storage::DatasetId& dataset,
                                      const crypto::PublicKey& share, const pre::Capsule& capsule,
                                      const Result<pre::CapsuleFrag>& cfrag) {
  ReencryptAnswer a;
  a.dataset = dataset;
  a.share = share;
  a.capsule_hash = cluster::capsule_hash(capsule);
  if (cfrag) {
    a.cfrag = *cfrag;
  } else {
    a.refusal = cfrag.status().message().substr(0, kMaxRefusalBytes);
  }
  a.signer = key.public_key();
  a.signature = key.sign(a.signed_bytes());
  return a;
}

bool ReencryptAnswer::signature_valid() const { return crypto::verify(signer, signed_bytes(), signature); }

void ReencryptAnswer::encode(codec::Writer& writer) const {
  encode_answer(writer, *this);
  writer.fixed(signer.bytes);
  writer.fixed(signature.bytes);
}

ReencryptAnswer ReencryptAnswer::decode(codec::Reader& reader) {
  ReencryptAnswer a;
  a.dataset = reader.fixed<storage::kDatasetIdBytes>("reencrypt.dataset");
  a.share.bytes = reader.fixed<crypto::kPublicKeyBytes>("reencrypt.share");
  a.capsule_hash = reader.fixed<crypto::kHashBytes>("reencrypt.capsule_hash");
  if (reader.boolean("reencrypt.has_cfrag")) {
    a.cfrag = pre::CapsuleFrag::decode(reader);
  } else {
    a.refusal = reader.string("reencrypt.refusal", kMaxRefusalBytes);
  }
  a.signer.bytes = reader.fixed<crypto::kPublicKeyBytes>("reencrypt.signer");
  a.signature.bytes = reader.fixed<crypto::kSignatureBytes>("reencrypt.signature");
  return a;
}

FragmentTally tally_fragments(const std::vector<ReencryptAnswer>& answers, const storage::DatasetId& dataset,
                              const economy::SharingContract& share, const pre::Capsule& capsule) {
  FragmentTally tally;
  tally.threshold = share.threshold;
  tally.holders = share.fragments.size();
  const crypto::Hash256 expected_capsule = capsule_hash(capsule);
  std::set<crypto::PublicKey> heard;
  for (const ReencryptAnswer& a : answers) {
    if (a.dataset != dataset || a.share != share.id || a.capsule_hash != expected_capsule) continue;
    // The signature before the signer counts as heard: a forged answer in a
    // holder's name must not shut out the holder's real one.
    if (heard.count(a.signer) != 0 || !a.signature_valid()) continue;
    heard.insert(a.signer);
    const std::string who = "member " + short_key(a.signer);
    const economy::ShareFragment* fragment = share.fragment_of(a.signer);
    if (fragment == nullptr) {
      tally.not_counted.push_back(who + ": holds no fragment of the share");
      continue;
    }
    if (!a.cfrag) {
      tally.not_counted.push_back(who + " refused: " + a.refusal);
      continue;
    }
    // Its own fragment's authorisation, as the owner put it on the chain: a
    // holder cannot pass on another holder's CapsuleFrag as its own.
    if (!(a.cfrag->share == fragment->authorisation)) {
      tally.not_counted.push_back(who + ": fragment made with another holder's share");
      continue;
    }
    Result<pre::VerifiedCapsuleFrag> verified =
        pre::verify_cfrag(*a.cfrag, capsule, share.delegator_key, share.receiver_key, share.owner);
    if (!verified) {
      tally.not_counted.push_back(who + ": fragment does not verify: " + verified.status().message());
      continue;
    }
    tally.cfrags.push_back(std::move(*verified));
    tally.verified_from.push_back(a.signer);
  }
  FL_ASSERT(tally.cfrags.size() == tally.verified_from.size() && tally.cfrags.size() <= tally.holders);
  return tally;
}

Result<ReencryptResult> agree(const FragmentTally& tally) {
  if (tally.complete()) return ReencryptResult{tally.cfrags, tally.verified_from};
  std::string message = std::to_string(tally.cfrags.size()) + " of " + std::to_string(tally.threshold) +
                        " fragments verified, from " + std::to_string(tally.holders) + " holders";
  for (const std::string& line : tally.not_counted) message += "; " + line;
  return Status::error(ErrorCode::kUnavailable, message);
}

}  // namespace fluence::cluster
