// libFuzzer target: cluster::ReadAnswer (a member's signed reply to a read) from untrusted bytes.
#include "model/cluster/read.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::cluster::ReadAnswer>(data, size);
}
