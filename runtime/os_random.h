// The runtime's randomness: the OS's, through libsodium.
#pragma once

#include <sodium.h>

#include "model/env/random.h"

namespace fluence::runtime {

class OsRandom final : public env::Random {
 public:
  uint64_t next_u64() override {
    uint64_t x;
    randombytes_buf(&x, sizeof x);
    return x;
  }
};

}  // namespace fluence::runtime
