// libFuzzer target: cluster::JournalBatch (a member's answer to a recovering
// member's journal request) from untrusted bytes.
#include "model/cluster/messages.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::cluster::JournalBatch>(data, size);
}
