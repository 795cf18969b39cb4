// libFuzzer target: cluster::OreScanAnswer (a member's signed page of an ORE
// index scan) from untrusted bytes.
#include "model/cluster/read.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::cluster::OreScanAnswer>(data, size);
}
