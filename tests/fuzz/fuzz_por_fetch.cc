// libFuzzer target: por::PorFetch (a colluding member's request) from untrusted bytes.
#include "model/por/por.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::por::PorFetch>(data, size);
}
