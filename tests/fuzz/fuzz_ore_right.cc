// libFuzzer target: ORE ciphertexts from untrusted bytes. Nodes receive right
// ciphertexts with rows and left ciphertexts as query bounds; both decoders
// see every input. A node's scan reads right ciphertexts in place
// (ore_right_encoded_size, ore_compare_encoded) instead of decoding them, so
// the same bytes go through those too, and must agree with the decoder.
#include <string>
#include <vector>

#include "model/crypto/ore.h"
#include "tests/fuzz/canonical_round_trip.h"

namespace fluence::crypto {
namespace {

// A left ciphertext of each block size (d = 16 too: making a left one is cheap).
const std::vector<OreLeftCiphertext>& bounds() {
  static const std::vector<OreLeftCiphertext> lefts = [] {
    std::vector<OreLeftCiphertext> out;
    for (OreBlockBits bits : {OreBlockBits::k1, OreBlockBits::k2, OreBlockBits::k4, OreBlockBits::k8,
                              OreBlockBits::k16}) {
      out.push_back(ore_encrypt_left(OreKey::derive(Secret<32>(), bits), 0x0123456789abcdef));
    }
    return out;
  }();
  return lefts;
}

bool same_status(const Status& a, const Status& b) { return a.code() == b.code() && a.message() == b.message(); }

// The in-place readers against the decoder, on the same bytes (read from
// their start, as a row value's payload follows the ciphertext).
void check_in_place(ByteView input) {
  codec::Reader reader(input);
  OreRightCiphertext decoded = OreRightCiphertext::decode(reader);
  const bool decodes = reader.ok();

  Result<size_t> size = ore_right_encoded_size(input);
  if (size.is_ok() != decodes) __builtin_trap();
  if (decodes && *size != input.size() - reader.remaining()) __builtin_trap();
  if (!decodes && !same_status(size.status(), reader.status())) __builtin_trap();

  for (const OreLeftCiphertext& left : bounds()) {
    Result<std::strong_ordering> in_place = ore_compare_encoded(left, input);
    if (decodes) {
      Result<std::strong_ordering> expected = ore_compare(left, decoded);
      if (in_place.is_ok() != expected.is_ok()) __builtin_trap();
      if (expected.is_ok() && *in_place != *expected) __builtin_trap();
      if (!expected.is_ok() && !same_status(in_place.status(), expected.status())) __builtin_trap();
    } else if (!in_place.is_ok() && in_place.status().code() == ErrorCode::kMalformed) {
      if (!same_status(in_place.status(), reader.status())) __builtin_trap();
    } else {
      // An answer, or block sizes that differ, only past a sound header and
      // length: what the decoder found is a cell of 3 the comparison did not read.
      if (!in_place.is_ok() && in_place.status().code() != ErrorCode::kInvalidArgument) __builtin_trap();
      if (reader.status().message().find("ore_right.cells: byte") != 0) __builtin_trap();
    }
  }
}

}  // namespace
}  // namespace fluence::crypto

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fluence::fuzz::canonical_round_trip<fluence::crypto::OreRightCiphertext>(data, size);
  fluence::crypto::check_in_place(fluence::ByteView(data, size));
  return fluence::fuzz::canonical_round_trip<fluence::crypto::OreLeftCiphertext>(data, size);
}
