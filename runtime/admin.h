// A node's local control endpoint: one JSON request per line, one JSON
// response per line, for operators' tools and the loopback tests.
//
//   {"cmd": "info"}                         -> {"id", "address", "contacts", "joined"}
//   {"cmd": "lookup", "target": "<64 hex>", "count": n}
//                                           -> {"closest": [{"id", "address"}], "hops", "messages"}
//   {"cmd": "write", "dataset": "<64 hex>", "rows": [{"key": "...", "value": "..."}]}
//                                           -> {"sequence": n}   (once a committed block holds it)
//   {"cmd": "read", "dataset": "<64 hex>", "key": "...", "signatures": k}
//                                           -> {"value" (null: no row), "signed_by": [k keys], "sequence"}
//                                              once k members signed the same answer (1 <= k <= n)
//   {"cmd": "dataset", "dataset": "<64 hex>"}
//                                           -> {"applied", "entries", "state_root",
//                                               "height", "sealed", "pool"}   (members only)
// Errors come back as {"error": "..."}; a line over 64 KiB closes the connection.
#pragma once

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <string>

#include "model/node/node.h"

namespace fluence::runtime {

class AdminServer {
 public:
  AdminServer(boost::asio::io_context& io, node::Node& node);
  Status listen(const std::string& address);
  void close();

 private:
  class Session;
  void accept_next();
  boost::asio::io_context& io_;
  node::Node& node_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
};

// Handles one request line; `reply` gets the response (maybe later).
void handle_admin_request(node::Node& node, const std::string& line, std::function<void(std::string)> reply);

}  // namespace fluence::runtime
