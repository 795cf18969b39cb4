// The admin "ore_scan" through real fluence-node processes: a 4-member
// cluster with 3 arbiters on 127.0.0.1 holds an ORE index written with
// "write"; range queries come back in row-key order, signed by as many
// members as asked, paged, within the admin line bound, and bad requests are
// refused with the field named.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "model/env/random.h"
#include "model/storage/ore_scan.h"
#include "runtime/admin.h"
#include "tests/runtime/node_cluster.h"

namespace fluence::testing {
namespace {

using nlohmann::json;

const std::string kDataset(64, 'a');
constexpr size_t kMembers = 4;
constexpr size_t kArbiters = 3;

crypto::OreKey ore_key(uint8_t seed, crypto::OreBlockBits bits = crypto::kOreDefaultBlockBits) {
  std::array<uint8_t, 32> bytes{};
  bytes.fill(seed);
  return crypto::OreKey::derive(crypto::Secret<32>(std::span<const uint8_t, 32>(bytes)), bits);
}

std::string left_hex(const crypto::OreKey& key, uint64_t value) {
  return to_hex(codec::encode(crypto::ore_encrypt_left(key, value)));
}

// "ix/" + n as the row key; document n carries value 10 * n, payload "doc" + n.
std::string index_key_hex(int n) { return to_hex(as_bytes("ix/" + std::to_string(n))); }

class OreScanAdminTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new NodeCluster(kMembers + kArbiters, 2, [](const std::vector<std::string>& peers) {
      json config = one_dataset(peers, kDataset, kMembers);
      config["block_interval_ms"] = 50;
      return config;
    });
    for (size_t i = 0; i < cluster_->size(); ++i) cluster_->start(i);
    ready_ = cluster_->wait_until([](size_t, const json&) { return true; }, 20000);
    if (!ready_) return;
    // Documents 10..29 (keys sort as numbers: two digits), and one row
    // under the prefix that is not an index row.
    env::DeterministicRandom random(8);
    crypto::OreKey key = ore_key(1);
    json rows = json::array();
    for (int n = 10; n < 30; ++n) {
      Bytes value = storage::encode_ore_row_value(crypto::ore_encrypt_right(key, 10u * n, random),
                                                  as_bytes("doc" + std::to_string(n)));
      rows.push_back({{"key_hex", index_key_hex(n)}, {"value_hex", to_hex(value)}});
    }
    rows.push_back({{"key", "ix/junk"}, {"value", "not a ciphertext"}});
    rows.push_back({{"key", "iy/10"}, {"value", "another index"}});
    json wrote = admin(0, {{"cmd", "write"}, {"dataset", kDataset}, {"rows", rows}});
    ready_ = wrote.contains("sequence");
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(ready_) << "the cluster did not start or take the index"; }

