#include "runtime/asio_env.h"

#include <spdlog/spdlog.h>

#include <deque>

#include "model/crypto/channel.h"
#include "runtime/config.h"

namespace fluence::runtime {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
// Messages waiting on one connection; past this the newest are dropped, so a
// slow or dead peer cannot grow a node's memory without bound.
constexpr size_t kMaxQueuedWrites = 4096;

crypto::Secret<32> fresh_seed(env::Random& random) {
  crypto::Secret<32> seed;
  random.fill(std::span<uint8_t>(seed.data(), seed.size()));
  return seed;
}
}  // namespace

struct AsioEnv::Timer {
  asio::steady_timer timer;
  std::function<void()> callback;
};

class AsioEnv::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(AsioEnv& env, tcp::socket socket, crypto::SecureChannel channel, std::string dialed)
      : env_(env), socket_(std::move(socket)), channel_(std::move(channel)), dialed_(std::move(dialed)) {}

  tcp::socket& socket() { return socket_; }
  const crypto::SecureChannel& channel() const { return channel_; }
  const std::string& dialed() const { return dialed_; }

  // Called once the socket is connected (or accepted): until then output
  // waits in the channel.
  void start() {
    started_ = true;
    flush();
    read();
  }

  void send(Bytes message) {
    if (closed_) return;
    Status status = channel_.send(message);
    if (!status.is_ok()) {
      ++env_.dropped_;
      return;
    }
    flush();
  }

  void close(const std::string& why) {
    if (closed_) return;
    closed_ = true;
    if (!why.empty()) {
      const std::string& peer = channel_.established() ? channel_.peer_address() : dialed_;
      if (env_.warn_about(peer)) {
        spdlog::warn("connection {} closed: {}", peer, why);
      } else {
        spdlog::debug("connection {} closed: {}", peer, why);
      }
    }
    boost::system::error_code ignored;
    socket_.close(ignored);
    env_.on_closed(shared_from_this());
  }

 private:
  void flush() {
    if (!started_ || closed_) return;
    Bytes out = channel_.take_output();
    if (out.empty()) return;
    if (writes_.size() >= kMaxQueuedWrites) {
      ++env_.dropped_;
      return;
    }
    writes_.push_back(std::move(out));
    if (writes_.size() == 1) write();
  }

  void write() {
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(writes_.front()), [self](boost::system::error_code ec, size_t) {
      if (ec) return self->close(ec == asio::error::operation_aborted ? "" : "write: " + ec.message());
      self->writes_.pop_front();
      if (!self->writes_.empty()) self->write();
    });
  }

  void read() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(buffer_), [self](boost::system::error_code ec, size_t n) {
      if (ec) return self->close(ec == asio::error::eof || ec == asio::error::operation_aborted ? "" : "read: " + ec.message());
      bool was_established = self->channel_.established();
      Status status = self->channel_.receive(ByteView(self->buffer_.data(), n));
      if (!status.is_ok()) return self->close(status.to_string());
      self->flush();
      if (!was_established && self->channel_.established()) self->env_.on_established(self);
      env::Peer peer{self->channel_.peer_address(), self->channel_.peer_key()};
      while (std::optional<Bytes> message = self->channel_.next_message()) {
        if (self->closed_) return;
        self->env_.deliver(peer, *message);
      }
      if (!self->closed_) self->read();
    });
  }

  AsioEnv& env_;
  tcp::socket socket_;
  crypto::SecureChannel channel_;
  std::string dialed_;  // empty for inbound connections
  std::array<uint8_t, 64 * 1024> buffer_;
  std::deque<Bytes> writes_;
  bool started_ = false;
  bool closed_ = false;
};

AsioEnv::AsioEnv(asio::io_context& io, crypto::SigningKey identity, env::Address listen,
                 std::unique_ptr<env::Store> store)
    : io_(io), identity_(std::move(identity)), listen_(std::move(listen)), store_(std::move(store)) {}

AsioEnv::~AsioEnv() { close_all(); }

Status AsioEnv::listen() {
  Result<Endpoint> endpoint = parse_endpoint(listen_, "listen");
  if (!endpoint) return endpoint.status();
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(endpoint->host, ec);
  if (ec) return Status::error(ErrorCode::kInvalidArgument, listen_ + ": listen host must be an IP address");
  acceptor_ = std::make_unique<tcp::acceptor>(io_);
  tcp::endpoint where(address, endpoint->port);
  acceptor_->open(where.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(where, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::error(ErrorCode::kIo, listen_ + ": " + ec.message());
  accept_next();
  return Status::ok();
}

void AsioEnv::accept_next() {
  acceptor_->async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto connection = std::make_shared<Connection>(
          *this, std::move(socket),
          crypto::SecureChannel::responder(identity_, listen_, fresh_seed(random_), env::kMaxMessageBytes), "");
      connections_.insert(connection);
      connection->start();
    }
    accept_next();
  });
}

