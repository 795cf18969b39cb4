// libFuzzer target: economy::EconomyOp and economy::SignedContract from
// untrusted bytes (the same input is offered to both decoders).
#include "model/economy/ops.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fluence::fuzz::canonical_round_trip<fluence::economy::EconomyOp>(data, size);
  return fluence::fuzz::canonical_round_trip<fluence::economy::SignedContract>(data, size);
}
