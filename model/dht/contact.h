// What one node knows of another: id, key, puzzle nonce and address.
#pragma once

#include "model/codec/codec.h"
#include "model/dht/node_id.h"
#include "model/env/env.h"

namespace fluence::dht {

inline constexpr size_t kMaxAddressBytes = 255;

struct Contact {
  NodeId id;
  crypto::PublicKey key;
  uint64_t nonce = 0;
  env::Address address;

  bool operator==(const Contact&) const = default;
  // The id follows from key and nonce and meets the puzzle.
  bool valid(int difficulty) const { return id_valid(id, key, nonce, difficulty); }

  void encode(codec::Writer& writer) const;
  static Contact decode(codec::Reader& reader);
};

}  // namespace fluence::dht
