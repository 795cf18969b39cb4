#include "model/client/btree_bucket.h"

#include <gtest/gtest.h>

namespace fluence::client {
namespace {

// "key-0", "key-1", ...: ascending for n below 10.
Bytes key_of(uint64_t n) { return Bytes{'k', 'e', 'y', '-', static_cast<uint8_t>('0' + n)}; }

Bytes raw_descriptor(uint8_t version, ByteView prefix, uint16_t max_entries, uint8_t height,
                     uint64_t root_id, uint64_t size, uint64_t next_id) {
  codec::Writer writer;
  writer.u8(version);
  writer.bytes(prefix);
  writer.u16(max_entries);
  writer.u8(height);
  if (height > 0) {
    writer.u64(root_id);
    writer.fixed(crypto::Hash256{});
  }
  writer.u64(size);
  writer.u64(next_id);
  writer.u64(9);
  return writer.finish();
}

TEST(BTreeDescriptorTest, RoundTrips) {
  BTreeDescriptor empty = *BTreeDescriptor::empty(as_bytes("ix/"), 8);
  EXPECT_EQ(*codec::decode<BTreeDescriptor>(codec::encode(empty)), empty);
  Bytes encoded = raw_descriptor(1, as_bytes("p"), 4, 2, 6, 10, 7);
  Result<BTreeDescriptor> decoded = codec::decode<BTreeDescriptor>(encoded);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->height, 2u);
  EXPECT_EQ(decoded->root.id, 6u);
  EXPECT_EQ(decoded->generation, 9u);
  EXPECT_EQ(codec::encode(*decoded), encoded);
}

TEST(BTreeDescriptorTest, RejectsMalformedBytes) {
  Bytes encoded = raw_descriptor(1, as_bytes("p"), 4, 2, 6, 10, 7);
  for (size_t cut = 0; cut < encoded.size(); ++cut) {
    Result<BTreeDescriptor> decoded = codec::decode<BTreeDescriptor>(ByteView(encoded.data(), cut));
    ASSERT_EQ(decoded.status().code(), ErrorCode::kMalformed) << cut;
  }
  Bytes longer = encoded;
  longer.push_back(0);
  EXPECT_EQ(codec::decode<BTreeDescriptor>(longer).status().code(), ErrorCode::kMalformed);

  auto rejects = [](const Bytes& bytes, const std::string& field) {
    Result<BTreeDescriptor> decoded = codec::decode<BTreeDescriptor>(bytes);
    ASSERT_FALSE(decoded.is_ok()) << field;
    EXPECT_EQ(decoded.status().code(), ErrorCode::kMalformed);
    EXPECT_NE(decoded.status().message().find(field), std::string::npos)
        << decoded.status().message();
  };
  rejects(raw_descriptor(2, as_bytes("p"), 4, 1, 0, 1, 1), "btree descriptor version");
  rejects(raw_descriptor(1, {}, 4, 1, 0, 1, 1), "btree row prefix");
  rejects(raw_descriptor(1, Bytes(kMaxBtreeRowPrefixBytes + 1, 'p'), 4, 1, 0, 1, 1),
          "btree row prefix");
  rejects(raw_descriptor(1, as_bytes("p"), 3, 1, 0, 1, 1), "btree max entries");
  rejects(raw_descriptor(1, as_bytes("p"), kMaxBucketEntries + 1, 1, 0, 1, 1), "btree max entries");
  rejects(raw_descriptor(1, as_bytes("p"), 4, kMaxBtreeHeight + 1, 0, 1, 1), "btree height");
  rejects(raw_descriptor(1, as_bytes("p"), 4, 0, 0, 3, 1), "btree size");
  rejects(raw_descriptor(1, as_bytes("p"), 4, 2, 0, 0, 1), "btree size");
  rejects(raw_descriptor(1, as_bytes("p"), 4, 2, 5, 10, 5), "btree next bucket id");

  EXPECT_EQ(BTreeDescriptor::empty({}, 8).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(BTreeDescriptor::empty(as_bytes("p"), 3).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(BTreeDescriptor::empty(as_bytes("p"), 65536 + 4).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(BTreeDescriptor::empty({}, 8).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(BTreeDescriptor::empty(as_bytes("p"), 3).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(BTreeDescriptor::empty(as_bytes("p"), 65536 + 4).status().code(),
            ErrorCode::kInvalidArgument);
}

Bucket sample_leaf() {
  Bucket leaf;
  for (uint64_t n = 0; n < 4; ++n) {
    leaf.keys.push_back(key_of(n));
    leaf.values.push_back(Bytes(n, 0xd0));
  }
  return leaf;
}

Bucket sample_internal() {
  Bucket internal;
  internal.level = 2;
  for (uint64_t n = 0; n < 3; ++n) {
    crypto::Hash256 hash{};
    hash[0] = static_cast<uint8_t>(n);
    internal.children.push_back({n + 10, hash});
    if (n > 0) internal.keys.push_back(key_of(n * 3));
  }
  return internal;
}

TEST(BTreeBucketTest, RoundTrips) {
  for (const Bucket& bucket : {sample_leaf(), sample_internal()}) {
    Bytes encoded = encode_bucket(bucket);
    EXPECT_EQ(*decode_bucket(encoded, 4), bucket);
    EXPECT_EQ(decode_bucket(encoded, bucket.entries() - 1).status().code(), ErrorCode::kMalformed);
    for (size_t cut = 0; cut < encoded.size(); ++cut) {
      ASSERT_FALSE(decode_bucket(ByteView(encoded.data(), cut), 4).is_ok()) << cut;
    }
  }
}

TEST(BTreeBucketTest, RejectsWhatTheFormatForbids) {
  auto rejects = [](const Bucket& bucket, const std::string& field) {
    Result<Bucket> decoded = decode_bucket(encode_bucket(bucket), kMaxBucketEntries);
    ASSERT_FALSE(decoded.is_ok()) << field;
    EXPECT_EQ(decoded.status().code(), ErrorCode::kMalformed);
    EXPECT_NE(decoded.status().message().find(field), std::string::npos)
        << decoded.status().message();
  };
  Bucket unordered = sample_leaf();
  std::swap(unordered.keys[1], unordered.keys[2]);
  rejects(unordered, "leaf key");
  Bucket repeated = sample_leaf();
  repeated.keys[2] = repeated.keys[1];
  rejects(repeated, "leaf key");
  Bucket empty_key = sample_leaf();
  empty_key.keys[0].clear();
  rejects(empty_key, "leaf key");
  rejects(Bucket{}, "leaf entries");
  Bucket internal = sample_internal();
  std::swap(internal.keys[0], internal.keys[1]);
  rejects(internal, "bucket separator");
  Bucket only_child = sample_internal();
  only_child.children.resize(1);
  only_child.keys.clear();
  rejects(only_child, "bucket children");
  Bucket too_high = sample_leaf();
  too_high.level = kMaxBtreeHeight;
  too_high.values.clear();
  too_high.keys.resize(1);
  too_high.children = {BucketRef{}, BucketRef{}};
  rejects(too_high, "bucket level");

  Bytes versioned = encode_bucket(sample_leaf());
  versioned[0] = 2;
  EXPECT_NE(decode_bucket(versioned, 4).status().message().find("bucket version"),
            std::string::npos);
  Bytes longer = encode_bucket(sample_leaf());
  longer.push_back(0);
  EXPECT_EQ(decode_bucket(longer, 4).status().code(), ErrorCode::kMalformed);
}

}  // namespace
}  // namespace fluence::client
