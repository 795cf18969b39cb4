// libFuzzer target: what fine-grained sharing reads from untrusted bytes. A
// Grant comes off the chain through nodes; a KeyPath rides in it; a key
// store's received section comes from a backup. Each input is tried as all
// three, as the key store target tries its input as both of its decoders.
#include <algorithm>

#include "model/client/grant.h"
#include "model/client/key_store_format.h"
#include "tests/fuzz/canonical_round_trip.h"

namespace {

using namespace fluence;
using namespace fluence::client;

// A decoded grant goes on to open_grant, which must refuse it with a Status
// (it was signed by no one this target knows) whatever its path and fields.
void check_grant(const uint8_t* data, size_t size) {
  if (size > kMaxGrantBytes) {
    if (codec::decode<Grant>(ByteView(data, size)).is_ok()) __builtin_trap();  // the bound holds
    return;
  }
  fuzz::canonical_round_trip<Grant>(data, size);
  Result<Grant> grant = codec::decode<Grant>(ByteView(data, size));
  if (!grant) return;
  crypto::PublicKey owner;  // all zero: no grant verifies under it
  crypto::pre::SymmetricKey key;
  Result<NodeKey> opened = open_grant(*grant, owner, key);
  if (opened.is_ok() || opened.status().message().empty()) __builtin_trap();
}

// The current key store plaintext: canonical, and bounded as documented.
void check_store_contents(ByteView input) {
  Result<KeyStoreContents> contents = decode_key_store_contents(input, kKeyStoreFormatVersion);
  if (!contents) {
    if (contents.status().message().empty()) __builtin_trap();
    return;
  }
  if (contents->received.size() > kMaxReceivedKeys) __builtin_trap();
  Bytes again = encode_key_store_contents(*contents);
  if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_grant(data, size);
  fuzz::canonical_round_trip<KeyPath>(data, size);
  check_store_contents(ByteView(data, size));
  return 0;
}
