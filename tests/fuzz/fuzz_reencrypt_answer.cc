// libFuzzer target: cluster::ReencryptAnswer (a member's signed CapsuleFrag or
// refusal for a sharing contract's receiver) from untrusted bytes.
#include "model/cluster/reencrypt.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::cluster::ReencryptAnswer>(data, size);
}
