// Decoding untrusted DHT and envelope bytes: clear errors naming the field.
#include "model/dht/messages.h"

#include <gtest/gtest.h>

#include "model/dht/identity.h"
#include "model/rpc/rpc.h"

namespace fluence::dht {
namespace {

Contact sample_contact(uint64_t seed) {
  env::DeterministicRandom random(seed);
  Result<Identity> identity = Identity::generate(random, 2);
  return Contact{identity->id, identity->key.public_key(), identity->nonce, "n" + std::to_string(seed)};
}

TEST(DhtMessageTest, EveryTypeRoundTrips) {
  std::vector<DhtMessage> messages(8);
  for (int i = 0; i < 8; ++i) {
    messages[i].type = static_cast<MessageType>(i);
    messages[i].sender = sample_contact(i);
  }
  messages[2].target.bytes[0] = 7;
  messages[2].count = 20;
  messages[3].contacts = {sample_contact(10), sample_contact(11)};
  crypto::Secret<32> seed;
  messages[5].record = Record::make(crypto::SigningKey::from_seed(seed), as_bytes("k"), as_bytes("v"), 9);
  messages[6].record = messages[5].record;
  messages[7].stored = true;
  for (const DhtMessage& message : messages) {
    Bytes encoded = codec::encode(message);
    Result<DhtMessage> decoded = codec::decode<DhtMessage>(encoded);
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
    EXPECT_EQ(codec::encode(*decoded), encoded);
  }
}

TEST(DhtMessageTest, UnknownTypeIsNamed) {
  Bytes bytes = {static_cast<uint8_t>(MessageType::kLimit)};
  Result<DhtMessage> decoded = codec::decode<DhtMessage>(bytes);
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kMalformed);
  EXPECT_NE(decoded.status().message().find("dht.type"), std::string::npos);
}

TEST(DhtMessageTest, HostileContactCountIsRejectedBeforeAllocation) {
  DhtMessage message;
  message.type = MessageType::kNodes;
  message.sender = sample_contact(1);
  Bytes bytes = codec::encode(message);
  bytes.back() = 60;  // claims 60 contacts with no bytes behind them
  Result<DhtMessage> decoded = codec::decode<DhtMessage>(bytes);
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_NE(decoded.status().message().find("dht.contacts"), std::string::npos);
}

TEST(DhtMessageTest, TruncationNamesTheField) {
  DhtMessage message;
  message.type = MessageType::kFindNode;
  message.sender = sample_contact(2);
  Bytes bytes = codec::encode(message);
  bytes.resize(bytes.size() - 3);
  Result<DhtMessage> decoded = codec::decode<DhtMessage>(bytes);
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_NE(decoded.status().message().find("dht.target"), std::string::npos);
}

TEST(EnvelopeTest, RejectsUnknownProtocolAndBadNoteIds) {
  rpc::Envelope envelope{rpc::Protocol::kDht, rpc::Kind::kRequest, 5, {1, 2}};
  Bytes good = codec::encode(envelope);
  ASSERT_TRUE(codec::decode<rpc::Envelope>(good).is_ok());

  Bytes bad_protocol = good;
  bad_protocol[0] = 0x7f;
  Result<rpc::Envelope> decoded = codec::decode<rpc::Envelope>(bad_protocol);
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_NE(decoded.status().message().find("envelope.protocol"), std::string::npos);

  rpc::Envelope note{rpc::Protocol::kDht, rpc::Kind::kNotify, 5, {}};
  decoded = codec::decode<rpc::Envelope>(codec::encode(note));
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_NE(decoded.status().message().find("envelope.request_id"), std::string::npos);

  Bytes trailing = good;
  trailing.push_back(0);
  decoded = codec::decode<rpc::Envelope>(trailing);
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_NE(decoded.status().message().find("trailing"), std::string::npos);
}

}  // namespace
}  // namespace fluence::dht
