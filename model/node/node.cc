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

Node::Node(env::Env& env, dht::Identity identity, NodeConfig config)
    : env_(env),
      identity_(std::move(identity)),
      config_(std::move(config)),
      rpc_(env),
      dht_(env, rpc_, identity_, config_.dht) {}

void Node::start(std::function<void(Status)> joined) {
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
