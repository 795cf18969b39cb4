// The environment interface: everything a node may ask of the world.
//
// Protocol code in model/ sees the world only through this class. sim/
// implements it on SimGrid (simulated time, mailboxes, an in-memory store);
// runtime/ implements it on Boost.Asio and RocksDB. A node is single-threaded:
// the binding calls into it (its entry points and its timer callbacks) from
// one thread at a time, and the node calls Env only from inside those calls.
//
// Delivery is unreliable from the model's side: messages may be lost,
// duplicated, delayed and reordered, and every protocol copes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "model/base/bytes.h"
#include "model/crypto/sign.h"
#include "model/env/random.h"
#include "model/env/store.h"

namespace fluence::env {

using Duration = std::chrono::nanoseconds;
// A reading of this node's own clock: nanoseconds since the world's epoch
// (sim: the start of the run; runtime: the Unix epoch). Clocks of different
// nodes may disagree: the sim can skew or warp one node's clock.
using Time = std::chrono::nanoseconds;

// Where to send bytes: opaque to the model ("n42" in sim, "127.0.0.1:7001" in
// the runtime). Peers learn each other's addresses from messages.
using Address = std::string;

// The sender of an inbound message, as the binding vouches for it: the
// runtime's channel authenticated `key` in its handshake, and the sim knows
// which node sent what. `address` is where the sender listens.
struct Peer {
  Address address;
  crypto::PublicKey key;
};

// The largest message a node sends or accepts, in bytes; bindings reject
// anything larger before it reaches the model.
inline constexpr size_t kMaxMessageBytes = 1 << 20;

using TimerId = uint64_t;

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Work the sim charges simulated CPU time for; the runtime ignores it, since
// there the work really happens.
enum class Work {
  kSign,
  kVerify,
  kHashBytes,  // units are bytes hashed
};

class Env {
 public:
  virtual ~Env() = default;

  // clock
  virtual Time now() = 0;

  // timers: `callback` runs once, `delay` of this node's clock from now,
  // unless cancelled first. Cancelling a fired or unknown timer is a no-op.
  virtual TimerId schedule(Duration delay, std::function<void()> callback) = 0;
  virtual void cancel(TimerId timer) = 0;

  // transport: best effort, never blocks. Messages over kMaxMessageBytes are
  // a bug in the caller.
  virtual void send(const Address& to, Bytes message) = 0;
  virtual const Address& self_address() const = 0;

  virtual Random& random() = 0;
  virtual Store& store() = 0;

  virtual void log(LogLevel level, std::string_view message) = 0;
  virtual void charge(Work work, uint64_t units) = 0;
};

}  // namespace fluence::env
