// libFuzzer target: storage::JournalEntry from untrusted bytes.
#include "model/storage/dataset.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::storage::JournalEntry>(data, size);
}