void AsioEnv::send(const env::Address& to, Bytes message) {
  FL_ASSERT(message.size() <= env::kMaxMessageBytes);
  auto known = by_address_.find(to);
  if (known != by_address_.end()) return known->second->send(std::move(message));
  Result<Endpoint> endpoint = parse_endpoint(to, "peer address");
  if (!endpoint) {
    ++dropped_;
    return;
  }
  auto connection = std::make_shared<Connection>(
      *this, tcp::socket(io_),
      crypto::SecureChannel::initiator(identity_, listen_, fresh_seed(random_), env::kMaxMessageBytes), to);
  connections_.insert(connection);
  by_address_[to] = connection;
  connection->send(std::move(message));  // waits in the channel until the handshake ends
  auto resolver = std::make_shared<tcp::resolver>(io_);
  resolver->async_resolve(endpoint->host, std::to_string(endpoint->port),
                          [this, connection, resolver](boost::system::error_code ec, tcp::resolver::results_type results) {
                            if (ec) return connection->close("resolve: " + ec.message());
                            asio::async_connect(connection->socket(), results,
                                                [connection](boost::system::error_code connect_ec, const tcp::endpoint&) {
                                                  if (connect_ec) return connection->close("connect: " + connect_ec.message());
                                                  boost::system::error_code ignored;
                                                  connection->socket().set_option(tcp::no_delay(true), ignored);
                                                  connection->start();
                                                });
                          });
}

void AsioEnv::on_established(const std::shared_ptr<Connection>& connection) {
  const std::string& announced = connection->channel().peer_address();
  if (!connection->dialed().empty() && connection->dialed() != announced) {
    spdlog::warn("peer dialed as {} announces itself as {}; configure it by its announced address",
                 connection->dialed(), announced);
  }
  // Inbound connections become the way back to that peer if there is none.
  by_address_.emplace(announced, connection);
}

bool AsioEnv::warn_about(const env::Address& peer) {
  auto now = std::chrono::steady_clock::now();
  auto [it, fresh] = last_warning_.try_emplace(peer, now);
  if (!fresh && now - it->second < std::chrono::minutes(1)) return false;
  it->second = now;
  return true;
}

void AsioEnv::on_closed(const std::shared_ptr<Connection>& connection) {
  connections_.erase(connection);
  for (auto it = by_address_.begin(); it != by_address_.end();) {
    it = it->second == connection ? by_address_.erase(it) : std::next(it);
  }
}

void AsioEnv::deliver(const env::Peer& from, ByteView message) {
  if (receiver_) receiver_(from, message);
}

void AsioEnv::close_all() {
  if (acceptor_) {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
  }
  std::vector<std::shared_ptr<Connection>> all(connections_.begin(), connections_.end());
  for (auto& c : all) c->close("");
  for (auto& [id, timer] : timers_) timer->timer.cancel();
  timers_.clear();
}

env::Time AsioEnv::now() {
  return std::chrono::duration_cast<env::Time>(std::chrono::system_clock::now().time_since_epoch());
}

env::TimerId AsioEnv::schedule(env::Duration delay, std::function<void()> callback) {
  env::TimerId id = next_timer_++;
  auto timer = std::make_unique<Timer>(Timer{asio::steady_timer(io_), std::move(callback)});
  timer->timer.expires_after(delay);
  timer->timer.async_wait([this, id](boost::system::error_code ec) {
    if (ec) return;
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    std::function<void()> due = std::move(it->second->callback);
    timers_.erase(it);
    due();
  });
  timers_.emplace(id, std::move(timer));
  return id;
}

void AsioEnv::cancel(env::TimerId timer) {
  auto it = timers_.find(timer);
  if (it == timers_.end()) return;
  it->second->timer.cancel();
  timers_.erase(it);
}

void AsioEnv::log(env::LogLevel level, std::string_view message) {
  switch (level) {
    case env::LogLevel::kDebug: spdlog::debug("{}", message); break;
    case env::LogLevel::kInfo: spdlog::info("{}", message); break;
    case env::LogLevel::kWarning: spdlog::warn("{}", message); break;
    case env::LogLevel::kError: spdlog::error("{}", message); break;
  }
}

}  // namespace fluence::runtime
