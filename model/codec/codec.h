// Canonical binary encoding of every message and every signed object.
//
// Canonical means one encoding per value, so that what is hashed or signed is
// never ambiguous: fixed-width integers are big-endian; variable integers are
// unsigned LEB128 and must be minimal; byte strings and lists carry a varint
// length and a declared maximum; decoding must consume every byte.
//
// Reader is for untrusted bytes. It never reads out of bounds and never trusts
// a length: the first failure makes it sticky-failed (later reads return zero
// values), names the field that failed, and decode() returns it as a Status.
#pragma once

#include <array>
#include <concepts>
#include <string>
#include <string_view>

#include "model/base/bytes.h"
#include "model/base/status.h"

namespace fluence::codec {

class Writer {
 public:
  void u8(uint8_t value) { out_.push_back(value); }
  void u16(uint16_t value);
  void u32(uint32_t value);
  void u64(uint64_t value);
  void i64(int64_t value) { u64(static_cast<uint64_t>(value)); }
  void boolean(bool value) { u8(value ? 1 : 0); }
  void varint(uint64_t value);
  // Length-prefixed byte string.
  void bytes(ByteView value);
  void string(std::string_view value) { bytes(as_bytes(value)); }
  // Fixed-size field: no prefix, the reader knows the size.
  void raw(ByteView value) { out_.insert(out_.end(), value.begin(), value.end()); }
  template <size_t N>
  void fixed(const std::array<uint8_t, N>& value) {
    raw(value);
  }

  size_t size() const { return out_.size(); }
  const Bytes& data() const { return out_; }
  Bytes finish() { return std::move(out_); }

 private:
  Bytes out_;
};

class Reader {
 public:
  explicit Reader(ByteView input) : input_(input) {}

  uint8_t u8(const char* field);
  uint16_t u16(const char* field);
  uint32_t u32(const char* field);
  uint64_t u64(const char* field);
  int64_t i64(const char* field) { return static_cast<int64_t>(u64(field)); }
  bool boolean(const char* field);
  uint64_t varint(const char* field);
  // A length-prefixed byte string of at most max_size bytes.
  Bytes bytes(const char* field, size_t max_size);
  std::string string(const char* field, size_t max_size);
  // Borrowed fixed-size field (valid while the input is).
  ByteView raw(const char* field, size_t size);
  template <size_t N>
  std::array<uint8_t, N> fixed(const char* field) {
    std::array<uint8_t, N> out{};
    ByteView view = raw(field, N);
    for (size_t i = 0; i < view.size(); ++i) out[i] = view[i];
    return out;
  }
  // A list length: at most max_count, and never more elements than there are
  // bytes left (each element takes at least min_element_bytes), so a hostile
  // count cannot make the caller reserve memory it will never fill.
  size_t count(const char* field, size_t max_count, size_t min_element_bytes = 1);
  // An enum-like tag: fails unless value < limit.
  uint8_t tag(const char* field, uint8_t limit);

  // Fails the reader with a message naming the field, for checks the caller
  // makes on decoded values (a bad enum, an out-of-range number).
  void fail(const char* field, const std::string& problem);

  bool ok() const { return status_.is_ok(); }
  size_t remaining() const { return ok() ? input_.size() - offset_ : 0; }
  const Status& status() const { return status_; }
  // The final check: no error, and no trailing bytes.
  Status finish();

 private:
  bool take(const char* field, size_t size);
  ByteView input_;
  size_t offset_ = 0;
  Status status_;
};

// A type is encodable when it writes itself to a Writer and reads itself from
// a Reader (reporting problems through the reader).
template <typename T>
concept Encodable = requires(const T& value, Writer& writer, Reader& reader) {
  { value.encode(writer) } -> std::same_as<void>;
  { T::decode(reader) } -> std::same_as<T>;
};

template <Encodable T>
Bytes encode(const T& value) {
  Writer writer;
  value.encode(writer);
  return writer.finish();
}

template <Encodable T>
Result<T> decode(ByteView input) {
  Reader reader(input);
  T value = T::decode(reader);
  Status status = reader.finish();
  if (!status.is_ok()) return status;
  return value;
}

}  // namespace fluence::codec
