// libFuzzer target: cluster::ContractSigningAnswer (a node's or arbiter's
// signed contract signature or refusal) from untrusted bytes.
#include "model/cluster/contract_signing.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::cluster::ContractSigningAnswer>(data, size);
}
