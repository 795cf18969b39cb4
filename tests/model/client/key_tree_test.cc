#include "model/client/key_tree.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "model/client/grant.h"
#include "model/codec/codec.h"
#include "tests/model/client/key_tree_fixtures.h"

namespace fluence::client {
namespace {

using testing::dataset;
using testing::path;

// Root secret 00 01 02 .. 1f, as in dataset_keys' own vector.
DatasetKeys fixed_keys() {
  Bytes root(32);
  for (size_t i = 0; i < 32; ++i) root[i] = static_cast<uint8_t>(i);
  return DatasetKeys(dataset(1), RootSecret(std::span<const uint8_t, 32>(root.data(), 32)));
}

std::string hex(const crypto::Secret<32>& secret) { return to_hex(secret.view()); }

TEST(KeyPathTest, BoundsAreCheckedAndNamed) {
  EXPECT_TRUE(KeyPath().is_root());
  EXPECT_EQ(KeyPath().to_string(), "/");
  EXPECT_EQ(path({"ab", "c"}).to_string(), "/6162/63");

  std::vector<Bytes> deep(kMaxKeyPathDepth, Bytes{'s'});
  ASSERT_TRUE(KeyPath::make(deep).is_ok());
  deep.push_back(Bytes{'s'});
  Result<KeyPath> too_deep = KeyPath::make(deep);
  EXPECT_EQ(too_deep.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(too_deep.status().message().find("depth"), std::string::npos);

  Result<KeyPath> empty = KeyPath::from_strings({"users", ""});
  EXPECT_EQ(empty.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(empty.status().message().find("segment 1 is empty"), std::string::npos);

  ASSERT_TRUE(KeyPath::make({Bytes(kMaxKeyPathSegmentBytes, 'x')}).is_ok());
  Result<KeyPath> long_segment =
      KeyPath::make({Bytes{'a'}, Bytes(kMaxKeyPathSegmentBytes + 1, 'x')});
  EXPECT_EQ(long_segment.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(long_segment.status().message().find("segment 1 of 1025 bytes"), std::string::npos)
      << long_segment.status().message();

  Result<KeyPath> long_path = KeyPath::make({Bytes(1000, 'x'), Bytes(kMaxKeyPathBytes - 999, 'y')});
  EXPECT_EQ(long_path.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(long_path.status().message().find("segment bytes"), std::string::npos);
  EXPECT_TRUE(KeyPath::make({Bytes(1000, 'x'), Bytes(kMaxKeyPathBytes - 1000, 'y')}).is_ok());

  // child() keeps to the same bounds.
  EXPECT_EQ(KeyPath::make(std::vector<Bytes>(kMaxKeyPathDepth, Bytes{'s'}))->child(Bytes{'t'})
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(path({"a"}).child(Bytes{}).status().code(), ErrorCode::kInvalidArgument);
}

TEST(KeyPathTest, CoversPrefixesAndOrder) {
  KeyPath users = path({"users"});
  KeyPath alice = path({"users", "alice"});
  EXPECT_TRUE(KeyPath().covers(alice));
  EXPECT_TRUE(users.covers(alice));
  EXPECT_TRUE(alice.covers(alice));
  EXPECT_FALSE(alice.covers(users));
  EXPECT_FALSE(path({"orders"}).covers(alice));
  // A segment that merely starts like another is a sibling, not a parent.
  EXPECT_FALSE(path({"use"}).covers(alice));
  EXPECT_FALSE(path({"users", "al"}).covers(alice));
  EXPECT_EQ(alice.prefix(1), users);
  EXPECT_EQ(alice.prefix(0), KeyPath());
  // A parent sorts before its children, and they before the next sibling.
  EXPECT_LT(KeyPath(), users);
  EXPECT_LT(users, alice);
  EXPECT_LT(alice, path({"usersz"}));
}

TEST(KeyPathTest, EncodingIsCanonicalAndBounded) {
  for (const KeyPath& p : {KeyPath(), path({"users"}), path({"users", "alice", "row-7"})}) {
    Bytes encoded = codec::encode(p);
    Result<KeyPath> decoded = codec::decode<KeyPath>(encoded);
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
    EXPECT_EQ(*decoded, p);
  }
  EXPECT_EQ(to_hex(codec::encode(path({"ab", "c"}))), "0202616201" "63");
  KeyPath longest = *KeyPath::make({Bytes(kMaxKeyPathSegmentBytes, 'x'),
                                    Bytes(kMaxKeyPathBytes - kMaxKeyPathSegmentBytes - 6, 'y'),
                                    Bytes{1}, Bytes{2}, Bytes{3}, Bytes{4}, Bytes{5}, Bytes{6}});
  EXPECT_LE(codec::encode(longest).size(), kMaxKeyPathEncodedBytes);

  struct Bad {
    Bytes bytes;
    const char* why;
  };
  codec::Writer long_segment;
  long_segment.varint(1);
  long_segment.bytes(Bytes(kMaxKeyPathSegmentBytes + 1, 'x'));
  codec::Writer too_many_bytes;
  too_many_bytes.varint(2);
  too_many_bytes.bytes(Bytes(kMaxKeyPathSegmentBytes, 'x'));
  too_many_bytes.bytes(Bytes(kMaxKeyPathBytes - kMaxKeyPathSegmentBytes + 1, 'y'));
  codec::Writer too_deep;
  too_deep.varint(kMaxKeyPathDepth + 1);
  for (size_t i = 0; i <= kMaxKeyPathDepth; ++i) too_deep.bytes(Bytes{'s'});
  for (const Bad& bad : {Bad{{0x01, 0x00}, "empty segment"},
                         Bad{{0x01, 0x01, 'a', 0x00}, "trailing byte"},
                         Bad{{0x02, 0x01, 'a'}, "missing segment"},
                         Bad{{0x01, 0x81, 0x00, 'a'}, "non-minimal length"},
                         Bad{{}, "nothing"},
                         Bad{long_segment.finish(), "long segment"},
                         Bad{too_many_bytes.finish(), "too many bytes in all"},
                         Bad{too_deep.finish(), "too deep"}}) {
    Result<KeyPath> decoded = codec::decode<KeyPath>(bad.bytes);
    EXPECT_EQ(decoded.status().code(), ErrorCode::kMalformed) << bad.why;
    EXPECT_FALSE(decoded.status().message().empty()) << bad.why;
  }
}

// The derivation is a compatibility contract: these bytes must never change.
// Computed independently with Python's hashlib (the script below prints every
// vector; its pre_seed line reproduces dataset_keys' pinned pre seed, which
// checks the framing it shares):
//
//   import hashlib
//   def H(key, msg): return hashlib.blake2b(msg, key=key, digest_size=32).digest()
//   def lab(l): return bytes([len(l)]) + l
//   def varint(n):
//       out = b""
//       while True:
//           b = n & 0x7f; n >>= 7
//           if n: out += bytes([b | 0x80])
//           else: return out + bytes([b])
//   root = bytes(range(32)); dataset = bytes([0xda]) + bytes(30) + bytes([1])
//   pre_seed = H(root, lab(b"fluence/client/v1/pre") + dataset)
//   tree = H(root, lab(b"fluence/client/v1/tree") + dataset)
//   def child(k, s):
//       return H(k, lab(b"fluence/client/v1/tree-node") + len(s).to_bytes(2, "big") + s)
//   def node(path):
//       k = tree
//       for s in path: k = child(k, s)
//       return k
//   def enc(path): return varint(len(path)) + b"".join(varint(len(s)) + s for s in path)
//   users, alice = node([b"users"]), node([b"users", b"alice"])
//   long = node([b"users", b"x" * 300, b"r"])
//   print("pre_seed ", pre_seed.hex())
//   print("tree     ", tree.hex())
//   print("users    ", users.hex())
//   print("alice    ", alice.hex())
//   print("long     ", long.hex())
//   print("alice row key   ", H(alice, lab(b"fluence/client/v1/tree-row")).hex())
//   print("alice row key id", H(alice, lab(b"fluence/client/v1/tree-row-key-id"))[:16].hex())
//   delegation = lab(b"fluence/client/v1/tree-delegation")
//   print("users delegation seed", H(pre_seed, delegation + enc([b"users"])).hex())
//   print("root delegation seed ", H(pre_seed, delegation + enc([])).hex())
TEST(KeyTreeTest, FixedRootGivesTheseExactKeys) {
  DatasetKeys keys = fixed_keys();
  EXPECT_EQ(hex(keys.pre_seed()),
            "a27088a2afe0c6de832fdfabf1a58a7d06cc37c1f6a306a15826398e6cdc255e");
  EXPECT_EQ(hex(keys.tree_key()),
            "bf21d32c884634a73c18be77b72b43fd7ff524eae0bf11c4f606eec432c7a0b5");
  EXPECT_EQ(hex(node_key(keys, KeyPath()).secret()),
            "bf21d32c884634a73c18be77b72b43fd7ff524eae0bf11c4f606eec432c7a0b5");
  EXPECT_EQ(hex(node_key(keys, path({"users"})).secret()),
            "8d6eb7585d33c2dc0ecf392fa6f7d68b4630328d361d89d3955bcff18cac023c");
  NodeKey alice = node_key(keys, path({"users", "alice"}));
  EXPECT_EQ(hex(alice.secret()),
            "f6bea1dec1c8a605ae64186ac743ec66dc757ab6bc5d2816fa17c044803e741f");
  // A segment over 255 bytes: the length takes both of its bytes.
  KeyPath long_path = *KeyPath::make({Bytes{'u', 's', 'e', 'r', 's'}, Bytes(300, 'x'), Bytes{'r'}});
  EXPECT_EQ(hex(node_key(keys, long_path).secret()),
            "dec4802ff7f35cfdb7d8d47e3fb3108a396a5a752cd141d441ccce18f03d7fb9");
  EXPECT_EQ(hex(alice.row_key()),
            "0094b8af1a919759ef04579354e656c7fb338804297c3e07ee5b8026eb794e50");
  EXPECT_EQ(to_hex(alice.row_key_id()), "223df01eaee951516481e431c9b57236");
  EXPECT_EQ(hex(delegation_seed(keys, path({"users"}))),
            "13570feb9efaea67f5b398528b872b80e9d690426d3e038d04ff592b3e219ae3");
  EXPECT_EQ(hex(delegation_seed(keys, KeyPath())),
            "1b190097efac58575726d2a3e2b4e6f293dc9969f4792072d0dcef45628fbbd2");
  EXPECT_EQ(delegation_key(keys, path({"users"})).public_key(),
            crypto::pre::KeyPair::from_seed(delegation_seed(keys, path({"users"}))).public_key());
}

TEST(KeyTreeTest, ASubtreeKeyGivesItsDescendantsAndNothingAboveOrBeside) {
  DatasetKeys keys = fixed_keys();
  NodeKey users = node_key(keys, path({"users"}));

  // Below: the same key the owner derives from the root.
  for (const KeyPath& below : {path({"users"}), path({"users", "alice"}),
                               path({"users", "alice", "row-7"}), path({"users", "bob"})}) {
    Result<NodeKey> derived = users.descendant(below);
    ASSERT_TRUE(derived.is_ok()) << below.to_string();
    EXPECT_EQ(hex(derived->secret()), hex(node_key(keys, below).secret())) << below.to_string();
    EXPECT_EQ(derived->path(), below);
    EXPECT_EQ(derived->dataset(), keys.dataset());
  }
  EXPECT_EQ(hex(users.child(as_bytes("alice"))->secret()),
            hex(node_key(keys, path({"users", "alice"})).secret()));

  // Above and beside: refused, naming both paths.
  for (const KeyPath& elsewhere : {KeyPath(), path({"orders"}), path({"orders", "alice"}),
                                   path({"use"}), path({"usersx", "alice"})}) {
    Result<NodeKey> derived = users.descendant(elsewhere);
    EXPECT_EQ(derived.status().code(), ErrorCode::kInvalidArgument) << elsewhere.to_string();
    EXPECT_NE(derived.status().message().find(users.path().to_string()), std::string::npos);
  }

  // Every node key, row key and key id differs from every other, across
  // levels, siblings and datasets: no key stands in for another.
  DatasetKeys other_dataset(dataset(2), keys.root_secret().clone());
  std::set<std::string> seen;
  size_t count = 0;
  for (const DatasetKeys* k : {&keys, &other_dataset}) {
    for (const KeyPath& p : {KeyPath(), path({"users"}), path({"orders"}), path({"users", "alice"}),
                             path({"users", "bob"}), path({"orders", "alice"}),
                             path({"users", "alice", "x"})}) {
      NodeKey node = node_key(*k, p);
      seen.insert(hex(node.secret()));
      seen.insert(hex(node.row_key()));
      seen.insert(to_hex(node.row_key_id()));
      count += 3;
    }
  }
  EXPECT_EQ(seen.size(), count);
  // And none of them is one of the dataset's other keys.
  for (const crypto::Secret<32>* other :
       {&keys.row_key(), &keys.index_key(), &keys.btree_key(), &keys.pre_seed()}) {
    EXPECT_FALSE(seen.contains(hex(*other)));
  }
  EXPECT_FALSE(seen.contains(to_hex(keys.row_key_id())));
}

TEST(KeyTreeTest, RowsSealedUnderALeafOpenOnlyWithThatLeafsKey) {
  env::DeterministicRandom random(3);
  DatasetKeys keys = fixed_keys();
  NodeKey alice = node_key(keys, path({"users", "alice"}));
  Result<Bytes> sealed = alice.row_cipher().encrypt_row(as_bytes("users/alice"),
                                                       as_bytes("{\"age\": 42}"), random);
  ASSERT_TRUE(sealed.is_ok());

  // An ancestor's holder derives the leaf and reads it.
  NodeKey users = node_key(keys, path({"users"}));
  Result<Bytes> opened =
      users.descendant(alice.path())->row_cipher().decrypt_row(as_bytes("users/alice"), *sealed);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  EXPECT_EQ(*opened, Bytes(as_bytes("{\"age\": 42}").begin(), as_bytes("{\"age\": 42}").end()));

  // A sibling's row key, under the sibling's id or under alice's, does not.
  NodeKey bob = node_key(keys, path({"users", "bob"}));
  EXPECT_EQ(bob.row_cipher().decrypt_row(as_bytes("users/alice"), *sealed).status().code(),
            ErrorCode::kAuthentication);
  RowCipher forged(keys.dataset(), alice.row_key_id(), bob.row_key());
  EXPECT_EQ(forged.decrypt_row(as_bytes("users/alice"), *sealed).status().code(),
            ErrorCode::kAuthentication);
  // Nor does the dataset-wide row key, nor the leaf's key in another dataset.
  EXPECT_EQ(
      RowCipher::for_dataset(keys).decrypt_row(as_bytes("users/alice"), *sealed).status().code(),
      ErrorCode::kAuthentication);
  DatasetKeys other_dataset(dataset(2), keys.root_secret().clone());
  EXPECT_EQ(node_key(other_dataset, alice.path())
                .row_cipher()
                .decrypt_row(as_bytes("users/alice"), *sealed)
                .status()
                .code(),
            ErrorCode::kAuthentication);
}

}  // namespace
}  // namespace fluence::client
