#include "model/economy/contract.h"

#include <algorithm>
#include <limits>
#include <set>

namespace fluence::economy {

namespace {

Status invalid(const std::string& message) {
  return Status::error(ErrorCode::kInvalidArgument, "contract: " + message);
}

void write_keys(codec::Writer& writer, const std::vector<crypto::PublicKey>& keys) {
  writer.varint(keys.size());
  for (const auto& key : keys) write_key(writer, key);
}

std::vector<crypto::PublicKey> read_keys(codec::Reader& reader, const char* field, size_t max_count) {
  size_t n = reader.count(field, max_count, crypto::kPublicKeyBytes);
  std::vector<crypto::PublicKey> keys;
  keys.reserve(n);
  for (size_t i = 0; i < n && reader.ok(); ++i) keys.push_back(read_key(reader, field));
  return keys;
}

}  // namespace

void write_key(codec::Writer& writer, const crypto::PublicKey& key) { writer.fixed(key.bytes); }

crypto::PublicKey read_key(codec::Reader& reader, const char* field) {
  crypto::PublicKey key;
  key.bytes = reader.fixed<crypto::kPublicKeyBytes>(field);
  return key;
}

std::string short_key(const crypto::PublicKey& key) { return to_hex(ByteView(key.bytes).first(4)); }

void NodeRequirements::encode(codec::Writer& writer) const {
  writer.u64(min_free_storage_bytes);
  writer.u16(min_uptime_per_mille);
}

NodeRequirements NodeRequirements::decode(codec::Reader& reader) {
  NodeRequirements r;
  r.min_free_storage_bytes = reader.u64("contract.requirements.min_free_storage_bytes");
  r.min_uptime_per_mille = reader.u16("contract.requirements.min_uptime_per_mille");
  if (reader.ok() && r.min_uptime_per_mille > kPerMilleMax) {
    reader.fail("contract.requirements.min_uptime_per_mille", "exceeds 1000");
  }
  return r;
}

void SlaTerms::encode(codec::Writer& writer) const {
  writer.u64(max_offline_ticks_per_period);
  writer.u32(max_failed_proofs);
}

SlaTerms SlaTerms::decode(codec::Reader& reader) {
  SlaTerms s;
  s.max_offline_ticks_per_period = reader.u64("contract.sla.max_offline_ticks_per_period");
  s.max_failed_proofs = reader.u32("contract.sla.max_failed_proofs");
  return s;
}

Status StorageContract::check() const {
  if (nodes.empty()) return invalid("nodes: empty");
  if (nodes.size() > kMaxContractNodes) {
    return invalid("nodes: " + std::to_string(nodes.size()) + " exceeds " + std::to_string(kMaxContractNodes));
  }
  if (arbiters.empty()) return invalid("arbiters: empty");
  if (arbiters.size() > kMaxContractArbiters) {
    return invalid("arbiters: " + std::to_string(arbiters.size()) + " exceeds " +
                   std::to_string(kMaxContractArbiters));
  }
  std::set<crypto::PublicKey> parties{client};
  for (const auto& node : nodes) {
    if (!parties.insert(node).second) return invalid("nodes: key " + short_key(node) + " appears twice");
  }
  for (const auto& arbiter : arbiters) {
    if (!parties.insert(arbiter).second) {
      return invalid("arbiters: key " + short_key(arbiter) + " appears twice");
    }
  }
  if (replication_factor == 0 || replication_factor > nodes.size()) {
    return invalid("replication_factor: " + std::to_string(replication_factor) + " not in 1.." +
                   std::to_string(nodes.size()));
  }
  if (requirements.min_uptime_per_mille > kPerMilleMax) {
    return invalid("requirements.min_uptime_per_mille: exceeds 1000");
  }
  if (allocation_bytes == 0 || allocation_bytes > kMaxAllocationBytes) {
    return invalid("allocation_bytes: " + std::to_string(allocation_bytes) + " not in 1.." +
                   std::to_string(kMaxAllocationBytes));
  }
  if (price_per_gb_month > kMaxPricePerGbMonth) {
    return invalid("price_per_gb_month: exceeds " + std::to_string(kMaxPricePerGbMonth));
  }
  if (period_ticks == 0 || period_ticks > kMaxPeriodTicks) {
    return invalid("period_ticks: " + std::to_string(period_ticks) + " not in 1.." +
                   std::to_string(kMaxPeriodTicks));
  }
  if (sla.max_failed_proofs == 0) return invalid("sla.max_failed_proofs: must be at least 1");
  // The bounds above keep price * allocation * ticks below 2^118; the full
  // period's cost for all nodes must also fit the ledger's 64-bit balances.
  unsigned __int128 period_cost = static_cast<unsigned __int128>(price_per_gb_month) * allocation_bytes *
                                  period_ticks / (kBytesPerGb * kTicksPerMonth) * nodes.size();
  if (period_cost > std::numeric_limits<uint64_t>::max()) {
    return invalid("price_per_gb_month: one period's cost for all nodes overflows 64 bits");
  }
  return Status::ok();
}

bool StorageContract::is_node(const crypto::PublicKey& key) const {
  return std::find(nodes.begin(), nodes.end(), key) != nodes.end();
}

bool StorageContract::is_arbiter(const crypto::PublicKey& key) const {
  return std::find(arbiters.begin(), arbiters.end(), key) != arbiters.end();
}

Bytes StorageContract::signed_bytes() const {
  codec::Writer writer;
  writer.string("fluence/storage-contract");
  encode(writer);
  return writer.finish();
}

crypto::Hash256 StorageContract::hash() const {
  return crypto::blake2b_256("fluence/storage-contract-hash", {codec::encode(*this)});
}

void StorageContract::encode(codec::Writer& writer) const {
  write_key(writer, id);
  write_key(writer, client);
  writer.u64(valid_until_tick);
  write_keys(writer, nodes);
  write_keys(writer, arbiters);
  writer.u32(replication_factor);
  requirements.encode(writer);
  writer.u64(allocation_bytes);
  writer.u32(max_response_time_ms);
  writer.u64(price_per_gb_month);
  writer.u64(gas_price);
  writer.u64(period_ticks);
  sla.encode(writer);
}

StorageContract StorageContract::decode(codec::Reader& reader) {
  StorageContract c;
  c.id = read_key(reader, "contract.id");
  c.client = read_key(reader, "contract.client");
  c.valid_until_tick = reader.u64("contract.valid_until_tick");
  c.nodes = read_keys(reader, "contract.nodes", kMaxContractNodes);
  c.arbiters = read_keys(reader, "contract.arbiters", kMaxContractArbiters);
  c.replication_factor = reader.u32("contract.replication_factor");
  c.requirements = NodeRequirements::decode(reader);
  c.allocation_bytes = reader.u64("contract.allocation_bytes");
  c.max_response_time_ms = reader.u32("contract.max_response_time_ms");
  c.price_per_gb_month = reader.u64("contract.price_per_gb_month");
  c.gas_price = reader.u64("contract.gas_price");
  c.period_ticks = reader.u64("contract.period_ticks");
  c.sla = SlaTerms::decode(reader);
  return c;
}

ContractSignature ContractSignature::make(const crypto::SigningKey& key, const StorageContract& contract) {
  return {key.public_key(), key.sign(contract.signed_bytes())};
}

void ContractSignature::encode(codec::Writer& writer) const {
  write_key(writer, signer);
  writer.fixed(signature.bytes);
}

ContractSignature ContractSignature::decode(codec::Reader& reader) {
  ContractSignature s;
  s.signer = read_key(reader, "contract_signature.signer");
  s.signature.bytes = reader.fixed<crypto::kSignatureBytes>("contract_signature.signature");
  return s;
}

Status SignedContract::check_fully_signed() const {
  FL_RETURN_IF_ERROR(contract.check());
  const Bytes message = contract.signed_bytes();
  std::set<crypto::PublicKey> signed_by;
  for (const auto& s : signatures) {
    const std::string who = short_key(s.signer);
    if (s.signer != contract.client && !contract.is_node(s.signer) && !contract.is_arbiter(s.signer)) {
      return Status::error(ErrorCode::kAuthentication, "contract signatures: outsider " + who + " signed");
    }
    if (!signed_by.insert(s.signer).second) {
      return Status::error(ErrorCode::kInvalidArgument, "contract signatures: " + who + " signed twice");
    }
    if (!crypto::verify(s.signer, message, s.signature)) {
      return Status::error(ErrorCode::kAuthentication, "contract signatures: signature by " + who + " does not verify");
    }
  }
  if (!signed_by.contains(contract.client)) {
    return Status::error(ErrorCode::kAuthentication, "contract signatures: client did not sign");
  }
  for (const auto& node : contract.nodes) {
    if (!signed_by.contains(node)) {
      return Status::error(ErrorCode::kAuthentication, "contract signatures: node " + short_key(node) + " did not sign");
    }
  }
  for (const auto& arbiter : contract.arbiters) {
    if (!signed_by.contains(arbiter)) {
      return Status::error(ErrorCode::kAuthentication,
                           "contract signatures: arbiter " + short_key(arbiter) + " did not sign");
    }
  }
  FL_ASSERT(signed_by.size() == signatures.size());
  return Status::ok();
}

void SignedContract::encode(codec::Writer& writer) const {
  contract.encode(writer);
  writer.varint(signatures.size());
  for (const auto& s : signatures) s.encode(writer);
}

SignedContract SignedContract::decode(codec::Reader& reader) {
  SignedContract c;
  c.contract = StorageContract::decode(reader);
  size_t n = reader.count("signed_contract.signatures", kMaxContractSignatures,
                          crypto::kPublicKeyBytes + crypto::kSignatureBytes);
  c.signatures.reserve(n);
  for (size_t i = 0; i < n && reader.ok(); ++i) c.signatures.push_back(ContractSignature::decode(reader));
  return c;
}

}  // namespace fluence::economy
