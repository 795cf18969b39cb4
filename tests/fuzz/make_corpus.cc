// Writes a few valid encodings of one decoder's type into a folder, as the
// seed corpus of its fuzz target: the fuzzer starts from real messages
// instead of having to discover the format. Usage: make_corpus TARGET DIR
#include <cstdio>
#include <fstream>
#include <string>

#include "model/chain/block.h"
#include "model/client/btree_bucket.h"
#include "model/client/grant.h"
#include "model/client/key_store.h"
#include "model/cluster/contract_signing.h"
#include "model/cluster/messages.h"
#include "model/cluster/read.h"
#include "model/cluster/reencrypt.h"
#include "model/consensus/messages.h"
#include "model/crypto/ore.h"
#include "model/crypto/pre.h"
#include "model/dht/identity.h"
#include "model/dht/messages.h"
#include "model/economy/ops.h"
#include "model/rpc/rpc.h"
#include "model/storage/ore_scan.h"
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

crypto::SigningKey seeded_key(uint8_t seed) {
  crypto::Secret<32> secret;
  secret.data()[0] = seed;
  return crypto::SigningKey::from_seed(secret);
}

// One of each economy operation, the sharing ones with real sealed fragments.
std::vector<economy::EconomyOp> economy_ops(economy::SignedContract& contract) {
  using namespace economy;
  env::DeterministicRandom random(13);
  const crypto::SigningKey client = seeded_key(1), node_a = seeded_key(2), node_b = seeded_key(3),
                           arbiter = seeded_key(4), receiver = seeded_key(5);
  ChainId chain{};
  chain.fill(7);
  StorageContract& c = contract.contract;
  c.id = seeded_key(6).public_key();
  c.client = client.public_key();
  c.valid_until_tick = 24;
  c.nodes = {node_a.public_key(), node_b.public_key()};
  c.arbiters = {arbiter.public_key()};
  c.replication_factor = 2;
  c.allocation_bytes = kBytesPerGb;
  c.price_per_gb_month = 720'000;
  c.gas_price = 3;
  c.period_ticks = 24;
  c.sla = {4, 3};
  for (const auto* k : {&client, &node_a, &node_b, &arbiter}) contract.signatures.push_back(ContractSignature::make(*k, c));
  crypto::pre::KeyPair delegator = crypto::pre::KeyPair::generate(random);
  crypto::pre::KeyPair receiver_pre = crypto::pre::KeyPair::generate(random);
  const crypto::PublicKey share_id = seeded_key(8).public_key();
  ShareTerms terms{share_id, c.id, receiver.public_key(), receiver_pre.public_key(), 2, 250};
  SharingContract share = std::move(*make_sharing_contract(client, delegator, terms, c.nodes, random));
  return {
      {Mint{crypto::Hash256{1}, client.public_key(), 1'000}},
      {Transfer::make(client, chain, receiver.public_key(), 5, 1)},
      {Burn::make(node_a, chain, 6, Bytes(20, 0xab), 0)},
      {OpenContract::make(client, chain, contract, 100'000, 2)},
      {Deposit::make(receiver, chain, c.id, 8, 0)},
      {Terminate::make(client, chain, c.id, 3)},
      {ChargeOperation::make(client, chain, c.id, OperationKind::kRead, 4096, 12, 4)},
      {OpenShare::make(client, chain, std::move(share), 5)},
      {FundShare::make(receiver, chain, share_id, 900, 1)},
      {ChargeShareRead::make(receiver, chain, share_id, 2048, 3, 2)},
      {RevokeShare::make(client, chain, share_id, 6)},
  };
}

// A scan with both bounds (one inclusive), a small limit, resuming.
storage::OreScanQuery ore_scan_query() {
  crypto::OreKey ore_key = crypto::OreKey::derive(crypto::Secret<32>());
  storage::OreScanQuery query;
  query.prefix = Bytes{'i', 'x', '/'};
  query.lower = storage::OreBound{crypto::ore_encrypt_left(ore_key, 10), true};
  query.upper = storage::OreBound{crypto::ore_encrypt_left(ore_key, 20), false};
  query.limit = 5;
  query.after = Bytes{'i', 'x', '/', 1};
  return query;
}

storage::OreScanPage ore_scan_page() {
  storage::OreScanPage page;
  page.rows = {{Bytes{'i', 'x', '/', 2}, Bytes{'d', 2}}, {Bytes{'i', 'x', '/', 4}, Bytes{}}};
  page.complete = false;
  page.resume_after = Bytes{'i', 'x', '/', 5};
  page.skipped = 1;
  return page;
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
  } else if (target == "por_fetch") {
    write(dir, 0, codec::encode(por::PorFetch{challenge, key().public_key()}));
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
    m = {};
    m.type = cluster::ClusterMessage::Type::kOreScanRequest;
    m.ore_scan = ore_scan_query();
    write(dir, 5, codec::encode(m));
    m = {};
    m.type = cluster::ClusterMessage::Type::kSignContractRequest;
    economy::SignedContract contract;
    economy_ops(contract);
    m.contract = contract.contract;
    write(dir, 6, codec::encode(m));
    m = {};
    m.type = cluster::ClusterMessage::Type::kCaptureVote;
    m.capture_vote = cluster::CaptureVote::make(key(), m.dataset, p.header);
    write(dir, 7, codec::encode(m));
    write(dir, 8, codec::encode(cluster::CaptureCertificate{{*m.capture_vote, *m.capture_vote}}));
  } else if (target == "ore_scan") {
    // The target decodes each input as a query and as a page, so both seed it.
    storage::OreScanQuery query = ore_scan_query();
    write(dir, 0, codec::encode(query));
    query.lower.reset();
    query.after.clear();
    write(dir, 1, codec::encode(query));
    storage::OreScanPage page = ore_scan_page();
    write(dir, 2, codec::encode(page));
    page.complete = true;
    page.resume_after.clear();
    write(dir, 3, codec::encode(page));
  } else if (target == "ore_scan_answer") {
    cluster::OreScanAnswer a;
    a.dataset = dataset.id();
    a.query_hash = cluster::ore_scan_query_hash(ore_scan_query());
    a.page = ore_scan_page();
    a.sequence = 3;
    a.signer = key().public_key();
    a.signature = key().sign(a.signed_bytes());
    write(dir, 0, codec::encode(a));
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
  } else if (target == "key_grant") {
    // The target decodes each input as a grant, a path, and a key store's
    // current plaintext, so all three seed it.
    env::DeterministicRandom random(13);
    client::DatasetKeys keys(storage::DatasetId{1}, client::RootSecret());
    client::KeyPath users = *client::KeyPath::from_strings({"users"});
    client::KeyPath alice = *client::KeyPath::from_strings({"users", "alice"});
    write(dir, 0, codec::encode(client::make_grant(keys, users, random)->grant));
    write(dir, 1, codec::encode(client::make_grant(keys, client::KeyPath(), random)->grant));
    write(dir, 2, codec::encode(alice));
    client::KeyStoreContents contents;
    contents.datasets.push_back({storage::DatasetId{1}, client::RootSecret()});
    contents.received.push_back({storage::DatasetId{2}, users, client::NodeSecret()});
    contents.received.push_back({storage::DatasetId{2}, alice, client::NodeSecret()});
    write(dir, 3, client::encode_key_store_contents(contents));
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
  } else if (target == "reencrypt_answer") {
    // A member's answer with a CapsuleFrag of a 1-of-1 delegation, and a refusal.
    env::DeterministicRandom random(17);
    crypto::pre::KeyPair owner = crypto::pre::KeyPair::generate(random);
    crypto::pre::KeyPair receiver = crypto::pre::KeyPair::generate(random);
    crypto::pre::Capsule capsule = crypto::pre::encapsulate(owner.public_key(), random)->capsule;
    crypto::pre::KeyFrag kfrag =
        std::move(crypto::pre::generate_kfrags(owner, receiver.public_key(), key(), 1, 1, random)->front());
    crypto::PublicKey share = seeded_key(3).public_key();
    write(dir, 0, codec::encode(cluster::ReencryptAnswer::make(key(), storage::DatasetId{1}, share, capsule,
                                                               crypto::pre::reencrypt(kfrag, capsule, random))));
    write(dir, 1, codec::encode(cluster::ReencryptAnswer::make(
                      key(), storage::DatasetId{1}, share, capsule,
                      Status::error(ErrorCode::kInvalidArgument, "share: revoked, refusing"))));
  } else if (target == "contract_signing_answer") {
    // A node's signature of a contract for its cluster, and a refusal.
    economy::SignedContract contract;
    economy_ops(contract);
    cluster::Roster roster;
    for (const crypto::PublicKey& node : contract.contract.nodes) roster.members.push_back({"n", node});
    for (const crypto::PublicKey& arbiter : contract.contract.arbiters) roster.arbiters.push_back({"a", arbiter});
    write(dir, 0, codec::encode(cluster::answer_contract_signing(seeded_key(2), storage::DatasetId{1}, roster,
                                                                 contract.contract)));
    roster.members.pop_back();
    write(dir, 1, codec::encode(cluster::answer_contract_signing(seeded_key(2), storage::DatasetId{1}, roster,
                                                                 contract.contract)));
  } else if (target == "economy_op") {
    // The target decodes each input as an EconomyOp and as a SignedContract.
    economy::SignedContract contract;
    std::vector<economy::EconomyOp> ops = economy_ops(contract);
    for (size_t i = 0; i < ops.size(); ++i) write(dir, static_cast<int>(i), codec::encode(ops[i]));
    write(dir, static_cast<int>(ops.size()), codec::encode(contract));
    write(dir, static_cast<int>(ops.size()) + 1, codec::encode(std::get<economy::OpenShare>(ops[7].body).share));
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
