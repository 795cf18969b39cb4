#include "model/dht/contact.h"

namespace fluence::dht {

void Contact::encode(codec::Writer& writer) const {
  writer.fixed(id.bytes);
  writer.fixed(key.bytes);
  writer.u64(nonce);
  writer.string(address);
}

Contact Contact::decode(codec::Reader& reader) {
  Contact contact;
  contact.id.bytes = reader.fixed<kIdBytes>("contact.id");
  contact.key.bytes = reader.fixed<crypto::kPublicKeyBytes>("contact.key");
  contact.nonce = reader.u64("contact.nonce");
  contact.address = reader.string("contact.address", kMaxAddressBytes);
  return contact;
}

}  // namespace fluence::dht
