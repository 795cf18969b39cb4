// libFuzzer target: a secure channel's responder and initiator fed
// arbitrary bytes, in arbitrary chunks. Nothing may crash; errors close.
#include "model/crypto/channel.h"

using namespace fluence;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  crypto::Secret<32> seed;
  crypto::SigningKey key = crypto::SigningKey::from_seed(seed);
  crypto::SecureChannel responder = crypto::SecureChannel::responder(key, "r", seed, 4096);
  crypto::SecureChannel initiator = crypto::SecureChannel::initiator(key, "i", seed, 4096);
  size_t offset = 0;
  while (offset < size) {
    size_t chunk = 1 + data[offset] % 64;
    size_t n = std::min(chunk, size - offset);
    ByteView piece(data + offset, n);
    bool ok_r = responder.receive(piece).is_ok();
    bool ok_i = initiator.receive(piece).is_ok();
    offset += n;
    if (!ok_r && !ok_i) break;
  }
  while (responder.next_message()) {
  }
  return 0;
}
