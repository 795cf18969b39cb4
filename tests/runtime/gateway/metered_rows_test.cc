#include "runtime/gateway/metered_rows.h"

#include <gtest/gtest.h>

namespace fluence::gateway {
namespace {

Bytes B(const std::string& text) { return Bytes(text.begin(), text.end()); }

TEST(MeteredRows, CountsWhatIsPutAndNotErased) {
  client::MemoryRowSource rows;
  MeteredRows meter(rows);
  ASSERT_TRUE(meter.put(B("p1"), B("aaaa")).is_ok());           // a bucket: remembered
  ASSERT_TRUE(meter.put_counted(B("d1"), B("bbbbbb")).is_ok());  // a document: not remembered
  EXPECT_EQ(meter.stored_bytes(), 6u + 8u);
  ASSERT_TRUE(meter.erase(B("p1")).is_ok());
  EXPECT_EQ(meter.stored_bytes(), 8u);
  ASSERT_TRUE(meter.erase(B("d1")).is_ok());  // size unknown: the count errs high
  EXPECT_EQ(meter.stored_bytes(), 8u);
  ASSERT_TRUE(meter.put_counted(B("d2"), B("cc")).is_ok());
  ASSERT_TRUE(meter.erase_counted(B("d2"), 2).is_ok());
  EXPECT_EQ(meter.stored_bytes(), 8u);
  EXPECT_TRUE(rows.rows().empty());
}

TEST(MeteredRows, RemembersTheSizeOfWhatItFetches) {
  client::MemoryRowSource rows;
  ASSERT_TRUE(rows.put(B("p\x01" "a"), B("12345")).is_ok());
  ASSERT_TRUE(rows.put(B("p\x01" "b"), B("123")).is_ok());
  ASSERT_TRUE(rows.put(B("p\x02" "a"), B("1")).is_ok());
  MeteredRows meter(rows);
  meter.set_stored_bytes(100);
  for (const char* key : {"p\x01" "a", "p\x01" "b", "p\x02" "a"}) ASSERT_TRUE(meter.get(B(key)));
  EXPECT_EQ(meter.remembered_bytes(B("p\x01")), 8u + 6u);
  ASSERT_TRUE(meter.erase(B("p\x01" "a")).is_ok());
  EXPECT_EQ(meter.stored_bytes(), 92u);
  meter.forget(B("p\x01"));
  EXPECT_EQ(meter.remembered_bytes(B("p\x01")), 0u);
  EXPECT_EQ(meter.remembered_bytes(B("p")), 4u);
  ASSERT_TRUE(meter.erase_uncounted(B("p\x02" "a")).is_ok());
  EXPECT_EQ(meter.stored_bytes(), 92u);
}

TEST(MeteredRows, RevertErasesWhatWasPutSinceTheMark) {
  client::MemoryRowSource rows;
  MeteredRows meter(rows);
  ASSERT_TRUE(meter.put(B("p1"), B("x")).is_ok());
  size_t mark = meter.mark();
  uint64_t count = meter.stored_bytes();
  ASSERT_TRUE(meter.put(B("p2"), B("yy")).is_ok());
  ASSERT_TRUE(meter.put_counted(B("d1"), B("zzz")).is_ok());
  meter.revert(mark, count);
  EXPECT_EQ(meter.stored_bytes(), count);
  EXPECT_EQ(rows.rows().size(), 1u);
  EXPECT_TRUE(rows.rows().contains(B("p1")));
  meter.commit();
  EXPECT_EQ(meter.mark(), 0u);
}

}  // namespace
}  // namespace fluence::gateway
