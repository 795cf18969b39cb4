#include "runtime/gateway/gateway_identity.h"

#include "model/crypto/hash.h"
#include "runtime/key_file.h"

namespace fluence::gateway {

Result<GatewayIdentity> load_or_create_gateway_identity(const std::string& path) {
  // Difficulty 0: the gateway is no DHT peer, its id needs no puzzle.
  Result<dht::Identity> identity = runtime::load_or_create_identity(path, 0);
  if (!identity) return identity.status();
  const auto& seed = identity->key.seed();
  crypto::Hash256 pre_seed = crypto::blake2b_256("fluence/gateway/v1/share-pre", {ByteView(seed.data(), seed.size())});
  crypto::Secret<32> secret{std::span<const uint8_t, 32>(pre_seed)};
  crypto::wipe(pre_seed.data(), pre_seed.size());
  return GatewayIdentity{identity->key.clone(), crypto::pre::KeyPair::from_seed(secret)};
}

}  // namespace fluence::gateway
