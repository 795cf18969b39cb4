#include "model/codec/codec.h"

namespace fluence::codec {

void Writer::u16(uint16_t value) {
  u8(static_cast<uint8_t>(value >> 8));
  u8(static_cast<uint8_t>(value));
}

void Writer::u32(uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) u8(static_cast<uint8_t>(value >> shift));
}

void Writer::u64(uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) u8(static_cast<uint8_t>(value >> shift));
}

void Writer::varint(uint64_t value) {
  while (value >= 0x80) {
    u8(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  u8(static_cast<uint8_t>(value));
}

void Writer::bytes(ByteView value) {
  varint(value.size());
  raw(value);
}

void Reader::fail(const char* field, const std::string& problem) {
  if (!ok()) return;  // keep the first error: it is the cause
  status_ = Status::error(ErrorCode::kMalformed, std::string(field) + ": " + problem +
                                                     " (at byte " + std::to_string(offset_) + ")");
}

bool Reader::take(const char* field, size_t size) {
  if (!ok()) return false;
  if (size > input_.size() - offset_) {
    fail(field, "needs " + std::to_string(size) + " bytes, " +
                    std::to_string(input_.size() - offset_) + " left");
    return false;
  }
  return true;
}

uint8_t Reader::u8(const char* field) {
  if (!take(field, 1)) return 0;
  return input_[offset_++];
}

uint16_t Reader::u16(const char* field) {
  if (!take(field, 2)) return 0;
  uint16_t value = static_cast<uint16_t>(input_[offset_] << 8 | input_[offset_ + 1]);
  offset_ += 2;
  return value;
}

uint32_t Reader::u32(const char* field) {
  if (!take(field, 4)) return 0;
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = value << 8 | input_[offset_ + i];
  offset_ += 4;
  return value;
}

uint64_t Reader::u64(const char* field) {
  if (!take(field, 8)) return 0;
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = value << 8 | input_[offset_ + i];
  offset_ += 8;
  return value;
}

bool Reader::boolean(const char* field) {
  uint8_t value = u8(field);
  if (value > 1) fail(field, "boolean must be 0 or 1, got " + std::to_string(value));
  return value == 1;
}

uint64_t Reader::varint(const char* field) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (!take(field, 1)) return 0;
    uint8_t byte = input_[offset_++];
    if (shift == 63 && byte > 1) {
      fail(field, "varint overflows 64 bits");
      return 0;
    }
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      if (byte == 0 && shift != 0) {
        fail(field, "varint is not minimally encoded");
        return 0;
      }
      return value;
    }
  }
  fail(field, "varint longer than 10 bytes");
  return 0;
}

Bytes Reader::bytes(const char* field, size_t max_size) {
  uint64_t size = varint(field);
  if (!ok()) return {};
  if (size > max_size) {
    fail(field, "length " + std::to_string(size) + " exceeds limit " + std::to_string(max_size));
    return {};
  }
  if (!take(field, size)) return {};
  Bytes out(input_.begin() + offset_, input_.begin() + offset_ + size);
  offset_ += size;
  return out;
}

std::string Reader::string(const char* field, size_t max_size) {
  Bytes raw_bytes = bytes(field, max_size);
  return std::string(raw_bytes.begin(), raw_bytes.end());
}

ByteView Reader::raw(const char* field, size_t size) {
  if (!take(field, size)) return {};
  ByteView out = input_.subspan(offset_, size);
  offset_ += size;
  return out;
}

size_t Reader::count(const char* field, size_t max_count, size_t min_element_bytes) {
  uint64_t n = varint(field);
  if (!ok()) return 0;
  if (n > max_count) {
    fail(field, "count " + std::to_string(n) + " exceeds limit " + std::to_string(max_count));
    return 0;
  }
  if (min_element_bytes > 0 && n > (input_.size() - offset_) / min_element_bytes) {
    fail(field, "count " + std::to_string(n) + " cannot fit in the " +
                    std::to_string(input_.size() - offset_) + " bytes left");
    return 0;
  }
  return static_cast<size_t>(n);
}

uint8_t Reader::tag(const char* field, uint8_t limit) {
  uint8_t value = u8(field);
  if (ok() && value >= limit) {
    fail(field, "unknown value " + std::to_string(value));
    return 0;
  }
  return value;
}

Status Reader::finish() {
  if (!ok()) return status_;
  if (offset_ != input_.size()) {
    return Status::error(ErrorCode::kMalformed, std::to_string(input_.size() - offset_) +
                                                    " trailing bytes after the message");
  }
  return Status::ok();
}

}  // namespace fluence::codec
