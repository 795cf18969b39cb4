#include "runtime/gateway/wire.h"

#include <array>
#include <cstring>

namespace fluence::gateway::wire {

namespace {

// A bounds-checked little-endian reader over untrusted bytes.
class Reader {
 public:
  explicit Reader(ByteView bytes) : bytes_(bytes) {}
  size_t remaining() const { return bytes_.size() - offset_; }
  size_t offset() const { return offset_; }

  Result<uint32_t> u32(const char* what) {
    if (remaining() < 4) return truncated(what, 4);
    uint32_t value = static_cast<uint32_t>(bytes_[offset_]) | static_cast<uint32_t>(bytes_[offset_ + 1]) << 8 |
                     static_cast<uint32_t>(bytes_[offset_ + 2]) << 16 |
                     static_cast<uint32_t>(bytes_[offset_ + 3]) << 24;
    offset_ += 4;
    return value;
  }
  Result<int32_t> i32(const char* what) {
    Result<uint32_t> value = u32(what);
    if (!value) return value.status();
    return static_cast<int32_t>(*value);
  }
  Result<uint8_t> u8(const char* what) {
    if (remaining() < 1) return truncated(what, 1);
    return bytes_[offset_++];
  }
  // A NUL-terminated string, at most max_bytes long.
  Result<std::string> cstring(const char* what, size_t max_bytes) {
    const uint8_t* start = bytes_.data() + offset_;
    size_t window = std::min(remaining(), max_bytes + 1);
    const void* nul = std::memchr(start, 0, window);
    if (nul == nullptr) {
      return Status::error(ErrorCode::kMalformed, std::string(what) + ": no terminating NUL within " +
                                                      std::to_string(window) + " bytes");
    }
    size_t length = static_cast<const uint8_t*>(nul) - start;
    offset_ += length + 1;
    return std::string(reinterpret_cast<const char*>(start), length);
  }
  // A BSON document: its own length prefix says how far it goes.
  Result<Document> document(const char* what, size_t max_bytes) {
    if (remaining() < 4) return truncated(what, 4);
    int32_t declared = 0;
    std::memcpy(&declared, bytes_.data() + offset_, 4);
    declared = static_cast<int32_t>(BSON_UINT32_FROM_LE(static_cast<uint32_t>(declared)));
    if (declared < 5) {
      return Status::error(ErrorCode::kMalformed, std::string(what) + ": document length " +
                                                      std::to_string(declared) + " is below the minimum 5");
    }
    if (static_cast<size_t>(declared) > max_bytes) {
      return Status::error(ErrorCode::kLimitExceeded, std::string(what) + ": document of " + std::to_string(declared) +
                                                          " bytes exceeds " + std::to_string(max_bytes));
    }
    if (static_cast<size_t>(declared) > remaining()) return truncated(what, static_cast<size_t>(declared));
    Result<Document> parsed = Document::parse(bytes_.subspan(offset_, static_cast<size_t>(declared)), max_bytes);
    if (!parsed) return parsed.status().with_context(what);
    offset_ += static_cast<size_t>(declared);
    return parsed;
  }

