#include "model/codec/codec.h"

#include <gtest/gtest.h>

#include <limits>

namespace fluence::codec {
namespace {

TEST(CodecTest, IntegersRoundTripBigEndian) {
  Writer w;
  w.u8(0xab);
  w.u16(0x1234);
  w.u32(0xdeadbeef);
  w.u64(0x0102030405060708ULL);
  w.i64(-2);
  w.boolean(true);
  Bytes bytes = w.finish();
  EXPECT_EQ(bytes[1], 0x12);
  EXPECT_EQ(bytes[3], 0xde);
  Reader r(bytes);
  EXPECT_EQ(r.u8("a"), 0xab);
  EXPECT_EQ(r.u16("b"), 0x1234);
  EXPECT_EQ(r.u32("c"), 0xdeadbeefu);
  EXPECT_EQ(r.u64("d"), 0x0102030405060708ULL);
  EXPECT_EQ(r.i64("e"), -2);
  EXPECT_TRUE(r.boolean("f"));
  EXPECT_TRUE(r.finish().is_ok());
}

TEST(CodecTest, VarintsAreMinimalAndBounded) {
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{300}, std::numeric_limits<uint64_t>::max()}) {
    Writer w;
    w.varint(v);
    Bytes bytes = w.finish();
    Reader r(bytes);
    EXPECT_EQ(r.varint("v"), v);
    EXPECT_TRUE(r.finish().is_ok());
  }
  Bytes non_minimal = {0x80, 0x00};  // 0 written in two bytes
  Reader r1(non_minimal);
  r1.varint("count");
  EXPECT_NE(r1.finish().message().find("count: varint is not minimally encoded"), std::string::npos);
  Bytes overflow = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
  Reader r2(overflow);
  r2.varint("big");
  EXPECT_NE(r2.finish().message().find("big: varint overflows"), std::string::npos);
  Bytes endless(12, 0xff);
  Reader r3(endless);
  r3.varint("endless");
  EXPECT_FALSE(r3.finish().is_ok());
}

TEST(CodecTest, LengthsAreNeverTrusted) {
  Writer w;
  w.bytes(Bytes(10, 1));
  Bytes ten = w.finish();
  Reader over_limit(ten);
  over_limit.bytes("name", 5);
  EXPECT_NE(over_limit.finish().message().find("name: length 10 exceeds limit 5"), std::string::npos);
  Bytes lying = {0x7f, 1, 2};  // claims 127 bytes, has 2
  Reader short_input(lying);
  short_input.bytes("value", 1000);
  EXPECT_NE(short_input.finish().message().find("value: needs 127 bytes, 2 left"), std::string::npos);
  Bytes count = {0x64};  // 100 elements of at least 8 bytes in nothing
  Reader hostile(count);
  EXPECT_EQ(hostile.count("items", 1000, 8), 0u);
  EXPECT_NE(hostile.finish().message().find("items: count 100 cannot fit"), std::string::npos);
}

TEST(CodecTest, FirstErrorSticksAndTrailingBytesFail) {
  Bytes two = {1, 2};
  Reader r(two);
  r.u32("first");
  r.u8("second");  // would succeed on its own; the reader is already failed
  EXPECT_NE(r.finish().message().find("first"), std::string::npos);
  Reader t(two);
  t.u8("only");
  EXPECT_NE(t.finish().message().find("1 trailing bytes"), std::string::npos);
  Bytes bad_bool = {2};
  Reader b(bad_bool);
  b.boolean("flag");
  EXPECT_NE(b.finish().message().find("flag: boolean must be 0 or 1"), std::string::npos);
  Bytes tag = {9};
  Reader g(tag);
  g.tag("kind", 3);
  EXPECT_NE(g.finish().message().find("kind: unknown value 9"), std::string::npos);
}

}  // namespace
}  // namespace fluence::codec
