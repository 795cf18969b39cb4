// Sharing through the whole product on 127.0.0.1 (white paper, "Sharing
// Data Overview"): fluence-node processes (4 members, 3 arbiters) hold one
// dataset and mint tokens from the receipts their configs list; an owner's
// fluence-gateway opens the dataset's storage contract (every node and
// arbiter signs it) and shares a collection with a second fluence-gateway
// that has no dataset of its own. The real MongoDB C driver on each side:
// the receiver reads the collection once it funded the share, each read
// paid from the share's escrow, and is refused once the owner revoked it.
#include <gtest/gtest.h>
#include <mongoc/mongoc.h>

#include <filesystem>
#include <fstream>

#include "model/client/grant.h"
#include "model/codec/codec.h"
#include "model/economy/ops.h"
#include "tests/runtime/gateway/gateway_process.h"
#include "tests/runtime/gateway/mongo_driver.h"
#include "tests/runtime/node_cluster.h"

namespace fluence::testing {
namespace {

namespace fs = std::filesystem;
using gateway::testing::Bson;
using json = nlohmann::json;

constexpr size_t kMembers = 4;
constexpr size_t kArbiters = 3;
constexpr int kDocuments = 50;
const std::string kDataset(64, 'a');
constexpr uint64_t kMinted = 10'000'000;  // micro-FFT, to each gateway's account

// A receipt id the nodes' configs list, one per recipient.
std::string receipt(char c) { return std::string(64, c); }

// A command's reply, or its error message (empty reply) when it failed.
struct CommandResult {
  json reply;
  std::string error;
};

CommandResult run(mongoc_client_t* client, const std::string& db, const std::string& command) {
  Bson body(command);
  bson_t reply;
  bson_error_t error;
  bool ok = mongoc_client_command_simple(client, db.c_str(), body.bson, nullptr, &reply, &error);
  CommandResult result;
  if (ok) {
    char* text = bson_as_relaxed_extended_json(&reply, nullptr);
    result.reply = json::parse(text);
    bson_free(text);
  } else {
    result.error = error.message;
  }
  bson_destroy(&reply);
  return result;
}

// The _ids a find returns in _id order, or its error.
std::pair<std::vector<int64_t>, std::string> find(mongoc_collection_t* collection, const std::string& filter) {
  return gateway::testing::find_ids_or_error(collection, filter, R"({"sort": {"_id": 1}})");
}

void write_config(const fs::path& dir, uint16_t port, const json& datasets) {
  fs::create_directories(dir);
  json config = {{"listen", "127.0.0.1:" + std::to_string(port)},
                 {"key_store", (dir / "keys").string()},
                 {"argon2", "min"},
                 {"datasets", datasets}};
  std::ofstream(dir / "gateway.json") << config.dump(2);
}

class GatewayShareTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mongoc_init(); }
  static void TearDownTestSuite() { mongoc_cleanup(); }

