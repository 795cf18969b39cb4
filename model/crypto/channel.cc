#include "model/crypto/channel.h"

#include "model/codec/codec.h"

namespace fluence::crypto {

namespace {
AeadNonce counter_nonce(uint64_t counter) {
  AeadNonce nonce{};
  for (int i = 0; i < 8; ++i) nonce[16 + i] = static_cast<uint8_t>(counter >> (56 - 8 * i));
  return nonce;
}
}  // namespace

SecureChannel::SecureChannel(const SigningKey& identity, std::string listen_address, const Secret<32>& seed,
                             size_t max_message_bytes, bool initiator)
    : identity_(&identity),
      listen_address_(std::move(listen_address)),
      ephemeral_(KxKeyPair::from_seed(seed)),
      max_message_bytes_(max_message_bytes),
      initiator_(initiator),
      state_(initiator ? State::kAwaitAccept : State::kAwaitHello) {
  FL_ASSERT(listen_address_.size() <= kMaxAddressBytes);
}

SecureChannel SecureChannel::initiator(const SigningKey& identity, std::string listen_address, const Secret<32>& seed,
                                       size_t max_message_bytes) {
  SecureChannel channel(identity, std::move(listen_address), seed, max_message_bytes, true);
  codec::Writer hello;
  hello.u8(kChannelVersion);
  hello.fixed(channel.ephemeral_.public_key());
  channel.write_frame(hello.data());
  return channel;
}

SecureChannel SecureChannel::responder(const SigningKey& identity, std::string listen_address, const Secret<32>& seed,
                                       size_t max_message_bytes) {
  return SecureChannel(identity, std::move(listen_address), seed, max_message_bytes, false);
}

Bytes SecureChannel::take_output() { return std::exchange(output_, {}); }

std::optional<Bytes> SecureChannel::next_message() {
  if (received_.empty()) return std::nullopt;
  Bytes message = std::move(received_.front());
  received_.pop_front();
  return message;
}

void SecureChannel::write_frame(ByteView payload) {
  uint32_t size = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) output_.push_back(static_cast<uint8_t>(size >> (24 - 8 * i)));
  output_.insert(output_.end(), payload.begin(), payload.end());
}

Bytes SecureChannel::transcript(bool initiator_side, const PublicKey& key, const std::string& address) const {
  const KxPublicKey& e_i = initiator_ ? ephemeral_.public_key() : peer_ephemeral_;
  const KxPublicKey& e_r = initiator_ ? peer_ephemeral_ : ephemeral_.public_key();
  codec::Writer writer;
  writer.string(initiator_side ? "fluence/channel/v1/initiator" : "fluence/channel/v1/responder");
  writer.fixed(e_i);
  writer.fixed(e_r);
  writer.fixed(key.bytes);
  writer.string(address);
  return writer.finish();
}

Status SecureChannel::fail(Status status) {
  state_ = State::kBroken;
  error_ = status;
  pending_.clear();
  return status;
}

Status SecureChannel::send(ByteView message) {
  if (state_ == State::kBroken) return error_;
  if (message.size() > max_message_bytes_) {
    return Status::error(ErrorCode::kLimitExceeded, "message of " + std::to_string(message.size()) +
                                                        " bytes exceeds " + std::to_string(max_message_bytes_));
  }
  pending_.emplace_back(message.begin(), message.end());
  if (established()) seal_pending();
  return Status::ok();
}

void SecureChannel::seal_pending() {
  while (!pending_.empty()) {
    AeadNonce nonce = counter_nonce(send_counter_);
    Bytes sealed = aead_seal(keys_->send, nonce, ByteView(nonce.data() + 16, 8), pending_.front());
    ++send_counter_;
    write_frame(sealed);
    pending_.pop_front();
  }
}

