// An arbiter's part in a cluster's chain: it keeps the chain's headers, not
// the data, and signs each block it can check.
//
// It signs the block at the height after its last signed one once the block
// names that block as parent, carries 2f + 1 valid member signatures, its
// transactions match the root, its tick does not go backwards, and its tick
// is not ahead of the arbiter's own clock by more than the chain's skew
// bound. The last rule is the white paper's defence against a cluster that
// "speeds up time" to collect rewards for ticks that have not come: the
// cluster controls its members' clocks, not its arbiters'. A block refused
// for its tick waits and is checked again when the arbiter's clock reaches it.
// An arbiter signs one block per height, so two signatures of one arbiter
// at one height are equivocation evidence.
//
// Each tick, once it signs the tick's first block, the arbiter challenges
// every member with a proof of retrievability about the state that block
// names (members pin it, see cluster_chain.h) and sends its signed verdicts
// to the members, who put them on chain. It challenges only blocks of the
// tick its own clock is in: members keep one pinned state, so a challenge
// about a past tick would fail honest members.
//
// The members choose what goes in a block, so a cluster could keep an
// arbiter's failing verdicts and ejection votes off its chain. An arbiter
// therefore signs no block whose tick is ChainRules::inclusion_ticks or more past a
// verdict or vote of its own that the chain still lacks; until then it sends
// what is missing again with each block it signs. A cluster that censors
// its arbiters gets no seal from them, and so no arbiter quorum unless the
// arbiters it left in are a quorum by themselves (model/adversary/collusion.h).
//
// Refusing such a block, or seeing no new block for ChainRules::halt_ticks
// (a cluster halted for good), an honest arbiter also votes the cluster
// lost (capture.h) and sends its vote to the other arbiters, again every
// capture_vote_resend until it holds a certificate. With a certificate about
// its last signed block it replaces the whole cluster: recruited, it
// rebuilds the replica from the old members' journals and becomes a member;
// otherwise it arbitrates the new members' chain, which goes on after that
// block. The certificate is stored, so a restart keeps to it, and so are
// the verdicts and votes the chain still owes it.
#pragma once

#include <functional>
#include <map>
#include <optional>

#include "model/cluster/cluster_chain.h"

namespace fluence::cluster {

struct ArbiterConfig {
  storage::DatasetId dataset{};
  std::vector<consensus::Validator> members;   // the genesis roster
  std::vector<consensus::Validator> arbiters;
  chain::ChainRules rules;
  por::RoundConfig por;
  EjectionRules ejection;
  size_t max_candidate_heights = 64;  // ahead of the last signed block
  // Called (from a fresh event) once a block this arbiter signed made it a
  // member; the arbiter stops acting then.
  std::function<void(uint64_t height)> recruited;
  ArbiterConduct conduct;        // honest by default (conduct.h)
  env::Duration capture_vote_resend = std::chrono::seconds(30);
};

class ChainArbiter {
 public:
  ChainArbiter(env::Env& env, rpc::Rpc& rpc, const crypto::SigningKey& key, ArbiterConfig config);
  ~ChainArbiter();
  ChainArbiter(const ChainArbiter&) = delete;
  ChainArbiter& operator=(const ChainArbiter&) = delete;

  // Loads the headers it signed before a restart.
  Status start();
  // The owner routes kCluster messages for this dataset here.
  void on_message(const env::Peer& from, const ClusterMessage& message);