  static json admin(size_t member, const json& request) { return cluster_->admin(member, request, 20000); }
  static json scan(size_t member, json request) {
    request["cmd"] = "ore_scan";
    request["dataset"] = kDataset;
    if (!request.contains("prefix_hex")) request["prefix_hex"] = to_hex(as_bytes("ix/"));
    return admin(member, request);
  }
  // Asks until the members agree (one may be a block behind for a moment).
  static json scan_agreed(size_t member, const json& request) {
    json reply;
    for (int t = 0; t < 50; ++t) {
      reply = scan(member, request);
      if (!reply.contains("error") || reply.value("code", "") != "unavailable") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return reply;
  }
  static std::vector<std::string> payloads(const json& reply) {
    std::vector<std::string> out;
    for (const json& row : reply["rows"]) {
      Result<Bytes> payload = from_hex(row["payload_hex"].get<std::string>());
      out.emplace_back(payload->begin(), payload->end());
    }
    return out;
  }

  static NodeCluster* cluster_;
  static bool ready_;
};
NodeCluster* OreScanAdminTest::cluster_ = nullptr;
bool OreScanAdminTest::ready_ = false;

using L = std::vector<std::string>;

TEST_F(OreScanAdminTest, RangesComeBackSignedInKeyOrderAndPaged) {
  crypto::OreKey key = ore_key(1);
  json range = {{"lower", {{"left_hex", left_hex(key, 150)}, {"inclusive", true}}},
                {"upper", {{"left_hex", left_hex(key, 190)}, {"inclusive", false}}},
                {"signatures", kMembers}};
  json reply = scan_agreed(2, range);
  ASSERT_FALSE(reply.contains("error")) << reply.dump();
  EXPECT_EQ(payloads(reply), (L{"doc15", "doc16", "doc17", "doc18"}));
  EXPECT_EQ(reply["rows"][0]["key_hex"], index_key_hex(15));
  EXPECT_TRUE(reply["complete"].get<bool>());
  EXPECT_TRUE(reply["resume_after_hex"].is_null());
  EXPECT_EQ(reply["skipped"], 1) << "ix/junk";
  EXPECT_EQ(reply["signed_by"].size(), kMembers);
  EXPECT_GE(reply["sequence"].get<uint64_t>(), 1u);

  // Open bounds: everything from 250 on; nothing below 100.
  json upward = scan(0, {{"lower", {{"left_hex", left_hex(key, 250)}, {"inclusive", true}}}});
  EXPECT_EQ(payloads(upward), (L{"doc25", "doc26", "doc27", "doc28", "doc29"})) << upward.dump();
  json below = scan(0, {{"upper", {{"left_hex", left_hex(key, 100)}, {"inclusive", false}}}, {"lower", nullptr}});
  EXPECT_EQ(below["rows"].size(), 0u) << below.dump();

  // Pages of three, resuming where each left off.
  json paged = range;
  paged["limit"] = 3;
  paged["lower"]["left_hex"] = left_hex(key, 120);
  L all;
  for (int page = 0; page < 10; ++page) {
    json r = scan_agreed(static_cast<size_t>(page) % kMembers, paged);
    ASSERT_FALSE(r.contains("error")) << r.dump();
    ASSERT_LE(r["rows"].size(), 3u);
    for (const std::string& p : payloads(r)) all.push_back(p);
    if (r["complete"].get<bool>()) break;
    paged["after_hex"] = r["resume_after_hex"];
  }
  EXPECT_EQ(all, (L{"doc12", "doc13", "doc14", "doc15", "doc16", "doc17", "doc18"}));
}

TEST_F(OreScanAdminTest, RepliesStayUnderTheLineBound) {
  // Rows of almost 256 KiB each: a page holds the first and stops.
  env::DeterministicRandom random(9);
  crypto::OreKey key = ore_key(1);
  const Bytes payload(200 * 1024, 0xbb);
  for (int n = 0; n < 3; ++n) {
    Bytes value = storage::encode_ore_row_value(crypto::ore_encrypt_right(key, 5, random), payload);
    json wrote = admin(1, {{"cmd", "write"},
                           {"dataset", kDataset},
                           {"rows", {{{"key_hex", to_hex(as_bytes("big/" + std::to_string(n)))}, {"value_hex", to_hex(value)}}}}});
    ASSERT_TRUE(wrote.contains("sequence")) << wrote.dump().substr(0, 300);
  }
  json request = {{"prefix_hex", to_hex(as_bytes("big/"))}};
  json first = scan(1, request);
  ASSERT_FALSE(first.contains("error")) << first.dump().substr(0, 300);
  EXPECT_EQ(first["rows"].size(), 1u);
  EXPECT_FALSE(first["complete"].get<bool>());
  EXPECT_LT(first.dump().size(), runtime::kAdminMaxLineBytes);
  request["max_bytes"] = 1;
  request["after_hex"] = first["resume_after_hex"];
  json second = scan(1, request);
  ASSERT_FALSE(second.contains("error")) << second.dump().substr(0, 300);
  EXPECT_EQ(second["rows"].size(), 1u) << "a row over max_bytes still comes, alone";
  EXPECT_EQ(second["rows"][0]["key_hex"], to_hex(as_bytes("big/1")));
}

TEST_F(OreScanAdminTest, BadRequestsNameTheField) {
  auto expect_error = [](const json& reply, const std::string& field, const std::string& code) {
    ASSERT_TRUE(reply.contains("error")) << reply.dump();
    EXPECT_NE(reply["error"].get<std::string>().find(field), std::string::npos) << reply.dump();
    EXPECT_EQ(reply.value("code", ""), code) << reply.dump();
  };
  crypto::OreKey key = ore_key(1);
  json bound = {{"left_hex", left_hex(key, 5)}, {"inclusive", true}};
  expect_error(scan(0, {{"prefix_hex", ""}}), "prefix_hex", "invalid argument");
  expect_error(scan(0, {{"prefix_hex", "zz"}}), "prefix_hex", "malformed");
  expect_error(scan(0, {{"prefix_hex", std::string(2 * 65, 'a')}}), "prefix_hex", "limit exceeded");
  expect_error(scan(0, {{"lower", "x"}}), "lower", "invalid argument");
  expect_error(scan(0, {{"lower", {{"inclusive", true}}}}), "lower.left_hex", "invalid argument");
  expect_error(scan(0, {{"upper", {{"left_hex", "0g"}, {"inclusive", true}}}}), "upper.left_hex", "malformed");
  expect_error(scan(0, {{"upper", {{"left_hex", "0801"}, {"inclusive", true}}}}), "upper.left_hex", "malformed");
  expect_error(scan(0, {{"lower", {{"left_hex", left_hex(key, 5)}}}}), "lower.inclusive", "invalid argument");
  expect_error(scan(0, {{"lower", bound}, {"upper", {{"left_hex", left_hex(ore_key(1, crypto::OreBlockBits::k4), 9)},
                                                     {"inclusive", true}}}}),
               "block sizes", "invalid argument");
  expect_error(scan(0, {{"limit", 0}}), "limit", "invalid argument");
  expect_error(scan(0, {{"limit", 5000}}), "limit", "invalid argument");
  expect_error(scan(0, {{"max_bytes", "lots"}}), "max_bytes", "invalid argument");
  expect_error(scan(0, {{"after_hex", to_hex(as_bytes("iy/10"))}}), "after", "invalid argument");
  expect_error(scan(0, {{"signatures", 0}}), "signatures", "invalid argument");
  expect_error(scan(0, {{"signatures", kMembers + 1}}), "signatures", "invalid argument");
  expect_error(admin(0, {{"cmd", "ore_scan"}, {"dataset", std::string(64, '7')}, {"prefix_hex", "00"}}), "dataset",
               "not found");
  expect_error(admin(kMembers, {{"cmd", "ore_scan"}, {"dataset", kDataset}, {"prefix_hex", "00"}}), "dataset",
               "not found");  // an arbiter keeps no replica
  // A number past double's range used to escape the request parser as an
  // exception and stop the node (the config readers had the same fault,
  // which fuzz_node_config found).
  expect_error(cluster_->admin_line(0, R"({"cmd": "ore_scan", "limit": 1e999})"), "not JSON", "malformed");
  EXPECT_FALSE(admin(0, {{"cmd", "info"}}).contains("error")) << "the node survived every bad request";
}

}  // namespace
}  // namespace fluence::testing
