#include "model/node/node.h"

#include <algorithm>

namespace fluence::node {

namespace {
// Where a node keeps the contacts it knew, to rejoin after a restart even if
// its configured bootstrap nodes are gone.
constexpr std::string_view kSavedContactsKey = "node/contacts";
constexpr size_t kMaxSavedContacts = 64;

struct SavedContacts {
  std::vector<dht::Contact> contacts;
  void encode(codec::Writer& writer) const {
    writer.varint(contacts.size());
    for (const dht::Contact& contact : contacts) contact.encode(writer);
  }
  static SavedContacts decode(codec::Reader& reader) {
    SavedContacts saved;
    size_t n = reader.count("saved_contacts", kMaxSavedContacts, dht::kIdBytes);
    for (size_t i = 0; i < n && reader.ok(); ++i) saved.contacts.push_back(dht::Contact::decode(reader));
    return saved;
  }
};
}  // namespace

struct Node::Hosted {
  HostedDataset spec;
  std::optional<storage::Dataset> dataset;  // members, and arbiters in recovery
  std::unique_ptr<cluster::ClusterChain> chain;
  std::unique_ptr<por::Prover> prover;
  std::unique_ptr<cluster::ChainArbiter> arbiter;
  std::unique_ptr<cluster::Recovery> recovery;

