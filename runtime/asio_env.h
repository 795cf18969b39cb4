// The environment of one node on real sockets (Boost.Asio) and RocksDB.
//
// Everything runs on one io_context thread: the node is single-threaded,
// and so is its binding. Each TCP connection runs crypto::SecureChannel;
// a channel error closes the connection, and messages queued on it are
// lost, which the protocols, written for an unreliable transport, survive.
#pragma once

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "model/env/env.h"
#include "runtime/os_random.h"

namespace fluence::runtime {

class AsioEnv final : public env::Env {
 public:
  using Receiver = std::function<void(const env::Peer&, ByteView)>;
  // The env keeps its own copy of the identity key: channels sign with it for
  // as long as connections live.
  AsioEnv(boost::asio::io_context& io, crypto::SigningKey identity, env::Address listen,
          std::unique_ptr<env::Store> store);
  ~AsioEnv() override;

  // Binds and starts accepting; the error names the address.
  Status listen();
  void set_receiver(Receiver receiver) { receiver_ = std::move(receiver); }
  void close_all();

  env::Time now() override;
  env::TimerId schedule(env::Duration delay, std::function<void()> callback) override;
  void cancel(env::TimerId timer) override;
  void send(const env::Address& to, Bytes message) override;
  const env::Address& self_address() const override { return listen_; }
  env::Random& random() override { return random_; }
  env::Store& store() override { return *store_; }
  void log(env::LogLevel level, std::string_view message) override;
  void charge(env::Work, uint64_t) override {}  // real work costs real time here

  uint64_t dropped_messages() const { return dropped_; }
  size_t connections() const { return connections_.size(); }

 private:
  class Connection;
  friend class Connection;
  void accept_next();
  void on_established(const std::shared_ptr<Connection>& connection);
  void on_closed(const std::shared_ptr<Connection>& connection);
  void deliver(const env::Peer& from, ByteView message);
  // A peer that is down is dialled again with every message: warn about it
  // once a minute, not each time.
  bool warn_about(const env::Address& peer);

  boost::asio::io_context& io_;
  crypto::SigningKey identity_;
  env::Address listen_;
  std::unique_ptr<env::Store> store_;
  OsRandom random_;
  Receiver receiver_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::set<std::shared_ptr<Connection>> connections_;
  std::map<env::Address, std::shared_ptr<Connection>> by_address_;  // where send() goes
  struct Timer;
  std::map<env::TimerId, std::unique_ptr<Timer>> timers_;
  env::TimerId next_timer_ = 1;
  uint64_t dropped_ = 0;
  std::map<env::Address, std::chrono::steady_clock::time_point> last_warning_;
};

}  // namespace fluence::runtime
