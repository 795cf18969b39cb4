#include "model/crypto/channel.h"

#include <gtest/gtest.h>

namespace fluence::crypto {
namespace {

SigningKey key(uint8_t n) {
  Secret<32> seed;
  seed.data()[0] = n;
  return SigningKey::from_seed(seed);
}

Secret<32> seed(uint8_t n) {
  Secret<32> s;
  s.data()[5] = n;
  return s;
}

constexpr size_t kMax = 1 << 16;

struct Pair {
  SigningKey a_key = key(1), b_key = key(2);
  SecureChannel a = SecureChannel::initiator(a_key, "10.0.0.1:7001", seed(1), kMax);
  SecureChannel b = SecureChannel::responder(b_key, "10.0.0.2:7002", seed(2), kMax);

  // Moves bytes both ways until quiet; returns the first error.
  Status pump() {
    for (int i = 0; i < 10; ++i) {
      Bytes ab = a.take_output(), ba = b.take_output();
      if (ab.empty() && ba.empty()) return Status::ok();
      if (Status s = b.receive(ab); !s.is_ok()) return s;
      if (Status s = a.receive(ba); !s.is_ok()) return s;
    }
    return Status::ok();
  }
};

TEST(ChannelTest, HandshakeAuthenticatesBothSidesAndCarriesMessages) {
  Pair p;
  ASSERT_TRUE(p.a.send(as_bytes("queued before the handshake")).is_ok());
  ASSERT_TRUE(p.pump().is_ok());
  ASSERT_TRUE(p.a.established());
  ASSERT_TRUE(p.b.established());
  EXPECT_EQ(p.a.peer_key(), p.b_key.public_key());
  EXPECT_EQ(p.b.peer_key(), p.a_key.public_key());
  EXPECT_EQ(p.a.peer_address(), "10.0.0.2:7002");
  EXPECT_EQ(p.b.peer_address(), "10.0.0.1:7001");
  std::optional<Bytes> first = p.b.next_message();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(std::string(first->begin(), first->end()), "queued before the handshake");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(p.b.send(Bytes(100 * i + 1, static_cast<uint8_t>(i))).is_ok());
  // Deliver in awkward chunks: one byte at a time.
  Bytes stream = p.b.take_output();
  for (uint8_t byte : stream) ASSERT_TRUE(p.a.receive(ByteView(&byte, 1)).is_ok());
  for (int i = 0; i < 5; ++i) {
    std::optional<Bytes> m = p.a.next_message();
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->size(), static_cast<size_t>(100 * i + 1));
  }
  EXPECT_FALSE(p.a.next_message().has_value());
}

// Establishes, then returns one sealed frame from a to b (with its prefix).
Bytes established_frame(Pair& p, std::string_view text) {
  EXPECT_TRUE(p.pump().is_ok());
  EXPECT_TRUE(p.a.send(as_bytes(text)).is_ok());
  return p.a.take_output();
}

TEST(ChannelTest, TamperedFrameIsRejected) {
  Pair p;
  Bytes frame = established_frame(p, "hello");
  frame.back() ^= 1;
  Status s = p.b.receive(frame);
  EXPECT_EQ(s.code(), ErrorCode::kAuthentication);
  EXPECT_FALSE(p.b.receive(established_frame(p, "later")).is_ok()) << "a broken channel stays broken";
}

TEST(ChannelTest, ReplayedAndReorderedFramesAreRejected) {
  Pair p;
  Bytes first = established_frame(p, "one");
  ASSERT_TRUE(p.b.receive(first).is_ok());
  EXPECT_EQ(p.b.receive(first).code(), ErrorCode::kAuthentication) << "replay";

  Pair q;
  established_frame(q, "one");  // frame 0, never delivered
  ASSERT_TRUE(q.a.send(as_bytes("two")).is_ok());
  EXPECT_EQ(q.b.receive(q.a.take_output()).code(), ErrorCode::kAuthentication) << "frame 1 before frame 0";
}

TEST(ChannelTest, TruncatedFrameIsRejected) {
  Pair p;
  Bytes frame = established_frame(p, "hello world");
  // Claim a shorter frame: the tag no longer verifies.
  Bytes truncated(frame.begin(), frame.end() - 3);
  truncated[3] = static_cast<uint8_t>(truncated[3] - 3);
  EXPECT_EQ(p.b.receive(truncated).code(), ErrorCode::kAuthentication);
}

TEST(ChannelTest, OversizeFramesAreRejectedBeforeBuffering) {
  Pair p;
  ASSERT_TRUE(p.pump().is_ok());
  Bytes huge_prefix = {0x7f, 0xff, 0xff, 0xff};
  Status s = p.b.receive(huge_prefix);
  EXPECT_EQ(s.code(), ErrorCode::kLimitExceeded);
  SigningKey k = key(3);
  SecureChannel fresh = SecureChannel::responder(k, "x", seed(3), kMax);
  EXPECT_EQ(fresh.receive(Bytes{0, 0, 8, 0}).code(), ErrorCode::kLimitExceeded) << "handshake frames are small";
  EXPECT_EQ(p.a.send(Bytes(kMax + 1)).code(), ErrorCode::kLimitExceeded);
}

TEST(ChannelTest, ForgedIdentityFailsTheHandshake) {
  // A man in the middle relays hello but answers with its own ephemeral
  // under the real responder's identity: it cannot sign that transcript.
  SigningKey a_key = key(1), b_key = key(2), m_key = key(9);
  SecureChannel a = SecureChannel::initiator(a_key, "a", seed(1), kMax);
  SecureChannel b = SecureChannel::responder(b_key, "b", seed(2), kMax);
  SecureChannel mitm = SecureChannel::responder(m_key, "b", seed(7), kMax);
  Bytes hello = a.take_output();
  ASSERT_TRUE(b.receive(hello).is_ok());
  ASSERT_TRUE(mitm.receive(hello).is_ok());
  Bytes real_accept = b.take_output();
  Bytes fake_accept = mitm.take_output();
  // Splice: the attacker's ephemeral with the real identity and signature.
  Bytes spliced = real_accept;
  std::copy(fake_accept.begin() + 4, fake_accept.begin() + 36, spliced.begin() + 4);
  Status s = a.receive(spliced);
  EXPECT_EQ(s.code(), ErrorCode::kAuthentication);
  EXPECT_NE(s.message().find("accept.signature"), std::string::npos);
  EXPECT_FALSE(a.established());
}

TEST(ChannelTest, GarbageHelloIsNamed) {
  SigningKey k = key(4);
  SecureChannel b = SecureChannel::responder(k, "b", seed(4), kMax);
  Status s = b.receive(Bytes{0, 0, 0, 3, 1, 2, 3});
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("hello.ephemeral"), std::string::npos) << s.message();
  SecureChannel c = SecureChannel::responder(k, "c", seed(5), kMax);
  Bytes wrong_version(37, 0);
  wrong_version[3] = 33;
  wrong_version[4] = 9;
  EXPECT_NE(c.receive(wrong_version).message().find("hello.version"), std::string::npos);
}

}  // namespace
}  // namespace fluence::crypto
