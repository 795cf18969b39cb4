// libFuzzer target: dht::Record from untrusted bytes.
#include "model/dht/record.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::dht::Record>(data, size);
}
