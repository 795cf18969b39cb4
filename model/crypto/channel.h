// An authenticated, encrypted channel between two node identities, as pure
// code: bytes in, bytes out, no sockets (the runtime drives it over TCP).
//
// Handshake (SIGMA-style, Krawczyk, "SIGMA: the 'SIGn-and-MAc' approach to
// authenticated Diffie-Hellman", CRYPTO 2003; cf. Noise XX):
//   initiator -> responder  hello:   version, ephemeral X25519 key e_i
//   responder -> initiator  accept:  e_r, identity key, listen address,
//                                    Ed25519 signature over (label_r, e_i, e_r, key, address)
//   initiator -> responder  confirm: identity key, listen address,
//                                    signature over (label_i, e_i, e_r, key, address)
// Session keys come from X25519(e_i, e_r) hashed with both ephemerals
// (crypto_kx), one per direction. Each signature covers both ephemerals, so
// the keys are bound to both identities: a man in the middle who swaps an
// ephemeral cannot produce the signature over the swapped pair.
//
// Frames: a 4-byte big-endian length, then XChaCha20-Poly1305 of the message
// with a per-direction 64-bit counter as nonce and associated data. The
// receiver expects exactly the next counter, so a replayed, reordered,
// dropped, truncated or tampered frame fails, and the caller must close.
//
// Leaks: message sizes and timing; identities are sent in the clear.
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "model/base/status.h"
#include "model/crypto/aead.h"
#include "model/crypto/kx.h"
#include "model/crypto/sign.h"

namespace fluence::crypto {

inline constexpr uint8_t kChannelVersion = 1;
inline constexpr size_t kMaxHandshakeBytes = 1024;
inline constexpr size_t kMaxAddressBytes = 255;

class SecureChannel {
 public:
  // `seed` is fresh randomness for this connection's ephemeral key.
  static SecureChannel initiator(const SigningKey& identity, std::string listen_address, const Secret<32>& seed,
                                 size_t max_message_bytes);
  static SecureChannel responder(const SigningKey& identity, std::string listen_address, const Secret<32>& seed,
                                 size_t max_message_bytes);

  // Bytes to write to the peer now (handshake messages and sealed frames).
  Bytes take_output();
  // Feeds bytes read from the peer, in any chunking. An error means the
  // channel is broken and the connection must close; the status says why.
  Status receive(ByteView bytes);
  // Messages received and authenticated, in order.
  std::optional<Bytes> next_message();
  // Queues a message; before the handshake ends it waits, then is sealed.
  Status send(ByteView message);

  bool established() const { return state_ == State::kEstablished; }
  const PublicKey& peer_key() const { return peer_key_; }
  const std::string& peer_address() const { return peer_address_; }

 private:
  enum class State { kAwaitHello, kAwaitAccept, kAwaitConfirm, kEstablished, kBroken };
  SecureChannel(const SigningKey& identity, std::string listen_address, const Secret<32>& seed,
                size_t max_message_bytes, bool initiator);
  Status on_frame(ByteView frame);
  Status fail(Status status);
  void write_frame(ByteView payload);
  Bytes transcript(bool initiator_side, const PublicKey& key, const std::string& address) const;
  void seal_pending();

  const SigningKey* identity_;
  std::string listen_address_;
  KxKeyPair ephemeral_;
  KxPublicKey peer_ephemeral_{};
  size_t max_message_bytes_;
  bool initiator_;
  State state_;
  PublicKey peer_key_;
  std::string peer_address_;
  std::optional<SessionKeys> keys_;
  uint64_t send_counter_ = 0;
  uint64_t receive_counter_ = 0;
  Bytes input_;
  Bytes output_;
  std::deque<Bytes> pending_;   // sends before the handshake completed
  std::deque<Bytes> received_;
  Status error_;
};

}  // namespace fluence::crypto
