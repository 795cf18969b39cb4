#include "sim/share_run.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "model/cluster/chain_book.h"
#include "model/economy/ops.h"
#include "sim/run_output.h"

namespace fluence::sim {

namespace pre = crypto::pre;

namespace {

// Streams of the run's seed, one per thing drawn, so that adding a draw
// elsewhere never shifts these.
constexpr uint64_t kDishonestStream = 0x2d00;
constexpr uint64_t kKeyStream = 0x2e00;  // + 0..3: owner, contract, receiver, share
constexpr uint64_t kPreStream = 0x2e10;
constexpr uint64_t kShareStream = 0x2e11;

crypto::SigningKey key_from(uint64_t seed, uint64_t stream) {
  env::DeterministicRandom random(seed, stream);
  crypto::Secret<32> secret;
  random.fill(std::span<uint8_t>(secret.data(), secret.size()));
  return crypto::SigningKey::from_seed(secret);
}

pre::KeyPair pre_key(env::Random& random) { return pre::KeyPair::generate(random); }

bool same_key(const pre::SymmetricKey& a, const pre::SymmetricKey& b) {
  return std::equal(a.view().begin(), a.view().end(), b.view().begin());
}

}  // namespace

const char* ShareRun::step_name(Step step) {
  switch (step) {
    case Step::kMint: return "minting";
    case Step::kContract: return "opening the storage contract";
    case Step::kShare: return "opening the share";
    case Step::kFund: return "funding the share and writing the row";
    case Step::kBefore: return "re-encrypting before revocation and deleting the row";
    case Step::kRevoke: return "waiting for revoke_tick to revoke";
    case Step::kRevoked: return "waiting for the revocation to commit";
    case Step::kAfter: return "re-encrypting and reading after revocation";
    case Step::kDone: return "done";
  }
  return "?";
}

ShareRun::ShareRun(World& world, const Scenario& scenario, uint64_t seed, bool progress)
    : world_(world),
      scenario_(scenario),
      spec_(scenario.share),
      seed_(seed),
      progress_(progress),
      owner_(key_from(seed, kKeyStream)),
      receiver_(key_from(seed, kKeyStream + 2)),
      delegator_([&] {
        env::DeterministicRandom random(seed, kPreStream);
        return pre_key(random);
      }()),
      receiver_pre_([&] {
        env::DeterministicRandom random(seed, kPreStream + 1);
        return pre_key(random);
      }()) {
  FL_ASSERT(world_.size() == static_cast<size_t>(spec_.members + spec_.arbiters));
  dataset_[0] = 0xd0;
  if (spec_.dishonest_listed) {
    dishonest_ = spec_.dishonest;
    std::sort(dishonest_.begin(), dishonest_.end());
  } else {
    env::DeterministicRandom draw(seed_, kDishonestStream);
    for (size_t m = 0; m < static_cast<size_t>(spec_.members); ++m) {
      if (draw.chance(spec_.dishonest_probability)) dishonest_.push_back(m);
    }
  }
  env::DeterministicRandom random(seed_, kPreStream + 2);
  Result<pre::Encapsulation> encapsulation = pre::encapsulate(delegator_.public_key(), random);
  FL_ASSERT(encapsulation.is_ok());
  capsule_ = encapsulation->capsule;
  capsule_key_ = std::move(encapsulation->key);
  share_id_ = key_from(seed_, kKeyStream + 3).public_key();
  const std::string key = "shared-row";
  row_key_.assign(key.begin(), key.end());
  row_value_ = Bytes(64, 0x5e);
}

bool ShareRun::is_dishonest(size_t member) const {
  return std::binary_search(dishonest_.begin(), dishonest_.end(), member);
}

void ShareRun::configure() {
  node::HostedDataset hosted = world_.cluster_roster(dataset_, static_cast<size_t>(spec_.members));
  world_.set_node_config([this, hosted](size_t i) {
    node::NodeConfig config = world_.cluster_node_config(hosted, spec_.block_interval_ms, spec_.tick_s);
    cluster::ClusterConfig& c = config.cluster;
    c.gateway = &gateway_;
    if (i < static_cast<size_t>(spec_.members) && is_dishonest(i)) {
      c.member_conduct.keeps_revoked_fragments = true;
      c.member_conduct.keeps_deleted_rows = true;
    }
    return config;
  });
  // The storage contract on the members, long enough never to end in the run.
  economy::StorageContract& c = contract_;
  c.id = key_from(seed_, kKeyStream + 1).public_key();
  c.client = owner_.public_key();
  c.period_ticks = 1000;
  c.valid_until_tick = c.period_ticks;
  for (size_t i = 0; i < world_.size(); ++i) {
    (i < static_cast<size_t>(spec_.members) ? c.nodes : c.arbiters).push_back(world_.identity(i).key.public_key());
  }
  c.replication_factor = static_cast<uint32_t>(spec_.members);
  c.allocation_bytes = economy::kBytesPerGb;
  c.max_response_time_ms = 5000;
  c.price_per_gb_month = 720;
  c.gas_price = 1;
  c.sla = {c.period_ticks, 1000};
}

void ShareRun::broadcast(node::Node* via, const economy::EconomyOp& op) {
  cluster::ClusterMessage message;
  message.type = cluster::ClusterMessage::Type::kSubmitTransaction;
  message.dataset = dataset_;
  message.transaction = chain::Transaction{op};
  for (size_t m = 1; m < static_cast<size_t>(spec_.members); ++m) {
    cluster::send_cluster(via->rpc(), World::address_of(m), message);
  }
  via->chain(dataset_)->submit_transaction(*message.transaction);
}

void ShareRun::write_row(node::Node* via, bool remove) {
  storage::Mutation m{remove ? storage::Mutation::Kind::kDeleteRow : storage::Mutation::Kind::kPutRow, row_key_,
                      remove ? Bytes{} : row_value_, {}, {}};
  via->write(dataset_, {m}, [this, remove](Result<uint64_t> r) {
    if (!r) return;  // the poll asks again
    (remove ? row_deleted_ : row_written_) = true;
  });
}

void ShareRun::reencrypt(node::Node* via, Attempt& attempt) {
  via->chain(dataset_)->reencrypt(
      share_id_, capsule_,
      [this, &attempt](Result<cluster::ReencryptResult> result) {
        attempt.finished = true;
        if (!result) {
          attempt.error = result.status().message();
          return;
        }
        Result<pre::SymmetricKey> key =
            pre::decrypt_reencrypted(receiver_pre_, delegator_.public_key(), capsule_, result->cfrags);
        attempt.decrypted = key && same_key(*key, capsule_key_);
        if (!key) attempt.error = key.status().message();
      },
      [&attempt](const cluster::FragmentTally& tally) {
        attempt.verified = tally.cfrags.size();
        attempt.not_counted = tally.not_counted.size();
      });
}

void ShareRun::count_holders() {
  // Ground truth from each member's own keeper, after the revocation synced.
  for (size_t m = 0; m < static_cast<size_t>(spec_.members); ++m) {
    world_.at(world_.now() + 0.001, m, [this](node::Node* node) {
      cluster::ClusterChain* chain = node != nullptr ? node->chain(dataset_) : nullptr;
      if (chain != nullptr && chain->share_keeper().holds(share_id_)) ++revoked_fragment_holders_;
      ++holders_counted_;
    });
  }
}

void ShareRun::poll(node::Node* via) {
  if (via == nullptr || via->chain(dataset_) == nullptr || step_ == Step::kDone) return;
  const economy::ChainId chain_id = cluster::ledger_chain_id(dataset_);
  const economy::Ledger& ledger = via->chain(dataset_)->ledger();
  const uint64_t tick = static_cast<uint64_t>(world_.now() / spec_.tick_s);
  switch (step_) {
    case Step::kMint:
      broadcast(via, {gateway_.issue(owner_.public_key(), 10'000'000)});
      broadcast(via, {gateway_.issue(receiver_.public_key(), 10'000'000)});
      step_ = Step::kContract;
      break;
    case Step::kContract: {
      if (ledger.account(owner_.public_key()).spendable == 0 || ledger.account(receiver_.public_key()).spendable == 0) break;
      economy::SignedContract s{contract_, {economy::ContractSignature::make(owner_, contract_)}};
      for (size_t i = 0; i < world_.size(); ++i) {
        s.signatures.push_back(economy::ContractSignature::make(world_.identity(i).key, contract_));
      }
      broadcast(via, {economy::OpenContract::make(owner_, chain_id, std::move(s), 1'000'000, 0)});
      step_ = Step::kShare;
      break;
    }
    case Step::kShare: {
      if (ledger.contract(contract_.id) == nullptr) break;
      economy::ShareTerms terms{share_id_, contract_.id, receiver_.public_key(), receiver_pre_.public_key(),
                                static_cast<uint8_t>(spec_.threshold), 0};
      env::DeterministicRandom random(seed_, kShareStream);
      Result<economy::SharingContract> share =
          economy::make_sharing_contract(owner_, delegator_, terms, contract_.nodes, random);
      FL_ASSERT_MSG(share.is_ok(), share.status().to_string().c_str());
      broadcast(via, {economy::OpenShare::make(owner_, chain_id, std::move(*share), 1)});
      step_ = Step::kFund;
      break;
    }
    case Step::kFund:
      if (ledger.share(share_id_) == nullptr) break;
      broadcast(via, {economy::FundShare::make(receiver_, chain_id, share_id_, 1'000'000, 0)});
      write_row(via, false);
      step_ = Step::kBefore;
      break;
    case Step::kBefore: {
      const economy::ShareAccount* share = ledger.share(share_id_);
      if (share == nullptr || share->escrow == 0 || !row_written_) break;
      reencrypt(via, before_);
      write_row(via, true);
      step_ = Step::kRevoke;
      break;
    }
    case Step::kRevoke:
      if (!before_.finished || !row_deleted_ || tick < static_cast<uint64_t>(spec_.revoke_tick)) break;
      broadcast(via, {economy::RevokeShare::make(owner_, chain_id, share_id_, 2)});
      step_ = Step::kRevoked;
      break;
    case Step::kRevoked:
      if (ledger.share(share_id_)->active()) break;
      // Every member commits the block within a round trip of member 0;
      // the next poll, a block interval later, asks them.
      revoked_at_s_ = world_.now();
      step_ = Step::kAfter;
      break;
    case Step::kAfter: {
      if (world_.now() < *revoked_at_s_ + spec_.block_interval_ms / 1000) break;
      count_holders();
      reencrypt(via, after_);
      via->chain(dataset_)->read(row_key_, spec_.signatures(), [this](Result<cluster::ReadResult> r) {
        read_finished_ = true;
        if (!r) {
          read_outcome_ = "error: " + r.status().message();
        } else if (!r->value) {
          read_outcome_ = "absent";
        } else {
          read_outcome_ = *r->value == row_value_ ? "stale" : "other value";
        }
      });
      step_ = Step::kDone;
      break;
    }
    case Step::kDone: break;
  }
  if (progress_) {
    std::fprintf(stderr, "\r  simulated %6.1f / %.0f s   %-55s", world_.now(), scenario_.end_s, step_name(step_));
    std::fflush(stderr);
  }
}

void ShareRun::schedule() {
  for (size_t i = 0; i < world_.size(); ++i) {
    world_.at(0, i, [](node::Node* node) {
      if (node != nullptr) node->start();
    });
  }
  const double step = spec_.block_interval_ms / 1000;
  for (double t = step; t <= scenario_.end_s; t += step) {
    world_.at(t, 0, [this](node::Node* node) {
      poll(node);
      if (step_ == Step::kDone && after_.finished && read_finished_ &&
          holders_counted_ == static_cast<size_t>(spec_.members) && finished_s_ == 0) {
        finished_s_ = world_.now();
        world_.end_now();
      }
    });
  }
}

Status ShareRun::write_results(const std::filesystem::path& out, double wall_seconds) const {
  if (!after_.finished || !read_finished_ || holders_counted_ != static_cast<size_t>(spec_.members)) {
    return Status::error(ErrorCode::kTimeout, "the run ended at " + std::to_string(world_.now()) + " s while " +
                                                  step_name(step_) + ": no measurement (raise share.tick_s or revoke_tick)");
  }
  nlohmann::json summary = summary_header(scenario_, seed_);
  summary.update({{"members", spec_.members},
                  {"arbiters", spec_.arbiters},
                  {"threshold", spec_.threshold},
                  {"read_signatures", spec_.signatures()},
                  {"faulty_bound", spec_.faulty_bound()},
                  {"dishonest_listed", spec_.dishonest_listed ? 1 : 0},
                  {"dishonest", dishonest_.size()},
                  {"dishonest_members", dishonest_},
                  {"before_decrypted", before_.decrypted ? 1 : 0},
                  {"before_verified_cfrags", before_.verified},
                  {"before_error", before_.error},
                  {"revoked_at_s", revoked_at_s_.value_or(0)},
                  {"revoked_fragment_holders", revoked_fragment_holders_},
                  {"after_decrypted", after_.decrypted ? 1 : 0},
                  {"after_verified_cfrags", after_.verified},
                  {"after_not_counted", after_.not_counted},
                  {"after_error", after_.error},
                  {"deleted_row_keepers", dishonest_.size()},
                  {"stale_row_returned", read_outcome_ == "stale" ? 1 : 0},
                  {"read_outcome", read_outcome_}});
  summary.update(run_cost(world_, finished_s_, wall_seconds));
  if (!spec_.dishonest_listed) summary["dishonest_probability"] = spec_.dishonest_probability;
  std::string csv = "member,dishonest\n";
  for (size_t m = 0; m < static_cast<size_t>(spec_.members); ++m) {
    csv += std::to_string(m) + "," + (is_dishonest(m) ? "1" : "0") + "\n";
  }
  return write_run_files(out, summary, csv);
}

void ShareRun::print_summary(double wall_seconds) const {
  if (progress_) std::fprintf(stderr, "\n");
  std::printf("%zu of %d members dishonest, threshold %d: before revocation %s (%zu verified fragments); after it %s "
              "(%zu verified, %zu members still held the fragment); deleted row read with %zu signatures: %s; "
              "%.1f s wall\n",
              dishonest_.size(), spec_.members, spec_.threshold, before_.decrypted ? "decrypted" : "NOT decrypted",
              before_.verified, after_.decrypted ? "STILL decrypted" : "refused", after_.verified,
              revoked_fragment_holders_, spec_.signatures(), read_outcome_.c_str(), wall_seconds);
}

}  // namespace fluence::sim
