// libFuzzer target: consensus::ConsensusMessage from untrusted bytes.
#include "model/consensus/messages.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::consensus::ConsensusMessage>(data, size);
}
