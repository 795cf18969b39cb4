#include "model/rpc/rpc.h"

#include <gtest/gtest.h>

#include "tests/model/support/test_world.h"

namespace fluence::rpc {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class RpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dht::DhtConfig config;
    config.puzzle_difficulty = 0;
    for (int i = 0; i < 3; ++i) world.add_node(config);
    // Node 1 echoes kConsensus requests reversed; node 2 never answers.
    world.node(1).rpc().set_handler(Protocol::kConsensus, [](const env::Peer&, Kind kind, ByteView body) {
      if (kind != Kind::kRequest) return std::optional<Bytes>();
      return std::optional<Bytes>(Bytes(body.rbegin(), body.rend()));
    });
    world.node(2).rpc().set_handler(Protocol::kConsensus, [](const env::Peer&, Kind, ByteView) { return std::optional<Bytes>(); });
  }
  testing::TestWorld world{3};
};

TEST_F(RpcTest, RequestGetsItsResponse) {
  std::optional<Result<Bytes>> got;
  env::Peer from;
  world.node(0).rpc().request("t1", Protocol::kConsensus, Bytes{1, 2, 3}, seconds(1), [&](Result<Bytes> r, const env::Peer& p) {
    got = std::move(r);
    from = p;
  });
  world.run_for(seconds(2));
  ASSERT_TRUE(got.has_value() && got->is_ok());
  EXPECT_EQ(**got, (Bytes{3, 2, 1}));
  EXPECT_EQ(from.address, "t1");
  EXPECT_EQ(world.node(0).rpc().pending_requests(), 0u);
}

TEST_F(RpcTest, SilenceTimesOutExactlyOnce) {
  int calls = 0;
  Status status;
  world.node(0).rpc().request("t2", Protocol::kConsensus, Bytes{1}, milliseconds(300), [&](Result<Bytes> r, const env::Peer&) {
    ++calls;
    status = r.status();
  });
  world.run_for(seconds(5));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(status.code(), ErrorCode::kTimeout);
}

// An Env that keeps what is sent and never fires timers: enough to see the
// request id on the wire and answer it by hand.
class CaptureEnv final : public env::Env {
 public:
  env::Time now() override { return env::Time(0); }
  env::TimerId schedule(env::Duration, std::function<void()>) override { return ++timers; }
  void cancel(env::TimerId) override {}
  void send(const env::Address& to, Bytes message) override { sent.emplace_back(to, std::move(message)); }
  const env::Address& self_address() const override { return self; }
  env::Random& random() override { return rng; }
  env::Store& store() override { return memory; }
  void log(env::LogLevel, std::string_view) override {}
  void charge(env::Work, uint64_t) override {}
  std::vector<std::pair<env::Address, Bytes>> sent;
  env::TimerId timers = 0;
  env::Address self = "me";
  env::DeterministicRandom rng{1};
  env::MemoryStore memory;
};

TEST(RpcAddressTest, OnlyTheAskedAddressCanAnswer) {
  CaptureEnv env;
  Rpc rpc(env);
  std::optional<Bytes> answer;
  rpc.request("alice", Protocol::kConsensus, Bytes{7}, seconds(1), [&](Result<Bytes> r, const env::Peer& from) {
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(from.address, "alice");
    answer = *r;
  });
  ASSERT_EQ(env.sent.size(), 1u);
  Result<Envelope> request = codec::decode<Envelope>(env.sent[0].second);
  ASSERT_TRUE(request.is_ok());
  Envelope response{Protocol::kConsensus, Kind::kResponse, request->request_id, Bytes{8}};
  rpc.on_message(env::Peer{"mallory", {}}, codec::encode(response));
  EXPECT_FALSE(answer.has_value()) << "a response with the right id from the wrong peer settled the request";
  EXPECT_EQ(rpc.pending_requests(), 1u);
  rpc.on_message(env::Peer{"alice", {}}, codec::encode(response));
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(*answer, Bytes{8});
  rpc.on_message(env::Peer{"alice", {}}, codec::encode(response));  // a duplicate: nothing pending
  EXPECT_EQ(rpc.pending_requests(), 0u);
}

TEST_F(RpcTest, InFlightRequestsAreBounded) {
  Rpc small(world.env(0), RpcLimits{2});
  int limited = 0;
  for (int i = 0; i < 3; ++i) {
    small.request("t2", Protocol::kConsensus, Bytes{1}, seconds(1), [&](Result<Bytes> r, const env::Peer&) {
      if (r.status().code() == ErrorCode::kLimitExceeded) ++limited;
    });
  }
  EXPECT_EQ(limited, 1) << "the third request fails at once";
  EXPECT_EQ(small.pending_requests(), 2u);
}

