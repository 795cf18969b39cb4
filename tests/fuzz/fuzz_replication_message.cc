// libFuzzer target: storage::ReplicationMessage from untrusted bytes.
#include "model/storage/replication_messages.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fluence::fuzz::canonical_round_trip<fluence::storage::ReplicationMessage>(data, size);
}
