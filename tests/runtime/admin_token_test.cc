#include "runtime/admin_token.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "runtime/atomic_file.h"

namespace fluence::runtime {
namespace {

class AdminTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fluence-admin-token-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(AdminTokenTest, CreatedOnceWithModeSixHundredThenKept) {
  std::string path = (dir_ / "token").string();
  EXPECT_EQ(read_admin_token(path).status().code(), ErrorCode::kNotFound) << "a client never creates one";
  Result<std::string> first = load_or_create_admin_token(path);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  EXPECT_EQ(first->size(), kAdminTokenHexDigits);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  Result<std::string> again = load_or_create_admin_token(path);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(*again, *first);
  Result<std::string> read = read_admin_token(path);
  ASSERT_TRUE(read.is_ok());
  EXPECT_EQ(*read, *first);
  std::string other = (dir_ / "other").string();
  Result<std::string> second = load_or_create_admin_token(other);
  ASSERT_TRUE(second.is_ok());
  EXPECT_NE(*second, *first) << "tokens come from the OS's entropy";
}

TEST_F(AdminTokenTest, AFileThatHoldsNoTokenIsAnErrorAndStaysAsItIs) {
  std::string path = (dir_ / "token").string();
  for (const std::string& bad : {std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'A'),
                                std::string(63, 'a') + "g", std::string("")}) {
    { std::ofstream(path, std::ios::trunc) << bad; }
    Result<std::string> loaded = load_or_create_admin_token(path);
    ASSERT_FALSE(loaded.is_ok()) << bad;
    EXPECT_NE(loaded.status().message().find(path), std::string::npos) << loaded.status().message();
    Result<Bytes> kept = read_file(path);
    ASSERT_TRUE(kept.is_ok());
    EXPECT_EQ(std::string(kept->begin(), kept->end()), bad) << "never replaced";
  }
  { std::ofstream(path, std::ios::trunc) << std::string(64, 'b') << "\n"; }
  Result<std::string> with_newline = read_admin_token(path);
  ASSERT_TRUE(with_newline.is_ok()) << with_newline.status().to_string();
  EXPECT_EQ(*with_newline, std::string(64, 'b'));
}

TEST(AdminTokenMatchTest, OnlyTheSameTokenMatches) {
  std::string token(64, 'c');
  EXPECT_TRUE(admin_token_matches(token, token));
  std::string last = token;
  last.back() = 'd';
  EXPECT_FALSE(admin_token_matches(token, last));
  EXPECT_FALSE(admin_token_matches(token, token.substr(0, 63)));
  EXPECT_FALSE(admin_token_matches(token, ""));
}

}  // namespace
}  // namespace fluence::runtime
