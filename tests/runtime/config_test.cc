#include "runtime/config.h"

#include <gtest/gtest.h>

namespace fluence::runtime {
namespace {

std::string error_of(const std::string& json) {
  Result<NodeFileConfig> c = parse_config(json, "node.json");
  return c.is_ok() ? "" : c.status().message();
}

const std::string kBase = R"("listen": "127.0.0.1:7001", "data_dir": "/tmp/d", "key_file": "/tmp/k")";

TEST(ConfigTest, ValidConfig) {
  Result<NodeFileConfig> c = parse_config("{" + kBase + R"(, "bootstrap": ["127.0.0.1:7000"], "bucket_size": 8,
      "datasets": [{"id": ")" + std::string(64, 'a') + R"(", "members": [")" + std::string(64, 'b') +
                                                 R"(@127.0.0.1:7001"], "arbiters": [")" + std::string(64, 'c') + R"(@127.0.0.1:7101"]}],
      "block_interval_ms": 50, "por_chunks": 64, "por_openings": 8, "por_max_response_ms": 900,
      "eject_after_failed_ticks": 5})", "node.json");
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->node.dht.bucket_size, 8);
  EXPECT_EQ(c->node.bootstrap.size(), 1u);
  ASSERT_EQ(c->node.datasets.size(), 1u);
  EXPECT_EQ(c->node.datasets[0].id[0], 0xaa);
  ASSERT_EQ(c->node.datasets[0].members.size(), 1u);
  EXPECT_EQ(c->node.datasets[0].members[0].address, "127.0.0.1:7001");
  EXPECT_EQ(c->node.datasets[0].members[0].key.bytes[0], 0xbb);
  ASSERT_EQ(c->node.datasets[0].arbiters.size(), 1u);
  EXPECT_EQ(c->node.datasets[0].arbiters[0].key.bytes[0], 0xcc);
  EXPECT_EQ(c->node.cluster.block_interval, std::chrono::milliseconds(50));
  EXPECT_EQ(c->node.cluster.por.chunks, 64);
  EXPECT_EQ(c->node.cluster.por.openings, 8);
  EXPECT_EQ(c->node.cluster.por.max_response_time, std::chrono::milliseconds(900));
  EXPECT_EQ(c->node.cluster.ejection.failed_ticks, 5u);
  EXPECT_EQ(c->node.cluster.ejection.offline_ticks, 24u);
}

TEST(ConfigTest, ErrorsNameTheField) {
  EXPECT_NE(error_of(R"({"data_dir": "/d", "key_file": "/k"})").find("config.listen: required"), std::string::npos);
  EXPECT_NE(error_of("{" + kBase + R"(, "por_chunks": 10, "por_openings": 11})").find("config.por_openings: at most"),
            std::string::npos);
  EXPECT_NE(error_of("{" + kBase + R"(, "por_chunks": 0})").find("config.por_chunks"), std::string::npos);
  EXPECT_NE(error_of(R"({"listen": "nohost", "data_dir": "/d", "key_file": "/k"})").find("config.listen: expected \"host:port\""),
            std::string::npos);
  EXPECT_NE(error_of("{" + kBase + R"(, "bootstrap": ["127.0.0.1:99999"]})").find("config.bootstrap[0]: port"), std::string::npos);
  EXPECT_NE(error_of("{" + kBase + R"(, "bucket_size": "big"})").find("config.bucket_size"), std::string::npos);
  EXPECT_NE(error_of("{" + kBase + R"(, "colour": "blue"})").find("config.colour: unknown field"), std::string::npos);
  EXPECT_NE(error_of("{" + kBase + R"(, "datasets": [{"id": "xyz", "members": ["a:1"]}]})").find("config.datasets[0].id"),
            std::string::npos);
  EXPECT_NE(error_of("{" + kBase + R"(, "datasets": [{"id": ")" + std::string(64, 'a') + R"(", "members": ["127.0.0.1:1"]}]})")
                .find("config.datasets[0].members[0]: expected \"<key hex>@host:port\""),
            std::string::npos);
  EXPECT_NE(error_of("{" + kBase + R"(, "datasets": [{"id": ")" + std::string(64, 'a') + R"(", "members": ["zz@127.0.0.1:1"]}]})")
                .find("config.datasets[0].members[0] key"),
            std::string::npos);
  EXPECT_NE(error_of("{" + kBase + R"(, "log_level": "loud"})").find("config.log_level"), std::string::npos);
  EXPECT_NE(error_of("[1, 2]").find("expected an object"), std::string::npos);
  EXPECT_NE(error_of("{oops").find("node.json: not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace fluence::runtime
