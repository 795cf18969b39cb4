#include "model/por/por.h"

#include <algorithm>
#include <map>

#include "model/crypto/hash.h"

namespace fluence::por {

namespace {

uint64_t first_u64(ByteView bytes) {
  uint64_t x = 0;
  for (int i = 0; i < 8; ++i) x = x << 8 | bytes[i];
  return x;
}

Bytes u64_bytes(uint64_t value) {
  Bytes out(8);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(value >> (56 - 8 * i));
  return out;
}

// Uniform in [0, bound) from a hash; the bias of 2^-64 * bound is negligible.
uint64_t reduce(uint64_t x, uint64_t bound) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(x) * bound) >> 64);
}

}  // namespace

crypto::Hash256 salted_hash(const crypto::Hash256& salt, uint64_t index, ByteView value) {
  return crypto::blake2b_256("fluence/por-salted", {salt, u64_bytes(index), value});
}

Bytes PorChallenge::seed_message() const {
  codec::Writer writer;
  writer.string("fluence/por-challenge");
  writer.fixed(dataset);
  writer.u64(tick);
  writer.fixed(state_root);
  writer.u64(entry_count);
  writer.u16(chunks);
  writer.u16(openings);
  return writer.finish();
}

PorChallenge PorChallenge::make(const crypto::SigningKey& arbiter, const storage::DatasetId& dataset,
                                uint64_t tick, const crypto::Hash256& state_root, uint64_t entry_count,
                                uint16_t chunks, uint16_t openings) {
  FL_ASSERT(openings <= chunks && chunks <= kMaxChallengedChunks && openings <= kMaxOpenings);
  PorChallenge c;
  c.dataset = dataset;
  c.tick = tick;
  c.state_root = state_root;
  c.entry_count = entry_count;
  c.chunks = entry_count == 0 ? 0 : chunks;
  c.openings = entry_count == 0 ? 0 : openings;
  c.arbiter = arbiter.public_key();
  c.seed = arbiter.sign(c.seed_message());
  return c;
}

Status PorChallenge::check() const {
  if (chunks > kMaxChallengedChunks || openings > kMaxOpenings || openings > chunks) {
    return Status::error(ErrorCode::kLimitExceeded, "challenge asks for " + std::to_string(chunks) +
                                                        " chunks and " + std::to_string(openings) + " openings");
  }
  if (entry_count == 0 && chunks != 0) {
    return Status::error(ErrorCode::kInvalidArgument, "challenge of an empty dataset names chunks");
  }
  if (!crypto::verify(arbiter, seed_message(), seed)) {
    return Status::error(ErrorCode::kAuthentication, "challenge seed is not the arbiter's signature");
  }
  return Status::ok();
}

crypto::Hash256 PorChallenge::salt() const { return crypto::blake2b_256("fluence/por-salt", {seed.view()}); }

std::vector<uint64_t> PorChallenge::indices() const {
  crypto::Hash256 s = salt();
  std::vector<uint64_t> out;
  out.reserve(chunks);
  // Eight indices from each BLAKE2b-512 block: every node of a cluster, and
  // its arbiter, derives them each tick.
  crypto::Hash512 block{};
  for (uint64_t j = 0; j < chunks; ++j) {
    if (j % 8 == 0) block = crypto::blake2b_512("fluence/por-index", {s, u64_bytes(j / 8)});
    out.push_back(reduce(first_u64(ByteView(block.data() + 8 * (j % 8), 8)), entry_count));
  }
  return out;
}

ChallengeDerivation PorChallenge::derive() const { return {digest(), salt(), indices()}; }

std::vector<uint16_t> PorChallenge::opened_positions(const crypto::PublicKey& node) const {
  // A partial Fisher-Yates shuffle of [0, chunks) driven by H(salt, node).
  crypto::Hash256 s = salt();
  std::vector<uint16_t> positions(chunks);
  for (uint16_t i = 0; i < chunks; ++i) positions[i] = i;
  for (uint16_t i = 0; i < openings; ++i) {
    uint64_t x = first_u64(crypto::blake2b_256("fluence/por-open", {s, node.view(), u64_bytes(i)}));
    uint16_t j = static_cast<uint16_t>(i + reduce(x, chunks - i));
    std::swap(positions[i], positions[j]);
  }
  positions.resize(openings);
  std::sort(positions.begin(), positions.end());
  return positions;
}

std::optional<storage::DatasetId> PorChallenge::peek_dataset(ByteView body) {
  codec::Reader reader(body);
  storage::DatasetId id = reader.fixed<storage::kDatasetIdBytes>("challenge.dataset");
  if (!reader.ok()) return std::nullopt;
  return id;
}

crypto::Hash256 PorChallenge::digest() const { return crypto::blake2b_256(codec::encode(*this)); }

void PorChallenge::encode(codec::Writer& writer) const {
  writer.fixed(dataset);
  writer.u64(tick);
  writer.fixed(state_root);
  writer.u64(entry_count);
  writer.u16(chunks);
  writer.u16(openings);
  writer.fixed(arbiter.bytes);
  writer.fixed(seed.bytes);
}

