// The DHT's wire messages. Every message carries its sender's contact, which
// the receiver checks against the channel's authenticated key and the puzzle
// before it believes anything else in it.
#pragma once

#include <optional>
#include <vector>

#include "model/codec/codec.h"
#include "model/dht/contact.h"
#include "model/dht/record.h"

namespace fluence::dht {

enum class MessageType : uint8_t {
  kPing = 0,
  kPong,
  kFindNode,   // target, count
  kNodes,      // contacts
  kFindValue,  // target (a record key), count
  kValue,      // record, or contacts when the record is not held
  kStore,      // record
  kStoreAck,   // stored
  kLimit,
};

inline constexpr size_t kMaxContactsPerMessage = 64;

struct DhtMessage {
  MessageType type = MessageType::kPing;
  Contact sender;
  NodeId target;                  // kFindNode, kFindValue
  uint16_t count = 0;             // kFindNode, kFindValue
  std::vector<Contact> contacts;  // kNodes, kValue
  std::optional<Record> record;   // kValue, kStore
  bool stored = false;            // kStoreAck

  void encode(codec::Writer& writer) const;
  static DhtMessage decode(codec::Reader& reader);
};

}  // namespace fluence::dht
