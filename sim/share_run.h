// The "denial-of-remove" scenario (white paper, "Denial of Remove"): does a
// revoked share stay revoked, and a deleted row stay deleted, when some
// members keep what they were told to forget?
//
// A cluster of n members and its arbiters runs the whole chain. The owner
// mints tokens, opens a storage contract on the members and a sharing
// contract with threshold m to a receiver, who funds it; the receiver has
// the cluster re-encrypt a capsule (it must get m verified CapsuleFrags and
// open the capsule's key K). The owner writes a row and deletes it, and
// revokes the share once tick `revoke_tick` has come. Each member is
// dishonest with probability p (or a listed set is): it keeps its revoked
// fragment and the deleted row and answers with them. After the revocation
// the receiver asks again, and reads the deleted row with k signatures.
//
// Every step goes through member 0 and waits until member 0's ledger shows
// the previous one committed; the run ends once the receiver has both
// answers. It measures whether the receiver still opened K, from how many
// verified fragments, how many members still held the revoked fragment, and
// whether the stale row came back. analysis/ sets it beside the model:
// P[decrypts after revocation] = P[Binomial(n, p) >= m].
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "model/crypto/pre.h"
#include "model/economy/gateway.h"
#include "model/economy/share.h"
#include "sim/world.h"

namespace fluence::sim {

class ShareRun {
 public:
  ShareRun(World& world, const Scenario& scenario, uint64_t seed, bool progress);
  void configure();
  void schedule();
  // Fails, naming the step, if the run ended before the receiver's last answer.
  Status write_results(const std::filesystem::path& out, double wall_seconds) const;
  void print_summary(double wall_seconds) const;

 private:
  // What the poll on member 0 waits for next.
  enum class Step { kMint, kContract, kShare, kFund, kBefore, kRevoke, kRevoked, kAfter, kDone };
  static const char* step_name(Step step);

  bool is_dishonest(size_t member) const;
  void poll(node::Node* via);
  // Puts `op` in every member's pool, through member 0 (kSubmitTransaction).
  void broadcast(node::Node* via, const economy::EconomyOp& op);
  void write_row(node::Node* via, bool remove);
  struct Attempt {
    bool finished = false;
    bool decrypted = false;
    size_t verified = 0;
    size_t not_counted = 0;
    std::string error;
  };
  void reencrypt(node::Node* via, Attempt& attempt);
  void count_holders();

  World& world_;
  const Scenario& scenario_;
  const ShareSpec& spec_;
  uint64_t seed_;
  bool progress_;
  storage::DatasetId dataset_{};
  std::vector<size_t> dishonest_;  // member indices, ascending

  economy::SimulatedGateway gateway_{2};
  crypto::SigningKey owner_;
  crypto::SigningKey receiver_;
  crypto::pre::KeyPair delegator_;
  crypto::pre::KeyPair receiver_pre_;
  crypto::pre::Capsule capsule_;
  crypto::pre::SymmetricKey capsule_key_;
  economy::StorageContract contract_;
  crypto::PublicKey share_id_;
  Bytes row_key_;
  Bytes row_value_;

  Step step_ = Step::kMint;
  bool row_written_ = false;
  bool row_deleted_ = false;
  Attempt before_;
  Attempt after_;
  std::optional<double> revoked_at_s_;
  size_t holders_counted_ = 0;
  size_t revoked_fragment_holders_ = 0;
  bool read_finished_ = false;
  std::string read_outcome_;  // "absent", "stale", or the read's error
  double finished_s_ = 0;
};

}  // namespace fluence::sim