  uint64_t signed_height() const { return last_.height; }
  const chain::BlockHeader& last_signed() const { return last_; }
  // The blocks it signed, 1 to signed_height(), with their transactions.
  Result<std::vector<chain::Block>> signed_blocks() const;
  const ChainBook& book() const { return book_; }
  uint64_t votes_sent() const { return votes_sent_; }
  bool recruited() const { return recruited_; }
  // Distinct headers refused, so far, for a tick ahead of this clock.
  uint64_t refused_for_time() const { return refused_for_time_.size(); }
  // PoR rounds finished, and verdicts that named a fault.
  uint64_t rounds() const { return rounds_; }
  uint64_t faults() const { return faults_; }
  // Heights it refused to sign because the chain left out its transactions.
  uint64_t refused_for_censorship() const { return refused_for_censorship_.size(); }
  // Whether it has a standing vote that the cluster is lost (capture.h).
  bool votes_lost() const { return capture_vote_.has_value(); }
  // The certificate by which it replaced the cluster, if it did.
  const std::optional<CaptureCertificate>& capture() const { return capture_; }
  // Where a recruit fetches the journal from: the members that hold the
  // data up to the block it was recruited at (the old members, after a capture).
  std::vector<consensus::Validator> recovery_sources() const;

 private:
  struct Candidate {
    chain::BlockHeader header;
    std::vector<chain::Transaction> transactions;
    std::set<crypto::PublicKey> signers;
    bool complete = false;  // its transactions arrived (one member carries them)
  };
  void consider(const chain::BlockHeader& header, const chain::Endorsement& endorsement,
                const std::vector<chain::Transaction>& transactions);
  void try_sign();
  chain::Endorsement sign(const chain::BlockHeader& header);
  void send_signature(const env::Address& to, const chain::BlockHeader& header, const chain::Endorsement& endorsement);
  Bytes key(uint64_t height) const;
  void challenge(const chain::BlockHeader& header);
  // After signing a block: the book moves on, and grounds become votes.
  void follow(const chain::Block& block);
  void vote(const EjectionGround& ground);
  // Sends a verdict or vote to the members and, under demands_inclusion,
  // waits for it on chain.
  void publish(const chain::Transaction& transaction, uint64_t tick);
  // Whether `candidate`, with the chain before it, leaves out a transaction
  // of ours for too long; forgets the ones that can no longer go on chain.
  bool leaves_out_ours(const Candidate& candidate);
  void send_to_members(const chain::Transaction& transaction);
  // pending_ in the store, so that a restart still demands it.
  void save_pending();
  Status load_pending();
  // Capture (capture.h): our vote, sent again until a certificate stands;
  // each vote heard; and the switch to the new roster.
  void vote_capture();
  void on_capture_vote(const CaptureVote& vote);
  Status adopt(const CaptureCertificate& certificate);
  void become_member(uint64_t height);
  // Wakes when ChainRules::halt_ticks tick lengths have passed since it last
  // signed a block (or started), and votes the cluster lost if none came since.
  void watch_for_halt();

  env::Env& env_;
  rpc::Rpc& rpc_;
  const crypto::SigningKey& key_;
  ArbiterConfig config_;
  chain::BlockHeader last_;
  std::map<uint64_t, std::map<crypto::Hash256, Candidate>> candidates_;
  std::set<crypto::Hash256> refused_for_time_;
  env::TimerId recheck_timer_ = 0;
  por::Arbiter por_;
  ChainBook book_;
  std::map<crypto::PublicKey, uint64_t> voted_at_;  // member -> height of our last vote against it
  struct Pending {
    chain::Transaction transaction;
    uint64_t tick = 0;         // the tick it was made in
    uint64_t sent_height = 0;  // our last signed height when it was (re)sent
  };
  std::map<crypto::Hash256, Pending> pending_;  // ours, not yet on the chain we signed
  std::set<uint64_t> refused_for_censorship_;
  uint64_t rounds_ = 0;
  uint64_t faults_ = 0;
  uint64_t votes_sent_ = 0;
  bool recruited_ = false;
  CaptureTally capture_tally_;
  std::optional<CaptureVote> capture_vote_;  // ours, once cast
  std::optional<CaptureCertificate> capture_;
  env::TimerId capture_timer_ = 0;
  env::TimerId halt_timer_ = 0;
  env::Time last_progress_{};  // when it last signed a block, or started
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace fluence::cluster
