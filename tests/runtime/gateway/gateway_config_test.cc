// fluence-gateway's configuration and its key store file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "runtime/atomic_file.h"
#include "runtime/gateway/gateway_config.h"
#include "runtime/gateway/key_store_file.h"

namespace fluence::gateway {
namespace {

namespace fs = std::filesystem;

const std::string kId1(64, 'a');
const std::string kId2(64, 'b');

std::string config_with(const std::string& datasets, const std::string& extra = "") {
  return R"({"key_store": "/tmp/k", "listen": "127.0.0.1:27018", "argon2": "min", )" + extra + R"("datasets": )" +
         datasets + "}";
}

TEST(GatewayConfigTest, ReadsEveryField) {
  Result<GatewayConfig> c = parse_gateway_config(
      config_with(R"([{"id": ")" + kId1 + R"(", "node_admin": "127.0.0.1:8001", "read_signatures": 3,
                       "allocation_bytes": 5000000000, "cluster": "eu-1"},
                      {"id": ")" + kId2 + R"(", "node_admin": "127.0.0.1:8002"}])"),
      "t");
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->listen.port, 27018);
  EXPECT_EQ(c->argon2, client::kMinPasswordHashLimits);
  ASSERT_EQ(c->datasets.size(), 2u);
  EXPECT_EQ(c->datasets[0].read_signatures, 3u);
  EXPECT_EQ(c->datasets[1].read_signatures, 1u);
  EXPECT_EQ(c->datasets[1].node_admin.port, 8002);
  EXPECT_EQ(c->datasets[0].id[0], 0xaa);
  EXPECT_EQ(c->datasets[0].allocation_bytes, 5'000'000'000u);
  EXPECT_TRUE(c->datasets[0].allocation_given);
  EXPECT_EQ(c->datasets[0].cluster, "eu-1");
  // Defaults: the largest allocation a contract may have, and the node's
  // address as the cluster's label.
  EXPECT_EQ(c->datasets[1].allocation_bytes, economy::kMaxAllocationBytes);
  EXPECT_FALSE(c->datasets[1].allocation_given);
  EXPECT_EQ(c->datasets[1].cluster, "127.0.0.1:8002");
  EXPECT_EQ(c->catalog_anchor, "/tmp/k.anchor") << "beside the key store unless named";
  Result<GatewayConfig> named = parse_gateway_config(
      config_with(R"([{"id": ")" + kId1 + R"(", "node_admin": "127.0.0.1:8001"}])", R"("catalog_anchor": "/var/a", )"),
      "t");
  ASSERT_TRUE(named.is_ok()) << named.status().to_string();
  EXPECT_EQ(named->catalog_anchor, "/var/a");
  EXPECT_EQ(c->identity_file, "/tmp/k.identity") << "beside the key store unless named";
  // No datasets: a gateway that only reads what is shared with it.
  for (const char* none : {"[]", R"("x")"}) {
    Result<GatewayConfig> receiver = parse_gateway_config(
        std::string(R"({"key_store": "/k", "identity_file": "/id")") + (none[0] == '[' ? R"(, "datasets": [])" : "") + "}", "t");
    ASSERT_TRUE(receiver.is_ok()) << receiver.status().to_string();
    EXPECT_TRUE(receiver->datasets.empty());
    EXPECT_EQ(receiver->identity_file, "/id");
    EXPECT_TRUE(receiver->shares.empty());
  }
  Result<GatewayConfig> sharing = parse_gateway_config(
      R"({"key_store": "/k", "shares": [{"share": ")" + kId2 + R"(", "dataset": ")" + kId1 +
          R"(", "node_admin": "127.0.0.1:8002", "read_signatures": 2}]})",
      "t");
  ASSERT_TRUE(sharing.is_ok()) << sharing.status().to_string();
  ASSERT_EQ(sharing->shares.size(), 1u);
  EXPECT_EQ(sharing->shares[0].share[0], 0xbb);
  EXPECT_EQ(sharing->shares[0].dataset[0], 0xaa);
  EXPECT_EQ(sharing->shares[0].node_admin.port, 8002);
  EXPECT_EQ(sharing->shares[0].read_signatures, 2u);
}