TEST_F(RpcTest, MalformedAndUnroutableMessagesAreCountedNotFatal) {
  env::Peer peer{"t1", world.node(1).identity().key.public_key()};
  uint64_t before = world.node(0).rpc().malformed_messages();
  world.node(0).on_message(peer, Bytes{0xff, 0xff});
  Envelope unknown{Protocol::kConsensus, Kind::kNotify, 0, Bytes{1}};  // node 0 has no kConsensus handler
  world.node(0).on_message(peer, codec::encode(unknown));
  EXPECT_EQ(world.node(0).rpc().malformed_messages(), before + 2);
}

TEST_F(RpcTest, ADeferredReplyReachesTheRequester) {
  std::optional<DeferredReply> token;
  world.node(2).rpc().replace_handler(Protocol::kConsensus, [&](const env::Peer&, Kind kind, ByteView) {
    if (kind == Kind::kRequest) token = world.node(2).rpc().defer();
    return std::optional<Bytes>();
  });
  std::optional<Result<Bytes>> got;
  world.node(0).rpc().request("t2", Protocol::kConsensus, Bytes{1}, seconds(1),
                              [&](Result<Bytes> r, const env::Peer&) { got = std::move(r); });
  world.run_for(milliseconds(200));
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->to, "t0");
  EXPECT_EQ(token->protocol, Protocol::kConsensus);
  EXPECT_FALSE(got.has_value()) << "nothing is sent until reply()";
  world.node(2).rpc().reply(*token, Bytes{9, 9});
  world.run_for(milliseconds(200));
  ASSERT_TRUE(got.has_value() && got->is_ok());
  EXPECT_EQ(**got, (Bytes{9, 9}));
  EXPECT_EQ(world.node(0).rpc().pending_requests(), 0u);
}

TEST_F(RpcTest, ADeferredReplyAfterTheTimeoutIsHarmless) {
  std::optional<DeferredReply> token;
  world.node(2).rpc().replace_handler(Protocol::kConsensus, [&](const env::Peer&, Kind kind, ByteView) {
    if (kind == Kind::kRequest) token = world.node(2).rpc().defer();
    return std::optional<Bytes>();
  });
  int calls = 0;
  Status status;
  world.node(0).rpc().request("t2", Protocol::kConsensus, Bytes{1}, milliseconds(100), [&](Result<Bytes> r, const env::Peer&) {
    ++calls;
    status = r.status();
  });
  world.run_for(seconds(1));
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(status.code(), ErrorCode::kTimeout);
  uint64_t malformed = world.node(0).rpc().malformed_messages();
  world.node(2).rpc().reply(*token, Bytes{9});
  world.node(2).rpc().reply(*token, Bytes{9});  // twice, even
  world.run_for(seconds(1));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(world.node(0).rpc().pending_requests(), 0u);
  EXPECT_EQ(world.node(0).rpc().malformed_messages(), malformed) << "a late reply is not malformed, only unwanted";
}

TEST(RpcDeathTest, DeferOutsideARequestHandlerIsABug) {
  CaptureEnv env;
  Rpc rpc(env);
  EXPECT_DEATH(rpc.defer(), "defer");
  // Nor from the handler of a note, which has nobody waiting.
  rpc.set_handler(Protocol::kConsensus, [&](const env::Peer&, Kind, ByteView) {
    rpc.defer();
    return std::optional<Bytes>();
  });
  Envelope note{Protocol::kConsensus, Kind::kNotify, 0, Bytes{1}};
  EXPECT_DEATH(rpc.on_message(env::Peer{"alice", {}}, codec::encode(note)), "defer");
}

TEST(RpcDeathTest, DeferringTwiceOrAlsoAnsweringIsABug) {
  CaptureEnv env;
  Rpc rpc(env);
  bool twice = true;
  rpc.set_handler(Protocol::kConsensus, [&](const env::Peer&, Kind, ByteView) {
    rpc.defer();
    if (twice) rpc.defer();
    return twice ? std::optional<Bytes>() : std::optional<Bytes>(Bytes{1});
  });
  Envelope request{Protocol::kConsensus, Kind::kRequest, 7, Bytes{1}};
  EXPECT_DEATH(rpc.on_message(env::Peer{"alice", {}}, codec::encode(request)), "twice");
  twice = false;
  EXPECT_DEATH(rpc.on_message(env::Peer{"alice", {}}, codec::encode(request)), "both deferred");
}

}  // namespace
}  // namespace fluence::rpc
