// The "denial-of-remove" scenario's section, "share" (scenarios/README.md):
// a cluster whose storage contract's owner shares the dataset with a
// receiver through threshold proxy re-encryption, then deletes a row and
// revokes the share, while some members keep what they were told to forget
// (white paper, "Denial of Remove"; model/cluster/reencrypt.h).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/base/status.h"

namespace fluence::sim {

struct ShareSpec {
  int members = 7;
  int arbiters = 3;
  int threshold = 3;  // m: CapsuleFrags the receiver needs, 1..members
  // Each member keeps revoked fragments and deleted rows with this
  // probability, drawn per member from the run's seed...
  double dishonest_probability = 0;
  // ...or exactly these members do (then the probability is not used).
  std::vector<size_t> dishonest;
  bool dishonest_listed = false;
  // k: signatures the read of the deleted row asks for; 0 means f + 1.
  int read_signatures = 0;
  int revoke_tick = 2;  // the owner revokes the share once this tick has come
  double tick_s = 10;
  double block_interval_ms = 1000;

  size_t faulty_bound() const { return static_cast<size_t>(members - 1) / 3; }  // f
  size_t signatures() const { return read_signatures > 0 ? static_cast<size_t>(read_signatures) : faulty_bound() + 1; }
  // Long enough for the setup, the revocation at revoke_tick and the
  // requests after it, each of which waits for a block or a round trip.
  double end_s() const { return (revoke_tick + 2) * tick_s + 40 * block_interval_ms / 1000; }
};

// Reads the section strictly: unknown or ill-typed fields are errors that
// name the field under `path`.
Status read_share(const nlohmann::json& value, const std::string& path, ShareSpec& spec);

}  // namespace fluence::sim