TEST(GatewayConfigTest, NodeAdminTokenFilesDefaultToTheTopLevelOne) {
  Result<GatewayConfig> c = parse_gateway_config(
      R"({"key_store": "/k", "node_admin_token_file": "/etc/t",
          "datasets": [{"id": ")" + kId1 + R"(", "node_admin": "127.0.0.1:8001"},
                       {"id": ")" + kId2 + R"(", "node_admin": "10.0.0.7:8001", "node_admin_token_file": "/etc/t2"}],
          "shares": [{"share": ")" + kId2 + R"(", "dataset": ")" + kId1 + R"(", "node_admin": "127.0.0.1:8002"}]})",
      "t");
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->node_admin_token_file, "/etc/t");
  EXPECT_EQ(c->datasets[0].node_admin_token_file, "/etc/t");
  EXPECT_EQ(c->datasets[1].node_admin_token_file, "/etc/t2");
  EXPECT_EQ(c->shares[0].node_admin_token_file, "/etc/t");
  Result<GatewayConfig> none = parse_gateway_config(
      R"({"key_store": "/k", "datasets": [{"id": ")" + kId1 + R"(", "node_admin": "127.0.0.1:8001"}]})", "t");
  ASSERT_TRUE(none.is_ok());
  EXPECT_EQ(none->datasets[0].node_admin_token_file, "") << "no token unless named";
  Result<GatewayConfig> bad = parse_gateway_config(R"({"key_store": "/k", "node_admin_token_file": 3})", "t");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("node_admin_token_file"), std::string::npos) << bad.status().message();
}

TEST(GatewayConfigTest, ErrorsNameTheField) {
  auto error_of = [](const std::string& text) {
    Result<GatewayConfig> c = parse_gateway_config(text, "t");
    return c.is_ok() ? std::string("ok") : c.status().message();
  };
  std::string one = R"([{"id": ")" + kId1 + R"(", "node_admin": "127.0.0.1:8001"}])";
  EXPECT_NE(error_of(config_with(one, R"("passphrase": "x", )")).find("config.passphrase: unknown field"), std::string::npos);
  EXPECT_NE(error_of(config_with("{}")).find("config.datasets: expected a list"), std::string::npos);
  EXPECT_NE(error_of(config_with(one, R"("identity_file": 3, )")).find("config.identity_file"), std::string::npos);
  EXPECT_NE(error_of(config_with(R"([{"id": "12", "node_admin": "127.0.0.1:8001"}])")).find("config.datasets[0].id"),
            std::string::npos);
  EXPECT_NE(error_of(config_with(R"([{"id": ")" + kId1 + R"(", "node_admin": "nowhere"}])")).find("config.datasets[0].node_admin"),
            std::string::npos);
  EXPECT_NE(error_of(config_with(R"([{"id": ")" + kId1 + R"(", "node_admin": "127.0.0.1:1"},
                                     {"id": ")" + kId1 + R"(", "node_admin": "127.0.0.1:2"}])"))
                .find("named twice"),
            std::string::npos);
  EXPECT_NE(error_of(config_with(one, R"("argon2": "weak", )")).find("config.argon2"), std::string::npos);
  auto with_dataset_field = [&](const std::string& field) {
    return config_with(R"([{"id": ")" + kId1 + R"(", "node_admin": "127.0.0.1:8001", )" + field + "}]");
  };
  for (const char* bad : {R"("allocation_bytes": 0)", R"("allocation_bytes": -5)", R"("allocation_bytes": "1GB")",
                          R"("allocation_bytes": 1.5)", R"("allocation_bytes": 2251799813685248)"}) {
    EXPECT_NE(error_of(with_dataset_field(bad)).find("config.datasets[0].allocation_bytes"), std::string::npos) << bad;
  }
  EXPECT_NE(error_of(with_dataset_field(R"("cluster": "")")).find("config.datasets[0].cluster"), std::string::npos);
  EXPECT_NE(error_of(with_dataset_field(R"("cluster": 7)")).find("config.datasets[0].cluster"), std::string::npos);
  EXPECT_NE(error_of(with_dataset_field(R"("allocation": 7)")).find("config.datasets[0].allocation: unknown field"),
            std::string::npos);
  EXPECT_NE(error_of("[1]").find("expected an object"), std::string::npos);
  auto with_share = [&](const std::string& fields) { return config_with(one, R"("shares": [{)" + fields + "}], "); };
  const std::string good = R"("share": ")" + kId2 + R"(", "dataset": ")" + kId1 + R"(", "node_admin": "127.0.0.1:1")";
  EXPECT_EQ(error_of(with_share(good)), "ok");
  EXPECT_NE(error_of(with_share(R"("share": "ab")")).find("config.shares[0].dataset"), std::string::npos);
  EXPECT_NE(error_of(with_share(good + R"(, "read_signatures": 0)")).find("config.shares[0].read_signatures"),
            std::string::npos);
  EXPECT_NE(error_of(with_share(good + R"(, "as": "x")")).find("config.shares[0].as: unknown field"), std::string::npos);
  EXPECT_NE(error_of(config_with(one, R"("shares": {}, )")).find("config.shares"), std::string::npos);
  EXPECT_NE(error_of("{").find("not valid JSON"), std::string::npos);
}

