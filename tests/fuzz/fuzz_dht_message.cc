// libFuzzer target: dht::DhtMessage from untrusted bytes.
#include "model/dht/messages.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::dht::DhtMessage>(data, size);
}