PorChallenge PorChallenge::decode(codec::Reader& reader) {
  PorChallenge c;
  c.dataset = reader.fixed<storage::kDatasetIdBytes>("challenge.dataset");
  c.tick = reader.u64("challenge.tick");
  c.state_root = reader.fixed<crypto::kHashBytes>("challenge.state_root");
  c.entry_count = reader.u64("challenge.entry_count");
  c.chunks = reader.u16("challenge.chunks");
  c.openings = reader.u16("challenge.openings");
  c.arbiter.bytes = reader.fixed<crypto::kPublicKeyBytes>("challenge.arbiter");
  c.seed.bytes = reader.fixed<crypto::kSignatureBytes>("challenge.seed");
  if (reader.ok() && (c.chunks > kMaxChallengedChunks || c.openings > c.chunks || c.openings > kMaxOpenings)) {
    reader.fail("challenge.chunks", "too many chunks or openings");
  }
  return c;
}

void PorOpening::encode(codec::Writer& writer) const {
  writer.u16(position);
  writer.bytes(value);
  proof.encode(writer);
}

PorOpening PorOpening::decode(codec::Reader& reader) {
  PorOpening o;
  o.position = reader.u16("opening.position");
  o.value = reader.bytes("opening.value", storage::kMaxRowValueBytes);
  o.proof = storage::MerkleProof::decode(reader);
  return o;
}

Bytes PorResponse::signed_bytes() const {
  codec::Writer writer;
  writer.string("fluence/por-response");
  writer.fixed(challenge_digest);
  writer.fixed(node_key.bytes);
  writer.varint(salted_hashes.size());
  for (const crypto::Hash256& h : salted_hashes) writer.fixed(h);
  writer.varint(openings.size());
  for (const PorOpening& o : openings) o.encode(writer);
  return writer.finish();
}

void PorResponse::encode(codec::Writer& writer) const {
  writer.fixed(challenge_digest);
  writer.fixed(node_key.bytes);
  writer.varint(salted_hashes.size());
  for (const crypto::Hash256& h : salted_hashes) writer.fixed(h);
  writer.varint(openings.size());
  for (const PorOpening& o : openings) o.encode(writer);
  writer.fixed(signature.bytes);
}

PorResponse PorResponse::decode(codec::Reader& reader) {
  PorResponse r;
  r.challenge_digest = reader.fixed<crypto::kHashBytes>("response.challenge_digest");
  r.node_key.bytes = reader.fixed<crypto::kPublicKeyBytes>("response.node_key");
  size_t hashes = reader.count("response.salted_hashes", kMaxChallengedChunks, crypto::kHashBytes);
  for (size_t i = 0; i < hashes && reader.ok(); ++i) {
    r.salted_hashes.push_back(reader.fixed<crypto::kHashBytes>("response.salted_hashes"));
  }
  size_t openings = reader.count("response.openings", kMaxOpenings, 2);
  for (size_t i = 0; i < openings && reader.ok(); ++i) r.openings.push_back(PorOpening::decode(reader));
  r.signature.bytes = reader.fixed<crypto::kSignatureBytes>("response.signature");
  return r;
}

storage::Dataset::Version challenged_version(const PorChallenge& challenge, const storage::Dataset& dataset) {
  std::optional<storage::Dataset::PinnedVersion> pinned = dataset.pinned();
  bool current = challenge.state_root == dataset.state_root() && challenge.entry_count == dataset.entry_count();
  if (!current && pinned && challenge.state_root == pinned->root && challenge.entry_count == pinned->entries) {
    return storage::Dataset::Version::kPinned;
  }
  return storage::Dataset::Version::kCurrent;
}

void PorFetch::encode(codec::Writer& writer) const {
  challenge.encode(writer);
  writer.fixed(for_node.bytes);
}

PorFetch PorFetch::decode(codec::Reader& reader) {
  PorFetch f;
  f.challenge = PorChallenge::decode(reader);
  f.for_node.bytes = reader.fixed<crypto::kPublicKeyBytes>("fetch.for_node");
  return f;
}

Proved prove(const PorChallenge& challenge, const storage::Dataset& dataset, const crypto::SigningKey& key) {
  Proved proved = prove_for(challenge, dataset, key.public_key());
  proved.response.signature = key.sign(proved.response.signed_bytes());
  return proved;
}

Proved prove_for(const PorChallenge& challenge, const storage::Dataset& dataset, const crypto::PublicKey& node) {
  Proved proved;
  PorResponse& r = proved.response;
  ChallengeDerivation derived = challenge.derive();
  r.challenge_digest = derived.digest;
  r.node_key = node;
  storage::Dataset::Version version = challenged_version(challenge, dataset);
  const crypto::Hash256& salt = derived.salt;
  const std::vector<uint64_t>& indices = derived.indices;
  std::vector<std::optional<Bytes>> values(indices.size());
  for (size_t j = 0; j < indices.size(); ++j) {
    Result<Bytes> value = indices[j] < dataset.entry_count(version)
                              ? dataset.entry_value(indices[j], version)
                              : Result<Bytes>(Status::error(ErrorCode::kNotFound, "out of range"));
    if (value) {
      r.salted_hashes.push_back(salted_hash(salt, indices[j], *value));
      values[j] = std::move(*value);
    } else {
      r.salted_hashes.push_back(crypto::Hash256{});
      ++proved.missing;
    }
  }
  for (uint16_t position : challenge.opened_positions(r.node_key)) {
    if (!values[position]) continue;
    r.openings.push_back({position, *values[position], dataset.open_entry(indices[position], version)});
  }
  return proved;
}

