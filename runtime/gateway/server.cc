#include "runtime/gateway/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace fluence::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr size_t kReadChunkBytes = 1 << 20;
}  // namespace

class GatewayServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(GatewayServer& server, tcp::socket socket, int64_t id)
      : server_(server), socket_(std::move(socket)), id_(id) {}

  void start() { read_header(); }

  void close(const std::string& why) {
    if (closed_) return;
    closed_ = true;
    if (!why.empty()) spdlog::info("gateway connection {} closed: {}", id_, why);
    boost::system::error_code ignored;
    socket_.close(ignored);
    server_.on_closed(shared_from_this());
  }

 private:
  void read_header() {
    // A connection that once carried a large message does not keep its
    // buffers at that size.
    if (message_.capacity() > 4 * kReadChunkBytes) Bytes().swap(message_);
    if (reply_.capacity() > 4 * kReadChunkBytes) Bytes().swap(reply_);
    message_.resize(wire::kHeaderBytes);
    auto self = shared_from_this();
    asio::async_read(socket_, asio::buffer(message_), [self](boost::system::error_code ec, size_t) {
      if (ec) return self->close(ec == asio::error::eof || ec == asio::error::operation_aborted ? "" : ec.message());
      Result<wire::Header> header = wire::parse_header(self->message_, self->server_.engine_.options().limits);
      if (!header) return self->close(header.status().to_string());
      self->read_body(static_cast<size_t>(header->message_length));
    });
  }

  // The buffer grows with the bytes that actually arrive, a chunk at a
  // time: a header that promises 48 MB and sends nothing costs nothing.
  void read_body(size_t length) {
    FL_ASSERT(length >= wire::kHeaderBytes && message_.size() <= length);
    if (message_.size() == length) return dispatch();
    size_t have = message_.size();
    message_.resize(std::min(length, have + kReadChunkBytes));
    auto self = shared_from_this();
    asio::async_read(socket_, asio::buffer(message_.data() + have, message_.size() - have),
                     [self, length](boost::system::error_code ec, size_t) {
                       if (ec) return self->close(ec == asio::error::eof ? "" : ec.message());
                       self->read_body(length);
                     });
  }

  void dispatch() {
    CommandEngine::Response response = server_.engine_.handle_message(message_, id_);
    if (response.close) return close(response.why);
    if (!response.reply) return read_header();  // moreToCome: no reply wanted
    reply_ = std::move(*response.reply);
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(reply_), [self](boost::system::error_code ec, size_t) {
      if (ec) return self->close(ec.message());
      self->read_header();
    });
  }

  GatewayServer& server_;
  tcp::socket socket_;
  int64_t id_;
  Bytes message_;
  Bytes reply_;
  bool closed_ = false;
};

GatewayServer::GatewayServer(asio::io_context& io, CommandEngine& engine, size_t max_connections)
    : io_(io), engine_(engine), max_connections_(max_connections) {
  FL_ASSERT(max_connections_ > 0);
}

GatewayServer::~GatewayServer() { close(); }

Status GatewayServer::listen(const std::string& host, uint16_t port) {
  std::string where_text = host + ":" + std::to_string(port);
  boost::system::error_code ec;
  asio::ip::address ip = asio::ip::make_address(host, ec);
  if (ec) return Status::error(ErrorCode::kInvalidArgument, where_text + ": the host must be an IP address");
  acceptor_ = std::make_unique<tcp::acceptor>(io_);
  tcp::endpoint where(ip, port);
  acceptor_->open(where.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(where, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::error(ErrorCode::kIo, where_text + ": " + ec.message());
  accept_next();
  return Status::ok();
}

uint16_t GatewayServer::port() const {
  FL_ASSERT(acceptor_ != nullptr);
  boost::system::error_code ec;
  tcp::endpoint endpoint = acceptor_->local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void GatewayServer::accept_next() {
  acceptor_->async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_ || !acceptor_->is_open()) return;
    if (!ec) {
      if (connections_.size() >= max_connections_) {
        spdlog::warn("gateway refuses a connection: {} are open, the limit", connections_.size());
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);  // small replies, one at a time
        auto connection = std::make_shared<Connection>(*this, std::move(socket), next_connection_id_++);
        connections_.insert(connection);
        connection->start();
      }
    }
    accept_next();
  });
}

void GatewayServer::on_closed(const std::shared_ptr<Connection>& connection) { connections_.erase(connection); }

void GatewayServer::close() {
  if (acceptor_) {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
  }
  // close() erases from the set: walk a copy.
  std::set<std::shared_ptr<Connection>> open = connections_;
  for (const auto& connection : open) connection->close("");
}

Status run_gateway(DocumentStore& store, GatewayOptions options) {
  asio::io_context io(1);
  options.engine.now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  CommandEngine engine(store, options.engine, options.sharing);
  GatewayServer server(io, engine, options.max_connections);
  FL_RETURN_IF_ERROR(server.listen(options.host, options.port));
  spdlog::info("gateway listening on {}:{}", options.host, server.port());
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("gateway stopping on signal {}", signal);
    server.close();
    io.stop();
  });
  io.run();
  return Status::ok();
}

}  // namespace fluence::gateway