Status SecureChannel::receive(ByteView bytes) {
  if (state_ == State::kBroken) return error_;
  input_.insert(input_.end(), bytes.begin(), bytes.end());
  size_t offset = 0;
  while (input_.size() - offset >= 4) {
    uint32_t size = 0;
    for (int i = 0; i < 4; ++i) size = size << 8 | input_[offset + i];
    size_t limit = established() ? max_message_bytes_ + kAeadTagBytes : kMaxHandshakeBytes;
    if (size > limit) {
      return fail(Status::error(ErrorCode::kLimitExceeded, "frame of " + std::to_string(size) +
                                                               " bytes exceeds " + std::to_string(limit)));
    }
    if (input_.size() - offset - 4 < size) break;  // wait for the rest
    Status status = on_frame(ByteView(input_.data() + offset + 4, size));
    if (!status.is_ok()) return fail(status);
    offset += 4 + size;
  }
  input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(offset));
  return Status::ok();
}

Status SecureChannel::on_frame(ByteView frame) {
  switch (state_) {
    case State::kAwaitHello: {
      codec::Reader reader(frame);
      uint8_t version = reader.u8("hello.version");
      peer_ephemeral_ = reader.fixed<kKxPublicKeyBytes>("hello.ephemeral");
      FL_RETURN_IF_ERROR(reader.finish());
      if (version != kChannelVersion) {
        return Status::error(ErrorCode::kMalformed, "hello.version: unsupported version " + std::to_string(version));
      }
      Result<SessionKeys> keys = kx_session_keys(ephemeral_, peer_ephemeral_, false);
      if (!keys) return keys.status();
      keys_ = std::move(*keys);
      codec::Writer accept;
      accept.fixed(ephemeral_.public_key());
      accept.fixed(identity_->public_key().bytes);
      accept.string(listen_address_);
      accept.fixed(identity_->sign(transcript(false, identity_->public_key(), listen_address_)).bytes);
      write_frame(accept.data());
      state_ = State::kAwaitConfirm;
      return Status::ok();
    }
    case State::kAwaitAccept: {
      codec::Reader reader(frame);
      peer_ephemeral_ = reader.fixed<kKxPublicKeyBytes>("accept.ephemeral");
      peer_key_.bytes = reader.fixed<kPublicKeyBytes>("accept.identity");
      peer_address_ = reader.string("accept.address", kMaxAddressBytes);
      Signature signature{reader.fixed<kSignatureBytes>("accept.signature")};
      FL_RETURN_IF_ERROR(reader.finish());
      if (!verify(peer_key_, transcript(false, peer_key_, peer_address_), signature)) {
        return Status::error(ErrorCode::kAuthentication, "accept.signature: the responder's signature does not verify");
      }
      Result<SessionKeys> keys = kx_session_keys(ephemeral_, peer_ephemeral_, true);
      if (!keys) return keys.status();
      keys_ = std::move(*keys);
      codec::Writer confirm;
      confirm.fixed(identity_->public_key().bytes);
      confirm.string(listen_address_);
      confirm.fixed(identity_->sign(transcript(true, identity_->public_key(), listen_address_)).bytes);
      write_frame(confirm.data());
      state_ = State::kEstablished;
      seal_pending();
      return Status::ok();
    }
    case State::kAwaitConfirm: {
      codec::Reader reader(frame);
      peer_key_.bytes = reader.fixed<kPublicKeyBytes>("confirm.identity");
      peer_address_ = reader.string("confirm.address", kMaxAddressBytes);
      Signature signature{reader.fixed<kSignatureBytes>("confirm.signature")};
      FL_RETURN_IF_ERROR(reader.finish());
      if (!verify(peer_key_, transcript(true, peer_key_, peer_address_), signature)) {
        return Status::error(ErrorCode::kAuthentication, "confirm.signature: the initiator's signature does not verify");
      }
      state_ = State::kEstablished;
      seal_pending();
      return Status::ok();
    }
    case State::kEstablished: {
      AeadNonce nonce = counter_nonce(receive_counter_);
      Result<Bytes> message = aead_open(keys_->receive, nonce, ByteView(nonce.data() + 16, 8), frame);
      if (!message) {
        return Status::error(ErrorCode::kAuthentication,
                             "frame " + std::to_string(receive_counter_) + " does not authenticate (tampered, replayed or reordered)");
      }
      ++receive_counter_;
      received_.push_back(std::move(*message));
      return Status::ok();
    }
    case State::kBroken: return error_;
  }
  return Status::error(ErrorCode::kMalformed, "unreachable channel state");
}

}  // namespace fluence::crypto
