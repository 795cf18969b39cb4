// Writes a few valid encodings of one decoder's type into a folder, as the
// seed corpus of its fuzz target: the fuzzer starts from real messages
// instead of having to discover the format. Usage: make_corpus TARGET DIR
#include <cstdio>
#include <fstream>
#include <string>

#include "model/chain/block.h"
#include "model/client/btree_bucket.h"
#include "model/client/key_store.h"
#include "model/cluster/messages.h"
#include "model/cluster/read.h"
#include "model/consensus/messages.h"
#include "model/crypto/ore.h"
#include "model/crypto/pre.h"
#include "model/dht/identity.h"
#include "model/dht/messages.h"
#include "model/rpc/rpc.h"
#include "model/storage/replication_messages.h"

using namespace fluence;

namespace {

void write(const std::string& dir, int n, const Bytes& bytes) {
  std::ofstream(dir + "/seed" + std::to_string(n), std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

dht::Contact contact(uint64_t seed) {
  env::DeterministicRandom random(seed);
  dht::Identity id = std::move(*dht::Identity::generate(random, 0));
  return {id.id, id.key.public_key(), id.nonce, "n" + std::to_string(seed)};
}

crypto::SigningKey key() { return crypto::SigningKey::from_seed(crypto::Secret<32>()); }

storage::Dataset sample_dataset(env::MemoryStore& store) {
  storage::Dataset d = std::move(*storage::Dataset::open(store, storage::DatasetId{1}));
  storage::JournalEntry e{1, {}};
  for (int i = 0; i < 20; ++i) {
    std::string k = "row" + std::to_string(i);
    e.mutations.push_back({storage::Mutation::Kind::kPutRow, Bytes(k.begin(), k.end()), Bytes(10, 7), {}, {}});
  }
  e.mutations.push_back({storage::Mutation::Kind::kPutIndex, Bytes{'r'}, {}, Bytes{'a', 'g', 'e'}, Bytes{1, 0, 2}});
  if (!d.apply(e).is_ok()) std::abort();
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s TARGET DIR\n", argv[0]);
    return 2;
  }
  std::string target = argv[1], dir = argv[2];
  env::MemoryStore store;
  storage::Dataset dataset = sample_dataset(store);
  por::PorChallenge challenge = por::PorChallenge::make(key(), dataset.id(), 1, dataset.state_root(),
                                                        dataset.entry_count(), 8, 2);
  por::PorResponse response = por::prove(challenge, dataset, key()).response;
  if (target == "dht_message") {
    dht::DhtMessage m;
    m.sender = contact(1);
    m.type = dht::MessageType::kNodes;
    m.contacts = {contact(2), contact(3)};
    write(dir, 0, codec::encode(m));
    m.type = dht::MessageType::kFindNode;
    m.count = 20;
    write(dir, 1, codec::encode(m));
    m.type = dht::MessageType::kStore;
    m.record = dht::Record::make(key(), as_bytes("name"), as_bytes("value"), 3);
    write(dir, 2, codec::encode(m));
  } else if (target == "journal_entry") {
    write(dir, 0, codec::encode(*dataset.journal_entry(1)));
  } else if (target == "merkle_proof") {
    write(dir, 0, codec::encode(dataset.open_entry(5)));
  } else if (target == "replication_message") {
    storage::ReplicationMessage m;
    m.type = storage::ReplicationMessage::Type::kEntries;
    m.entries = {*dataset.journal_entry(1)};
    write(dir, 0, codec::encode(m));
    m.type = storage::ReplicationMessage::Type::kSnapshotChunk;
    m.entries.clear();
    m.snapshot = {{Bytes{'r', 'a'}, Bytes{1, 2}}};
    write(dir, 1, codec::encode(m));
  } else if (target == "por_challenge") {
    write(dir, 0, codec::encode(challenge));
  } else if (target == "por_response") {
    write(dir, 0, codec::encode(response));
  } else if (target == "por_verdict") {
    write(dir, 0, codec::encode(por::PorVerdict::make(key(), challenge, key().public_key(), por::Fault::kLate)));
  } else if (target == "block") {
    chain::Block b;
    b.transactions = {chain::Transaction{chain::WriteDigest{1, {}}},
                      chain::Transaction{chain::EjectionVote::make(key(), {}, key().public_key(), key().public_key(),
                                                                   chain::EjectionVote::Reason::kOffline)}};
    b.header.transactions_root = chain::transactions_root(b.transactions);
    b.node_signatures = {chain::endorse(key(), b.header)};
    write(dir, 0, codec::encode(b));
  } else if (target == "consensus_message") {
    consensus::ConsensusMessage m;
    m.type = consensus::ConsensusMessage::Type::kProposal;
    m.proposal = consensus::Proposal::make(key(), 3, 1, -1, Bytes{1, 2, 3});
    write(dir, 0, codec::encode(m));
    m.type = consensus::ConsensusMessage::Type::kVote;
    m.vote = consensus::Vote::make(key(), consensus::VoteType::kPrecommit, 3, 1, consensus::value_id(Bytes{1}));
    write(dir, 1, codec::encode(m));
    m.type = consensus::ConsensusMessage::Type::kDecision;
    m.decision = consensus::Decision{3, Bytes{1}, {*m.vote}};
    write(dir, 2, codec::encode(m));
  } else if (target == "envelope") {
    write(dir, 0, codec::encode(rpc::Envelope{rpc::Protocol::kDht, rpc::Kind::kRequest, 9, Bytes{1, 2, 3}}));
  } else if (target == "contact") {
    write(dir, 0, codec::encode(contact(4)));
  } else if (target == "record") {
    write(dir, 0, codec::encode(dht::Record::make(key(), as_bytes("n"), as_bytes("v"), 1)));
  } else if (target == "read_answer") {
    cluster::ReadAnswer a;
    a.row_key = Bytes{'k'};
    a.value = Bytes{'v', 'w'};
    a.sequence = 7;
    a.signer = key().public_key();
    a.signature = key().sign(a.signed_bytes());
    write(dir, 0, codec::encode(a));
    a.value.reset();
    write(dir, 1, codec::encode(a));
  } else if (target == "journal_batch") {
    cluster::JournalBatch batch;
    batch.entries = {storage::JournalEntry{4, {storage::Mutation{storage::Mutation::Kind::kPutRow, Bytes{'k'}, Bytes{'v'}, {}, {}}}},
                     storage::JournalEntry{5, {}}};
    write(dir, 0, codec::encode(batch));
  } else if (target == "cluster_message") {
    cluster::BlockProposal p;
    p.writes = {storage::JournalEntry{1, {storage::Mutation{storage::Mutation::Kind::kPutRow, Bytes{'k'}, Bytes{'v'}, {}, {}}}}};
    p.submissions = {crypto::Hash256{9}};
    p.transactions = {chain::Transaction{cluster::write_digest(p.writes[0])}};
    p.header.transactions_root = chain::transactions_root(p.transactions);
    write(dir, 0, codec::encode(p));
    cluster::ClusterMessage m;
    m.type = cluster::ClusterMessage::Type::kSubmitWrite;
    m.mutations = p.writes[0].mutations;
    write(dir, 1, codec::encode(m));
    m.type = cluster::ClusterMessage::Type::kNodeEndorsement;
    m.header = p.header;
    m.endorsement = chain::endorse(key(), p.header);
    m.transactions = p.transactions;
    write(dir, 2, codec::encode(m));
    m = {};
    m.type = cluster::ClusterMessage::Type::kConsensus;
    m.consensus = Bytes{1, 2, 3};
    write(dir, 3, codec::encode(m));
    m = {};
    m.type = cluster::ClusterMessage::Type::kJournalRequest;
    m.sequence = 12;
    write(dir, 4, codec::encode(m));
  } else if (target == "key_store") {
    env::DeterministicRandom random(5);
    client::KeyStore keys;
    for (uint8_t n = 1; n <= 2; ++n) {
      if (!keys.create(storage::DatasetId{n}, random).is_ok()) std::abort();
    }
    write(dir, 0, *keys.seal("passphrase", client::kMinPasswordHashLimits, random));
    std::vector<client::KeyStoreEntry> entries;
    entries.push_back({storage::DatasetId{1}, client::RootSecret()});
    entries.push_back({storage::DatasetId{2}, client::RootSecret()});
    write(dir, 1, client::encode_key_store_plaintext(entries));
  } else if (target == "ore_right") {
    // The target decodes each input as both kinds, so both seed it.
    env::DeterministicRandom random(9);
    crypto::OreKey ore_key = crypto::OreKey::derive(crypto::Secret<32>());
    crypto::OreKey small_ore_key = crypto::OreKey::derive(crypto::Secret<32>(), crypto::OreBlockBits::k2);
    write(dir, 0, codec::encode(crypto::ore_encrypt_right(ore_key, 1234, random)));
    write(dir, 1, codec::encode(crypto::ore_encrypt_left(ore_key, 1234)));
    write(dir, 2, codec::encode(crypto::ore_encrypt_right(small_ore_key, 1234, random)));
    write(dir, 3, codec::encode(crypto::ore_encrypt_left(small_ore_key, 1234)));
  } else if (target == "pre_capsule" || target == "pre_kfrag" || target == "pre_cfrag") {
    // One 2-of-2 delegation: two capsules, its kfrags, and their cfrags.
    env::DeterministicRandom random(11);
    crypto::pre::KeyPair owner = crypto::pre::KeyPair::generate(random);
    crypto::pre::KeyPair receiver = crypto::pre::KeyPair::generate(random);
    crypto::pre::Capsule capsule = crypto::pre::encapsulate(owner.public_key(), random)->capsule;
    std::vector<crypto::pre::KeyFrag> kfrags =
        std::move(*crypto::pre::generate_kfrags(owner, receiver.public_key(), key(), 2, 2, random));
    for (int i = 0; i < 2; ++i) {
      const crypto::pre::KeyFrag& kfrag = kfrags[static_cast<size_t>(i)];
      if (target == "pre_capsule") write(dir, i, codec::encode(crypto::pre::encapsulate(owner.public_key(), random)->capsule));
      if (target == "pre_kfrag") write(dir, i, codec::encode(kfrag));
      if (target == "pre_cfrag") write(dir, i, codec::encode(*crypto::pre::reencrypt(kfrag, capsule, random)));
    }
  } else if (target == "btree_bucket") {
    // The target decodes each input as a bucket and as a descriptor.
    client::Bucket leaf;
    client::Bucket internal;
    internal.level = 1;
    for (uint8_t n = 1; n <= 3; ++n) {
      leaf.keys.push_back(Bytes{'k', n});
      leaf.values.push_back(Bytes{'v', n});
      internal.children.push_back({n, crypto::blake2b_256(Bytes{n})});
      if (n > 1) internal.keys.push_back(Bytes{'k', n});
    }
    write(dir, 0, client::encode_bucket(leaf));
    write(dir, 1, client::encode_bucket(internal));
    client::BTreeDescriptor descriptor = *client::BTreeDescriptor::empty(as_bytes("ix/"), 8);
    write(dir, 2, codec::encode(descriptor));
    descriptor.height = 2;
    descriptor.root = internal.children[0];
    descriptor.size = 3;
    descriptor.next_bucket_id = 4;
    write(dir, 3, codec::encode(descriptor));
  } else {
    // A target without a seed corpus starts from nothing; that is allowed.
    write(dir, 0, Bytes{0});
  }
  return 0;
}
