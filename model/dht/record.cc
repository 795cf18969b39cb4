#include "model/dht/record.h"

#include "model/crypto/hash.h"

namespace fluence::dht {

NodeId Record::record_key(const crypto::PublicKey& publisher, ByteView name) {
  NodeId key;
  key.bytes = crypto::blake2b_256("fluence/record", {publisher.view(), name});
  return key;
}

Bytes Record::signed_bytes() const {
  codec::Writer writer;
  writer.string("fluence/record-signature");
  writer.fixed(publisher.bytes);
  writer.bytes(name);
  writer.bytes(value);
  writer.u64(sequence);
  return writer.finish();
}

bool Record::signature_valid() const {
  if (name.size() > kMaxRecordNameBytes || value.size() > kMaxRecordValueBytes) return false;
  return crypto::verify(publisher, signed_bytes(), signature);
}

Record Record::make(const crypto::SigningKey& key, ByteView name, ByteView value,
                    uint64_t sequence) {
  FL_ASSERT(name.size() <= kMaxRecordNameBytes);
  FL_ASSERT(value.size() <= kMaxRecordValueBytes);
  Record record;
  record.publisher = key.public_key();
  record.name.assign(name.begin(), name.end());
  record.value.assign(value.begin(), value.end());
  record.sequence = sequence;
  record.signature = key.sign(record.signed_bytes());
  return record;
}

void Record::encode(codec::Writer& writer) const {
  writer.fixed(publisher.bytes);
  writer.bytes(name);
  writer.bytes(value);
  writer.u64(sequence);
  writer.fixed(signature.bytes);
}

Record Record::decode(codec::Reader& reader) {
  Record record;
  record.publisher.bytes = reader.fixed<crypto::kPublicKeyBytes>("record.publisher");
  record.name = reader.bytes("record.name", kMaxRecordNameBytes);
  record.value = reader.bytes("record.value", kMaxRecordValueBytes);
  record.sequence = reader.u64("record.sequence");
  record.signature.bytes = reader.fixed<crypto::kSignatureBytes>("record.signature");
  return record;
}

}  // namespace fluence::dht
