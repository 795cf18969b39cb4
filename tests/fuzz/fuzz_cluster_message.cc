// libFuzzer target: cluster::ClusterMessage, the BlockProposal inside
// consensus values, and the capture certificate arbiters store, from
// untrusted bytes.
#include "model/cluster/messages.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fluence::cluster::ClusterMessage::peek_dataset({data, size});
  fluence::fuzz::canonical_round_trip<fluence::cluster::BlockProposal>(data, size);
  fluence::fuzz::canonical_round_trip<fluence::cluster::CaptureCertificate>(data, size);
  return fluence::fuzz::canonical_round_trip<fluence::cluster::ClusterMessage>(data, size);
}