  void SetUp() override {
    root_ = fs::temp_directory_path() / ("fluence-share-test-" + std::to_string(getpid()));
    fs::remove_all(root_);
    owner_port_ = free_port();
    receiver_port_ = free_port();
    // Each gateway's account first: the nodes' configs mint to them.
    write_config(root_ / "owner", owner_port_, json::array());
    write_config(root_ / "receiver", receiver_port_, json::array());
    owner_account_ = GatewayProcess::identity(root_ / "owner").first;
    std::tie(receiver_account_, receiver_pre_) = GatewayProcess::identity(root_ / "receiver");
    ASSERT_EQ(owner_account_.size(), 64u);
    ASSERT_EQ(receiver_account_.size(), 64u);
    ASSERT_EQ(receiver_pre_.size(), 64u);

    json receipts = json::array({{{"receipt", receipt('1')}, {"to", owner_account_}, {"amount", kMinted}},
                                 {{"receipt", receipt('2')}, {"to", receiver_account_}, {"amount", kMinted}}});
    cluster_ = std::make_unique<NodeCluster>(kMembers + kArbiters, 2, [&](const std::vector<std::string>& peers) {
      json extra = one_dataset(peers, kDataset, kMembers);
      extra.update({{"block_interval_ms", 20}, {"token_receipts", receipts}, {"contract_min_price_per_gb_month", 720000}});
      return extra;
    });
    for (size_t i = 0; i < cluster_->size(); ++i) cluster_->start(i);
    ASSERT_TRUE(cluster_->wait_until([](size_t, const json&) { return true; }, 20000));

    write_config(root_ / "owner", owner_port_,
                 json::array({{{"id", kDataset}, {"node_admin", cluster_->node(0).admin_address},
                               {"allocation_bytes", 1'000'000'000}}}));
    owner_ = std::make_unique<GatewayProcess>(root_ / "owner", owner_port_);
    receiver_ = std::make_unique<GatewayProcess>(root_ / "receiver", receiver_port_);
    ASSERT_TRUE(owner_->wait_ready()) << owner_->log();
    ASSERT_TRUE(receiver_->wait_ready()) << receiver_->log();
    owner_client_ = client_for(owner_port_);
    receiver_client_ = client_for(receiver_port_);
  }

  void TearDown() override {
    if (owner_client_) mongoc_client_destroy(owner_client_);
    if (receiver_client_) mongoc_client_destroy(receiver_client_);
    owner_.reset();
    receiver_.reset();
    cluster_.reset();
    if (std::getenv("FLUENCE_KEEP_CLUSTER") == nullptr) fs::remove_all(root_);
  }

  static mongoc_client_t* client_for(uint16_t port) {
    std::string uri = "mongodb://127.0.0.1:" + std::to_string(port) +
                      "/?serverSelectionTimeoutMS=20000&socketTimeoutMS=120000&retryReads=false";
    return mongoc_client_new(uri.c_str());
  }

  json submit_mint(char receipt_char, const std::string& to) {
    economy::Mint mint;
    Result<std::array<uint8_t, 32>> id = fixed_from_hex<32>(receipt(receipt_char), "receipt");
    Result<std::array<uint8_t, 32>> key = fixed_from_hex<32>(to, "to");
    EXPECT_TRUE(id.is_ok() && key.is_ok());
    mint.gateway_receipt_id = *id;
    mint.to = crypto::PublicKey{*key};
    mint.amount = kMinted;
    return cluster_->admin(0, {{"cmd", "submit"}, {"dataset", kDataset},
                               {"op_hex", to_hex(codec::encode(economy::EconomyOp{mint}))}}, 40000);
  }

  json share_on_ledger(const std::string& share) {
    return cluster_->admin(2, {{"cmd", "ledger"}, {"dataset", kDataset}, {"share", share}});
  }

  fs::path root_;
  uint16_t owner_port_ = 0, receiver_port_ = 0;
  std::string owner_account_, receiver_account_, receiver_pre_;
  std::unique_ptr<NodeCluster> cluster_;
  std::unique_ptr<GatewayProcess> owner_, receiver_;
  mongoc_client_t* owner_client_ = nullptr;
  mongoc_client_t* receiver_client_ = nullptr;
};

TEST_F(GatewayShareTest, AReceiverReadsASharedCollectionUntilTheOwnerRevokesIt) {
  // The bridge's receipts become tokens, each once.
  ASSERT_TRUE(submit_mint('1', owner_account_).contains("height")) << submit_mint('1', owner_account_);
  ASSERT_TRUE(submit_mint('2', receiver_account_).contains("height"));
  EXPECT_TRUE(submit_mint('2', receiver_account_).contains("error"));

  mongoc_collection_t* items = mongoc_client_get_collection(owner_client_, "app", "items");
  for (int i = 0; i < kDocuments; ++i) {
    Bson document(R"({"_id": )" + std::to_string(i) + R"(, "name": "item-)" + std::to_string(i) + R"(", "v": )" +
                  std::to_string(i % 10) + "}");
    bson_error_t error;
    ASSERT_TRUE(mongoc_collection_insert_one(items, document.bson, nullptr, nullptr, &error)) << error.message;
  }
  mongoc_collection_destroy(items);

  // Below the nodes' price, no node or arbiter signs.
  CommandResult cheap = run(owner_client_, "admin",
                            R"({"fluenceOpenContract": ")" + kDataset +
                                R"(", "deposit": 3000000, "pricePerGbMonth": 1000, "gasPrice": 1})");
  EXPECT_NE(cheap.error.find("price_per_gb_month 1000 is below this party's 720000"), std::string::npos) << cheap.error;
  // The owner's contract, signed by every node and arbiter: 720,000 micro-FFT
  // per GB-month for 1 GB on 4 nodes is 2,880,000 for the first period.
  CommandResult contract = run(owner_client_, "admin",
                               R"({"fluenceOpenContract": ")" + kDataset +
                                   R"(", "deposit": 3000000, "pricePerGbMonth": 720000, "gasPrice": 1})");
  ASSERT_TRUE(contract.error.empty()) << contract.error << "\n" << owner_->log();
  json on_chain = cluster_->admin(1, {{"cmd", "ledger"}, {"dataset", kDataset}, {"contract", contract.reply["contract"]}});
  ASSERT_FALSE(on_chain.contains("error")) << on_chain;
  EXPECT_EQ(on_chain["nodes"].size(), kMembers);
  EXPECT_EQ(on_chain["arbiters"].size(), kArbiters);
  EXPECT_EQ(on_chain["escrow"], 3'000'000u);

  CommandResult shared = run(owner_client_, "app",
                             R"({"fluenceShare": "items", "receiver": ")" + receiver_account_ + R"(", "receiverKey": ")" +
                                 receiver_pre_ + R"("})");
  ASSERT_TRUE(shared.error.empty()) << shared.error << "\n" << owner_->log();
  const std::string share = shared.reply["share"];
  EXPECT_EQ(shared.reply["threshold"], 3);
  EXPECT_EQ(shared.reply["holders"], 4);
  EXPECT_EQ(share_on_ledger(share)["phase"], "active");

  CommandResult attached = run(receiver_client_, "admin",
                               R"({"fluenceAttachShare": ")" + share + R"(", "dataset": ")" + kDataset +
                                   R"(", "nodeAdmin": ")" + cluster_->node(1).admin_address + R"(", "readSignatures": 2})");
  ASSERT_TRUE(attached.error.empty()) << attached.error << "\n" << receiver_->log();
  EXPECT_EQ(attached.reply["ns"], "app.items");

  mongoc_collection_t* shared_items = mongoc_client_get_collection(receiver_client_, "app", "items");
  // Unfunded: the read cannot be paid for.
  auto [unpaid, unpaid_error] = find(shared_items, "{}");
  EXPECT_TRUE(unpaid.empty());
  EXPECT_NE(unpaid_error.find("must fund it first"), std::string::npos) << unpaid_error;

  CommandResult funded = run(receiver_client_, "admin", R"({"fluenceFundShare": ")" + share + R"(", "amount": 1000000})");
  ASSERT_TRUE(funded.error.empty()) << funded.error;
  EXPECT_EQ(share_on_ledger(share)["escrow"], 1'000'000u);
  // The grant the owner left in the dataset: its capsule is what members
  // re-encrypt for the receiver, 3 of them.
  json grant_row = cluster_->admin(2, {{"cmd", "read"}, {"dataset", kDataset}, {"key_hex", "67" + share}});
  ASSERT_TRUE(grant_row["value_hex"].is_string()) << grant_row;
  Result<Bytes> grant_bytes = from_hex(grant_row["value_hex"].get<std::string>());
  ASSERT_TRUE(grant_bytes.is_ok());
  Result<client::Grant> grant = codec::decode<client::Grant>(*grant_bytes);
  ASSERT_TRUE(grant.is_ok()) << grant.status().to_string();
  const json reencrypt_request = {{"cmd", "reencrypt"}, {"dataset", kDataset}, {"share", share},
                                  {"capsule_hex", to_hex(codec::encode(grant->capsule))}};
  json cfrags = cluster_->admin(1, reencrypt_request);
  ASSERT_TRUE(cfrags.contains("cfrags_hex")) << cfrags;
  EXPECT_EQ(cfrags["cfrags_hex"].size(), 3u);


  // The shared read: exactly the owner's documents, found by value.
  auto [ids, read_error] = find(shared_items, R"({"v": {"$in": [3, 7]}})");
  EXPECT_TRUE(read_error.empty()) << read_error << "\n" << receiver_->log();
  std::vector<int64_t> expected;
  for (int i = 0; i < kDocuments; ++i) {
    if (i % 10 == 3 || i % 10 == 7) expected.push_back(i);
  }
  EXPECT_EQ(ids, expected);
  // Paid from the escrow, all of it to the nodes (no markup).
  uint64_t escrow_after = share_on_ledger(share)["escrow"];
  EXPECT_LT(escrow_after, 1'000'000u);

  // A share named in the config survives a restart of the receiver.
  mongoc_collection_destroy(shared_items);
  mongoc_client_destroy(receiver_client_);
  receiver_.reset();
  json config = json::parse(std::ifstream(root_ / "receiver" / "gateway.json"));
  config["shares"] = json::array({{{"share", share}, {"dataset", kDataset},
                                   {"node_admin", cluster_->node(3).admin_address}, {"read_signatures", 2}}});
  std::ofstream(root_ / "receiver" / "gateway.json") << config.dump(2);
  receiver_ = std::make_unique<GatewayProcess>(root_ / "receiver", receiver_port_);
  ASSERT_TRUE(receiver_->wait_ready()) << receiver_->log();
  receiver_client_ = client_for(receiver_port_);
  shared_items = mongoc_client_get_collection(receiver_client_, "app", "items");
  auto [again, again_error] = find(shared_items, R"({"v": 3})");
  EXPECT_TRUE(again_error.empty()) << again_error;
  EXPECT_EQ(again.size(), static_cast<size_t>(kDocuments / 10));

  // Read only, and listed beside nothing of the receiver's own.
  Bson document(R"({"_id": 1000})");
  bson_error_t error;
  EXPECT_FALSE(mongoc_collection_insert_one(shared_items, document.bson, nullptr, nullptr, &error));
  EXPECT_NE(std::string(error.message).find("shared read-only"), std::string::npos) << error.message;
  CommandResult collections = run(receiver_client_, "app", R"({"listCollections": 1, "nameOnly": true})");
  ASSERT_TRUE(collections.error.empty()) << collections.error;
  ASSERT_EQ(collections.reply["cursor"]["firstBatch"].size(), 1u);
  EXPECT_EQ(collections.reply["cursor"]["firstBatch"][0]["name"], "items");

  // The owner revokes: the next read is refused.
  CommandResult revoked = run(owner_client_, "app", R"({"fluenceRevokeShare": "items", "share": ")" + share + R"("})");
  ASSERT_TRUE(revoked.error.empty()) << revoked.error;
  EXPECT_EQ(share_on_ledger(share)["phase"], "revoked");
  auto [after, refused] = find(shared_items, R"({"v": 3})");
  EXPECT_TRUE(after.empty());
  EXPECT_NE(refused.find("revoked"), std::string::npos) << refused;
  // And the members forgot their fragments: the cluster re-encrypts no more.
  json reencrypt = cluster_->admin(1, reencrypt_request);
  EXPECT_TRUE(reencrypt.contains("error")) << reencrypt;
  // Nor is the grant there any more.
  EXPECT_TRUE(cluster_->admin(2, {{"cmd", "read"}, {"dataset", kDataset}, {"key_hex", "67" + share}})["value_hex"].is_null());
  mongoc_collection_destroy(shared_items);

  // The owner's own reads are untouched.
  mongoc_collection_t* own = mongoc_client_get_collection(owner_client_, "app", "items");
  EXPECT_EQ(find(own, R"({"v": 3})").first.size(), static_cast<size_t>(kDocuments / 10));
  mongoc_collection_destroy(own);
}

