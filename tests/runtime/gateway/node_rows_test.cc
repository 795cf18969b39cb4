// NodeRowSource against real fluence-node processes: a 4-member cluster with
// 3 arbiters on 127.0.0.1. Binary rows round-trip through consensus, a
// flushed batch is one journal entry that another member then serves, the
// write-back buffer answers reads before a flush, a stopped or killed node
// fails within the deadline, the admin endpoint names the field of a bad
// request, and ORE index scans page through the cluster. The nodes ask for
// an admin token, which every source presents.
#include "runtime/gateway/node_rows.h"

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <thread>

#include "model/env/random.h"
#include "runtime/admin.h"
#include "runtime/atomic_file.h"
#include "tests/runtime/node_cluster.h"

namespace fluence::testing {
namespace {

using gateway::NodeRowSource;
using gateway::NodeRowSourceOptions;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::string kDataset(64, 'e');
const std::string kAdminToken(64, '7');
constexpr size_t kMembers = 4;  // n = 3f + 1 with f = 1
constexpr size_t kArbiters = 3;

Bytes bytes(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<uint8_t>(v));
  return out;
}
Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

// One cluster for the suite: starting seven processes costs seconds. The
// test that stops and kills a member runs last.
class NodeRowsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    token_file_ = std::filesystem::temp_directory_path() / ("fluence-node-rows-token-" + std::to_string(getpid()));
    std::string line = kAdminToken + "\n";
    Status written = runtime::write_file_atomically(token_file_.string(), ByteView(reinterpret_cast<const uint8_t*>(line.data()), line.size()));
    ASSERT_TRUE(written.is_ok()) << written.to_string();
    cluster_ = new NodeCluster(kMembers + kArbiters, 2, [](const std::vector<std::string>& peers) {
      json config = one_dataset(peers, kDataset, kMembers);
      config["block_interval_ms"] = 50;
      config["admin_token_file"] = token_file_.string();
      return config;
    });
    cluster_->set_admin_token(kAdminToken);
    for (size_t i = 0; i < cluster_->size(); ++i) cluster_->start(i);
    ready_ = cluster_->wait_until([](size_t, const json&) { return true; }, 20000);
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
    std::filesystem::remove(token_file_);
  }
  void SetUp() override { ASSERT_TRUE(ready_) << "the cluster did not start"; }

  static std::unique_ptr<NodeRowSource> source(size_t member, NodeRowSourceOptions options = {}) {
    options.admin_address = cluster_->node(member).admin_address;
    if (options.dataset.empty()) options.dataset = kDataset;
    if (options.admin_token.empty()) options.admin_token = kAdminToken;
    Result<std::unique_ptr<NodeRowSource>> rows = NodeRowSource::open(options);
    EXPECT_TRUE(rows.is_ok()) << rows.status().to_string();
    return rows ? std::move(*rows) : nullptr;
  }
  static json admin(size_t member, const json& request) { return cluster_->admin(member, request, 20000); }
  static uint64_t applied(size_t member) {
    json s = admin(member, {{"cmd", "dataset"}, {"dataset", kDataset}});
    return s.contains("applied") ? s["applied"].get<uint64_t>() : 0;
  }
  // Polls `rows` until `key` reads as `want` (a member catching up by a block).
  static bool eventually_reads(NodeRowSource& rows, const Bytes& key, const std::optional<Bytes>& want) {
    for (auto deadline = Clock::now() + std::chrono::seconds(15); Clock::now() < deadline;) {
      Result<std::optional<Bytes>> got = rows.get(key);
      if (got && *got == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  static NodeCluster* cluster_;
  static bool ready_;
  static std::filesystem::path token_file_;
};
NodeCluster* NodeRowsTest::cluster_ = nullptr;
std::filesystem::path NodeRowsTest::token_file_;
bool NodeRowsTest::ready_ = false;

TEST_F(NodeRowsTest, BinaryRowsRoundTripThroughTheCluster) {
  std::unique_ptr<NodeRowSource> rows = source(0);
  ASSERT_NE(rows, nullptr);
  Bytes every_byte;
  for (int b = 0; b < 256; ++b) every_byte.push_back(static_cast<uint8_t>(b));
  const Bytes zero_key = bytes({0x00, 0x00, 0xff, 0x00});
  const Bytes ff_key = bytes({0xff, 0xff});
  const Bytes empty_value_key = bytes({0x01, 0x00});
  ASSERT_TRUE(rows->put(zero_key, every_byte).is_ok());
  ASSERT_TRUE(rows->put(ff_key, bytes({0x00, 0xff, 0x00})).is_ok());
  ASSERT_TRUE(rows->put(empty_value_key, {}).is_ok());
  ASSERT_TRUE(rows->flush().is_ok());
  EXPECT_EQ(rows->buffered_rows(), 0u);
  EXPECT_EQ(rows->counts(), (gateway::NodeRoundTrips{0, 1}));

  Result<std::optional<Bytes>> got = rows->get(zero_key);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(*got, std::optional<Bytes>(every_byte));
  got = rows->get(ff_key);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(*got, std::optional<Bytes>(bytes({0x00, 0xff, 0x00})));
  got = rows->get(empty_value_key);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(*got, std::optional<Bytes>(Bytes{})) << "an empty row is a row, not an absent one";
  EXPECT_EQ(rows->counts(), (gateway::NodeRoundTrips{3, 1}));

  ASSERT_TRUE(rows->erase(zero_key).is_ok());
  ASSERT_TRUE(rows->flush().is_ok());
  got = rows->get(zero_key);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(*got, std::nullopt);
  got = rows->get(ff_key);
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(*got, std::optional<Bytes>(bytes({0x00, 0xff, 0x00}))) << "the erase touched one row";

  // The admin endpoint serves the same binary row as hex; its text form
  // replaces what is not UTF-8 instead of crashing the node.
  json read = admin(0, {{"cmd", "read"}, {"dataset", kDataset}, {"key_hex", "ffff"}});
  ASSERT_TRUE(read.contains("value_hex")) << read.dump();
  EXPECT_EQ(read["value_hex"], "00ff00");
  EXPECT_TRUE(read["value"].is_string());
  EXPECT_FALSE(admin(0, {{"cmd", "info"}}).contains("error")) << "the node survived a non-UTF-8 row";
}

TEST_F(NodeRowsTest, ASourceWithoutTheNodesAdminTokenIsRefused) {
  std::string near = kAdminToken;
  near.back() = '8';
  for (const std::string& token : {std::string(), near}) {
    Result<std::unique_ptr<NodeRowSource>> rows = NodeRowSource::open(
        {.admin_address = cluster_->node(0).admin_address, .admin_token = token, .dataset = kDataset});
    ASSERT_TRUE(rows.is_ok()) << rows.status().to_string();
    Result<std::optional<Bytes>> got = (*rows)->get(text("k"));
    ASSERT_FALSE(got.is_ok()) << "token '" << token << "'";
    EXPECT_EQ(got.status().code(), ErrorCode::kAuthentication) << got.status().to_string();
    EXPECT_EQ((*rows)->put(text("k"), text("v")).code(), ErrorCode::kOk) << "buffered, not sent";
    EXPECT_EQ((*rows)->flush().code(), ErrorCode::kAuthentication);
    (*rows)->discard();
  }
}

TEST_F(NodeRowsTest, BufferedReadsSeeUnflushedPutsAndErases) {
  std::unique_ptr<NodeRowSource> rows = source(1);
  std::unique_ptr<NodeRowSource> other = source(1);
  ASSERT_NE(rows, nullptr);
  ASSERT_NE(other, nullptr);
  const Bytes kept = text("buffered-kept"), dropped = text("buffered-dropped");
  ASSERT_TRUE(rows->put(dropped, text("v0")).is_ok());
  ASSERT_TRUE(rows->flush().is_ok());
  rows->reset_counts();

  ASSERT_TRUE(rows->put(kept, text("first")).is_ok());
  ASSERT_TRUE(rows->put(kept, text("second")).is_ok());
  ASSERT_TRUE(rows->erase(dropped).is_ok());
  EXPECT_EQ(rows->buffered_rows(), 2u) << "repeated puts to one key coalesce";
  Result<std::optional<Bytes>> got = rows->get(kept);
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(*got, std::optional<Bytes>(text("second")));
  got = rows->get(dropped);
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(*got, std::nullopt) << "a buffered erase reads as absent";
  EXPECT_EQ(rows->counts().total(), 0u) << "the buffer answered without the node";

  // Nothing reached the cluster yet.
  got = other->get(kept);
  ASSERT_TRUE(got.is_ok()) << got.status().to_string();
  EXPECT_EQ(*got, std::nullopt);
  got = other->get(dropped);
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(*got, std::optional<Bytes>(text("v0")));

  // Erase after put, put after erase: the last change wins.
  const Bytes flip = text("buffered-flip");
  ASSERT_TRUE(rows->put(flip, text("x")).is_ok());
  ASSERT_TRUE(rows->erase(flip).is_ok());
  got = rows->get(flip);
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(*got, std::nullopt);

  uint64_t before = applied(1);
  ASSERT_TRUE(rows->flush().is_ok());
  EXPECT_EQ(rows->counts(), (gateway::NodeRoundTrips{0, 1}));
  EXPECT_EQ(rows->last_sequence(), applied(1));
  EXPECT_GT(rows->last_sequence(), before);
  got = other->get(kept);
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(*got, std::optional<Bytes>(text("second")));
  got = other->get(dropped);
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(*got, std::nullopt);
  EXPECT_TRUE(rows->flush().is_ok());
  EXPECT_EQ(rows->counts().writes, 1u) << "an empty buffer sends nothing";
  EXPECT_TRUE(rows->put(text("discarded"), text("never")).is_ok());
  rows->discard();
  EXPECT_EQ(rows->buffered_rows(), 0u);
  EXPECT_EQ(rows->buffered_bytes(), 0u);
}

TEST_F(NodeRowsTest, ErasingAMissingRowIsFine) {
  std::unique_ptr<NodeRowSource> rows = source(2);
  ASSERT_NE(rows, nullptr);
  ASSERT_TRUE(rows->erase(bytes({0xde, 0xad, 0x00})).is_ok());
  Status flushed = rows->flush();
  ASSERT_TRUE(flushed.is_ok()) << flushed.to_string();
  Result<std::optional<Bytes>> got = rows->get(bytes({0xde, 0xad, 0x00}));
  ASSERT_TRUE(got.is_ok());
  EXPECT_EQ(*got, std::nullopt);
}

TEST_F(NodeRowsTest, ThousandPutsFlushAsOneWriteThatAnotherMemberServes) {
  std::unique_ptr<NodeRowSource> writer = source(0);
  std::unique_ptr<NodeRowSource> reader = source(3);
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  auto key = [](int i) { return bytes({0x42, 0x00, i >> 8, i & 0xff, 0xff}); };
  auto value = [](int i) {
    Bytes v(100, static_cast<uint8_t>(i));
    v[0] = 0x00;
    v[99] = 0xff;
    return v;
  };
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(writer->put(key(i), value(i)).is_ok());
  EXPECT_EQ(writer->buffered_rows(), 1000u);
  uint64_t before = applied(0);
  Status flushed = writer->flush();
  ASSERT_TRUE(flushed.is_ok()) << flushed.to_string();
  EXPECT_EQ(writer->counts(), (gateway::NodeRoundTrips{0, 1}));
  EXPECT_EQ(writer->last_sequence(), before + 1) << "one journal entry for the whole batch";
  EXPECT_EQ(applied(0), before + 1);

  ASSERT_TRUE(eventually_reads(*reader, key(999), value(999))) << "member 3 did not apply the batch";
  for (int i = 0; i < 1000; ++i) {
    Result<std::optional<Bytes>> got = reader->get(key(i));
    ASSERT_TRUE(got.is_ok()) << i << ": " << got.status().to_string();
    ASSERT_EQ(*got, std::optional<Bytes>(value(i))) << i;
  }
  // All members signed the same answer: every replica holds the batch.
  std::unique_ptr<NodeRowSource> strict = source(3, NodeRowSourceOptions{.signatures = kMembers});
  ASSERT_NE(strict, nullptr);
  EXPECT_TRUE(eventually_reads(*strict, key(500), value(500)));
}

TEST_F(NodeRowsTest, ABatchOverTheWriteBoundSplitsIntoParts) {
  std::unique_ptr<NodeRowSource> rows = source(2);
  ASSERT_NE(rows, nullptr);
  const Bytes big(200 * 1024, 0xab);  // two of them are over kAdminMaxWriteBytes
  static_assert(2 * 200 * 1024 > runtime::kAdminMaxWriteBytes);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(rows->put(bytes({0x53, i}), big).is_ok());
  uint64_t before = applied(2);
  Status flushed = rows->flush();
  ASSERT_TRUE(flushed.is_ok()) << flushed.to_string();
  EXPECT_EQ(rows->counts().writes, 3u);
  EXPECT_EQ(rows->last_sequence(), before + 3);
  for (int i = 0; i < 3; ++i) {
    Result<std::optional<Bytes>> got = rows->get(bytes({0x53, i}));
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    EXPECT_EQ(*got, std::optional<Bytes>(big));
  }
  // Local bounds: an oversized value and a bad key never reach the buffer.
  EXPECT_EQ(rows->put(text("k"), Bytes(storage::kMaxRowValueBytes + 1)).code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(rows->put({}, text("v")).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(rows->erase(Bytes(storage::kMaxRowKeyBytes + 1, 1)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(rows->buffered_rows(), 0u);
}

TEST_F(NodeRowsTest, AdminNamesTheFieldOfABadRequest) {
  auto write = [](json rows) { return admin(0, {{"cmd", "write"}, {"dataset", kDataset}, {"rows", std::move(rows)}}); };
  auto expect_error = [](const json& reply, const std::string& field, const std::string& code) {
    ASSERT_TRUE(reply.contains("error")) << reply.dump();
    EXPECT_NE(reply["error"].get<std::string>().find(field), std::string::npos) << reply.dump();
    EXPECT_EQ(reply.value("code", ""), code) << reply.dump();
  };
  expect_error(write({{{"key_hex", "zz"}, {"value_hex", "00"}}}), "rows[0].key_hex", "malformed");
  expect_error(write({{{"key_hex", "00"}, {"value_hex", "00"}}, {{"key_hex", "01"}, {"value_hex", "abc"}}}),
               "rows[1].value_hex", "malformed");
  expect_error(write({{{"key_hex", ""}, {"value_hex", "00"}}}), "rows[0].key_hex", "invalid argument");
  expect_error(write({{{"key", ""}, {"value", "v"}}}), "rows[0].key", "invalid argument");
  expect_error(write({{{"key_hex", "00"}, {"key", "k"}, {"value", "v"}}}), "rows[0].key", "invalid argument");
  expect_error(write({{{"key_hex", "00"}}}), "rows[0].value_hex", "invalid argument");
  expect_error(write({{{"key_hex", "00"}, {"delete", false}}}), "rows[0].delete", "invalid argument");
  expect_error(write({{{"key_hex", "00"}, {"value_hex", "00"}, {"delete", true}}}), "rows[0].delete",
               "invalid argument");
  expect_error(write({{{"key_hex", "00"}, {"value_hex", std::string(2 * (storage::kMaxRowValueBytes + 1), 'a')}}}),
               "rows[0].value_hex", "limit exceeded");
  expect_error(write({{{"key_hex", std::string(2 * (storage::kMaxRowKeyBytes + 1), 'a')}, {"value_hex", "00"}}}),
               "rows[0].key_hex", "invalid argument");
  const std::string big(2 * 200 * 1024, 'b');
  expect_error(write({{{"key_hex", "01"}, {"value_hex", big}}, {{"key_hex", "02"}, {"value_hex", big}}}), "rows:",
               "limit exceeded");
  expect_error(write(json::array()), "rows", "invalid argument");
  expect_error(write({"not a row"}), "rows[0]", "invalid argument");
  expect_error(admin(0, {{"cmd", "read"}, {"dataset", kDataset}, {"key_hex", "0g"}}), "key_hex", "malformed");
  expect_error(admin(0, {{"cmd", "read"}, {"dataset", kDataset}}), "key_hex", "invalid argument");
  expect_error(admin(0, {{"cmd", "lookup"}, {"target", std::string(64, 'a')}, {"count", "three"}}), "count",
               "invalid argument");
  EXPECT_FALSE(admin(0, {{"cmd", "info"}}).contains("error")) << "the node survived every bad request";

  // The text form still works, and reads back as hex too; a delete row removes it.
  json wrote = write({{{"key", "text-row"}, {"value", "hello"}}});
  ASSERT_TRUE(wrote.contains("sequence")) << wrote.dump();
  json read = admin(0, {{"cmd", "read"}, {"dataset", kDataset}, {"key_hex", to_hex(as_bytes("text-row"))}});
  EXPECT_EQ(read.value("value", ""), "hello") << read.dump();
  EXPECT_EQ(read.value("value_hex", ""), to_hex(as_bytes("hello"))) << read.dump();
  wrote = write({{{"key", "text-row"}, {"delete", true}}, {{"key_hex", "7878"}, {"value_hex", "00"}}});
  ASSERT_TRUE(wrote.contains("sequence")) << wrote.dump();
  read = admin(0, {{"cmd", "read"}, {"dataset", kDataset}, {"key", "text-row"}});
  EXPECT_TRUE(read.contains("value") && read["value"].is_null() && read["value_hex"].is_null()) << read.dump();

  // Through a NodeRowSource, refusals come back as kInvalidArgument with the node's words.
  std::unique_ptr<NodeRowSource> greedy = source(0, NodeRowSourceOptions{.signatures = kMembers + 1});
  ASSERT_NE(greedy, nullptr);
  Result<std::optional<Bytes>> got = greedy->get(text("k"));
  EXPECT_EQ(got.status().code(), ErrorCode::kInvalidArgument) << got.status().to_string();
  EXPECT_NE(got.status().message().find("signatures"), std::string::npos) << got.status().to_string();
  std::unique_ptr<NodeRowSource> elsewhere = source(0, NodeRowSourceOptions{.dataset = std::string(64, '7')});
  ASSERT_NE(elsewhere, nullptr);
  got = elsewhere->get(text("k"));
  EXPECT_EQ(got.status().code(), ErrorCode::kInvalidArgument) << got.status().to_string();
  // And bad options never make a source.
  EXPECT_FALSE(NodeRowSource::open({.admin_address = "localhost:1", .dataset = kDataset}).is_ok());
  EXPECT_FALSE(NodeRowSource::open({.admin_address = "127.0.0.1:99999", .dataset = kDataset}).is_ok());
  EXPECT_FALSE(NodeRowSource::open({.admin_address = "127.0.0.1:1", .dataset = "abc"}).is_ok());
}

TEST_F(NodeRowsTest, OreScansSeeTheCommandsOwnWritesAndPage) {
  std::unique_ptr<NodeRowSource> rows = source(1);
  ASSERT_NE(rows, nullptr);
  std::array<uint8_t, 32> seed{};
  seed.fill(0x0e);
  crypto::OreKey ore = crypto::OreKey::derive(crypto::Secret<32>(std::span<const uint8_t, 32>(seed)));
  env::DeterministicRandom random(4);
  const Bytes prefix = bytes({0x0e, 0x00});  // binary, with a zero byte
  auto key = [&](int n) {
    Bytes k = prefix;
    k.push_back(static_cast<uint8_t>(n));
    return k;
  };
  client::MemoryRowSource memory;  // the same rows, scanned locally
  for (int n = 0; n < 10; ++n) {
    Bytes value = storage::encode_ore_row_value(crypto::ore_encrypt_right(ore, 10u * n, random), bytes({0xd0, n}));
    ASSERT_TRUE(rows->put(key(n), value).is_ok());
    ASSERT_TRUE(memory.put(key(n), value).is_ok());
  }
  storage::OreScanQuery query;
  query.prefix = prefix;
  query.lower = storage::OreBound{crypto::ore_encrypt_left(ore, 20), true};
  query.upper = storage::OreBound{crypto::ore_encrypt_left(ore, 60), false};

  // The buffer holds rows under the prefix: the scan flushes them first.
  Result<storage::OreScanPage> page = rows->scan_ore(query);
  ASSERT_TRUE(page.is_ok()) << page.status().to_string();
  ASSERT_EQ(page->rows.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(page->rows[i].row_key, key(2 + i));
    EXPECT_EQ(page->rows[i].payload, bytes({0xd0, 2 + i}));
  }
  EXPECT_TRUE(page->complete);
  EXPECT_EQ(*page, *memory.scan_ore(query)) << "the node and the local scan agree";
  EXPECT_EQ(rows->counts(), (gateway::NodeRoundTrips{0, 1, 1}));
  EXPECT_EQ(rows->buffered_rows(), 0u);

  // Buffered rows elsewhere stay buffered: the command keeps its one write.
  ASSERT_TRUE(rows->put(text("ore-elsewhere"), text("x")).is_ok());
  page = rows->scan_ore(query);
  ASSERT_TRUE(page.is_ok()) << page.status().to_string();
  EXPECT_EQ(page->rows.size(), 4u);
  EXPECT_EQ(rows->buffered_rows(), 1u);
  EXPECT_EQ(rows->counts(), (gateway::NodeRoundTrips{0, 1, 2}));
  rows->discard();

  // Pages of two from another member, signed by all: the same rows as the
  // local scan, page by page.
  std::unique_ptr<NodeRowSource> strict = source(3, NodeRowSourceOptions{.signatures = kMembers, .read_retries = 6});
  ASSERT_NE(strict, nullptr);
  query.limit = 2;
  for (int n = 0; n < 10; ++n) {
    Result<storage::OreScanPage> remote = strict->scan_ore(query);
    ASSERT_TRUE(remote.is_ok()) << remote.status().to_string();
    Result<storage::OreScanPage> local = memory.scan_ore(query);
    ASSERT_TRUE(local.is_ok());
    EXPECT_EQ(*remote, *local) << "page " << n;
    if (remote->complete) break;
    query.after = remote->resume_after;
  }
  EXPECT_EQ(strict->counts().scans, 3u) << "pages of 2, 2, and the rest examined";

  // A query that fails validate() sends nothing; one the node refuses comes
  // back as kInvalidArgument with the node's words.
  query.limit = 0;
  strict->reset_counts();
  EXPECT_EQ(strict->scan_ore(query).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(strict->counts().total(), 0u);
  std::unique_ptr<NodeRowSource> greedy = source(0, NodeRowSourceOptions{.signatures = kMembers + 1});
  ASSERT_NE(greedy, nullptr);
  query.limit = 2;
  Result<storage::OreScanPage> refused = greedy->scan_ore(query);
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument) << refused.status().to_string();
  EXPECT_NE(refused.status().message().find("signatures"), std::string::npos) << refused.status().to_string();
}

// Runs last: it stops, kills and restarts member 3.
TEST_F(NodeRowsTest, AStoppedOrKilledNodeFailsWithinTheDeadline) {
  constexpr auto kDeadline = std::chrono::milliseconds(1000);
  constexpr auto kSlack = std::chrono::milliseconds(700);
  std::unique_ptr<NodeRowSource> rows =
      source(3, NodeRowSourceOptions{.read_timeout = kDeadline, .write_timeout = kDeadline});
  ASSERT_NE(rows, nullptr);
  ASSERT_TRUE(rows->get(text("probe")).is_ok());  // a connection is open and kept

  // Killed and restarted between two requests: the kept connection is dead,
  // and the next request notices and reconnects instead of failing.
  cluster_->kill(3, SIGKILL);
  cluster_->start(3);
  ASSERT_TRUE(cluster_->wait_until([](size_t, const json&) { return true; }, 20000));
  Result<std::optional<Bytes>> got = rows->get(text("probe"));
  EXPECT_TRUE(got.is_ok()) << got.status().to_string();

  // Stopped: the kernel still accepts, nobody answers.
  ASSERT_EQ(::kill(cluster_->node(3).pid, SIGSTOP), 0);
  auto start = Clock::now();
  got = rows->get(text("probe"));
  EXPECT_EQ(got.status().code(), ErrorCode::kTimeout) << got.status().to_string();
  EXPECT_LT(Clock::now() - start, kDeadline + kSlack);
  ASSERT_TRUE(rows->put(text("stranded"), text("v")).is_ok());
  start = Clock::now();
  Status flushed = rows->flush();
  EXPECT_EQ(flushed.code(), ErrorCode::kTimeout) << flushed.to_string();
  EXPECT_LT(Clock::now() - start, kDeadline + kSlack);
  EXPECT_EQ(rows->buffered_rows(), 1u) << "a failed flush keeps its rows";

  // Killed: refused at once.
  cluster_->kill(3, SIGKILL);
  start = Clock::now();
  got = rows->get(text("probe"));
  EXPECT_EQ(got.status().code(), ErrorCode::kUnavailable) << got.status().to_string();
  flushed = rows->flush();
  EXPECT_EQ(flushed.code(), ErrorCode::kUnavailable) << flushed.to_string();
  EXPECT_LT(Clock::now() - start, kDeadline + kSlack);
  EXPECT_EQ(rows->counts().reads, 4u);
  EXPECT_EQ(rows->counts().writes, 2u);
}

}  // namespace
}  // namespace fluence::testing
