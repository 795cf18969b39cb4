// libFuzzer target: MongoDB's wire protocol (runtime/gateway/wire.h), the
// first thing a local client's bytes reach. The input is one whole message;
// it is decoded as it came and as the server would hand it over, with its
// messageLength matching what was read, and that framed message then goes
// through the command engine: whatever came in, either the connection
// closes or a well-formed reply goes out.
#include <algorithm>

#include "tests/fuzz/gateway/fuzz_gateway.h"

namespace {

using namespace fluence;
using namespace fluence::gateway;

bool same_documents(const Document& a, const Document& b) { return bson_equal(a.get(), b.get()); }

// What decodes re-encodes (sections in canonical order) to a message that
// decodes to the same thing.
void check_op_msg(const wire::Header& header, const wire::OpMsg& message, const wire::Limits& limits) {
  Bytes again = wire::serialize_op_msg(header.request_id, header.response_to, message.body, message.flags,
                                       message.sequences);
  Result<wire::Message> reparsed = wire::parse_message(again, limits);
  if (!reparsed) __builtin_trap();
  const auto* msg = std::get_if<wire::OpMsg>(&reparsed->body);
  if (msg == nullptr || msg->flags != message.flags || !same_documents(msg->body, message.body)) __builtin_trap();
  if (msg->sequences.size() != message.sequences.size()) __builtin_trap();
  for (size_t i = 0; i < msg->sequences.size(); ++i) {
    const wire::DocumentSequence &x = msg->sequences[i], &y = message.sequences[i];
    if (x.identifier != y.identifier || x.documents.size() != y.documents.size()) __builtin_trap();
    for (size_t j = 0; j < x.documents.size(); ++j) {
      if (!same_documents(x.documents[j], y.documents[j])) __builtin_trap();
    }
  }
}

void decode(ByteView bytes, const wire::Limits& limits) {
  Result<wire::Message> message = wire::parse_message(bytes, limits);
  if (!message) {
    if (message.status().message().empty()) __builtin_trap();  // errors must say what
    return;
  }
  if (static_cast<size_t>(message->header.message_length) != bytes.size()) __builtin_trap();
  if (const auto* msg = std::get_if<wire::OpMsg>(&message->body)) {
    if (msg->sequences.size() + 1 > limits.max_sections) __builtin_trap();
    check_op_msg(message->header, *msg, limits);
  } else if (std::get<wire::OpQuery>(message->body).full_collection_name.size() > 256) {
    __builtin_trap();
  }
}

// The reply's one document, after a header of `offset` bytes: well formed,
// though not necessarily within the depth the gateway accepts from clients
// (a reply wraps what they sent in a few more levels).
Document reply_document(const Bytes& reply, size_t offset) {
  bson_t body;
  size_t error_offset = 0;
  if (reply.size() <= offset || !bson_init_static(&body, reply.data() + offset, reply.size() - offset) ||
      !bson_validate(&body, BSON_VALIDATE_NONE, &error_offset)) {
    __builtin_trap();
  }
  return Document::copy_of(&body);
}

void serve(ByteView framed) {
  gateway::fuzz::Gateway gateway;
  const wire::Limits& limits = gateway.engine.options().limits;
  CommandEngine::Response response = gateway.engine.handle_message(framed, 1);
  if (response.close) {
    if (response.reply || response.why.empty()) __builtin_trap();
    return;
  }
  if (!response.reply) return;  // moreToCome
  const Bytes& reply = *response.reply;
  Result<wire::Header> header = wire::parse_header(reply, limits);
  Result<wire::Header> request = wire::parse_header(framed, limits);
  if (!header || !request || static_cast<size_t>(header->message_length) != reply.size() ||
      header->response_to != request->request_id) {
    __builtin_trap();
  }
  if (header->op_code == wire::kOpMsg) {
    // flagBits 0, then one kind-0 section.
    if (reply.size() < 21 || std::any_of(reply.begin() + 16, reply.begin() + 21, [](uint8_t b) { return b != 0; })) {
      __builtin_trap();
    }
    gateway::fuzz::check_reply(reply_document(reply, 21));
  } else if (header->op_code == wire::kOpReply) {
    gateway::fuzz::check_reply(reply_document(reply, 36));  // flags, cursorID, startingFrom, numberReturned
  } else {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  wire::Limits limits;
  decode(input, limits);
  if (size < wire::kHeaderBytes) return 0;  // the server reads 16 bytes first
  Bytes framed(data, data + size);
  uint32_t length = static_cast<uint32_t>(size);
  for (int i = 0; i < 4; ++i) framed[i] = static_cast<uint8_t>(length >> (8 * i));
  if (!std::equal(framed.begin(), framed.end(), data)) decode(framed, limits);
  serve(framed);
  return 0;
}
