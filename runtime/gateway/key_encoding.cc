#include "runtime/gateway/key_encoding.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <string>

#include "runtime/gateway/compare.h"

namespace fluence::gateway {
namespace {

void append_u16(Bytes& out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}

void append_u32(Bytes& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

void append_u64(Bytes& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

// Two's complement with the sign bit flipped orders as unsigned bytes.
void append_i64(Bytes& out, int64_t value) { append_u64(out, static_cast<uint64_t>(value) ^ (uint64_t{1} << 63)); }

void append_escaped(Bytes& out, const char* data, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    out.push_back(static_cast<uint8_t>(data[i]));
    if (data[i] == '\0') out.push_back(0xFF);
  }
  out.push_back(0x00);
  out.push_back(0x00);
}

// A finite or infinite double's bits, made to order as unsigned bytes:
// negative numbers have every bit flipped, positive ones only the sign.
void append_double_bits(Bytes& out, double value) {
  if (value == 0) value = 0.0;  // -0.0 == 0.0 in MongoDB
  uint64_t bits = std::bit_cast<uint64_t>(value);
  bits = (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
  append_u64(out, bits);
}

void append_double(Bytes& out, double value) {
  if (std::isnan(value)) {
    out.push_back(0x00);
    return;
  }
  out.push_back(0x01);
  append_double_bits(out, value);
  append_u16(out, 0);
}

// An int64 as (largest double D <= value, value - D): exact, and ordered
// together with doubles, which all have a remainder of 0.
void append_int64(Bytes& out, int64_t value) {
  double d = static_cast<double>(value);  // rounds to nearest
  constexpr double kTwoTo63 = 9223372036854775808.0;
  bool above = d >= kTwoTo63 || static_cast<int64_t>(d) > value;
  if (above) d = std::nextafter(d, -INFINITY);
  FL_ASSERT(d < kTwoTo63 && static_cast<int64_t>(d) <= value);
  uint64_t remainder = static_cast<uint64_t>(value) - static_cast<uint64_t>(static_cast<int64_t>(d));
  FL_ASSERT(remainder < 2048);  // doubles below 2^63 are at most 2^10 apart
  out.push_back(0x01);
  append_double_bits(out, d);
  append_u16(out, static_cast<uint16_t>(remainder));
}

Status unsupported(bson_type_t type) {
  const char* name = type == BSON_TYPE_DECIMAL128  ? "decimal128"
                     : type == BSON_TYPE_DBPOINTER ? "dbPointer"
                     : type == BSON_TYPE_CODEWSCOPE ? "javascriptWithScope"
                                                    : "unknown";
  return Status::error(ErrorCode::kInvalidArgument,
                       std::string("values of type ") + name + " cannot be indexed by the encrypted store");
}

Status append_body(const bson_iter_t* it, Bytes& out);

Status append_sequence(const bson_iter_t* it, bool with_keys, Bytes& out) {
  bson_iter_t child;
  if (!bson_iter_recurse(it, &child)) return Status::error(ErrorCode::kMalformed, "unreadable embedded document");
  while (bson_iter_next(&child)) {
    out.push_back(0x01);
    out.push_back(static_cast<uint8_t>(type_bracket(bson_iter_type(&child))));
    if (with_keys) append_escaped(out, bson_iter_key(&child), bson_iter_key_len(&child));
    FL_RETURN_IF_ERROR(append_body(&child, out));
  }
  out.push_back(0x00);
  return Status::ok();
}

Status append_body(const bson_iter_t* it, Bytes& out) {
  bson_type_t type = bson_iter_type(it);
  switch (type) {
    case BSON_TYPE_MINKEY:
    case BSON_TYPE_MAXKEY:
    case BSON_TYPE_NULL:
    case BSON_TYPE_UNDEFINED: return Status::ok();
    case BSON_TYPE_INT32: append_int64(out, bson_iter_int32(it)); return Status::ok();
    case BSON_TYPE_INT64: append_int64(out, bson_iter_int64(it)); return Status::ok();
    case BSON_TYPE_DOUBLE: append_double(out, bson_iter_double(it)); return Status::ok();
    case BSON_TYPE_UTF8: {
      uint32_t length = 0;
      const char* text = bson_iter_utf8(it, &length);
      append_escaped(out, text, length);
      return Status::ok();
    }
    case BSON_TYPE_SYMBOL: {
      uint32_t length = 0;
      const char* text = bson_iter_symbol(it, &length);
      append_escaped(out, text, length);
      return Status::ok();
    }
    case BSON_TYPE_CODE: {
      uint32_t length = 0;
      const char* text = bson_iter_code(it, &length);
      append_escaped(out, text, length);
      return Status::ok();
    }
    case BSON_TYPE_DOCUMENT: return append_sequence(it, true, out);
    case BSON_TYPE_ARRAY: return append_sequence(it, false, out);
    case BSON_TYPE_BINARY: {
      bson_subtype_t subtype;
      uint32_t length = 0;
      const uint8_t* data = nullptr;
      bson_iter_binary(it, &subtype, &length, &data);
      append_u32(out, length);
      out.push_back(static_cast<uint8_t>(subtype));
      if (length > 0) out.insert(out.end(), data, data + length);
      return Status::ok();
    }
    case BSON_TYPE_OID: {
      const bson_oid_t* oid = bson_iter_oid(it);
      out.insert(out.end(), oid->bytes, oid->bytes + 12);
      return Status::ok();
    }
    case BSON_TYPE_BOOL: out.push_back(bson_iter_bool(it) ? 1 : 0); return Status::ok();
    case BSON_TYPE_DATE_TIME: append_i64(out, bson_iter_date_time(it)); return Status::ok();
    case BSON_TYPE_TIMESTAMP: {
      uint32_t seconds = 0, increment = 0;
      bson_iter_timestamp(it, &seconds, &increment);
      append_u32(out, seconds);
      append_u32(out, increment);
      return Status::ok();
    }
    case BSON_TYPE_REGEX: {
      const char* options = nullptr;
      const char* pattern = bson_iter_regex(it, &options);
      append_escaped(out, pattern, std::strlen(pattern));
      append_escaped(out, options, std::strlen(options));
      return Status::ok();
    }
    default: return unsupported(type);
  }
}

}  // namespace

Status append_key_encoding(const bson_iter_t* element, Bytes& out) {
  out.push_back(static_cast<uint8_t>(type_bracket(bson_iter_type(element))));
  return append_body(element, out);
}

Result<Bytes> key_encoding(const bson_iter_t* element) {
  Bytes out;
  FL_RETURN_IF_ERROR(append_key_encoding(element, out));
  return out;
}

Bytes null_key_encoding() { return {static_cast<uint8_t>(type_bracket(BSON_TYPE_NULL))}; }

Bytes bracket_start(bson_type_t type) { return {static_cast<uint8_t>(type_bracket(type))}; }

Bytes bracket_end(bson_type_t type) {
  int bracket = type_bracket(type);
  FL_ASSERT(bracket < 255);
  return {static_cast<uint8_t>(bracket + 1)};
}

}  // namespace fluence::gateway
