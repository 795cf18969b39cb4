// A cluster node's part in its dataset's chain: consensus orders the writes,
// every member applies them, and each committed block collects the members'
// and the arbiters' signatures.
//
// A client's write, sent to any member, goes to every member's pool; the
// height's proposer takes a batch from its pool into a BlockProposal, the
// cluster agrees on it with Tendermint (2f + 1 of n = 3f + 1 members), and on
// commit every member applies the batch to its replica and acknowledges the
// writes it was asked for with their journal sequences. So an acknowledged
// write is in a block that 2f + 1 members signed.
//
// A member rejects (prevotes nil on) a proposal whose tick is ahead of its
// own clock by more than the chain's skew bound: a minority with fast clocks
// cannot commit the future. After commit, each member signs the header and
// sends it to the members and the arbiters; an arbiter signs once it has
// 2f + 1 members' signatures and the header passes its own checks, among them
// the time rule on its own clock, so a whole cluster that speeds up time
// commits blocks no arbiter seals. A block with 2f + 1 member signatures and
// an arbiter quorum is sealed; members re-send their signature until then.
//
// Proofs of retrievability: every member pins its replica's state at the
// first block of each tick (the state that block's header names), and the
// arbiters challenge that state during the tick (see arbiter.h); their
// verdicts come back as transactions and settle into outcomes (verdicts.h)
// that the ledger pays storage rewards by.
//
// Crash safety: a block is stored with the state after its writes, so a
// restarted member resumes consensus at the next height, skips the writes it
// had already applied, and gets the blocks it missed from its peers.
#pragma once

#include <algorithm>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <set>

#include "model/cluster/chain_book.h"
#include "model/cluster/conduct.h"
#include "model/cluster/contract_signing.h"
#include "model/cluster/messages.h"
#include "model/cluster/read.h"
#include "model/cluster/reencrypt.h"
#include "model/cluster/share_keeper.h"
#include "model/consensus/tendermint.h"
#include "model/por/round.h"
#include "model/rpc/rpc.h"

namespace fluence::cluster {

struct ClusterConfig {
  storage::DatasetId dataset{};
  // The genesis roster: the cluster, in the same order everywhere, and its
  // arbiters. The chain changes it (membership.h).
  std::vector<consensus::Validator> members;
  std::vector<consensus::Validator> arbiters;
  chain::ChainRules rules;
  consensus::ConsensusConfig consensus;        // timeouts; validators, first height and commit delay are set here
  // The least time between blocks (the engine's commit delay): bounds the
  // rate of empty blocks while idle; writes arriving meanwhile batch up.
  env::Duration block_interval = std::chrono::seconds(1);
  size_t max_block_writes = 1000;
  size_t max_block_bytes = 512 * 1024;
  size_t max_pool_writes = 100000;
  env::Duration write_timeout = std::chrono::seconds(30);
  // How long gathering a storage contract's signatures waits for each party
  // (contract_signing.h).
  env::Duration contract_signing_timeout = std::chrono::seconds(5);
  // The storage contract terms this node signs (contract_signing.h).
  SigningPolicy signing_policy;
  // Unsealed blocks are sent again this often, doubling (up to 16 times)
  // while no new block gets sealed, so a chain its arbiters have stopped
  // sealing does not flood them.
  env::Duration endorsement_retry = std::chrono::seconds(2);
  // Each tick's proofs of retrievability: challenge size and deadline.
  por::RoundConfig por;
  // When arbiters vote a member out (they read it; members follow the votes).
  EjectionRules ejection;
  // How this node departs from the protocol as a member and as an arbiter
  // (conduct.h); honest by default.
  MemberConduct member_conduct;
  ArbiterConduct arbiter_conduct;
  // Confirms mints of functional tokens (must outlive the chain); nullptr:
  // none is confirmed, so no token enters this chain.
  const economy::Gateway* gateway = nullptr;
};

// The replica's state after a block's writes.
struct ChainState {
  uint64_t sequence = 0;
  crypto::Hash256 root{};
  uint64_t entries = 0;

