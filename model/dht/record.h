// Small signed records stored in the DHT (STORE / FIND_VALUE).
//
// A record lives at key = BLAKE2b("fluence/record", publisher || name), so
// only the publisher can write at its keys; the signature covers name, value
// and sequence, and a higher sequence replaces a lower one.
#pragma once

#include "model/codec/codec.h"
#include "model/crypto/sign.h"
#include "model/dht/identity.h"
#include "model/dht/node_id.h"

namespace fluence::dht {

inline constexpr size_t kMaxRecordNameBytes = 64;
inline constexpr size_t kMaxRecordValueBytes = 1024;

struct Record {
  crypto::PublicKey publisher;
  Bytes name;
  Bytes value;
  uint64_t sequence = 0;
  crypto::Signature signature;

  NodeId key() const { return record_key(publisher, name); }
  bool signature_valid() const;
  static NodeId record_key(const crypto::PublicKey& publisher, ByteView name);
  static Record make(const crypto::SigningKey& key, ByteView name, ByteView value,
                     uint64_t sequence);

  bool operator==(const Record&) const = default;
  void encode(codec::Writer& writer) const;
  static Record decode(codec::Reader& reader);

 private:
  Bytes signed_bytes() const;
};

}  // namespace fluence::dht
