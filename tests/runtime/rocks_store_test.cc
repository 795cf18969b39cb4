#include "runtime/rocks_store.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace fluence::runtime {
namespace {

Bytes b(std::string_view s) { return Bytes(s.begin(), s.end()); }

struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("rocks-test-" + std::to_string(getpid()) + "-" + std::to_string(std::rand()));
  ~TempDir() { std::filesystem::remove_all(path); }
};

TEST(RocksStoreTest, BatchesIterationAndReopen) {
  TempDir dir;
  {
    auto store = RocksStore::open(dir.path.string());
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    env::WriteBatch batch;
    batch.put(b("b"), b("2"));
    batch.put(b("a"), b("1"));
    batch.put(b("ab"), b("x"));
    batch.erase(b("ab"));
    batch.put(b("a\x01"), b("3"));
    ASSERT_TRUE((*store)->write(batch).is_ok());
    EXPECT_EQ(**(*store)->get(b("a")), b("1"));
    EXPECT_FALSE((*store)->get(b("ab"))->has_value()) << "a later erase in the batch wins";
    auto it = (*store)->iterate();
    std::vector<Bytes> keys;
    for (it->seek(b("a")); it->valid(); it->next()) keys.emplace_back(it->key().begin(), it->key().end());
    EXPECT_EQ(keys, (std::vector<Bytes>{b("a"), b("a\x01"), b("b")})) << "bytewise order, shorter first";
    EXPECT_TRUE(it->status().is_ok());
  }
  auto reopened = RocksStore::open(dir.path.string());
  ASSERT_TRUE(reopened.is_ok());
  EXPECT_EQ(**(*reopened)->get(b("b")), b("2"));
}

// Past 64 entries a scan continues on a bulk-read iterator (rocks_store.cc):
// same snapshot, same position, same order, re-seekable.
TEST(RocksStoreTest, ALongScanSwitchesToBulkReadsWithoutLosingItsPlace) {
  TempDir dir;
  auto store = RocksStore::open(dir.path.string());
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  auto key_of = [](int i) {
    std::string k = "k" + std::to_string(1000 + i);
    return b(k);
  };
  env::WriteBatch batch;
  for (int i = 0; i < 300; ++i) batch.put(key_of(i), Bytes(600, static_cast<uint8_t>(i)));
  ASSERT_TRUE((*store)->write(batch).is_ok());
  auto it = (*store)->iterate();
  env::WriteBatch later;
  later.put(key_of(150), b("changed"));
  later.put(b("k1150x"), b("new"));
  ASSERT_TRUE((*store)->write(later).is_ok());
  int i = 10;
  for (it->seek(key_of(10)); it->valid(); it->next(), ++i) {
    ASSERT_EQ(Bytes(it->key().begin(), it->key().end()), key_of(i)) << "no entry lost or repeated at the switch";
    ASSERT_EQ(Bytes(it->value().begin(), it->value().end()), Bytes(600, static_cast<uint8_t>(i)))
        << "writes after the iterator was made stay invisible";
  }
  EXPECT_EQ(i, 300);
  EXPECT_TRUE(it->status().is_ok());
  it->seek(key_of(5));
  ASSERT_TRUE(it->valid());
  EXPECT_EQ(Bytes(it->key().begin(), it->key().end()), key_of(5)) << "seeking again after the switch";
}

TEST(RocksStoreTest, BadPathIsAnErrorNamingIt) {
  auto store = RocksStore::open("/proc/definitely/not/here");
  ASSERT_FALSE(store.is_ok());
  EXPECT_NE(store.status().message().find("/proc/definitely/not/here"), std::string::npos);
}

}  // namespace
}  // namespace fluence::runtime
