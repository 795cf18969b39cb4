// MongoDB's wire protocol: framing of the messages a driver sends and of the
// replies, with no I/O (the server feeds it whole messages).
//
// Every message starts with a 16-byte header (messageLength, requestID,
// responseTo, opCode; little-endian int32). Supported:
//  - OP_MSG (2013): flagBits; exactly one kind-0 section (the command body)
//    and any number of kind-1 sections (a named sequence of documents, how
//    drivers send insert's "documents" in bulk); a CRC-32C checksum at the
//    end when flagBits has checksumPresent, which is verified. moreToCome
//    from a client means it wants no reply.
//  - OP_QUERY (2004) on "<db>.$cmd", which drivers still use for the first
//    hello/isMaster of a connection, answered with OP_REPLY (1).
// Other op codes (OP_COMPRESSED: compression is never offered in hello; the
// legacy CRUD ops removed in MongoDB 6) are reported as unsupported.
//
// Decoding never trusts a length: the message's own, each section's and
// each document's are checked against the bytes present and the limits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "runtime/gateway/bson_document.h"

namespace fluence::gateway::wire {

constexpr int32_t kOpReply = 1;
constexpr int32_t kOpQuery = 2004;
constexpr int32_t kOpCompressed = 2012;
constexpr int32_t kOpMsg = 2013;

constexpr size_t kHeaderBytes = 16;

// OP_MSG flagBits.
constexpr uint32_t kChecksumPresent = 1u << 0;
constexpr uint32_t kMoreToCome = 1u << 1;
constexpr uint32_t kExhaustAllowed = 1u << 16;
// Bits 0-15 are required: a receiver must reject ones it does not know.
constexpr uint32_t kRequiredFlagMask = 0xFFFF;

struct Limits {
  // MongoDB's maxMessageSizeBytes and maxBsonObjectSize; hello reports them,
  // and drivers split their batches to fit.
  size_t max_message_bytes = 48'000'000;
  size_t max_document_bytes = kMaxDocumentBytes;
  // Bounds the work one message can ask for, whatever its size.
  size_t max_sections = 64;
  size_t max_documents_per_message = 200'000;
};

struct Header {
  int32_t message_length = 0;
  int32_t request_id = 0;
  int32_t response_to = 0;
  int32_t op_code = 0;
};

struct DocumentSequence {
  std::string identifier;  // "documents", "updates", "deletes"
  std::vector<Document> documents;
};

struct OpMsg {
  uint32_t flags = 0;
  Document body;
  std::vector<DocumentSequence> sequences;
  bool more_to_come() const { return (flags & kMoreToCome) != 0; }
};

struct OpQuery {
  int32_t flags = 0;
  std::string full_collection_name;  // "admin.$cmd"
  int32_t number_to_skip = 0;
  int32_t number_to_return = 0;
  Document query;
  std::optional<Document> return_fields;
};

struct Message {
  Header header;
  std::variant<OpMsg, OpQuery> body;
};

// The header from the first 16 bytes; checks messageLength against the
// limits (the server reads that many bytes next).
Result<Header> parse_header(ByteView bytes, const Limits& limits);

// One whole message (header included).
Result<Message> parse_message(ByteView bytes, const Limits& limits);

// An OP_MSG reply carrying one body section.
Bytes serialize_op_msg(int32_t request_id, int32_t response_to, const Document& body, uint32_t flags = 0,
                       const std::vector<DocumentSequence>& sequences = {});
// An OP_REPLY to an OP_QUERY, carrying one document.
Bytes serialize_op_reply(int32_t request_id, int32_t response_to, const Document& document, int32_t response_flags = 0);

// CRC-32C (Castagnoli), the checksum of OP_MSG.
uint32_t crc32c(ByteView bytes);

}  // namespace fluence::gateway::wire
