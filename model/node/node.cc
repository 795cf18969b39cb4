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
  storage::Dataset dataset;
  std::unique_ptr<storage::Replication> replication;
  std::unique_ptr<por::Prover> prover;
};

Node::Node(env::Env& env, dht::Identity identity, NodeConfig config)
    : env_(env),
      identity_(std::move(identity)),
      config_(std::move(config)),
      rpc_(env),
      dht_(env, rpc_, identity_, config_.dht) {
  rpc_.set_handler(rpc::Protocol::kReplication, [this](const env::Peer& from, rpc::Kind kind, ByteView body) {
    Hosted* h = hosted(storage::ReplicationMessage::peek_dataset(body));
    return h ? h->replication->on_message(from, kind, body) : std::nullopt;
  });
  rpc_.set_handler(rpc::Protocol::kPor, [this](const env::Peer& from, rpc::Kind kind, ByteView body) {
    Hosted* h = hosted(por::PorChallenge::peek_dataset(body));
    return h ? h->prover->on_message(from, kind, body) : std::nullopt;
  });
}

Node::~Node() = default;

Node::Hosted* Node::hosted(const std::optional<storage::DatasetId>& id) {
  if (!id) return nullptr;
  auto it = hosted_.find(*id);
  return it == hosted_.end() ? nullptr : it->second.get();
}

void Node::open_datasets() {
  for (const HostedDataset& spec : config_.datasets) {
    if (auto it = hosted_.find(spec.id); it != hosted_.end()) {
      it->second->replication->start();  // a restart: timers were lost
      continue;
    }
    Result<storage::Dataset> dataset = storage::Dataset::open(env_.store(), spec.id);
    if (!dataset) {
      env_.log(env::LogLevel::kError, "cannot open dataset " + to_hex(spec.id).substr(0, 12) + ": " +
                                          dataset.status().to_string());
      continue;
    }
    auto h = std::make_unique<Hosted>(Hosted{std::move(*dataset), nullptr, nullptr});
    storage::ReplicationConfig replication = config_.replication;
    replication.members = spec.members;
    h->replication = std::make_unique<storage::Replication>(env_, rpc_, h->dataset, replication);
    h->prover = std::make_unique<por::Prover>(h->dataset, identity_);
    h->replication->start();
    hosted_.emplace(spec.id, std::move(h));
  }
}

void Node::write(const storage::DatasetId& dataset, std::vector<storage::Mutation> mutations,
                 std::function<void(Result<uint64_t>)> done) {
  Hosted* h = hosted(dataset);
  if (h == nullptr) return done(Status::error(ErrorCode::kNotFound, "this node does not host that dataset"));
  h->replication->submit(std::move(mutations), std::move(done));
}

std::optional<DatasetStatus> Node::dataset_status(const storage::DatasetId& dataset) const {
  auto it = hosted_.find(dataset);
  if (it == hosted_.end()) return std::nullopt;
  const storage::Dataset& d = it->second->dataset;
  return DatasetStatus{d.applied_sequence(), d.entry_count(), d.state_root()};
}

storage::Dataset* Node::dataset(const storage::DatasetId& dataset) {
  Hosted* h = hosted(dataset);
  return h ? &h->dataset : nullptr;
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
  dht_.join(bootstrap, [this, joined = std::move(joined)](Status status) {
    if (status.is_ok()) {
      save_contacts();
      env_.log(env::LogLevel::kInfo, "joined with " + std::to_string(dht_.routing_table().size()) +
                                         " contacts");
    } else {
      env_.log(env::LogLevel::kWarning, "join failed: " + status.to_string());
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
