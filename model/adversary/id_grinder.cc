#include "model/adversary/id_grinder.h"

namespace fluence::adversary {

std::optional<GrindResult> grind_into_cluster(const crypto::PublicKey& key, int difficulty, const dht::NodeId& target,
                                              const dht::Distance& bound, uint64_t start_nonce, uint64_t budget) {
  GrindResult result;
  for (uint64_t i = 0; i < budget; ++i) {
    uint64_t nonce = start_nonce + i;
    dht::NodeId id = dht::derive_node_id(key, nonce);
    if (!dht::puzzle_satisfied(id, difficulty)) continue;
    ++result.valid_ids;
    if (dht::distance(id, target) < bound) {
      result.nonce = nonce;
      result.id = id;
      result.nonces_tried = i + 1;
      return result;
    }
  }
  return std::nullopt;
}

double fraction_closer(const dht::Distance& bound) {
  double fraction = 0;
  double scale = 1.0 / 256;
  for (size_t i = 0; i < 8; ++i, scale /= 256) fraction += bound[i] * scale;
  return fraction;
}

}  // namespace fluence::adversary