// Found by fuzz_gateway_config: a number beyond double's range is the JSON
// library's out_of_range, not its parse_error, and escaped the reader.
TEST(GatewayConfigTest, AnOverflowingNumberIsAnErrorNotAnException) {
  Result<GatewayConfig> c = parse_gateway_config(R"({"key_store": "k", "datasets": 1e999})", "t");
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("t: not valid JSON"), std::string::npos) << c.status().to_string();
  EXPECT_NE(c.status().message().find("number overflow"), std::string::npos) << c.status().to_string();
}

class KeyStoreFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("gw-keys-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    path = (dir / "keys").string();
  }
  void TearDown() override { fs::remove_all(dir); }

  Result<client::KeyStore> open(const std::vector<storage::DatasetId>& datasets, const char* passphrase = "pass") {
    return open_or_create_key_store(path, passphrase, datasets, client::kMinPasswordHashLimits, random);
  }

  fs::path dir;
  std::string path;
  env::DeterministicRandom random{3};
  storage::DatasetId a{1}, b{2};
};

TEST_F(KeyStoreFileTest, CreatesOnceAndReopensTheSameKeys) {
  Result<client::KeyStore> first = open({a});
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  ASSERT_TRUE(fs::exists(path));
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  Result<client::KeyStore> again = open({a, b});
  ASSERT_TRUE(again.is_ok());
  ASSERT_NE(again->find(a), nullptr);
  EXPECT_TRUE(std::equal(again->find(a)->row_key().view().begin(), again->find(a)->row_key().view().end(),
                         first->find(a)->row_key().view().begin()));
  // The new dataset's keys were saved: a third opening finds them unchanged.
  Result<client::KeyStore> third = open({});
  ASSERT_TRUE(third.is_ok());
  ASSERT_NE(third->find(b), nullptr);
  EXPECT_TRUE(std::equal(third->find(b)->row_key().view().begin(), third->find(b)->row_key().view().end(),
                         again->find(b)->row_key().view().begin()));
}

TEST_F(KeyStoreFileTest, AWrongPassphraseOrACorruptFileIsAnErrorAndTheFileIsKept) {
  ASSERT_TRUE(open({a}).is_ok());
  Result<Bytes> before = runtime::read_file(path);
  ASSERT_TRUE(before.is_ok());
  Result<client::KeyStore> wrong = open({a}, "other");
  ASSERT_FALSE(wrong.is_ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kAuthentication);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "not a key store";
  Result<client::KeyStore> corrupt = open({a});
  ASSERT_FALSE(corrupt.is_ok());
  EXPECT_NE(corrupt.status().message().find(path), std::string::npos) << corrupt.status().to_string();
  Result<Bytes> after = runtime::read_file(path);
  ASSERT_TRUE(after.is_ok());
  EXPECT_EQ(std::string(after->begin(), after->end()), "not a key store") << "a bad file is never replaced";
}

}  // namespace
}  // namespace fluence::gateway
