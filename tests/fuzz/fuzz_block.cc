// libFuzzer target: chain::Block from untrusted bytes.
#include "model/chain/block.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::chain::Block>(data, size);
}
