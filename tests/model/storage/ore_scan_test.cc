// Range scans over an ORE index: bounds, paging, bounds on the node's work,
// rows that are not index rows, and what a key mix-up does.
#include "model/storage/ore_scan.h"

#include <gtest/gtest.h>

#include "model/client/row_source.h"
#include "model/env/random.h"
#include "model/env/store.h"

namespace fluence::storage {
namespace {

using crypto::OreKey;

Bytes b(std::string_view text) { return Bytes(text.begin(), text.end()); }

OreKey ore_key(uint8_t seed, crypto::OreBlockBits bits = crypto::kOreDefaultBlockBits) {
  std::array<uint8_t, 32> bytes{};
  bytes.fill(seed);
  return OreKey::derive(crypto::Secret<32>(std::span<const uint8_t, 32>(bytes)), bits);
}

// Row key: prefix + a 2-digit document number, so key order is number order.
Bytes row_key(std::string_view prefix, int n) {
  std::string digits = std::to_string(n);
  if (digits.size() < 2) digits = "0" + digits;
  return b(std::string(prefix) + digits);
}

class OreScanTest : public ::testing::Test {
 protected:
  OreScanTest() : dataset(std::move(*Dataset::open(store, DatasetId{0x0e}))) {}

  void put(std::vector<Mutation> mutations) {
    ASSERT_TRUE(dataset.apply({dataset.applied_sequence() + 1, std::move(mutations)}).is_ok());
  }
  Mutation index_row(const OreKey& key, std::string_view prefix, int n, uint64_t value) {
    Bytes payload = b("doc" + std::to_string(n));
    return {Mutation::Kind::kPutRow, row_key(prefix, n),
            encode_ore_row_value(crypto::ore_encrypt_right(key, value, random), payload), {}, {}};
  }
  // Documents 0..values.size()-1 under "ix/", document n indexed by values[n].
  void index(const std::vector<uint64_t>& values, const OreKey& key) {
    std::vector<Mutation> rows;
    for (size_t n = 0; n < values.size(); ++n) rows.push_back(index_row(key, "ix/", static_cast<int>(n), values[n]));
    put(std::move(rows));
  }
  OreScanQuery query(std::optional<std::pair<uint64_t, bool>> lower, std::optional<std::pair<uint64_t, bool>> upper,
                     const OreKey& key) {
    OreScanQuery q;
    q.prefix = b("ix/");
    if (lower) q.lower = OreBound{crypto::ore_encrypt_left(key, lower->first), lower->second};
    if (upper) q.upper = OreBound{crypto::ore_encrypt_left(key, upper->first), upper->second};
    return q;
  }
  // The documents a complete single page returned.
  std::vector<int> documents(const OreScanQuery& q) {
    Result<OreScanPage> page = scan_ore(dataset, q);
    EXPECT_TRUE(page.is_ok()) << page.status().to_string();
    if (!page) return {};
    EXPECT_TRUE(page->complete);
    std::vector<int> out;
    for (const OreScanRow& row : page->rows) {
      std::string payload(row.payload.begin(), row.payload.end());
      EXPECT_EQ(payload.substr(0, 3), "doc");
      out.push_back(std::stoi(payload.substr(3)));
      EXPECT_EQ(row.row_key, row_key("ix/", out.back()));
    }
    return out;
  }

