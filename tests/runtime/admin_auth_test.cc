// The admin endpoint with a token (runtime/admin.h, admin_token.h), through
// a real fluence-node process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "runtime/admin_token.h"
#include "runtime/atomic_file.h"
#include "tests/runtime/node_cluster.h"

namespace fluence::testing {
namespace {

using nlohmann::json;

std::string auth_line(const std::string& token) { return json{{"cmd", "auth"}, {"token", token}}.dump(); }
const std::string kInfo = R"({"cmd": "info"})";

TEST(AdminAuthTest, OnlyAConnectionThatPresentedTheTokenIsServed) {
  std::filesystem::path token_file =
      std::filesystem::temp_directory_path() / ("fluence-admin-auth-" + std::to_string(getpid()));
  const std::string token(64, 'e');
  std::string line = token + "\n";
  ASSERT_TRUE(runtime::write_file_atomically(token_file.string(),
                                             ByteView(reinterpret_cast<const uint8_t*>(line.data()), line.size()))
                  .is_ok());
  NodeCluster cluster(1, 0, [&](const std::vector<std::string>&) { return json{{"admin_token_file", token_file}}; });
  cluster.start(0);
  cluster.set_admin_token(token);
  ASSERT_TRUE(cluster.wait_until([](size_t, const json& info) { return info.contains("id"); }, 20000));

  // No token: every command is refused, and the connection stays open for "auth".
  std::vector<json> unauthenticated = cluster.admin_lines(0, {kInfo, auth_line(token), kInfo});
  EXPECT_EQ(unauthenticated[0].value("code", ""), "authentication failed") << unauthenticated[0];
  EXPECT_EQ(unauthenticated[1], (json{{"authenticated", true}}));
  EXPECT_TRUE(unauthenticated[2].contains("id")) << unauthenticated[2];

  // A wrong token (one digit off, or a short one) closes the connection.
  std::string near = token;
  near[10] = 'f';
  for (const std::string& wrong : {near, token.substr(0, 32)}) {
    std::vector<json> refused = cluster.admin_lines(0, {auth_line(wrong), kInfo}, 3000);
    EXPECT_EQ(refused[0].value("code", ""), "authentication failed") << refused[0];
    EXPECT_EQ(refused[1], (json{{"error", "no reply"}})) << "closed after one wrong guess";
  }
  std::vector<json> not_a_string = cluster.admin_lines(0, {R"({"cmd": "auth", "token": 7})", kInfo}, 3000);
  EXPECT_EQ(not_a_string[0].value("code", ""), "authentication failed") << not_a_string[0];

  // The token file is left as it was: the node read it, it did not replace it.
  Result<std::string> kept = runtime::read_admin_token(token_file.string());
  ASSERT_TRUE(kept.is_ok());
  EXPECT_EQ(*kept, token);
  std::filesystem::remove(token_file);
}

TEST(AdminAuthTest, ANodeWithoutATokenAnswersAuthAndEverythingElse) {
  NodeCluster cluster(1, 0, [](const std::vector<std::string>&) { return json::object(); });
  cluster.start(0);
  ASSERT_TRUE(cluster.wait_until([](size_t, const json& info) { return info.contains("id"); }, 20000));
  std::vector<json> replies = cluster.admin_lines(0, {auth_line("anything"), kInfo});
  EXPECT_EQ(replies[0], (json{{"authenticated", true}}));
  EXPECT_TRUE(replies[1].contains("id")) << replies[1];
}

TEST(AdminAuthTest, ANodeCreatesItsTokenOnFirstStart) {
  std::filesystem::path token_file =
      std::filesystem::temp_directory_path() / ("fluence-admin-new-" + std::to_string(getpid()));
  std::filesystem::remove(token_file);
  NodeCluster cluster(1, 0, [&](const std::vector<std::string>&) { return json{{"admin_token_file", token_file}}; });
  cluster.start(0);
  Result<std::string> created = Status::error(ErrorCode::kNotFound, "");
  for (int i = 0; i < 100 && !created; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    created = runtime::read_admin_token(token_file.string());
  }
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  cluster.set_admin_token(*created);
  EXPECT_TRUE(cluster.wait_until([](size_t, const json& info) { return info.contains("id"); }, 20000));
  std::filesystem::remove(token_file);
}

}  // namespace
}  // namespace fluence::testing