 private:
  Status truncated(const char* what, size_t needed) const {
    return Status::error(ErrorCode::kMalformed, std::string(what) + ": needs " + std::to_string(needed) +
                                                    " bytes at offset " + std::to_string(offset_) + ", " +
                                                    std::to_string(remaining()) + " left");
  }
  ByteView bytes_;
  size_t offset_ = 0;
};

Result<OpMsg> parse_op_msg(ByteView bytes, const Limits& limits) {
  Reader header_and_flags(bytes.subspan(kHeaderBytes));
  Result<uint32_t> flags = header_and_flags.u32("OP_MSG flagBits");
  if (!flags) return flags.status();
  uint32_t unknown_required = *flags & kRequiredFlagMask & ~(kChecksumPresent | kMoreToCome);
  if (unknown_required != 0) {
    return Status::error(ErrorCode::kMalformed, "OP_MSG has unknown required flag bits " +
                                                    std::to_string(unknown_required));
  }
  size_t end = bytes.size();
  if ((*flags & kChecksumPresent) != 0) {
    if (end < kHeaderBytes + 4 + 4) return Status::error(ErrorCode::kMalformed, "OP_MSG too short for its checksum");
    end -= 4;
    uint32_t stated = static_cast<uint32_t>(bytes[end]) | static_cast<uint32_t>(bytes[end + 1]) << 8 |
                      static_cast<uint32_t>(bytes[end + 2]) << 16 | static_cast<uint32_t>(bytes[end + 3]) << 24;
    uint32_t computed = crc32c(bytes.first(end));
    if (stated != computed) {
      return Status::error(ErrorCode::kMalformed, "OP_MSG checksum mismatch: stated " + std::to_string(stated) +
                                                      ", computed " + std::to_string(computed));
    }
  }
  OpMsg message;
  message.flags = *flags;
  Reader sections(bytes.subspan(kHeaderBytes + 4, end - kHeaderBytes - 4));
  bool have_body = false;
  size_t section_count = 0, document_count = 0;
  while (sections.remaining() > 0) {
    if (++section_count > limits.max_sections) {
      return Status::error(ErrorCode::kLimitExceeded, "OP_MSG has more than " + std::to_string(limits.max_sections) +
                                                          " sections");
    }
    Result<uint8_t> kind = sections.u8("OP_MSG section kind");
    if (!kind) return kind.status();
    if (*kind == 0) {
      if (have_body) return Status::error(ErrorCode::kMalformed, "OP_MSG has more than one body (kind 0) section");
      Result<Document> body = sections.document("OP_MSG body", limits.max_document_bytes);
      if (!body) return body.status();
      message.body = std::move(*body);
      have_body = true;
    } else if (*kind == 1) {
      size_t start = sections.offset();
      Result<int32_t> size = sections.i32("OP_MSG document sequence size");
      if (!size) return size.status();
      if (*size < 5 || static_cast<size_t>(*size) - 4 > sections.remaining()) {
        return Status::error(ErrorCode::kMalformed, "OP_MSG document sequence size " + std::to_string(*size) +
                                                        " does not fit the " +
                                                        std::to_string(sections.remaining() + 4) + " bytes left");
      }
      size_t sequence_end = start + static_cast<size_t>(*size);
      Result<std::string> identifier = sections.cstring("OP_MSG document sequence identifier", 64);
      if (!identifier) return identifier.status();
      if (sections.offset() > sequence_end) {
        return Status::error(ErrorCode::kMalformed, "OP_MSG document sequence identifier overruns its section");
      }
      for (const DocumentSequence& earlier : message.sequences) {
        if (earlier.identifier == *identifier) {
          return Status::error(ErrorCode::kMalformed, "OP_MSG repeats document sequence '" + *identifier + "'");
        }
      }
      DocumentSequence sequence{std::move(*identifier), {}};
      while (sections.offset() < sequence_end) {
        if (++document_count > limits.max_documents_per_message) {
          return Status::error(ErrorCode::kLimitExceeded, "OP_MSG carries more than " +
                                                              std::to_string(limits.max_documents_per_message) +
                                                              " documents");
        }
        Result<Document> document = sections.document("OP_MSG sequence document", limits.max_document_bytes);
        if (!document) return document.status();
        if (sections.offset() > sequence_end) {
          return Status::error(ErrorCode::kMalformed, "OP_MSG sequence '" + sequence.identifier +
                                                          "' has a document that overruns the section");
        }
        sequence.documents.push_back(std::move(*document));
      }
      message.sequences.push_back(std::move(sequence));
    } else {
      return Status::error(ErrorCode::kMalformed, "OP_MSG section kind " + std::to_string(*kind) +
                                                      " is not supported (expected 0 or 1)");
    }
  }
  if (!have_body) return Status::error(ErrorCode::kMalformed, "OP_MSG has no body (kind 0) section");
  return message;
}

Result<OpQuery> parse_op_query(ByteView bytes, const Limits& limits) {
  Reader reader(bytes.subspan(kHeaderBytes));
  OpQuery query;
  Result<int32_t> flags = reader.i32("OP_QUERY flags");
  if (!flags) return flags.status();
  query.flags = *flags;
  Result<std::string> name = reader.cstring("OP_QUERY fullCollectionName", 256);
  if (!name) return name.status();
  query.full_collection_name = std::move(*name);
  Result<int32_t> skip = reader.i32("OP_QUERY numberToSkip");
  if (!skip) return skip.status();
  Result<int32_t> to_return = reader.i32("OP_QUERY numberToReturn");
  if (!to_return) return to_return.status();
  query.number_to_skip = *skip;
  query.number_to_return = *to_return;
  Result<Document> document = reader.document("OP_QUERY query", limits.max_document_bytes);
  if (!document) return document.status();
  query.query = std::move(*document);
  if (reader.remaining() > 0) {
    Result<Document> fields = reader.document("OP_QUERY returnFieldsSelector", limits.max_document_bytes);
    if (!fields) return fields.status();
    query.return_fields = std::move(*fields);
  }
  if (reader.remaining() > 0) {
    return Status::error(ErrorCode::kMalformed, "OP_QUERY has " + std::to_string(reader.remaining()) +
                                                    " bytes after its documents");
  }
  return query;
}

void put_u32(Bytes& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void put_i32(Bytes& out, int32_t value) { put_u32(out, static_cast<uint32_t>(value)); }

void put_document(Bytes& out, const Document& document) {
  ByteView bytes = document.bytes();
  out.insert(out.end(), bytes.begin(), bytes.end());
}

Bytes start_message(int32_t request_id, int32_t response_to, int32_t op_code) {
  Bytes out;
  put_i32(out, 0);  // length, set by finish_message
  put_i32(out, request_id);
  put_i32(out, response_to);
  put_i32(out, op_code);
  return out;
}

void finish_message(Bytes& out) {
  FL_ASSERT(out.size() >= kHeaderBytes && out.size() <= INT32_MAX);
  uint32_t length = static_cast<uint32_t>(out.size());
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(length >> (8 * i));
}

}  // namespace

Result<Header> parse_header(ByteView bytes, const Limits& limits) {
  Reader reader(bytes);
  Header header;
  Result<int32_t> length = reader.i32("message header messageLength");
  if (!length) return length.status();
  Result<int32_t> request_id = reader.i32("message header requestID");
  if (!request_id) return request_id.status();
  Result<int32_t> response_to = reader.i32("message header responseTo");
  if (!response_to) return response_to.status();
  Result<int32_t> op_code = reader.i32("message header opCode");
  if (!op_code) return op_code.status();
  if (*length < static_cast<int32_t>(kHeaderBytes)) {
    return Status::error(ErrorCode::kMalformed, "messageLength " + std::to_string(*length) +
                                                    " is shorter than the 16-byte header");
  }
  if (static_cast<size_t>(*length) > limits.max_message_bytes) {
    return Status::error(ErrorCode::kLimitExceeded, "messageLength " + std::to_string(*length) + " exceeds " +
                                                        std::to_string(limits.max_message_bytes));
  }
  header.message_length = *length;
  header.request_id = *request_id;
  header.response_to = *response_to;
  header.op_code = *op_code;
  return header;
}

Result<Message> parse_message(ByteView bytes, const Limits& limits) {
  Result<Header> header = parse_header(bytes, limits);
  if (!header) return header.status();
  if (static_cast<size_t>(header->message_length) != bytes.size()) {
    return Status::error(ErrorCode::kMalformed, "messageLength " + std::to_string(header->message_length) +
                                                    " but the message has " + std::to_string(bytes.size()) + " bytes");
  }
  Message message{*header, OpMsg{}};
  if (header->op_code == kOpMsg) {
    Result<OpMsg> body = parse_op_msg(bytes, limits);
    if (!body) return body.status();
    message.body = std::move(*body);
  } else if (header->op_code == kOpQuery) {
    Result<OpQuery> body = parse_op_query(bytes, limits);
    if (!body) return body.status();
    message.body = std::move(*body);
  } else {
    return Status::error(ErrorCode::kInvalidArgument,
                         "opCode " + std::to_string(header->op_code) + " is not supported (expected OP_MSG 2013" +
                             (header->op_code == kOpCompressed ? "; compression is not offered" : "") + ")");
  }
  return message;
}

Bytes serialize_op_msg(int32_t request_id, int32_t response_to, const Document& body, uint32_t flags,
                       const std::vector<DocumentSequence>& sequences) {
  Bytes out = start_message(request_id, response_to, kOpMsg);
  put_u32(out, flags);
  out.push_back(0);
  put_document(out, body);
  for (const DocumentSequence& sequence : sequences) {
    out.push_back(1);
    size_t size_at = out.size();
    put_i32(out, 0);
    out.insert(out.end(), sequence.identifier.begin(), sequence.identifier.end());
    out.push_back(0);
    for (const Document& document : sequence.documents) put_document(out, document);
    uint32_t size = static_cast<uint32_t>(out.size() - size_at);
    for (int i = 0; i < 4; ++i) out[size_at + i] = static_cast<uint8_t>(size >> (8 * i));
  }
  if ((flags & kChecksumPresent) != 0) {
    put_u32(out, 0);  // makes room so that finish_message counts it
    finish_message(out);
    uint32_t checksum = crc32c(ByteView(out).first(out.size() - 4));
    for (int i = 0; i < 4; ++i) out[out.size() - 4 + i] = static_cast<uint8_t>(checksum >> (8 * i));
    return out;
  }
  finish_message(out);
  return out;
}

Bytes serialize_op_reply(int32_t request_id, int32_t response_to, const Document& document, int32_t response_flags) {
  Bytes out = start_message(request_id, response_to, kOpReply);
  put_i32(out, response_flags);
  for (int i = 0; i < 8; ++i) out.push_back(0);  // cursorID: commands answer in one document
  put_i32(out, 0);                               // startingFrom
  put_i32(out, 1);                               // numberReturned
  put_document(out, document);
  finish_message(out);
  return out;
}

uint32_t crc32c(ByteView bytes) {
  // Reflected Castagnoli polynomial 0x1EDC6F41 (RFC 3720, appendix B.4).
  static constexpr std::array<uint32_t, 256> kTable = [] {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t crc = i;
      for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
      table[i] = crc;
    }
    return table;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t byte : bytes) crc = kTable[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

}  // namespace fluence::gateway::wire
