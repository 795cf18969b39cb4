#include "model/dht/messages.h"

namespace fluence::dht {

void DhtMessage::encode(codec::Writer& writer) const {
  writer.u8(static_cast<uint8_t>(type));
  sender.encode(writer);
  switch (type) {
    case MessageType::kPing:
    case MessageType::kPong:
      break;
    case MessageType::kFindNode:
    case MessageType::kFindValue:
      writer.fixed(target.bytes);
      writer.u16(count);
      break;
    case MessageType::kNodes:
      FL_ASSERT(contacts.size() <= kMaxContactsPerMessage);
      writer.varint(contacts.size());
      for (const Contact& contact : contacts) contact.encode(writer);
      break;
    case MessageType::kValue:
      writer.boolean(record.has_value());
      if (record) {
        record->encode(writer);
      } else {
        FL_ASSERT(contacts.size() <= kMaxContactsPerMessage);
        writer.varint(contacts.size());
        for (const Contact& contact : contacts) contact.encode(writer);
      }
      break;
    case MessageType::kStore:
      FL_ASSERT(record.has_value());
      record->encode(writer);
      break;
    case MessageType::kStoreAck:
      writer.boolean(stored);
      break;
    case MessageType::kLimit:
      FL_ASSERT_MSG(false, "kLimit is not a message type");
  }
}

namespace {
// id + key + nonce + an address length byte
constexpr size_t kMinContactBytes = kIdBytes + crypto::kPublicKeyBytes + 8 + 1;

std::vector<Contact> decode_contacts(codec::Reader& reader) {
  size_t n = reader.count("dht.contacts", kMaxContactsPerMessage, kMinContactBytes);
  std::vector<Contact> contacts;
  contacts.reserve(n);
  for (size_t i = 0; i < n && reader.ok(); ++i) contacts.push_back(Contact::decode(reader));
  return contacts;
}
}  // namespace

DhtMessage DhtMessage::decode(codec::Reader& reader) {
  DhtMessage message;
  message.type = static_cast<MessageType>(
      reader.tag("dht.type", static_cast<uint8_t>(MessageType::kLimit)));
  message.sender = Contact::decode(reader);
  if (!reader.ok()) return message;
  switch (message.type) {
    case MessageType::kPing:
    case MessageType::kPong:
      break;
    case MessageType::kFindNode:
    case MessageType::kFindValue:
      message.target.bytes = reader.fixed<kIdBytes>("dht.target");
      message.count = reader.u16("dht.count");
      break;
    case MessageType::kNodes:
      message.contacts = decode_contacts(reader);
      break;
    case MessageType::kValue:
      if (reader.boolean("dht.has_record")) {
        message.record = Record::decode(reader);
      } else {
        message.contacts = decode_contacts(reader);
      }
      break;
    case MessageType::kStore:
      message.record = Record::decode(reader);
      break;
    case MessageType::kStoreAck:
      message.stored = reader.boolean("dht.stored");
      break;
    case MessageType::kLimit:
      break;  // rejected by tag() above
  }
  return message;
}

}  // namespace fluence::dht
