// Requests, responses and one-way notes over the unreliable transport.
//
// Every message a node sends is an envelope: protocol, kind, request id, body.
// A request waits for its response until a timeout; a response counts only if
// it carries a pending request's id and comes from the address the request
// went to. Protocol modules register one handler each.
#pragma once

#include <functional>
#include <map>
#include <optional>

#include "model/codec/codec.h"
#include "model/env/env.h"

namespace fluence::rpc {

enum class Protocol : uint8_t {
  kDht = 1,
  kReplication,
  kPor,
  kConsensus,
  kCluster,  // a cluster chain: writes, its consensus, block endorsements
  kLimit,  // first unused value; decoders reject it and above
};

enum class Kind : uint8_t { kRequest = 0, kResponse = 1, kNotify = 2, kLimit };

struct Envelope {
  Protocol protocol = Protocol::kDht;
  Kind kind = Kind::kRequest;
  uint64_t request_id = 0;  // 0 for notes
  Bytes body;

  void encode(codec::Writer& writer) const;
  static Envelope decode(codec::Reader& reader);
};

// The reply token of a request whose handler answers later (Rpc::defer).
struct DeferredReply {
  env::Address to;  // the requester
  Protocol protocol = Protocol::kDht;
  uint64_t request_id = 0;
};

// Bounds that keep a flood of requests from growing memory without limit.
struct RpcLimits {
  size_t max_pending_requests = 4096;
};

class Rpc {
 public:
  // Returns the response body, or nullopt to send none (the requester times
  // out) or to answer later through defer(). Runs inside the node's single
  // thread.
  using Handler = std::function<std::optional<Bytes>(const env::Peer& from, Kind kind, ByteView body)>;
  // Called exactly once: with the response and its sender, or with an error
  // (kTimeout, kLimitExceeded).
  using ResponseCallback = std::function<void(Result<Bytes> body, const env::Peer& from)>;

  Rpc(env::Env& env, RpcLimits limits = {});
  ~Rpc();
  Rpc(const Rpc&) = delete;
  Rpc& operator=(const Rpc&) = delete;

  // One handler per protocol: registering a second is a bug...
  void set_handler(Protocol protocol, Handler handler);
  // ...unless it is meant to take the protocol over (a scenario or test
  // standing in for a node's role).
  void replace_handler(Protocol protocol, Handler handler);
  void request(const env::Address& to, Protocol protocol, Bytes body, env::Duration timeout,
               ResponseCallback callback);
  void notify(const env::Address& to, Protocol protocol, Bytes body);

  // Takes the reply token of the request being handled, for a handler that
  // answers after it returns (it then returns nullopt). Callable only from a
  // handler of a request, at most once per request: anything else is a bug.
  DeferredReply defer();
  // Sends the response a deferred request waits for. The requester ignores
  // it if it has timed out meanwhile, so late replies are harmless.
  void reply(const DeferredReply& token, Bytes body);

  // The node's inbound entry point for every message.
  void on_message(const env::Peer& from, ByteView bytes);

  size_t pending_requests() const { return pending_.size(); }
  uint64_t malformed_messages() const { return malformed_messages_; }

 private:
  struct Pending {
    env::Address to;
    env::TimerId timer;
    ResponseCallback callback;
  };
  void on_timeout(uint64_t request_id);

  env::Env& env_;
  RpcLimits limits_;
  std::map<Protocol, Handler> handlers_;
  std::map<uint64_t, Pending> pending_;
  uint64_t malformed_messages_ = 0;
  // Set while a request's handler runs; `taken` once defer() was called.
  struct Handling {
    DeferredReply token;
    bool taken = false;
  };
  std::optional<Handling> handling_;
};

}  // namespace fluence::rpc
