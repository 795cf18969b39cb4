#include "model/rpc/rpc.h"

namespace fluence::rpc {

void Envelope::encode(codec::Writer& writer) const {
  writer.u8(static_cast<uint8_t>(protocol));
  writer.u8(static_cast<uint8_t>(kind));
  writer.u64(request_id);
  writer.bytes(body);
}

Envelope Envelope::decode(codec::Reader& reader) {
  Envelope envelope;
  uint8_t protocol = reader.u8("envelope.protocol");
  if (reader.ok() && (protocol == 0 || protocol >= static_cast<uint8_t>(Protocol::kLimit))) {
    reader.fail("envelope.protocol", "unknown protocol " + std::to_string(protocol));
  }
  envelope.protocol = static_cast<Protocol>(protocol);
  envelope.kind = static_cast<Kind>(reader.tag("envelope.kind", static_cast<uint8_t>(Kind::kLimit)));
  envelope.request_id = reader.u64("envelope.request_id");
  if (reader.ok() && (envelope.kind == Kind::kNotify) != (envelope.request_id == 0)) {
    reader.fail("envelope.request_id", "must be 0 exactly for notes");
  }
  envelope.body = reader.bytes("envelope.body", env::kMaxMessageBytes);
  return envelope;
}

Rpc::Rpc(env::Env& env, RpcLimits limits) : env_(env), limits_(limits) {}

Rpc::~Rpc() {
  for (auto& [id, pending] : pending_) env_.cancel(pending.timer);
}

void Rpc::set_handler(Protocol protocol, Handler handler) {
  FL_ASSERT(handlers_.count(protocol) == 0);
  handlers_[protocol] = std::move(handler);
}

void Rpc::replace_handler(Protocol protocol, Handler handler) {
  FL_ASSERT(handlers_.count(protocol) == 1);
  handlers_[protocol] = std::move(handler);
}

void Rpc::request(const env::Address& to, Protocol protocol, Bytes body, env::Duration timeout,
                  ResponseCallback callback) {
  FL_ASSERT(callback != nullptr);
  if (pending_.size() >= limits_.max_pending_requests) {
    callback(Status::error(ErrorCode::kLimitExceeded,
                           "more than " + std::to_string(limits_.max_pending_requests) +
                               " requests in flight"),
             env::Peer{to, {}});
    return;
  }
  uint64_t id = 0;
  while (id == 0 || pending_.count(id) != 0) id = env_.random().next_u64();
  env::TimerId timer = env_.schedule(timeout, [this, id] { on_timeout(id); });
  pending_.emplace(id, Pending{to, timer, std::move(callback)});
  Envelope envelope{protocol, Kind::kRequest, id, std::move(body)};
  env_.send(to, codec::encode(envelope));
}

void Rpc::notify(const env::Address& to, Protocol protocol, Bytes body) {
  Envelope envelope{protocol, Kind::kNotify, 0, std::move(body)};
  env_.send(to, codec::encode(envelope));
}

DeferredReply Rpc::defer() {
  FL_ASSERT_MSG(handling_.has_value(), "defer() outside the handler of a request");
  FL_ASSERT_MSG(!handling_->taken, "defer() twice for one request");
  handling_->taken = true;
  return handling_->token;
}

void Rpc::reply(const DeferredReply& token, Bytes body) {
  FL_ASSERT(token.request_id != 0);
  Envelope envelope{token.protocol, Kind::kResponse, token.request_id, std::move(body)};
  env_.send(token.to, codec::encode(envelope));
}

void Rpc::on_timeout(uint64_t request_id) {
  auto it = pending_.find(request_id);
  if (it == pending_.end()) return;
  Pending pending = std::move(it->second);
  pending_.erase(it);
  pending.callback(Status::error(ErrorCode::kTimeout, "no response from " + pending.to),
                   env::Peer{pending.to, {}});
}

void Rpc::on_message(const env::Peer& from, ByteView bytes) {
  Result<Envelope> decoded = codec::decode<Envelope>(bytes);
  if (!decoded) {
    ++malformed_messages_;
    env_.log(env::LogLevel::kDebug,
             "dropping malformed message from " + from.address + ": " + decoded.status().to_string());
    return;
  }
  Envelope& envelope = *decoded;
  if (envelope.kind == Kind::kResponse) {
    auto it = pending_.find(envelope.request_id);
    // A response from anyone but the node asked is ignored: it cannot settle
    // the request, and the real answer may still come.
    if (it == pending_.end() || it->second.to != from.address) return;
    Pending pending = std::move(it->second);
    pending_.erase(it);
    env_.cancel(pending.timer);
    pending.callback(std::move(envelope.body), from);
    return;
  }
  auto handler = handlers_.find(envelope.protocol);
  if (handler == handlers_.end()) {
    ++malformed_messages_;
    return;
  }
  // Saved and restored, in case a binding ever delivers from inside a handler.
  std::optional<Handling> outer = std::move(handling_);
  handling_.reset();
  if (envelope.kind == Kind::kRequest) {
    handling_ = Handling{DeferredReply{from.address, envelope.protocol, envelope.request_id}, false};
  }
  std::optional<Bytes> response = handler->second(from, envelope.kind, envelope.body);
  bool deferred = handling_ && handling_->taken;
  handling_ = std::move(outer);
  FL_ASSERT_MSG(!(deferred && response), "a handler both deferred and returned a response");
  if (envelope.kind == Kind::kRequest && response) {
    Envelope reply{envelope.protocol, Kind::kResponse, envelope.request_id, std::move(*response)};
    env_.send(from.address, codec::encode(reply));
  }
}

}  // namespace fluence::rpc
