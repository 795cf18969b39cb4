// libFuzzer target: rpc::Envelope, the outer layer of every message.
#include "model/rpc/rpc.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::rpc::Envelope>(data, size);
}
