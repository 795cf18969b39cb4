// libFuzzer target: ORE ciphertexts from untrusted bytes. Nodes receive right
// ciphertexts with rows and left ciphertexts as query bounds; both decoders
// see every input.
#include "model/crypto/ore.h"
#include "tests/fuzz/canonical_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fluence::fuzz::canonical_round_trip<fluence::crypto::OreRightCiphertext>(data, size);
  return fluence::fuzz::canonical_round_trip<fluence::crypto::OreLeftCiphertext>(data, size);
}
