#include "model/crypto/sodium.h"

#include <sodium.h>

#include "model/base/check.h"
#include "model/crypto/secret.h"

namespace fluence::crypto {

void ensure_sodium() {
  // sodium_init is thread-safe and idempotent; the static makes it one call.
  static const int result = sodium_init();
  FL_ASSERT_MSG(result >= 0, "libsodium failed to initialise");
}

void wipe(void* data, size_t size) { sodium_memzero(data, size); }

}  // namespace fluence::crypto
