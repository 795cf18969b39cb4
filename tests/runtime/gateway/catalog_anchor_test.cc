// The catalog anchor: a node that serves an older catalog than the gateway
// committed is caught when the store opens.
#include "runtime/gateway/catalog_anchor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "runtime/gateway/encrypted_store.h"
#include "tests/runtime/gateway/store_test_helpers.h"

namespace fluence::gateway {
namespace {

using namespace testing;

CatalogMark mark(uint64_t generation, const std::string& row) { return mark_of(generation, as_bytes(row)); }

TEST(CatalogFreshness, RefusesOlderMissingOrOtherCatalogs) {
  EXPECT_TRUE(check_catalog_freshness(std::nullopt, std::nullopt).is_ok()) << "a new gateway";
  EXPECT_TRUE(check_catalog_freshness(std::nullopt, mark(3, "a")).is_ok()) << "nothing anchored yet";
  EXPECT_TRUE(check_catalog_freshness(mark(3, "a"), mark(3, "a")).is_ok());
  EXPECT_TRUE(check_catalog_freshness(mark(3, "a"), mark(4, "b")).is_ok()) << "stopped before anchoring";
  Status older = check_catalog_freshness(mark(3, "a"), mark(2, "z"));
  EXPECT_EQ(older.code(), ErrorCode::kAuthentication);
  EXPECT_NE(older.message().find("rolled the store back"), std::string::npos) << older.message();
  EXPECT_EQ(check_catalog_freshness(mark(3, "a"), std::nullopt).code(), ErrorCode::kAuthentication);
  EXPECT_EQ(check_catalog_freshness(mark(3, "a"), mark(3, "b")).code(), ErrorCode::kAuthentication);
}

class AnchorFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fluence-anchor-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(AnchorFile, RoundTripsAndRefusesMalformedFiles) {
  FileCatalogAnchor anchor((dir_ / "anchor").string());
  Result<std::optional<CatalogMark>> none = anchor.load();
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value()) << "a missing file anchors nothing";
  ASSERT_TRUE(anchor.store(mark(7, "row")).is_ok());
  Result<std::optional<CatalogMark>> loaded = FileCatalogAnchor((dir_ / "anchor").string()).load();
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ(**loaded, mark(7, "row"));
  EXPECT_EQ(std::filesystem::status(dir_ / "anchor").permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);
  for (const char* text : {"", "[]", R"({"generation": -1, "catalog_hash": "00"})", R"({"generation": 1})",
                           R"({"generation": 1, "catalog_hash": "abcd"})"}) {
    std::ofstream(dir_ / "anchor", std::ios::trunc) << text;
    Result<std::optional<CatalogMark>> bad = anchor.load();
    ASSERT_FALSE(bad) << text;
    EXPECT_EQ(bad.status().code(), ErrorCode::kMalformed);
    EXPECT_NE(bad.status().message().find("anchor"), std::string::npos) << bad.status().message();
  }
}

// The store records each commit, and refuses to open over a rolled-back
// catalog row.
TEST(AnchoredStore, ARolledBackCatalogIsRefusedAndANewerOneAccepted) {
  env::DeterministicRandom random(3);
  client::KeyStore keys;
  ASSERT_TRUE(keys.create(dataset_id(1), random));
  client::MemoryRowSource rows;
  MemoryCatalogAnchor anchor;
  auto open = [&](CatalogAnchor* with) {
    EncryptedStoreOptions options;
    options.anchor = with;
    return EncryptedStore::open({{dataset_id(1), &rows, kUnlimitedAllocationBytes, ""}}, keys, random,
                                [] { return Status::ok(); }, options);
  };
  const Namespace ns{"app", "items"};
  std::map<Bytes, Bytes> before_delete;
  {
    Result<std::unique_ptr<EncryptedStore>> store = open(&anchor);
    ASSERT_TRUE(store) << store.status().to_string();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*store)->insert(ns, J(R"({"_id": )" + std::to_string(i) + "}")));
    before_delete = rows.rows();
    ASSERT_TRUE((*store)->remove(ns, value_of("2")));
  }
  Result<std::optional<CatalogMark>> anchored = anchor.load();
  ASSERT_TRUE(anchored && anchored->has_value());
  EXPECT_GE((*anchored)->generation, 6u) << "one generation or more per mutation";
  ASSERT_TRUE(open(&anchor)) << "the nodes' current state opens";

  // A node serves the rows as they were before the delete: document 2 would
  // be back. The anchor refuses it; without one the rollback would go unseen.
  std::map<Bytes, Bytes> current = rows.rows();
  rows.rows() = before_delete;
  Result<std::unique_ptr<EncryptedStore>> rolled_back = open(&anchor);
  ASSERT_FALSE(rolled_back);
  EXPECT_EQ(rolled_back.status().code(), ErrorCode::kAuthentication);
  Result<std::unique_ptr<EncryptedStore>> unanchored = open(nullptr);
  ASSERT_TRUE(unanchored);
  EXPECT_EQ(*(*unanchored)->count(ns, Filter()), 5u) << "what the rollback would have shown";
  rows.rows().erase(Bytes(kCatalogRowKey.begin(), kCatalogRowKey.end()));
  EXPECT_FALSE(open(&anchor)) << "no catalog at all is a rollback too";

  // A gateway that stopped between the nodes' commit and the anchor's write
  // finds a newer catalog: accepted, and anchored.
  rows.rows() = current;
  MemoryCatalogAnchor stale;
  ASSERT_TRUE(stale.store({(*anchored)->generation - 1, {}}).is_ok());
  ASSERT_TRUE(open(&stale));
  EXPECT_EQ(*stale.load(), *anchored);
}

}  // namespace
}  // namespace fluence::gateway
