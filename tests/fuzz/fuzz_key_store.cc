// libFuzzer target: the key store file, whose backups are untrusted input.
// Argon2 costs milliseconds even at its minimum, so the two decoders run
// without it: the sealed header as a whole file, and the inner plaintext.
#include <algorithm>

#include "model/client/key_store_format.h"

namespace {

using namespace fluence;
using namespace fluence::client;

void check_sealed(ByteView input) {
  Result<SealedKeyStore> sealed = parse_sealed_key_store(input);
  if (!sealed) {
    if (sealed.status().message().empty()) __builtin_trap();  // errors must say what
    return;
  }
  // Nothing Argon2 would be asked to do exceeds the documented maximum.
  if (sealed->limits.opslimit > kMaxPasswordHashLimits.opslimit ||
      sealed->limits.memlimit_bytes > kMaxPasswordHashLimits.memlimit_bytes) {
    __builtin_trap();
  }
  if (sealed->header.data() != input.data() || sealed->header.size() != kKeyStoreHeaderBytes ||
      sealed->ciphertext.size() + kKeyStoreHeaderBytes != input.size() ||
      sealed->ciphertext.size() < crypto::kAeadTagBytes) {
    __builtin_trap();
  }
}

// Canonical: what decodes re-encodes to exactly the input (and the encoder's
// own ordering assertion holds for anything the decoder accepts).
void check_plaintext(ByteView input) {
  Result<std::vector<KeyStoreEntry>> entries = decode_key_store_plaintext(input);
  if (!entries) {
    if (entries.status().message().empty()) __builtin_trap();
    return;
  }
  Bytes again = encode_key_store_plaintext(*entries);
  if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  check_sealed(input);
  check_plaintext(input);
  return 0;
}
