#include "runtime/gateway/compare.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "runtime/gateway/bson_document.h"

namespace fluence::gateway {

int type_bracket(bson_type_t type) {
  switch (type) {
    case BSON_TYPE_MINKEY: return 0;
    case BSON_TYPE_UNDEFINED: return 1;
    case BSON_TYPE_NULL: return 2;
    case BSON_TYPE_INT32:
    case BSON_TYPE_INT64:
    case BSON_TYPE_DOUBLE:
    case BSON_TYPE_DECIMAL128: return 3;
    case BSON_TYPE_SYMBOL:
    case BSON_TYPE_UTF8: return 4;
    case BSON_TYPE_DOCUMENT: return 5;
    case BSON_TYPE_ARRAY: return 6;
    case BSON_TYPE_BINARY: return 7;
    case BSON_TYPE_OID: return 8;
    case BSON_TYPE_BOOL: return 9;
    case BSON_TYPE_DATE_TIME: return 10;
    case BSON_TYPE_TIMESTAMP: return 11;
    case BSON_TYPE_REGEX: return 12;
    case BSON_TYPE_DBPOINTER: return 13;
    case BSON_TYPE_CODE: return 14;
    case BSON_TYPE_CODEWSCOPE: return 15;
    case BSON_TYPE_MAXKEY: return 100;
    default: return 50;
  }
}

namespace {

template <typename T>
int three_way(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

long double as_long_double(const bson_iter_t* it) {
  switch (bson_iter_type(it)) {
    case BSON_TYPE_INT32: return bson_iter_int32(it);
    case BSON_TYPE_INT64: return static_cast<long double>(bson_iter_int64(it));
    case BSON_TYPE_DOUBLE: return bson_iter_double(it);
    case BSON_TYPE_DECIMAL128: {
      bson_decimal128_t value;
      bson_iter_decimal128(it, &value);
      char text[BSON_DECIMAL128_STRING];
      bson_decimal128_to_string(&value, text);
      return std::strtold(text, nullptr);  // "NaN" and "Infinity" parse too
    }
    default: return 0;
  }
}

bool is_integer(bson_type_t type) { return type == BSON_TYPE_INT32 || type == BSON_TYPE_INT64; }

int compare_numbers(const bson_iter_t* a, const bson_iter_t* b) {
  if (is_integer(bson_iter_type(a)) && is_integer(bson_iter_type(b))) {
    return three_way(bson_iter_as_int64(a), bson_iter_as_int64(b));
  }
  // long double carries 64 bits of mantissa: exact for every int64.
  long double x = as_long_double(a), y = as_long_double(b);
  // MongoDB orders NaN below every number and equal to itself.
  if (std::isnan(x) || std::isnan(y)) return three_way(!std::isnan(x), !std::isnan(y));
  return three_way(x, y);
}

int compare_bytes(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string_view string_value(const bson_iter_t* it) {
  uint32_t length = 0;
  const char* text = BSON_ITER_HOLDS_SYMBOL(it) ? bson_iter_symbol(it, &length) : bson_iter_utf8(it, &length);
  return {text, length};
}

// Objects: element by element, each by type bracket, then key, then value;
// a prefix sorts first. Arrays: the same with keys ignored.
int compare_sequences(const bson_iter_t* a, const bson_iter_t* b, bool compare_keys) {
  bson_iter_t x, y;
  if (!bson_iter_recurse(a, &x) || !bson_iter_recurse(b, &y)) return 0;
  while (true) {
    bool more_x = bson_iter_next(&x), more_y = bson_iter_next(&y);
    if (!more_x || !more_y) return three_way(more_x, more_y);
    int c = three_way(type_bracket(bson_iter_type(&x)), type_bracket(bson_iter_type(&y)));
    if (c != 0) return c;
    if (compare_keys) {
      c = compare_bytes({bson_iter_key(&x), bson_iter_key_len(&x)}, {bson_iter_key(&y), bson_iter_key_len(&y)});
      if (c != 0) return c;
    }
    c = compare_values(&x, &y);
    if (c != 0) return c;
  }
}

}  // namespace

int compare_values(const bson_iter_t* a, const bson_iter_t* b) {
  bson_type_t ta = bson_iter_type(a), tb = bson_iter_type(b);
  int c = three_way(type_bracket(ta), type_bracket(tb));
  if (c != 0) return c;
  switch (ta) {
    case BSON_TYPE_INT32:
    case BSON_TYPE_INT64:
    case BSON_TYPE_DOUBLE:
    case BSON_TYPE_DECIMAL128: return compare_numbers(a, b);
    case BSON_TYPE_UTF8:
    case BSON_TYPE_SYMBOL: return compare_bytes(string_value(a), string_value(b));
    case BSON_TYPE_DOCUMENT: return compare_sequences(a, b, true);
    case BSON_TYPE_ARRAY: return compare_sequences(a, b, false);
    case BSON_TYPE_BINARY: {
      bson_subtype_t sa, sb;
      uint32_t la = 0, lb = 0;
      const uint8_t *da = nullptr, *db = nullptr;
      bson_iter_binary(a, &sa, &la, &da);
      bson_iter_binary(b, &sb, &lb, &db);
      if (la != lb) return three_way(la, lb);
      if (sa != sb) return three_way(static_cast<int>(sa), static_cast<int>(sb));
      return la == 0 ? 0 : three_way(std::memcmp(da, db, la), 0);
    }
    case BSON_TYPE_OID: return three_way(bson_oid_compare(bson_iter_oid(a), bson_iter_oid(b)), 0);
    case BSON_TYPE_BOOL: return three_way(bson_iter_bool(a), bson_iter_bool(b));
    case BSON_TYPE_DATE_TIME: return three_way(bson_iter_date_time(a), bson_iter_date_time(b));
    case BSON_TYPE_TIMESTAMP: {
      uint32_t ta_s = 0, ta_i = 0, tb_s = 0, tb_i = 0;
      bson_iter_timestamp(a, &ta_s, &ta_i);
      bson_iter_timestamp(b, &tb_s, &tb_i);
      return ta_s != tb_s ? three_way(ta_s, tb_s) : three_way(ta_i, tb_i);
    }
    case BSON_TYPE_REGEX: {
      const char *oa = nullptr, *ob = nullptr;
      const char* pa = bson_iter_regex(a, &oa);
      const char* pb = bson_iter_regex(b, &ob);
      int p = compare_bytes(pa, pb);
      return p != 0 ? p : compare_bytes(oa, ob);
    }
    case BSON_TYPE_CODE: {
      uint32_t la = 0, lb = 0;
      const char* ca = bson_iter_code(a, &la);
      const char* cb = bson_iter_code(b, &lb);
      return compare_bytes({ca, la}, {cb, lb});
    }
    default: return 0;  // MinKey, MaxKey, null, undefined: one value each
  }
}

int compare_documents(const bson_t* a, const bson_t* b) {
  // Wrap both as the value of a one-element document, to reuse the walk.
  bson_t wrap_a = BSON_INITIALIZER, wrap_b = BSON_INITIALIZER;
  bson_append_document(&wrap_a, "", 0, a);
  bson_append_document(&wrap_b, "", 0, b);
  bson_iter_t x, y;
  int c = 0;
  if (bson_iter_init(&x, &wrap_a) && bson_iter_next(&x) && bson_iter_init(&y, &wrap_b) && bson_iter_next(&y)) {
    c = compare_values(&x, &y);
  }
  bson_destroy(&wrap_a);
  bson_destroy(&wrap_b);
  return c;
}

}  // namespace fluence::gateway
