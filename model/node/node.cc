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
  std::optional<storage::Dataset> dataset;  // members only
  std::unique_ptr<cluster::ClusterChain> chain;
  std::unique_ptr<por::Prover> prover;
  std::unique_ptr<cluster::ChainArbiter> arbiter;
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
      if (message->type != cluster::ClusterMessage::Type::kReadRequest || !h->chain) return std::optional<Bytes>();
      return std::optional<Bytes>(h->chain->answer_read(message->row_key));
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
    std::string name = to_hex(spec.id).substr(0, 12);
    auto h = std::make_unique<Hosted>();
    if (contains(spec.members)) {
      Result<storage::Dataset> dataset = storage::Dataset::open(env_.store(), spec.id);
      if (!dataset) {
        env_.log(env::LogLevel::kError, "cannot open dataset " + name + ": " + dataset.status().to_string());
        continue;
      }
      h->dataset.emplace(std::move(*dataset));
      cluster::ClusterConfig chain = config_.cluster;
      chain.dataset = spec.id;
      chain.members = spec.members;
      chain.arbiters = spec.arbiters;
      h->chain = std::make_unique<cluster::ClusterChain>(env_, rpc_, identity_.key, *h->dataset, chain);
      h->prover = std::make_unique<por::Prover>(*h->dataset, identity_.key);
      Status started = h->chain->start();
      if (!started.is_ok()) {
        env_.log(env::LogLevel::kError, "cannot start the chain of dataset " + name + ": " + started.to_string());
        continue;
      }
    } else if (contains(spec.arbiters)) {
      cluster::ArbiterConfig arbiter{spec.id, spec.members, config_.cluster.rules, config_.cluster.por};
      h->arbiter = std::make_unique<cluster::ChainArbiter>(env_, rpc_, identity_.key, arbiter);
      Status started = h->arbiter->start();
      if (!started.is_ok()) {
        env_.log(env::LogLevel::kError, "cannot start arbitrating dataset " + name + ": " + started.to_string());
        continue;
      }
    } else {
      env_.log(env::LogLevel::kWarning, "dataset " + name + " names this node neither member nor arbiter");
      continue;
    }
    hosted_.emplace(spec.id, std::move(h));
  }
}

void Node::write(const storage::DatasetId& dataset, std::vector<storage::Mutation> mutations,
                 std::function<void(Result<uint64_t>)> done) {
  cluster::ClusterChain* c = chain(dataset);
  if (c == nullptr) return done(Status::error(ErrorCode::kNotFound, "this node is not a member for that dataset"));
  c->submit(std::move(mutations), std::move(done));
}

std::optional<DatasetStatus> Node::dataset_status(const storage::DatasetId& dataset) const {
  auto it = hosted_.find(dataset);
  if (it == hosted_.end() || !it->second->chain) return std::nullopt;
  const storage::Dataset& d = *it->second->dataset;
  const cluster::ClusterChain& c = *it->second->chain;
  return DatasetStatus{d.applied_sequence(), d.entry_count(), d.state_root(),          c.height(),
                       c.sealed_height(),     c.pool_size(),     c.verdicts().record(identity_.key.public_key())};
}

storage::Dataset* Node::dataset(const storage::DatasetId& dataset) {
  Hosted* h = hosted(dataset);
  return h && h->dataset ? &*h->dataset : nullptr;
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
