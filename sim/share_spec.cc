#include "sim/share_spec.h"

#include <algorithm>

#include "model/crypto/pre.h"
#include "model/economy/contract.h"
#include "sim/json_fields.h"

namespace fluence::sim {

Status read_share(const nlohmann::json& value, const std::string& path, ShareSpec& s) {
  JsonFields f(value, path);
  // Every member holds one fragment of the share: the storage contract's
  // and the PRE scheme's bounds on holders apply.
  constexpr int64_t kMostMembers = std::min<int64_t>(economy::kMaxContractNodes, crypto::pre::kMaxShares);
  s.members = static_cast<int>(f.integer("members", s.members, 4, kMostMembers));
  s.arbiters = static_cast<int>(f.integer("arbiters", s.arbiters, 2, economy::kMaxContractArbiters));
  s.threshold = static_cast<int>(f.integer("threshold", s.threshold, 1, s.members));
  s.read_signatures = static_cast<int>(f.integer("read_signatures", s.read_signatures, 0, s.members));
  s.revoke_tick = static_cast<int>(f.integer("revoke_tick", s.revoke_tick, 1, 1000));
  s.tick_s = f.number("tick_s", s.tick_s, 1, 1e6);
  s.block_interval_ms = f.number("block_interval_ms", s.block_interval_ms, 10, 1e6);
  s.dishonest_probability = f.number("dishonest_probability", s.dishonest_probability, 0, 1);
  bool probability_given = f.has("dishonest_probability");
  const nlohmann::json& list = f.child("dishonest");
  if (f.ok() && !list.is_null()) {
    s.dishonest_listed = true;
    s.dishonest.clear();
    if (!list.is_array()) {
      f.fail("dishonest", "expected a list of member indices");
    } else {
      for (const nlohmann::json& i : list) {
        if (!i.is_number_integer() || i.get<int64_t>() < 0 || i.get<int64_t>() >= s.members) {
          f.fail("dishonest", "expected member indices from 0 to " + std::to_string(s.members - 1));
          break;
        }
        if (std::find(s.dishonest.begin(), s.dishonest.end(), i.get<size_t>()) != s.dishonest.end()) {
          f.fail("dishonest", "a member named twice");
          break;
        }
        s.dishonest.push_back(i.get<size_t>());
      }
    }
    if (f.ok() && probability_given) f.fail("dishonest", "give either dishonest or dishonest_probability, not both");
  }
  // The setup takes a few blocks before the revocation.
  if (f.ok() && s.revoke_tick * s.tick_s < 12 * s.block_interval_ms / 1000) {
    f.fail("revoke_tick", "revoke_tick * tick_s must leave at least 12 block intervals for the setup");
  }
  return f.finish();
}

}  // namespace fluence::sim
