#include "model/storage/ore_scan.h"

#include <algorithm>

namespace fluence::storage {

namespace {

bool starts_with(ByteView bytes, ByteView prefix) {
  return bytes.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

bool less(ByteView a, ByteView b) { return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end()); }

void encode_bound(codec::Writer& writer, const std::optional<OreBound>& bound) {
  writer.boolean(bound.has_value());
  if (!bound) return;
  bound->left.encode(writer);
  writer.boolean(bound->inclusive);
}

std::optional<OreBound> decode_bound(codec::Reader& reader, const char* field) {
  if (!reader.boolean(field)) return std::nullopt;
  crypto::OreLeftCiphertext left = crypto::OreLeftCiphertext::decode(reader);
  bool inclusive = reader.boolean(field);
  if (!reader.ok()) return std::nullopt;
  return OreBound{std::move(left), inclusive};
}

}  // namespace

void OreScanQuery::encode(codec::Writer& writer) const {
  writer.bytes(prefix);
  encode_bound(writer, lower);
  encode_bound(writer, upper);
  writer.u32(limit);
  writer.u32(max_bytes);
  writer.bytes(after);
}

OreScanQuery OreScanQuery::decode(codec::Reader& reader) {
  OreScanQuery q;
  q.prefix = reader.bytes("ore_scan.prefix", kMaxOrePrefixBytes);
  q.lower = decode_bound(reader, "ore_scan.lower");
  q.upper = decode_bound(reader, "ore_scan.upper");
  q.limit = reader.u32("ore_scan.limit");
  q.max_bytes = reader.u32("ore_scan.max_bytes");
  q.after = reader.bytes("ore_scan.after", kMaxRowKeyBytes);
  return q;
}

Status validate(const OreScanQuery& query) {
  auto invalid = [](const std::string& message) { return Status::error(ErrorCode::kInvalidArgument, message); };
  if (query.prefix.empty() || query.prefix.size() > kMaxOrePrefixBytes) {
    return invalid("prefix: 1.." + std::to_string(kMaxOrePrefixBytes) + " bytes, got " +
                   std::to_string(query.prefix.size()));
  }
  if (query.limit < 1 || query.limit > kMaxOreScanRows) {
    return invalid("limit: 1.." + std::to_string(kMaxOreScanRows) + ", got " + std::to_string(query.limit));
  }
  if (query.max_bytes < 1 || query.max_bytes > kMaxOreScanBytes) {
    return invalid("max_bytes: 1.." + std::to_string(kMaxOreScanBytes) + ", got " + std::to_string(query.max_bytes));
  }
  if (query.after.size() > kMaxRowKeyBytes) {
    return invalid("after: at most " + std::to_string(kMaxRowKeyBytes) + " bytes (a row key)");
  }
  if (!query.after.empty() && !starts_with(query.after, query.prefix)) {
    return invalid("after: a row key under the prefix (from a page's resume_after)");
  }
  if (query.lower && query.upper && query.lower->left.block_bits() != query.upper->left.block_bits()) {
    return invalid("lower, upper: bounds made with different ORE block sizes");
  }
  return Status::ok();
}

void OreScanPage::encode(codec::Writer& writer) const {
  FL_ASSERT(complete == resume_after.empty());
  writer.varint(rows.size());
  for (const OreScanRow& row : rows) {
    writer.bytes(row.row_key);
    writer.bytes(row.payload);
  }
  writer.boolean(complete);
  if (!complete) writer.bytes(resume_after);
  writer.u64(skipped);
}

OreScanPage OreScanPage::decode(codec::Reader& reader) {
  OreScanPage page;
  size_t n = reader.count("ore_page.rows", kMaxOreScanRows, 2);
  for (size_t i = 0; i < n && reader.ok(); ++i) {
    OreScanRow row;
    row.row_key = reader.bytes("ore_page.row_key", kMaxRowKeyBytes);
    row.payload = reader.bytes("ore_page.payload", kMaxRowValueBytes);
    page.rows.push_back(std::move(row));
  }
  page.complete = reader.boolean("ore_page.complete");
  if (!page.complete) {
    page.resume_after = reader.bytes("ore_page.resume_after", kMaxRowKeyBytes);
    // Canonical: an incomplete page always says where to resume.
    if (reader.ok() && page.resume_after.empty()) reader.fail("ore_page.resume_after", "empty on an incomplete page");
  }
  page.skipped = reader.u64("ore_page.skipped");
  return page;
}

Status check_page(const OreScanQuery& query, const OreScanPage& page) {
  auto malformed = [](const std::string& message) { return Status::error(ErrorCode::kMalformed, "ore scan page: " + message); };
  if (page.rows.size() > query.limit) {
    return malformed(std::to_string(page.rows.size()) + " rows, over the limit " + std::to_string(query.limit));
  }
  ByteView floor = query.after;
  for (size_t i = 0; i < page.rows.size(); ++i) {
    const Bytes& key = page.rows[i].row_key;
    if (!starts_with(key, query.prefix)) return malformed("row " + std::to_string(i) + " is not under the prefix");
    if (!(floor.empty() || less(floor, key))) {
      return malformed("row " + std::to_string(i) + " is not after the one before it (or the query's after)");
    }
    floor = key;
  }
  if (page.complete != page.resume_after.empty()) {
    return malformed(page.complete ? "complete, yet a resume key" : "incomplete without a resume key");
  }
  if (!page.complete) {
    if (!starts_with(page.resume_after, query.prefix)) return malformed("resume key not under the prefix");
    if (!query.after.empty() && !less(query.after, page.resume_after)) return malformed("resume key does not advance");
    if (!page.rows.empty() && less(page.resume_after, page.rows.back().row_key)) {
      return malformed("resume key before the last row");
    }
  }
  return Status::ok();
}

Bytes encode_ore_row_value(const crypto::OreRightCiphertext& right, ByteView payload) {
  codec::Writer writer;
  right.encode(writer);
  writer.raw(payload);
  return writer.finish();
}

Result<OreRowValue> decode_ore_row_value(ByteView value) {
  codec::Reader reader(value);
  crypto::OreRightCiphertext right = crypto::OreRightCiphertext::decode(reader);
  if (!reader.ok()) return reader.status();
  FL_ASSERT(reader.remaining() <= value.size());
  return OreRowValue{std::move(right), value.subspan(value.size() - reader.remaining())};
}

OreScanner::OreScanner(const OreScanQuery& query) : query_(query) { FL_ASSERT(validate(query).is_ok()); }

bool OreScanner::offer(ByteView row_key, ByteView value) {
  FL_ASSERT(!stopped_);
  FL_ASSERT(starts_with(row_key, query_.prefix));
  const Bytes& floor = last_examined_.empty() ? query_.after : last_examined_;
  FL_ASSERT(floor.empty() || less(floor, row_key));  // rows come in key order, after `after`
  if (page_.rows.size() >= query_.limit || examined_ >= kOreScanMaxExamined) {
    stop();
    return false;
  }
  // The right ciphertext is checked and compared where it lies in the value:
  // the rows skipped are exactly those decode_ore_row_value() rejects, or
  // that the bounds cannot be compared with.
  Result<size_t> right_bytes = crypto::ore_right_encoded_size(value);
  std::optional<bool> match = right_bytes ? in_range(value) : std::nullopt;
  if (!match) {
    ++page_.skipped;
  } else if (*match) {
    ByteView payload = value.subspan(*right_bytes);
    size_t size = row_key.size() + payload.size();
    // The first match always fits, so a page over one big row still moves on.
    if (!page_.rows.empty() && bytes_ + size > query_.max_bytes) {
      stop();
      return false;
    }
    bytes_ += size;
    page_.rows.push_back({Bytes(row_key.begin(), row_key.end()), Bytes(payload.begin(), payload.end())});
  }
  ++examined_;
  last_examined_.assign(row_key.begin(), row_key.end());
  return true;
}

std::optional<bool> OreScanner::in_range(ByteView right) {
  // Each comparison tells the node something (crypto/ore.h, LEAKAGE), so the
  // second bound is compared only for rows inside the first. The first is the
  // bound that has excluded more rows of this page so far: a range near one
  // end of the values then costs about one comparison a row instead of
  // two for the rows on the far side of the other bound. Which rows match,
  // and so the page, does not depend on the order.
  const bool upper_first = excluded_by_upper_ > excluded_by_lower_;
  for (const bool lower : {!upper_first, upper_first}) {
    const std::optional<OreBound>& bound = lower ? query_.lower : query_.upper;
    if (!bound) continue;
    Result<std::strong_ordering> order = crypto::ore_compare_encoded(bound->left, right);
    if (!order) return std::nullopt;
    // ore_compare gives the bound's order relative to the row.
    const bool outside = lower ? (*order > 0 || (*order == 0 && !bound->inclusive))
                               : (*order < 0 || (*order == 0 && !bound->inclusive));
    if (outside) {
      ++(lower ? excluded_by_lower_ : excluded_by_upper_);
      return false;
    }
  }
  return true;
}

void OreScanner::stop() {
  FL_ASSERT(!last_examined_.empty());  // every stop follows at least one examined row
  stopped_ = true;
  page_.complete = false;
  page_.resume_after = last_examined_;
}

OreScanPage OreScanner::finish() && {
  FL_ASSERT(page_.rows.size() <= query_.limit);
  FL_ASSERT(page_.complete == !stopped_);
  return std::move(page_);
}

Result<OreScanPage> scan_ore(const Dataset& dataset, const OreScanQuery& query) {
  FL_RETURN_IF_ERROR(validate(query));
  OreScanner scanner(query);
  FL_RETURN_IF_ERROR(dataset.visit_rows(query.prefix, query.after, [&scanner](ByteView key, ByteView value) {
    return scanner.offer(key, value);
  }));
  return std::move(scanner).finish();
}

}  // namespace fluence::storage
