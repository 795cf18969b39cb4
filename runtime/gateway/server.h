// The gateway's TCP server: MongoDB's wire protocol on a local address,
// over a CommandEngine.
//
// Everything runs on one io_context thread, as the node binding does
// (runtime/asio_env.h): the engine and the store under it are called from
// that thread only. A connection reads one whole message (its length checked
// before anything is buffered), hands it to the engine, writes the reply and
// reads the next; drivers do not pipeline requests on a connection.
#pragma once

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <memory>
#include <set>
#include <string>

#include "runtime/gateway/commands.h"

namespace fluence::gateway {

class GatewayServer {
 public:
  // Past max_connections, new connections are closed at once: each may
  // buffer a message of up to maxMessageSizeBytes once its bytes arrive.
  GatewayServer(boost::asio::io_context& io, CommandEngine& engine, size_t max_connections = 128);
  ~GatewayServer();
  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

  // Binds and starts accepting; port 0 picks a free one (see port()). The
  // error names the address.
  Status listen(const std::string& host, uint16_t port);
  uint16_t port() const;
  // Stops accepting and closes every connection.
  void close();
  size_t connections() const { return connections_.size(); }

 private:
  class Connection;
  void accept_next();
  void on_closed(const std::shared_ptr<Connection>& connection);

  boost::asio::io_context& io_;
  CommandEngine& engine_;
  size_t max_connections_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::set<std::shared_ptr<Connection>> connections_;
  int64_t next_connection_id_ = 1;
};

struct GatewayOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 27017;
  size_t max_connections = 128;
  EngineOptions engine;  // now_ms is set to the system clock by run_gateway
  Sharing* sharing = nullptr;  // the fluence* commands' backend, if any
};

// Serves `store` until SIGINT or SIGTERM; the error says why it could not
// start. This is what the fluence-gateway executable runs once it has its
// encrypted backend.
Status run_gateway(DocumentStore& store, GatewayOptions options);

}  // namespace fluence::gateway
