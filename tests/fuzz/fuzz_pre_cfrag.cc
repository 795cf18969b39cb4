// libFuzzer target: crypto::pre::CapsuleFrag from untrusted bytes.
#include "model/crypto/pre.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::crypto::pre::CapsuleFrag>(data, size);
}