TEST_F(GatewayShareTest, AShareNamedWrongIsRefusedWithItsReason) {
  CommandResult unknown = run(receiver_client_, "admin",
                              R"({"fluenceAttachShare": ")" + std::string(64, 'b') + R"(", "dataset": ")" + kDataset +
                                  R"(", "nodeAdmin": ")" + cluster_->node(1).admin_address + R"("})");
  EXPECT_FALSE(unknown.error.empty());
  CommandResult bad_hex = run(receiver_client_, "admin",
                              R"({"fluenceAttachShare": "zz", "dataset": ")" + kDataset + R"(", "nodeAdmin": "x"})");
  EXPECT_NE(bad_hex.error.find("fluenceAttachShare"), std::string::npos) << bad_hex.error;
  // Sharing needs the collection, and then the dataset's contract.
  const std::string offer = R"(", "receiver": ")" + receiver_account_ + R"(", "receiverKey": ")" + receiver_pre_ + R"("})";
  CommandResult missing = run(owner_client_, "app", R"({"fluenceShare": "nothing)" + offer);
  EXPECT_NE(missing.error.find("does not exist"), std::string::npos) << missing.error;
  mongoc_collection_t* solo = mongoc_client_get_collection(owner_client_, "app", "solo");
  Bson document(R"({"_id": 1})");
  bson_error_t insert_error;
  ASSERT_TRUE(mongoc_collection_insert_one(solo, document.bson, nullptr, nullptr, &insert_error)) << insert_error.message;
  mongoc_collection_destroy(solo);
  CommandResult no_contract = run(owner_client_, "app", R"({"fluenceShare": "solo)" + offer);
  EXPECT_NE(no_contract.error.find("no storage contract"), std::string::npos) << no_contract.error;
  // A gateway with no datasets keeps no collections of its own.
  mongoc_collection_t* none = mongoc_client_get_collection(receiver_client_, "app", "mine");
  auto [ids, error] = find(none, "{}");
  EXPECT_NE(error.find("no datasets of its own"), std::string::npos) << error;
  mongoc_collection_destroy(none);
}

}  // namespace
}  // namespace fluence::testing