  env::MemoryStore store;
  Dataset dataset;
  env::DeterministicRandom random{17};
  OreKey ore = ore_key(1);
};

using V = std::vector<int>;

TEST_F(OreScanTest, BoundsAreInclusiveOrExclusiveAndMayBeOpen) {
  // Document n holds 10 * n, and document 7 holds 0 and 8 holds 2^64 - 1:
  // the ends of the domain.
  std::vector<uint64_t> values = {0, 10, 20, 30, 40, 50, 60, 0, UINT64_MAX};
  index(values, ore);
  EXPECT_EQ(documents(query({{20, true}}, {{50, true}}, ore)), (V{2, 3, 4, 5}));
  EXPECT_EQ(documents(query({{20, false}}, {{50, false}}, ore)), (V{3, 4}));
  EXPECT_EQ(documents(query({{20, true}}, {{50, false}}, ore)), (V{2, 3, 4}));
  EXPECT_EQ(documents(query({{15, true}}, {{55, true}}, ore)), (V{2, 3, 4, 5})) << "bounds between values";
  EXPECT_EQ(documents(query({{40, true}}, std::nullopt, ore)), (V{4, 5, 6, 8}));
  EXPECT_EQ(documents(query(std::nullopt, {{10, true}}, ore)), (V{0, 1, 7}));
  EXPECT_EQ(documents(query(std::nullopt, {{0, false}}, ore)), V{});
  EXPECT_EQ(documents(query({{UINT64_MAX, true}}, std::nullopt, ore)), V{8});
  EXPECT_EQ(documents(query(std::nullopt, std::nullopt, ore)), (V{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(documents(query({{50, true}}, {{20, true}}, ore)), V{}) << "an empty range";
}

TEST_F(OreScanTest, EqualValuesAllMatchAnInclusiveBound) {
  index({5, 7, 7, 7, 9, 7}, ore);
  EXPECT_EQ(documents(query({{7, true}}, {{7, true}}, ore)), (V{1, 2, 3, 5}));
  EXPECT_EQ(documents(query({{7, false}}, {{7, true}}, ore)), V{});
  EXPECT_EQ(documents(query({{7, true}}, {{7, false}}, ore)), V{});
  EXPECT_EQ(documents(query({{7, false}}, std::nullopt, ore)), V{4});
}

TEST_F(OreScanTest, PagesResumeAfterTheLastRowExamined) {
  std::vector<uint64_t> values;
  for (int n = 0; n < 20; ++n) values.push_back(static_cast<uint64_t>(n % 4));  // documents with 1 or 2: 10
  index(values, ore);
  OreScanQuery q = query({{1, true}}, {{2, true}}, ore);
  q.limit = 3;
  std::vector<Bytes> keys;
  int pages = 0;
  while (pages < 10) {
    Result<OreScanPage> page = scan_ore(dataset, q);
    ++pages;
    ASSERT_TRUE(page.is_ok()) << page.status().to_string();
    EXPECT_LE(page->rows.size(), 3u);
    for (const OreScanRow& row : page->rows) keys.push_back(row.row_key);
    if (page->complete) break;
    ASSERT_EQ(page->resume_after, keys.back()) << "a full page resumes after its last row";
    q.after = page->resume_after;
  }
  EXPECT_EQ(pages, 4) << "pages of 3, 3, 3 and the last 1";
  std::vector<Bytes> want;
  for (int n = 0; n < 20; ++n) {
    if (n % 4 == 1 || n % 4 == 2) want.push_back(row_key("ix/", n));
  }
  EXPECT_EQ(keys, want) << "every match once, in row-key order";

  // A full page stops before the next row, so a page that ends exactly at
  // the last match still says it is incomplete, and the next page is empty.
  q.after.clear();
  q.limit = 10;
  Result<OreScanPage> all = scan_ore(dataset, q);
  ASSERT_TRUE(all.is_ok());
  EXPECT_EQ(all->rows.size(), 10u);
  EXPECT_FALSE(all->complete);
  EXPECT_EQ(all->resume_after, row_key("ix/", 18));
  q.after = all->resume_after;
  Result<OreScanPage> rest = scan_ore(dataset, q);
  ASSERT_TRUE(rest.is_ok());
  EXPECT_TRUE(rest->rows.empty());
  EXPECT_TRUE(rest->complete);
  EXPECT_TRUE(rest->resume_after.empty());
}

TEST_F(OreScanTest, APageStaysWithinItsByteBudgetButTakesOneRowAtLeast) {
  index({1, 1, 1, 1}, ore);
  OreScanQuery q = query(std::nullopt, std::nullopt, ore);
  const size_t row_bytes = row_key("ix/", 0).size() + b("doc0").size();
  q.max_bytes = static_cast<uint32_t>(2 * row_bytes + 1);
  Result<OreScanPage> page = scan_ore(dataset, q);
  ASSERT_TRUE(page.is_ok());
  EXPECT_EQ(page->rows.size(), 2u);
  EXPECT_FALSE(page->complete);
  EXPECT_EQ(page->resume_after, row_key("ix/", 1)) << "the row that did not fit is examined again";
  q.max_bytes = 1;
  page = scan_ore(dataset, q);
  ASSERT_TRUE(page.is_ok());
  EXPECT_EQ(page->rows.size(), 1u) << "a row over the budget still comes, alone";
  EXPECT_EQ(page->resume_after, row_key("ix/", 0));
}

TEST_F(OreScanTest, RowsThatAreNotIndexRowsAreSkippedAndCounted) {
  OreKey small = ore_key(1, crypto::OreBlockBits::k2);
  Bytes right = codec::encode(crypto::ore_encrypt_right(ore, 5, random));
  Bytes truncated(right.begin(), right.end() - 1);
  Bytes bad_cell = right;
  bad_cell.back() = 0xff;  // a cell of 3
  put({index_row(ore, "ix/", 0, 5),
       {Mutation::Kind::kPutRow, row_key("ix/", 1), b("not a ciphertext"), {}, {}},
       {Mutation::Kind::kPutRow, row_key("ix/", 2), {}, {}, {}},
       {Mutation::Kind::kPutRow, row_key("ix/", 3), truncated, {}, {}},
       {Mutation::Kind::kPutRow, row_key("ix/", 4), bad_cell, {}, {}},
       index_row(small, "ix/", 5, 5),  // another block size than the bounds
       index_row(ore, "ix/", 6, 6),
       index_row(ore, "iy/", 7, 5),   // another index: never examined
       index_row(ore, "ix", 8, 5)});  // a prefix of the prefix: not under it
  Result<OreScanPage> page = scan_ore(dataset, query({{5, true}}, {{9, true}}, ore));
  ASSERT_TRUE(page.is_ok()) << page.status().to_string();
  ASSERT_EQ(page->rows.size(), 2u);
  EXPECT_EQ(page->rows[0].row_key, row_key("ix/", 0));
  EXPECT_EQ(page->rows[1].row_key, row_key("ix/", 6));
  EXPECT_EQ(page->skipped, 5u);
  EXPECT_TRUE(page->complete);
  // Without bounds there is no block size to differ from: only undecodable rows are skipped.
  page = scan_ore(dataset, query(std::nullopt, std::nullopt, ore));
  ASSERT_TRUE(page.is_ok());
  EXPECT_EQ(page->rows.size(), 3u);
  EXPECT_EQ(page->skipped, 4u);
}

// The scan reads each right ciphertext in place; its pages must be those of
// decoding each row value and comparing the decoded ciphertext, corrupted rows
// included: honest members sign the same page (cluster/read.h).
TEST_F(OreScanTest, PagesAreThoseOfDecodingEachRow) {
  OreKey small = ore_key(1, crypto::OreBlockBits::k4);
  std::vector<Mutation> rows;
  std::vector<Bytes> values;
  for (int n = 0; n < 60; ++n) {
    const OreKey& key = n % 10 == 9 ? small : ore;
    Mutation row = index_row(key, "ix/", n, 100 * static_cast<uint64_t>(random.uniform(60)));
    // Flip a few bits anywhere in one row of three: header, nonce, cells or payload.
    for (int flip = 0; n % 3 == 0 && flip < 1 + n % 4; ++flip) {
      row.value[random.uniform(row.value.size())] ^= static_cast<uint8_t>(1u << random.uniform(8));
    }
    if (n % 7 == 0) row.value.resize(random.uniform(row.value.size()));
    values.push_back(row.value);
    rows.push_back(std::move(row));
  }
  put(std::move(rows));
  for (auto [lo, hi] : {std::pair<uint64_t, uint64_t>{1000, 4000}, {0, 100}, {2500, 2500}}) {
    OreScanQuery q = query({{lo, true}}, {{hi, false}}, ore);
    OreScanPage expected;
    for (int n = 0; n < 60; ++n) {
      Result<OreRowValue> row = decode_ore_row_value(values[n]);
      Result<std::strong_ordering> vs_lo = row ? crypto::ore_compare(q.lower->left, row->right)
                                               : Result<std::strong_ordering>(row.status());
      if (!vs_lo) {
        ++expected.skipped;
        continue;
      }
      if (*vs_lo > 0) continue;
      Result<std::strong_ordering> vs_hi = crypto::ore_compare(q.upper->left, row->right);
      if (!vs_hi) {
        ++expected.skipped;
        continue;
      }
      if (*vs_hi > 0) expected.rows.push_back({row_key("ix/", n), Bytes(row->payload.begin(), row->payload.end())});
    }
    Result<OreScanPage> page = scan_ore(dataset, q);
    ASSERT_TRUE(page.is_ok()) << page.status().to_string();
    EXPECT_EQ(*page, expected) << "[" << lo << ", " << hi << ")";
    EXPECT_GT(page->skipped, 10u);
  }
}

TEST_F(OreScanTest, APageExaminesABoundedNumberOfRows) {
  std::vector<Mutation> rows;
  for (size_t n = 0; n < kOreScanMaxExamined + 5; ++n) {
    std::string k = "ix/" + std::to_string(100000 + n);
    rows.push_back({Mutation::Kind::kPutRow, b(k), b("junk"), {}, {}});
    if (rows.size() == kMaxMutationsPerEntry) {
      put(std::move(rows));
      rows.clear();
    }
  }
  put(std::move(rows));
  OreScanQuery q = query(std::nullopt, std::nullopt, ore);
  Result<OreScanPage> first = scan_ore(dataset, q);
  ASSERT_TRUE(first.is_ok());
  EXPECT_FALSE(first->complete);
  EXPECT_EQ(first->skipped, kOreScanMaxExamined);
  EXPECT_EQ(first->resume_after, b("ix/" + std::to_string(100000 + kOreScanMaxExamined - 1)));
  q.after = first->resume_after;
  Result<OreScanPage> second = scan_ore(dataset, q);
  ASSERT_TRUE(second.is_ok());
  EXPECT_TRUE(second->complete);
  EXPECT_EQ(second->skipped, 5u);
}

TEST_F(OreScanTest, RowsUnderAnotherKeyCompareAtRandomAndAreNotDetected) {
  // crypto/ore.h, "Keys": the node cannot tell, so it neither skips nor
  // refuses such rows; it returns an arbitrary subset, which the client
  // weeds out when it decrypts. This pins that behaviour down.
  OreKey other = ore_key(2);
  std::vector<uint64_t> values;
  for (uint64_t n = 0; n < 40; ++n) values.push_back(n);
  index(values, other);
  Result<OreScanPage> page = scan_ore(dataset, query({{10, true}}, {{29, true}}, ore));
  ASSERT_TRUE(page.is_ok());
  EXPECT_EQ(page->skipped, 0u);
  V got;
  for (const OreScanRow& row : page->rows) got.push_back(std::stoi(std::string(row.payload.begin() + 3, row.payload.end())));
  V right_answer;
  for (int n = 10; n <= 29; ++n) right_answer.push_back(n);
  EXPECT_NE(got, right_answer) << "under the wrong key, 40 random comparisons give the right range only by a negligible chance";
}

TEST_F(OreScanTest, AMemoryRowSourceScansAsTheNodeDoes) {
  index({3, 1, 4, 1, 5, 9, 2, 6}, ore);
  client::MemoryRowSource memory;
  ASSERT_TRUE(dataset.visit_rows({}, {}, [&](ByteView k, ByteView v) { return memory.put(k, v).is_ok(); }).is_ok());
  ASSERT_TRUE(memory.put(b("ix"), b("outside")).is_ok());
  ASSERT_TRUE(memory.put(b("ix0"), b("outside")).is_ok());
  OreScanQuery q = query({{2, true}}, {{5, false}}, ore);
  q.limit = 2;
  for (int page = 0; page < 5; ++page) {
    Result<OreScanPage> node = scan_ore(dataset, q);
    Result<OreScanPage> mine = memory.scan_ore(q);
    ASSERT_TRUE(node.is_ok() && mine.is_ok());
    EXPECT_EQ(*node, *mine) << "page " << page;
    if (node->complete) break;
    q.after = node->resume_after;
  }
  client::CountingRowSource counting(memory);
  ASSERT_TRUE(counting.scan_ore(q).is_ok());
  EXPECT_EQ(counting.counts().scans, 1u);
  EXPECT_EQ(counting.counts().total(), 1u);
}

TEST(OreScanQueryTest, ValidateNamesTheField) {
  OreKey key = ore_key(1);
  OreScanQuery q;
  q.prefix = b("ix/");
  EXPECT_TRUE(validate(q).is_ok());
  auto message = [](const OreScanQuery& bad) { return validate(bad).message(); };
  OreScanQuery bad = q;
  bad.prefix.clear();
  EXPECT_NE(message(bad).find("prefix"), std::string::npos);
  bad.prefix.assign(kMaxOrePrefixBytes + 1, 'p');
  EXPECT_NE(message(bad).find("prefix"), std::string::npos);
  bad = q;
  bad.limit = 0;
  EXPECT_NE(message(bad).find("limit"), std::string::npos);
  bad.limit = kMaxOreScanRows + 1;
  EXPECT_NE(message(bad).find("limit"), std::string::npos);
  bad = q;
  bad.max_bytes = kMaxOreScanBytes + 1;
  EXPECT_NE(message(bad).find("max_bytes"), std::string::npos);
  bad = q;
  bad.after = b("iy/01");
  EXPECT_NE(message(bad).find("after"), std::string::npos);
  bad = q;
  bad.lower = OreBound{crypto::ore_encrypt_left(key, 1), true};
  bad.upper = OreBound{crypto::ore_encrypt_left(ore_key(1, crypto::OreBlockBits::k4), 2), true};
  EXPECT_EQ(validate(bad).code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(message(bad).find("block size"), std::string::npos);
  env::MemoryStore store;
  Dataset dataset = std::move(*Dataset::open(store, DatasetId{}));
  EXPECT_EQ(scan_ore(dataset, bad).status().code(), ErrorCode::kInvalidArgument);
}

TEST(OreScanQueryTest, QueriesAndPagesRoundTripAndRejectNonCanonicalPages) {
  OreKey key = ore_key(1);
  OreScanQuery q;
  q.prefix = b("ix/");
  q.lower = OreBound{crypto::ore_encrypt_left(key, 7), false};
  q.limit = 12;
  q.after = b("ix/05");
  Result<OreScanQuery> again = codec::decode<OreScanQuery>(codec::encode(q));
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(*again, q);

  OreScanPage page;
  page.rows = {{b("ix/01"), b("p1")}, {b("ix/02"), {}}};
  page.complete = false;
  page.resume_after = b("ix/03");
  page.skipped = 4;
  Result<OreScanPage> decoded = codec::decode<OreScanPage>(codec::encode(page));
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_EQ(*decoded, page);
  // An incomplete page with nowhere to resume would loop a client forever.
  codec::Writer writer;
  writer.varint(0);
  writer.boolean(false);
  writer.bytes({});
  writer.u64(0);
  Result<OreScanPage> endless = codec::decode<OreScanPage>(writer.finish());
  EXPECT_FALSE(endless.is_ok());
  EXPECT_NE(endless.status().message().find("resume_after"), std::string::npos);
}

TEST(OreScanQueryTest, AClientChecksAPagesShapeAndProgress) {
  OreScanQuery q;
  q.prefix = b("ix/");
  q.limit = 2;
  q.after = b("ix/03");
  OreScanPage page;
  page.rows = {{b("ix/04"), {}}, {b("ix/07"), {}}};
  page.complete = false;
  page.resume_after = b("ix/07");
  EXPECT_TRUE(check_page(q, page).is_ok());
  auto problem = [&](auto change) {
    OreScanPage bad = page;
    change(bad);
    Status s = check_page(q, bad);
    EXPECT_EQ(s.code(), ErrorCode::kMalformed);
    return s.message();
  };
  EXPECT_NE(problem([](OreScanPage& p) { p.rows.push_back({b("ix/08"), {}}); }).find("limit"), std::string::npos);
  EXPECT_NE(problem([](OreScanPage& p) { p.rows[0].row_key = b("iy/04"); }).find("prefix"), std::string::npos);
  EXPECT_NE(problem([](OreScanPage& p) { p.rows[0].row_key = b("ix/03"); }).find("row 0"), std::string::npos);
  EXPECT_NE(problem([](OreScanPage& p) { std::swap(p.rows[0], p.rows[1]); }).find("row 1"), std::string::npos);
  EXPECT_NE(problem([](OreScanPage& p) { p.resume_after = b("ix/03"); }).find("advance"), std::string::npos);
  EXPECT_NE(problem([](OreScanPage& p) { p.resume_after = b("ix/05"); }).find("last row"), std::string::npos);
  EXPECT_NE(problem([](OreScanPage& p) { p.resume_after.clear(); }).find("resume"), std::string::npos);
  EXPECT_NE(problem([](OreScanPage& p) { p.complete = true; }).find("resume"), std::string::npos);
}

}  // namespace
}  // namespace fluence::storage
