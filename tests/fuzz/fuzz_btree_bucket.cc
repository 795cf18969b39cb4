// libFuzzer target: the encrypted B+tree's records. A bucket's plaintext
// reaches the decoder only after its hash and seal verified, so malformed
// buckets come from a leaked key or a bug, and the root descriptor from the
// caller's own storage; both decoders still take any bytes. Each input is
// tried as both.
#include <algorithm>

#include "model/client/btree_bucket.h"
#include "tests/fuzz/canonical_round_trip.h"

namespace {

using namespace fluence;
using namespace fluence::client;

// Canonical, and what decodes satisfies the encoder's own assertions.
void check_bucket(ByteView input) {
  Result<Bucket> bucket = decode_bucket(input, kMaxBucketEntries);
  if (!bucket) {
    if (bucket.status().message().empty()) __builtin_trap();  // errors must say what
    return;
  }
  if (bucket->entries() == 0 || bucket->entries() > kMaxBucketEntries) __builtin_trap();
  Bytes again = encode_bucket(*bucket);
  if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_bucket(ByteView(data, size));
  return fluence::fuzz::canonical_round_trip<BTreeDescriptor>(data, size);
}