  bool operator==(const ChainState&) const = default;
};

// The header every chain of `dataset` starts from (never signed).
chain::BlockHeader genesis_header(const storage::DatasetId& dataset);
// Sends `message` over the kCluster protocol.
void send_cluster(rpc::Rpc& rpc, const env::Address& to, const ClusterMessage& message);

class ClusterChain final : public consensus::Application {
 public:
  ClusterChain(env::Env& env, rpc::Rpc& rpc, const crypto::SigningKey& key, storage::Dataset& dataset,
               ClusterConfig config);
  ~ClusterChain() override;
  ClusterChain(const ClusterChain&) = delete;
  ClusterChain& operator=(const ClusterChain&) = delete;

  // Loads the chain from the store and starts consensus after its last block.
  Status start();

  // A client's write: `done` gets its journal sequence once a block holding
  // it is committed, or an error (invalid, pool full, timeout).
  void submit(std::vector<storage::Mutation> mutations, std::function<void(Result<uint64_t>)> done);
  // A transaction for a coming block (a token or contract operation, a PoR
  // verdict, equivocation evidence). Token operations are checked against
  // the ledger when a block is proposed: one that does not apply is left out.
  void submit_transaction(const chain::Transaction& transaction);
  // A client's token or contract operation through this member. It is
  // checked at once against a copy of this member's ledger at next_tick(),
  // and `done` gets the ledger's error if it does not apply there (so an
  // author's operations go one at a time: the next nonce is the committed
  // ledger's). Otherwise it goes to every member's pool, and `done` gets the
  // height of the committed block of this chain that holds it, or kTimeout
  // after write_timeout (it may still commit later).
  void submit_operation(const economy::EconomyOp& op, std::function<void(Result<uint64_t>)> done);

  // The owner routes kCluster notes for this dataset here...
  void on_message(const env::Peer& from, const ClusterMessage& message);
  // ...and read requests, whose answer is the reply,
  Bytes answer_read(ByteView row_key) const;
  // ...and journal requests (a JournalBatch from `from` on),
  Bytes answer_journal(uint64_t from) const;
  // ...and ORE scan requests: this member's signed OreScanAnswer, or no
  // bytes when it has none to sign (an invalid query, a store error).
  Bytes answer_ore_scan(const storage::OreScanQuery& query) const;
  // ...and re-encryption requests: this member's signed ReencryptAnswer
  // from its ShareKeeper, a CapsuleFrag or a refusal (reencrypt.h).
  Bytes answer_reencrypt(const crypto::PublicKey& share, const crypto::pre::Capsule& capsule);

  // Whether `store` holds a member's chain of `dataset`.
  static bool has_history(env::Store& store, const storage::DatasetId& dataset);
  // Recovery mode: stores `blocks` (1 to h, as an arbiter signed them) as a
  // member's chain whose replica, `dataset`, is at the state after block h,
  // so that start() resumes at h + 1; with the certificate that replaced the
  // cluster after block h (capture.h), if that is how the node was recruited.
  static Status install_history(env::Store& store, const storage::Dataset& dataset,
                                const std::vector<chain::Block>& blocks,
                                const std::optional<CaptureCertificate>& capture = std::nullopt);

