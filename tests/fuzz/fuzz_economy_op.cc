// libFuzzer target: economy::EconomyOp (every operation, the sharing ones
// included), economy::SignedContract and economy::SharingContract from
// untrusted bytes (the same input is offered to all three decoders).
#include "model/economy/ops.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fluence::fuzz::canonical_round_trip<fluence::economy::EconomyOp>(data, size);
  fluence::fuzz::canonical_round_trip<fluence::economy::SignedContract>(data, size);
  return fluence::fuzz::canonical_round_trip<fluence::economy::SharingContract>(data, size);
}