  // The dataset's current roster as this node knows it: the chain's for a
  // member, the signed blocks' for an arbiter; nullptr if neither runs.
  const cluster::Roster* roster() const {
    if (chain) return &chain->roster();
    if (arbiter) return &arbiter->book().roster();
    return nullptr;
  }
};

Node::Node(env::Env& env, dht::Identity identity, NodeConfig config)
    : env_(env),
      identity_(std::move(identity)),
      config_(std::move(config)),
      rpc_(env),
      dht_(env, rpc_, identity_, config_.dht) {
  rpc_.set_handler(rpc::Protocol::kCluster, [this](const env::Peer& from, rpc::Kind kind, ByteView body) {
    Hosted* h = hosted(cluster::ClusterMessage::peek_dataset(body));
    if (h == nullptr) return std::optional<Bytes>();
    Result<cluster::ClusterMessage> message = codec::decode<cluster::ClusterMessage>(body);
    if (!message) return std::optional<Bytes>();
    if (kind == rpc::Kind::kRequest) {
      if (message->type == cluster::ClusterMessage::Type::kSignContractRequest) {
        const cluster::Roster* roster = h->roster();
        if (roster == nullptr) return std::optional<Bytes>();
        env_.charge(env::Work::kSign, 2);  // the contract signature and the answer's
        return std::optional<Bytes>(
            codec::encode(cluster::answer_contract_signing(identity_.key, h->spec.id, *roster, *message->contract,
                                                               config_.cluster.signing_policy)));
      }
      if (!h->chain) return std::optional<Bytes>();
      if (message->type == cluster::ClusterMessage::Type::kReadRequest) {
        return std::optional<Bytes>(h->chain->answer_read(message->row_key));
      }
      if (message->type == cluster::ClusterMessage::Type::kJournalRequest) {
        return std::optional<Bytes>(h->chain->answer_journal(message->sequence));
      }
      if (message->type == cluster::ClusterMessage::Type::kOreScanRequest) {
        return std::optional<Bytes>(h->chain->answer_ore_scan(*message->ore_scan));
      }
      if (message->type == cluster::ClusterMessage::Type::kReencryptRequest) {
        return std::optional<Bytes>(h->chain->answer_reencrypt(message->share, *message->capsule));
      }
      return std::optional<Bytes>();
    }
    if (kind != rpc::Kind::kNotify) return std::optional<Bytes>();
    if (h->chain) h->chain->on_message(from, *message);
    if (h->arbiter) h->arbiter->on_message(from, *message);
    return std::optional<Bytes>();
  });
  rpc_.set_handler(rpc::Protocol::kPor, [this](const env::Peer& from, rpc::Kind kind, ByteView body) {
    Hosted* h = hosted(por::PorChallenge::peek_dataset(body));
    return h && h->prover ? h->prover->on_message(from, kind, body) : std::nullopt;
  });
}

Node::~Node() { env_.cancel(rejoin_timer_); }

Node::Hosted* Node::hosted(const std::optional<storage::DatasetId>& id) {
  if (!id) return nullptr;
  auto it = hosted_.find(*id);
  return it == hosted_.end() ? nullptr : it->second.get();
}

void Node::open_datasets() {
  const crypto::PublicKey self = identity_.key.public_key();
  auto contains = [&](const std::vector<consensus::Validator>& list) {
    return std::any_of(list.begin(), list.end(), [&](const consensus::Validator& v) { return v.key == self; });
  };
  for (const HostedDataset& spec : config_.datasets) {
    if (hosted_.count(spec.id) != 0) continue;  // started before (a restart in the test world)
    auto h = std::make_unique<Hosted>();
    h->spec = spec;
    Status started = Status::ok();
    // An arbiter recruited into the cluster before a restart holds a member's chain.
    if (contains(spec.members) || (contains(spec.arbiters) && cluster::ClusterChain::has_history(env_.store(), spec.id))) {
      started = start_member(*h);
    } else if (contains(spec.arbiters)) {
      started = start_arbiter(*h);
    } else {
      env_.log(env::LogLevel::kWarning, "dataset " + to_hex(spec.id).substr(0, 12) + " names this node neither member nor arbiter");
      continue;
    }
    if (!started.is_ok()) {
      env_.log(env::LogLevel::kError, "dataset " + to_hex(spec.id).substr(0, 12) + ": " + started.to_string());
      continue;
    }
    hosted_.emplace(spec.id, std::move(h));
  }
}

Status Node::open_replica(Hosted& h) {
  if (h.dataset) return Status::ok();
  Result<storage::Dataset> dataset = storage::Dataset::open(env_.store(), h.spec.id);
  if (!dataset) return dataset.status().with_context("cannot open the dataset");
  h.dataset.emplace(std::move(*dataset));
  return Status::ok();
}

Status Node::start_member(Hosted& h) {
  FL_RETURN_IF_ERROR(open_replica(h));
  cluster::ClusterConfig chain = config_.cluster;
  chain.dataset = h.spec.id;
  chain.members = h.spec.members;
  chain.arbiters = h.spec.arbiters;
  h.chain = std::make_unique<cluster::ClusterChain>(env_, rpc_, identity_.key, *h.dataset, chain);
  const env::Address& accomplice = config_.cluster.member_conduct.colludes_with;
  h.prover = accomplice.empty() ? std::make_unique<por::Prover>(*h.dataset, identity_.key)
                                : std::make_unique<por::Prover>(*h.dataset, identity_.key, rpc_, por::Collusion{accomplice});
  return h.chain->start().with_context("cannot start the chain");
}

Status Node::start_arbiter(Hosted& h) {
  const storage::DatasetId id = h.spec.id;
  cluster::ArbiterConfig arbiter;
  arbiter.dataset = id;
  arbiter.members = h.spec.members;
  arbiter.arbiters = h.spec.arbiters;
  arbiter.rules = config_.cluster.rules;
  arbiter.por = config_.cluster.por;
  arbiter.ejection = config_.cluster.ejection;
  arbiter.recruited = [this, id](uint64_t) { recover(id); };
  arbiter.conduct = config_.cluster.arbiter_conduct;
  h.arbiter = std::make_unique<cluster::ChainArbiter>(env_, rpc_, identity_.key, arbiter);
  FL_RETURN_IF_ERROR(h.arbiter->start().with_context("cannot start arbitrating"));
  // Recruited before a restart, and not done recovering.
  if (h.arbiter->recruited()) {
    env_.schedule(env::Duration(0), [this, id] { recover(id); });
  }
  return Status::ok();
}

void Node::recover(const storage::DatasetId& id) {
  Hosted* h = hosted(id);
  if (h == nullptr || !h->arbiter || h->recovery) return;
  std::string name = to_hex(id).substr(0, 12);
  Result<std::vector<chain::Block>> blocks = h->arbiter->signed_blocks();
  Status opened = blocks ? open_replica(*h) : blocks.status();
  if (!opened.is_ok()) {
    env_.log(env::LogLevel::kError, "cannot recover dataset " + name + ": " + opened.to_string());
    return;
  }
  env_.log(env::LogLevel::kInfo, "recovering dataset " + name + " up to block " + std::to_string(blocks->size()));
  h->recovery = std::make_unique<cluster::Recovery>(env_, rpc_, identity_.key.public_key(), *h->dataset, *blocks,
                                                    h->arbiter->recovery_sources(), std::chrono::seconds(5));
  h->recovery->run([this, id, blocks = std::move(*blocks), capture = h->arbiter->capture()](Status status) {
    // Not from inside the recovery's own callback: it is destroyed.
    env_.schedule(env::Duration(0), [this, id, blocks, capture, status] {
      Hosted* recovering = hosted(id);
      if (recovering == nullptr) return;
      recovering->recovery.reset();
      Status done = status.is_ok()
                        ? cluster::ClusterChain::install_history(env_.store(), *recovering->dataset, blocks, capture)
                        : status;
      if (done.is_ok()) {
        recovering->arbiter.reset();
        done = start_member(*recovering);
      }
      std::string n = to_hex(id).substr(0, 12);
      if (!done.is_ok()) {
        env_.log(env::LogLevel::kError, "recovery of dataset " + n + " failed: " + done.to_string());
        return;
      }
      env_.log(env::LogLevel::kInfo, "recovered dataset " + n + "; now a member");
    });
  });
}

void Node::write(const storage::DatasetId& dataset, std::vector<storage::Mutation> mutations,
                 std::function<void(Result<uint64_t>)> done) {
  cluster::ClusterChain* c = chain(dataset);
  if (c == nullptr) return done(Status::error(ErrorCode::kNotFound, "this node is not a member for that dataset"));
  c->submit(std::move(mutations), std::move(done));
}

void Node::sign_contract(const storage::DatasetId& dataset, const economy::StorageContract& contract,
                         std::function<void(Result<std::vector<economy::ContractSignature>>)> done) {
  Hosted* h = hosted(dataset);
  const cluster::Roster* roster = h != nullptr ? h->roster() : nullptr;
  if (roster == nullptr) {
    return done(Status::error(ErrorCode::kNotFound, "this node is neither a member nor an arbiter of that dataset"));
  }
  cluster::gather_contract_signatures(rpc_, identity_.key, dataset, *roster, contract, config_.cluster.signing_policy,
                                      config_.cluster.contract_signing_timeout, std::move(done));
}

std::optional<DatasetStatus> Node::dataset_status(const storage::DatasetId& dataset) const {
  auto it = hosted_.find(dataset);
  if (it == hosted_.end() || !it->second->chain) return std::nullopt;
  const storage::Dataset& d = *it->second->dataset;
  const cluster::ClusterChain& c = *it->second->chain;
  return DatasetStatus{d.applied_sequence(), d.entry_count(), d.state_root(), c.height(), c.sealed_height(),
                       c.pool_size(), c.verdicts().record(identity_.key.public_key())};
}

storage::Dataset* Node::dataset(const storage::DatasetId& dataset) {
  Hosted* h = hosted(dataset);
  return h && h->dataset ? &*h->dataset : nullptr;
}

const por::Prover* Node::prover(const storage::DatasetId& dataset) const {
  auto it = hosted_.find(dataset);
  return it == hosted_.end() ? nullptr : it->second->prover.get();
}

cluster::ClusterChain* Node::chain(const storage::DatasetId& dataset) {
  Hosted* h = hosted(dataset);
  return h ? h->chain.get() : nullptr;
}

cluster::ChainArbiter* Node::arbiter(const storage::DatasetId& dataset) {
  Hosted* h = hosted(dataset);
  return h ? h->arbiter.get() : nullptr;
}

void Node::start(std::function<void(Status)> joined) {
  started_ = true;
  open_datasets();
  std::vector<env::Address> bootstrap = config_.bootstrap;
  Result<std::optional<Bytes>> saved = env_.store().get(as_bytes(kSavedContactsKey));
  if (!saved) {
    env_.log(env::LogLevel::kWarning, "cannot read saved contacts: " + saved.status().to_string());
  } else if (saved->has_value()) {
    Result<SavedContacts> contacts = codec::decode<SavedContacts>(**saved);
    if (!contacts) {
      env_.log(env::LogLevel::kWarning, "ignoring corrupt saved contacts: " + contacts.status().to_string());
    } else {
      for (const dht::Contact& contact : contacts->contacts) {
        if (std::find(bootstrap.begin(), bootstrap.end(), contact.address) == bootstrap.end()) {
          bootstrap.push_back(contact.address);
        }
      }
    }
  }
  join(std::move(bootstrap), config_.rejoin_interval, std::move(joined));
}

void Node::join(std::vector<env::Address> bootstrap, env::Duration retry, std::function<void(Status)> joined) {
  dht_.join(bootstrap, [this, bootstrap, retry, joined = std::move(joined)](Status status) {
    if (status.is_ok()) {
      joined_ = true;
      save_contacts();
      env_.log(env::LogLevel::kInfo, "joined with " + std::to_string(dht_.routing_table().size()) +
                                         " contacts");
    } else {
      // A bootstrap node that is down or overloaded now may answer later;
      // a node left alone would stay alone.
      env_.log(env::LogLevel::kWarning, "join failed, retrying in " +
                                            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(retry).count()) +
                                            " s: " + status.to_string());
      env::Duration next = std::min<env::Duration>(retry * 2, std::chrono::minutes(1));
      rejoin_timer_ = env_.schedule(retry, [this, bootstrap, next] {
        if (dht_.routing_table().size() == 0) join(bootstrap, next, nullptr);
      });
    }
    if (joined) joined(status);
  });
}

void Node::save_contacts() {
  SavedContacts saved;
  saved.contacts = dht_.routing_table().closest(identity_.id, kMaxSavedContacts);
  env::WriteBatch batch;
  batch.put(as_bytes(kSavedContactsKey), codec::encode(saved));
  Status status = env_.store().write(batch);
  if (!status.is_ok()) env_.log(env::LogLevel::kWarning, "cannot save contacts: " + status.to_string());
}

}  // namespace fluence::node