  // Reads a row with the integrity the client picks: `done` gets the value
  // once `signatures` (1..n) members, this one included, signed the same
  // answer, or an error once every member asked has answered or timed out.
  void read(Bytes row_key, size_t signatures, std::function<void(Result<ReadResult>)> done);
  // One page of a range query over an ORE index (storage/ore_scan.h), with
  // the same integrity: `done` gets the page once `signatures` (1..n)
  // members, this one included, signed the same page for the same query,
  // or an error (kInvalidArgument for a query that fails validate()).
  void scan_ore(storage::OreScanQuery query, size_t signatures, std::function<void(Result<OreScanResult>)> done);
  // A sharing contract's receiver, through this member: asks every member
  // (this one included) to re-encrypt `capsule` under `share`, and counts
  // only CapsuleFrags that verify against the share's authorisations on
  // this member's ledger, one per holder (reencrypt.h). `done` gets m of
  // them once it has them, or, once every member answered or timed out,
  // kUnavailable "<k> of <m> fragments ..." naming why each holder heard did
  // not count; kNotFound at once for a share the ledger does not know.
  // The share's phase is not checked: after revocation, fragments kept by
  // dishonest holders still verify, and only m > their number makes the
  // revocation hold. `tallied`, if given, sees the final tally either way
  // (for measurements).
  void reencrypt(const crypto::PublicKey& share, const crypto::pre::Capsule& capsule,
                 std::function<void(Result<ReencryptResult>)> done,
                 std::function<void(const FragmentTally&)> tallied = nullptr);

  uint64_t height() const { return last_.height; }  // last committed block
  // The tick a block proposed now carries: the one an operation submitted
  // now is applied at (unless the clock passes into the next tick first).
  uint64_t next_tick() const { return std::max(last_.tick, current_tick()); }
  uint64_t sealed_height() const { return sealed_height_; }
  const ChainState& state() const { return state_; }
  // A committed block, with the signatures gathered so far.
  Result<std::optional<chain::Block>> block(uint64_t height) const;
  // This member's consensus engine (none once ejected).
  const consensus::Tendermint& consensus() const {
    FL_ASSERT(consensus_ != nullptr);
    return *consensus_;
  }
  bool takes_part() const { return consensus_ != nullptr; }
  size_t pool_size() const { return pool_.size(); }
  // Transactions (token operations, verdicts, evidence) waiting for a block.
  size_t transaction_pool_size() const { return transaction_pool_.size(); }
  // The functional-token ledger as of the last committed block: every
  // member holds the same one, rebuilt from the stored blocks on restart.
  const economy::Ledger& ledger() const { return book_.ledger(); }
  // The PoR outcomes settled on chain, per member.
  const VerdictBook& verdicts() const { return book_.verdicts(); }
  // The ledger, the outcomes and the membership as of the last committed block.
  const ChainBook& book() const { return book_; }
  const Roster& roster() const { return book_.roster(); }
  // This member's fragments of sharing contracts, synced with the ledger at
  // every committed block.
  const ShareKeeper& share_keeper() const { return keeper_; }

  // consensus::Application
  Bytes propose(uint64_t height) override;
  bool valid(uint64_t height, ByteView value) override;
  void commit(const consensus::Decision& decision) override;

 private:
  struct Waiter;
  struct PoolEntry {
    crypto::Hash256 id;
    std::vector<storage::Mutation> mutations;
    size_t bytes = 0;
  };

