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

// Found by fuzz_node_config: a number beyond double's range is the JSON
// library's out_of_range, not its parse_error, and escaped parse_config.
TEST(ConfigTest, AnAdminEndpointOtherHostsReachNeedsAToken) {
  EXPECT_EQ(error_of("{" + kBase + R"(, "admin_listen": "127.0.0.1:8001"})"), "");
  EXPECT_EQ(error_of("{" + kBase + R"(, "admin_listen": "::1:8001"})"), "");
  std::string open = error_of("{" + kBase + R"(, "admin_listen": "0.0.0.0:8001"})");
  EXPECT_NE(open.find("config.admin_token_file: required"), std::string::npos) << open;
  EXPECT_NE(error_of("{" + kBase + R"(, "admin_listen": "10.0.0.7:8001"})"), "");
  Result<NodeFileConfig> tokened =
      parse_config("{" + kBase + R"(, "admin_listen": "10.0.0.7:8001", "admin_token_file": "/tmp/t"})", "node.json");
  ASSERT_TRUE(tokened.is_ok()) << tokened.status().to_string();
  EXPECT_EQ(tokened->admin_token_file, "/tmp/t");
  EXPECT_NE(error_of("{" + kBase + R"(, "admin_token_file": 7})").find("admin_token_file"), std::string::npos);
}

TEST(ConfigTest, AnOverflowingNumberIsAnErrorNotAnException) {
  std::string error = error_of("{" + kBase + R"(, "bucket_size": 555550E000001233})");
  EXPECT_NE(error.find("node.json: not valid JSON"), std::string::npos) << error;
  EXPECT_NE(error.find("number overflow"), std::string::npos) << error;
}

TEST(ConfigTest, ContractSigningPolicy) {
  Result<NodeFileConfig> defaults = parse_config("{" + kBase + "}", "node.json");
  ASSERT_TRUE(defaults.is_ok());
  EXPECT_EQ(defaults->node.cluster.signing_policy.min_price_per_gb_month, 0u);
  EXPECT_EQ(defaults->node.cluster.signing_policy.max_allocation_bytes, economy::kMaxAllocationBytes);
  Result<NodeFileConfig> c = parse_config("{" + kBase + R"(, "contract_min_price_per_gb_month": 720000,
      "contract_min_gas_price": 3, "contract_max_allocation_bytes": 1000000000})", "node.json");
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->node.cluster.signing_policy.min_price_per_gb_month, 720'000u);
  EXPECT_EQ(c->node.cluster.signing_policy.min_gas_price, 3u);
  EXPECT_EQ(c->node.cluster.signing_policy.max_allocation_bytes, 1'000'000'000u);
  EXPECT_NE(error_of("{" + kBase + R"(, "contract_min_gas_price": -1})").find("config.contract_min_gas_price"),
            std::string::npos);
  EXPECT_NE(error_of("{" + kBase + R"(, "contract_max_allocation_bytes": 0})").find("config.contract_max_allocation_bytes"),
            std::string::npos);
}

TEST(ConfigTest, TokenReceipts) {
  const std::string to(64, 'e');
  Result<NodeFileConfig> none = parse_config("{" + kBase + "}", "node.json");
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->token_receipts.empty());
  Result<NodeFileConfig> c = parse_config("{" + kBase + R"(, "token_receipts": [
      {"receipt": ")" + std::string(64, '1') + R"(", "to": ")" + to + R"(", "amount": 18446744073709551615},
      {"receipt": ")" + std::string(64, '2') + R"(", "to": ")" + to + R"(", "amount": 5}]})", "node.json");
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  ASSERT_EQ(c->token_receipts.size(), 2u);
  EXPECT_EQ(c->token_receipts[0].gateway_receipt_id[0], 0x11);
  EXPECT_EQ(c->token_receipts[0].to.bytes[31], 0xee);
  EXPECT_EQ(c->token_receipts[0].amount, UINT64_MAX);
  EXPECT_EQ(c->token_receipts[1].amount, 5u);

  auto receipt = [&](const std::string& fields) { return "{" + kBase + R"(, "token_receipts": [)" + fields + "]}"; };
  const std::string id = R"("receipt": ")" + std::string(64, '1') + R"(")";
  const std::string recipient = R"("to": ")" + to + R"(")";
  EXPECT_NE(error_of("{" + kBase + R"(, "token_receipts": {}})").find("config.token_receipts: expected a list"),
            std::string::npos);
  EXPECT_NE(error_of(receipt("3")).find("config.token_receipts[0]: expected an object"), std::string::npos);
  EXPECT_NE(error_of(receipt("{" + recipient + R"(, "amount": 1})")).find("config.token_receipts[0].receipt: required"),
            std::string::npos);
  EXPECT_NE(error_of(receipt(R"({"receipt": "abc", )" + recipient + R"(, "amount": 1})"))
                .find("config.token_receipts[0].receipt"),
            std::string::npos);
  EXPECT_NE(error_of(receipt("{" + id + R"(, "to": "zz", "amount": 1})")).find("config.token_receipts[0].to"),
            std::string::npos);
  for (const char* amount : {"0", "-1", "1.5", "\"7\""}) {
    EXPECT_NE(error_of(receipt("{" + id + ", " + recipient + R"(, "amount": )" + amount + "}"))
                  .find("config.token_receipts[0].amount: expected an integer of micro-FFT above 0"),
              std::string::npos)
        << amount;
  }
  const std::string one = "{" + id + ", " + recipient + R"(, "amount": 1})";
  EXPECT_NE(error_of(receipt(one + ", " + one)).find("config.token_receipts[1].receipt: listed twice"),
            std::string::npos);
  EXPECT_NE(error_of(receipt("{" + id + ", " + recipient + R"(, "amount": 1, "memo": "x"})"))
                .find("config.token_receipts[0].memo: unknown field"),
            std::string::npos);
}

}  // namespace
}  // namespace fluence::runtime