const char* fault_name(Fault fault) {
  switch (fault) {
    case Fault::kNone: return "none";
    case Fault::kLate: return "late";
    case Fault::kBadSignature: return "bad signature";
    case Fault::kWrongChallenge: return "wrong challenge";
    case Fault::kMalformed: return "malformed";
    case Fault::kBadOpening: return "bad opening";
    case Fault::kDisagrees: return "disagrees with replicas";
    case Fault::kLimit: break;
  }
  return "unknown";
}

Fault check_response(const PorChallenge& challenge, const PorResponse& response) {
  return check_response(challenge, challenge.derive(), response);
}

Fault check_response(const PorChallenge& challenge, const ChallengeDerivation& derived, const PorResponse& response) {
  if (response.challenge_digest != derived.digest) return Fault::kWrongChallenge;
  if (!crypto::verify(response.node_key, response.signed_bytes(), response.signature)) return Fault::kBadSignature;
  if (response.salted_hashes.size() != challenge.chunks) return Fault::kMalformed;
  std::vector<uint16_t> positions = challenge.opened_positions(response.node_key);
  if (response.openings.size() != positions.size()) return Fault::kBadOpening;
  const crypto::Hash256& salt = derived.salt;
  const std::vector<uint64_t>& indices = derived.indices;
  for (size_t i = 0; i < positions.size(); ++i) {
    const PorOpening& o = response.openings[i];
    if (o.position != positions[i]) return Fault::kBadOpening;
    uint64_t index = indices[o.position];
    if (storage::value_hash(o.value) != o.proof.value_hash) return Fault::kBadOpening;
    if (!storage::verify_proof(challenge.state_root, challenge.entry_count, index, o.proof)) return Fault::kBadOpening;
    if (salted_hash(salt, index, o.value) != response.salted_hashes[o.position]) return Fault::kBadOpening;
  }
  return Fault::kNone;
}

std::vector<bool> disagreements(const PorChallenge& challenge, const std::vector<PorResponse>& responses) {
  std::vector<bool> disagrees(responses.size(), false);
  for (size_t j = 0; j < challenge.chunks; ++j) {
    std::map<crypto::Hash256, size_t> votes;
    for (const PorResponse& r : responses) {
      if (j < r.salted_hashes.size()) ++votes[r.salted_hashes[j]];
    }
    const crypto::Hash256* majority = nullptr;
    for (const auto& [hash, count] : votes) {
      if (2 * count > responses.size()) majority = &hash;
    }
    for (size_t i = 0; i < responses.size(); ++i) {
      bool answered = j < responses[i].salted_hashes.size();
      if (majority == nullptr || !answered || responses[i].salted_hashes[j] != *majority) disagrees[i] = true;
    }
  }
  return disagrees;
}

Bytes PorVerdict::signed_bytes() const {
  codec::Writer writer;
  writer.string("fluence/por-verdict");
  writer.fixed(dataset);
  writer.u64(tick);
  writer.fixed(node.bytes);
  writer.u8(static_cast<uint8_t>(fault));
  return writer.finish();
}

PorVerdict PorVerdict::make(const crypto::SigningKey& arbiter, const PorChallenge& challenge,
                            const crypto::PublicKey& node, Fault fault) {
  PorVerdict v;
  v.dataset = challenge.dataset;
  v.tick = challenge.tick;
  v.node = node;
  v.fault = fault;
  v.arbiter = arbiter.public_key();
  v.signature = arbiter.sign(v.signed_bytes());
  return v;
}

bool PorVerdict::signature_valid() const { return crypto::verify(arbiter, signed_bytes(), signature); }

void PorVerdict::encode(codec::Writer& writer) const {
  writer.fixed(dataset);
  writer.u64(tick);
  writer.fixed(node.bytes);
  writer.u8(static_cast<uint8_t>(fault));
  writer.fixed(arbiter.bytes);
  writer.fixed(signature.bytes);
}

PorVerdict PorVerdict::decode(codec::Reader& reader) {
  PorVerdict v;
  v.dataset = reader.fixed<storage::kDatasetIdBytes>("verdict.dataset");
  v.tick = reader.u64("verdict.tick");
  v.node.bytes = reader.fixed<crypto::kPublicKeyBytes>("verdict.node");
  v.fault = static_cast<Fault>(reader.tag("verdict.fault", static_cast<uint8_t>(Fault::kLimit)));
  v.arbiter.bytes = reader.fixed<crypto::kPublicKeyBytes>("verdict.arbiter");
  v.signature.bytes = reader.fixed<crypto::kSignatureBytes>("verdict.signature");
  return v;
}

}  // namespace fluence::por