  // Sends `request` to every other member and gathers their signed answers
  // with `own`; `done` gets agree_on(answers) once it succeeds, or its
  // error once every member asked has answered or timed out.
  template <typename Answer, typename Outcome>
  void gather(Answer own, const ClusterMessage& request, size_t signatures,
              std::function<Result<Outcome>(const std::vector<Answer>&)> agree_on,
              std::function<void(Result<Outcome>)> done);
  void add_to_pool(const crypto::Hash256& submission, std::vector<storage::Mutation> mutations);
  void take_from_pool(const crypto::Hash256& id);
  void acknowledge(const crypto::Hash256& id, uint64_t sequence);
  // Tells the submit_operation callers waiting for `transaction` the height of the block that holds it.
  void acknowledge_operation(const crypto::Hash256& transaction, uint64_t height);
  bool transaction_acceptable(const chain::Transaction& transaction) const;
  void add_endorsement(const chain::BlockHeader& header, const chain::Endorsement& endorsement, bool from_arbiter);
  void maybe_seal(chain::Block& block);
  const chain::Endorsement* own_endorsement(const chain::Block& block) const;
  void send_endorsement(const chain::Block& block, const crypto::PublicKey& arbiter);  // unless it signed
  void send_endorsements(const chain::Block& block);
  void retry_endorsements();
  // Sends an arbiter the block after `signed_height`, from memory or the store.
  void feed_arbiter(const crypto::PublicKey& arbiter, uint64_t signed_height);
  bool carries_transactions(uint64_t height) const;
  Status save(const chain::Block& block, bool sealed);
  // (Re)starts the engine with the current roster, after the last block; none if not a member.
  void start_consensus();
  const Roster& roster_at(uint64_t height) const { return book_.membership().at(height); }
  void pin_for_challenges(const chain::BlockHeader& header);
  Bytes key(char kind, uint64_t height) const;
  // This member's signed answer to a read: its replica's row, or, for a
  // member that keeps deleted rows, the value the journal deleted.
  ReadAnswer read_answer(ByteView row_key) const;
  // Remembers the rows `entry` deletes, for a member that keeps deleted rows.
  void keep_deleted_rows(const storage::JournalEntry& entry);
  void sync_shares();
  ReencryptAnswer reencrypt_answer(const crypto::PublicKey& share, const crypto::pre::Capsule& capsule);
  uint64_t current_tick() const;

  env::Env& env_;
  rpc::Rpc& rpc_;
  const crypto::SigningKey& key_;
  storage::Dataset& dataset_;
  ClusterConfig config_;
  std::unique_ptr<consensus::Tendermint> consensus_;

  chain::BlockHeader last_;  // last committed header (genesis before any)
  ChainState state_;         // after last_'s writes
  uint64_t sealed_height_ = 0;
  ChainBook book_;
  ShareKeeper keeper_;
  // MemberConduct::keeps_deleted_rows: row key -> the value the journal
  // deleted, at most kMaxKeptRows of them. Empty for an honest member.
  static constexpr size_t kMaxKeptRows = 100000;
  std::map<Bytes, Bytes> kept_rows_;
  size_t changes_seen_ = 0;  // membership changes the engine was restarted for
  std::map<uint64_t, chain::Block> unsealed_;  // committed, awaiting signatures
  std::map<uint64_t, uint64_t> attempts_;       // retries so far, by unsealed height
  std::map<crypto::PublicKey, uint64_t> arbiter_progress_;  // the highest block each arbiter is known to have signed
  struct EarlyEndorsement {
    chain::BlockHeader header;
    chain::Endorsement endorsement;
    bool from_arbiter = false;
  };
  static constexpr uint64_t kEarlyHeights = 64;
  std::map<uint64_t, std::vector<EarlyEndorsement>> early_endorsements_;  // for blocks not committed here yet

  std::list<PoolEntry> pool_;
  std::map<crypto::Hash256, std::list<PoolEntry>::iterator> pool_index_;  // by submission id
  std::map<crypto::Hash256, std::shared_ptr<Waiter>> waiters_;            // by submission id
  // submit_operation's callers, by transaction hash (one operation may be submitted twice).
  std::multimap<crypto::Hash256, std::shared_ptr<Waiter>> operation_waiters_;
  // Submission ids already in blocks: a duplicated or late submission
  // message must not commit a write twice. (Kept in memory: a restarted
  // member relies on its peers' sets until its own fills again.)
  std::set<crypto::Hash256> committed_submissions_;
  struct PooledTransaction {
    chain::Transaction transaction;
    env::Time added{};  // when this member pooled it
  };
  std::vector<PooledTransaction> transaction_pool_;
  std::set<crypto::Hash256> committed_transactions_;
  size_t evidence_reported_ = 0;  // consensus evidence already put in the pool
  env::TimerId retry_timer_ = 0;
  int retry_backoff_ = 1;             // times endorsement_retry
  uint64_t sealed_at_last_retry_ = 0;
  bool started_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace fluence::cluster
