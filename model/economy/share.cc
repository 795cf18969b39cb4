#include "model/economy/share.h"

#include <limits>
#include <set>

#include "model/economy/ops.h"
#include "model/economy/rewards.h"

namespace fluence::economy {

namespace {

Status invalid(const std::string& message) {
  return Status::error(ErrorCode::kInvalidArgument, "sharing contract: " + message);
}

void write_point(codec::Writer& writer, const pre::Point& point) { writer.fixed(point.bytes); }

pre::Point read_point(codec::Reader& reader, const char* field) {
  ByteView raw = reader.raw(field, pre::kPointBytes);
  if (!reader.ok()) return {};
  Result<pre::Point> point = pre::point_from_bytes(raw);
  if (!point) {
    reader.fail(field, point.status().message());
    return {};
  }
  return *point;
}

// Holder key, authorisation (161 bytes), sealed fragment: the least a
// fragment takes on the wire, for the list-length check.
constexpr size_t kFragmentBytes = crypto::kPublicKeyBytes + (kKeyFragBytes - pre::kScalarBytes) +
                                  kSealEphemeralBytes + kSealedKeyFragBoxBytes;

}  // namespace

// ---- Encoding ----------------------------------------------------------------------

void ShareFragment::encode(codec::Writer& writer) const {
  write_key(writer, holder);
  authorisation.encode(writer);
  sealed.encode(writer);
}

ShareFragment ShareFragment::decode(codec::Reader& reader) {
  ShareFragment f;
  f.holder = read_key(reader, "share_fragment.holder");
  f.authorisation = pre::ShareAuthorisation::decode(reader);
  f.sealed = SealedKeyFrag::decode(reader);
  return f;
}

void SharingContract::encode(codec::Writer& writer) const {
  write_key(writer, id);
  write_key(writer, storage_contract);
  write_key(writer, owner);
  write_key(writer, receiver);
  write_point(writer, delegator_key);
  write_point(writer, receiver_key);
  writer.u8(threshold);
  writer.u32(owner_markup_per_mille);
  writer.varint(fragments.size());
  for (const auto& f : fragments) f.encode(writer);
}

SharingContract SharingContract::decode(codec::Reader& reader) {
  SharingContract c;
  c.id = read_key(reader, "share.id");
  c.storage_contract = read_key(reader, "share.storage_contract");
  c.owner = read_key(reader, "share.owner");
  c.receiver = read_key(reader, "share.receiver");
  c.delegator_key = read_point(reader, "share.delegator_key");
  c.receiver_key = read_point(reader, "share.receiver_key");
  c.threshold = reader.u8("share.threshold");
  c.owner_markup_per_mille = reader.u32("share.owner_markup_per_mille");
  if (reader.ok() && c.owner_markup_per_mille > kMaxShareMarkupPerMille) {
    reader.fail("share.owner_markup_per_mille", "exceeds " + std::to_string(kMaxShareMarkupPerMille));
  }
  size_t n = reader.count("share.fragments", kMaxContractNodes, kFragmentBytes);
  c.fragments.reserve(n);
  for (size_t i = 0; i < n && reader.ok(); ++i) c.fragments.push_back(ShareFragment::decode(reader));
  return c;
}

// ---- Checks -------------------------------------------------------------------------

Status SharingContract::check() const {
  const size_t n = fragments.size();
  if (n == 0) return invalid("fragments: empty");
  if (n > kMaxContractNodes) {
    return invalid("fragments: " + std::to_string(n) + " exceeds " + std::to_string(kMaxContractNodes));
  }
  if (threshold == 0 || threshold > n) {
    return invalid("threshold: " + std::to_string(threshold) + " not in 1.." + std::to_string(n));
  }
  if (owner_markup_per_mille > kMaxShareMarkupPerMille) {
    return invalid("owner_markup_per_mille: exceeds " + std::to_string(kMaxShareMarkupPerMille));
  }
  if (receiver == owner) return invalid("receiver: same key as the owner");
  if (!pre::point_from_bytes(delegator_key.view())) return invalid("delegator_key: not a valid point");
  if (!pre::point_from_bytes(receiver_key.view())) return invalid("receiver_key: not a valid point");
  std::set<crypto::PublicKey> holders_seen;
  std::set<pre::KeyFragId> ids_seen;
  for (size_t i = 0; i < n; ++i) {
    const ShareFragment& f = fragments[i];
    const std::string where = "fragments[" + std::to_string(i) + "]";
    if (!holders_seen.insert(f.holder).second) {
      return invalid(where + ".holder: " + short_key(f.holder) + " appears twice");
    }
    const pre::ShareAuthorisation& a = f.authorisation;
    if (a.threshold != threshold) {
      return invalid(where + ".authorisation: threshold " + std::to_string(a.threshold) + ", contract says " +
                     std::to_string(threshold));
    }
    // One precursor: all shares come from one split, so any m interpolate.
    if (a.precursor != fragments[0].authorisation.precursor) {
      return invalid(where + ".authorisation: precursor differs from fragment 0's");
    }
    if (!ids_seen.insert(a.id).second) return invalid(where + ".authorisation: id appears twice");
    if (!a.signature_valid(delegator_key, receiver_key, owner)) {
      return Status::error(ErrorCode::kAuthentication,
                           "sharing contract: " + where + ".authorisation: owner's signature does not verify");
    }
  }
  return Status::ok();
}

const ShareFragment* SharingContract::fragment_of(const crypto::PublicKey& holder) const {
  for (const auto& f : fragments) {
    if (f.holder == holder) return &f;
  }
  return nullptr;
}

std::vector<crypto::PublicKey> SharingContract::holders() const {
  std::vector<crypto::PublicKey> keys;
  keys.reserve(fragments.size());
  for (const auto& f : fragments) keys.push_back(f.holder);
  return keys;
}

// ---- Fragments ----------------------------------------------------------------------

Bytes fragment_seal_context(const SharingContract& contract, const ShareFragment& fragment) {
  codec::Writer writer;
  writer.string("fluence/economy/share-fragment");
  write_key(writer, contract.id);
  write_key(writer, contract.storage_contract);
  write_key(writer, fragment.holder);
  fragment.authorisation.encode(writer);
  return writer.finish();
}

Result<SharingContract> make_sharing_contract(const crypto::SigningKey& owner, const pre::KeyPair& delegator,
                                              const ShareTerms& terms,
                                              const std::vector<crypto::PublicKey>& holders, env::Random& random) {
  if (holders.empty() || holders.size() > kMaxContractNodes) {
    return invalid("holders: " + std::to_string(holders.size()) + " not in 1.." + std::to_string(kMaxContractNodes));
  }
  SharingContract c;
  c.id = terms.id;
  c.storage_contract = terms.storage_contract;
  c.owner = owner.public_key();
  c.receiver = terms.receiver;
  c.delegator_key = delegator.public_key();
  c.receiver_key = terms.receiver_key;
  c.threshold = terms.threshold;
  c.owner_markup_per_mille = terms.owner_markup_per_mille;
  Result<std::vector<pre::KeyFrag>> kfrags =
      pre::generate_kfrags(delegator, terms.receiver_key, owner, terms.threshold, holders.size(), random);
  if (!kfrags) return kfrags.status().with_context("sharing contract");
  FL_ASSERT(kfrags->size() == holders.size());
  for (size_t i = 0; i < holders.size(); ++i) {
    ShareFragment f{holders[i], (*kfrags)[i].share, {}};
    Result<SealedKeyFrag> sealed = seal_keyfrag(holders[i], fragment_seal_context(c, f), (*kfrags)[i], random);
    if (!sealed) return sealed.status().with_context("sharing contract: holder " + short_key(holders[i]));
    f.sealed = *sealed;
    c.fragments.push_back(std::move(f));
  }
  FL_RETURN_IF_ERROR(c.check());  // duplicate holders, markup, receiver == owner
  return c;
}

Result<pre::KeyFrag> open_fragment(const SharingContract& contract, const crypto::SigningKey& node) {
  const ShareFragment* fragment = contract.fragment_of(node.public_key());
  if (fragment == nullptr) {
    return Status::error(ErrorCode::kNotFound, "sharing contract " + short_key(contract.id) + ": node " +
                                                   short_key(node.public_key()) + " holds no fragment");
  }
  Result<pre::KeyFrag> kfrag = open_keyfrag(node, fragment_seal_context(contract, *fragment), fragment->sealed);
  if (!kfrag) return kfrag.status();
  if (!(kfrag->share == fragment->authorisation)) {
    return Status::error(ErrorCode::kAuthentication,
                         "sharing contract: sealed fragment differs from its public authorisation");
  }
  FL_RETURN_IF_ERROR(
      pre::verify_kfrag(*kfrag, contract.delegator_key, contract.receiver_key, contract.owner)
          .with_context("sharing contract " + short_key(contract.id)));
  return kfrag;
}

// ---- Price --------------------------------------------------------------------------

Result<ShareReadCharge> share_read_charge(uint64_t gas_price, uint32_t owner_markup_per_mille, uint64_t bytes,
                                          uint64_t rows_touched, size_t node_count) {
  FL_ASSERT(node_count >= 1);
  FL_ASSERT(owner_markup_per_mille <= kMaxShareMarkupPerMille);
  constexpr unsigned __int128 kMax = std::numeric_limits<uint64_t>::max();
  const unsigned __int128 base =
      static_cast<unsigned __int128>(complexity_units(OperationKind::kRead, bytes, rows_touched)) * gas_price;
  // base < 2^98 and markup_per_mille < 2^20: no 128-bit overflow.
  const unsigned __int128 markup = base * owner_markup_per_mille / 1000;
  if (base + markup > kMax) {
    return Status::error(ErrorCode::kLimitExceeded, "the read's price overflows 64 bits");
  }
  ShareReadCharge charge;
  charge.base = static_cast<uint64_t>(base);
  charge.markup = static_cast<uint64_t>(markup);
  charge.total = charge.base + charge.markup;
  FL_ASSERT(charge.base == operation_price(OperationKind::kRead, bytes, rows_touched, gas_price));
  OperationSplit split = split_operation(charge.base, node_count);
  charge.per_node = split.share_per_node;
  charge.charged = split.charged + charge.markup;
  FL_ASSERT(charge.charged <= charge.total && charge.total - charge.charged < node_count);
  return charge;
}

const char* share_phase_name(SharePhase phase) {
  switch (phase) {
    case SharePhase::kActive: return "active";
    case SharePhase::kRevoked: return "revoked";
    case SharePhase::kEnded: return "ended with its storage contract";
  }
  return "unknown";
}

}  // namespace fluence::economy
