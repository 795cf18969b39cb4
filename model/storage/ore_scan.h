// Range queries over an ORE index, answered by the node that holds it.
//
// An ORE index row is an ordinary row: its key starts with a prefix the
// client chose for the index (opaque bytes), and its value is the Lewi-Wu
// right ciphertext of the indexed field value, encoded as crypto/ore.h
// encodes it, followed by an opaque payload (the client's pointer to the
// document, a "located value"):
//
//   row key   = prefix + anything the client likes (unique per document)
//   row value = OreRightCiphertext::encode(...) + payload
//
// A query names the prefix and bounds as LEFT ciphertexts; the node checks
// each row's right ciphertext in place, compares, and returns the matching rows'
// keys and payloads in row-key order. Right ciphertexts cannot be compared
// with each other, so the node cannot sort the index: it examines every row
// under the prefix, in key order, a bounded number per page (see LEAKAGE in
// crypto/ore.h for what each comparison tells it). A row is compared with
// the other bound only when it lies inside the first; the first is the bound
// that has excluded more rows of the page so far, which spares comparisons
// when the range lies near one end of the values.
//
// Paging: a page holds at most `limit` rows, at most about `max_bytes` of
// row keys and payloads, and examines at most kOreScanMaxExamined rows; an
// incomplete page says where to resume (after the last row it examined, not
// the last it returned), so every page makes progress even through rows that
// do not match. A page is a pure function of (rows under the prefix, query),
// so honest members at the same state compute the same page and can sign it
// (cluster/read.h).
//
// A row under the prefix whose value is not an ORE index row (does not start
// with a valid right ciphertext, or one of another block size than the
// bounds) is skipped and counted: a client bug or tampering, never an error.
// A row encrypted under another ORE key than the bounds is NOT detected: it
// compares at random (crypto/ore.h, "Keys") and may be returned; the client
// re-checks what it decrypts.
#pragma once

#include <optional>
#include <vector>

#include "model/crypto/ore.h"
#include "model/storage/dataset.h"

namespace fluence::storage {

inline constexpr size_t kMaxOrePrefixBytes = 64;
inline constexpr uint32_t kMaxOreScanRows = 4096;
// Keys and payloads per page: with hex and JSON around each row, a page fits
// an admin reply line (runtime/admin.h), and as a signed answer it fits a
// message (env::kMaxMessageBytes) with room for the rest.
inline constexpr uint32_t kMaxOreScanBytes = 256 * 1024;
// Rows one page may examine: a bound on the node's work per request (each
// examined row costs a check of its right ciphertext and up to two
// comparisons).
inline constexpr size_t kOreScanMaxExamined = 10000;

struct OreBound {
  crypto::OreLeftCiphertext left;
  bool inclusive = true;
  bool operator==(const OreBound&) const = default;
};

struct OreScanQuery {
  Bytes prefix;                    // 1..kMaxOrePrefixBytes
  std::optional<OreBound> lower;   // none: no lower bound
  std::optional<OreBound> upper;   // none: no upper bound
  uint32_t limit = kMaxOreScanRows;      // 1..kMaxOreScanRows rows per page
  uint32_t max_bytes = kMaxOreScanBytes;  // 1..kMaxOreScanBytes
  Bytes after;  // empty: from the first row; else resume after this row key (it starts with prefix)

  bool operator==(const OreScanQuery&) const = default;
  void encode(codec::Writer& writer) const;
  static OreScanQuery decode(codec::Reader& reader);
};

// The query's bounds: sizes, and bounds of one block size. Errors name the field.
Status validate(const OreScanQuery& query);

struct OreScanRow {
  Bytes row_key;
  Bytes payload;
  bool operator==(const OreScanRow&) const = default;
};

struct OreScanPage {
  std::vector<OreScanRow> rows;  // matching rows, in row-key order
  bool complete = true;          // every row under the prefix (after `after`) was examined
  Bytes resume_after;            // when !complete: the next query's `after` (never empty then)
  uint64_t skipped = 0;          // rows examined that are not ORE index rows

  bool operator==(const OreScanPage&) const = default;
  void encode(codec::Writer& writer) const;
  static OreScanPage decode(codec::Reader& reader);
};

// What a client can check of a page from an untrusted node without the
// key: at most `limit` rows, keys under the prefix, increasing, after
// `after`, and an incomplete page that resumes past `after` (so paging
// cannot loop). kMalformed, naming what is wrong. Which rows match, it
// cannot check: that is what signatures (cluster/read.h) and decrypting are for.
Status check_page(const OreScanQuery& query, const OreScanPage& page);

// A row value of the index: the right ciphertext, then the payload.
Bytes encode_ore_row_value(const crypto::OreRightCiphertext& right, ByteView payload);
struct OreRowValue {
  crypto::OreRightCiphertext right;
  ByteView payload;  // borrowed from the decoded value
};
// kMalformed when `value` does not start with a right ciphertext.
Result<OreRowValue> decode_ore_row_value(ByteView value);

// The scan over any source of rows: offer it the rows under the prefix that
// come after query.after, in row-key order, until offer() returns false;
// then take the page. The one place the comparison rule lives, shared by the
// node (scan_ore below) and by client::MemoryRowSource.
class OreScanner {
 public:
  // `query` must pass validate() and outlive the scanner.
  explicit OreScanner(const OreScanQuery& query);
  // false: the page is full; this row was not taken, and the caller stops.
  bool offer(ByteView row_key, ByteView value);
  OreScanPage finish() &&;

 private:
  // Whether the right ciphertext at the start of a row's value (checked by
  // ore_right_encoded_size) lies within the bounds; nullopt: not comparable.
  std::optional<bool> in_range(ByteView right);
  void stop();
  const OreScanQuery& query_;
  OreScanPage page_;
  Bytes last_examined_;
  size_t examined_ = 0;
  uint64_t excluded_by_lower_ = 0;  // rows compared with a bound and found outside it
  uint64_t excluded_by_upper_ = 0;
  size_t bytes_ = 0;
  bool stopped_ = false;
};

// One page of the scan over a replica's rows. kInvalidArgument for a query
// that fails validate(); store errors as they come.
Result<OreScanPage> scan_ore(const Dataset& dataset, const OreScanQuery& query);

}  // namespace fluence::storage
