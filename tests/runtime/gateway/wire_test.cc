#include "runtime/gateway/wire.h"

#include <gtest/gtest.h>

namespace fluence::gateway::wire {
namespace {

void put_i32(Bytes& out, int32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(static_cast<uint32_t>(value) >> (8 * i)));
}

void set_length(Bytes& message) {
  uint32_t length = static_cast<uint32_t>(message.size());
  for (int i = 0; i < 4; ++i) message[i] = static_cast<uint8_t>(length >> (8 * i));
}

// A message built by hand, for shapes serialize_op_msg never produces.
Bytes op_msg_by_hand(uint32_t flags, const std::vector<std::pair<uint8_t, Bytes>>& sections) {
  Bytes out;
  put_i32(out, 0);
  put_i32(out, 7);
  put_i32(out, 0);
  put_i32(out, kOpMsg);
  put_i32(out, static_cast<int32_t>(flags));
  for (const auto& [kind, payload] : sections) {
    out.push_back(kind);
    out.insert(out.end(), payload.begin(), payload.end());
  }
  set_length(out);
  return out;
}

Bytes bytes_of(const Document& document) {
  ByteView view = document.bytes();
  return Bytes(view.begin(), view.end());
}

TEST(Wire, Crc32cMatchesTheStandardCheckValue) {
  // RFC 3720 / iSCSI check value of CRC-32C over "123456789".
  EXPECT_EQ(crc32c(as_bytes("123456789")), 0xE3069283u);
}

TEST(Wire, OpMsgRoundTripsWithADocumentSequence) {
  Document body = Document::from_json(R"({"insert": "people", "$db": "app"})");
  DocumentSequence documents{"documents",
                             {Document::from_json(R"({"_id": 1, "name": "ada"})"), Document::from_json(R"({"_id": 2})")}};
  Bytes bytes = serialize_op_msg(11, 0, body, 0, {documents});
  Result<Message> parsed = parse_message(bytes, Limits{});
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->header.request_id, 11);
  EXPECT_EQ(parsed->header.op_code, kOpMsg);
  const OpMsg& msg = std::get<OpMsg>(parsed->body);
  EXPECT_TRUE(bson_equal(msg.body.get(), body.get()));
  ASSERT_EQ(msg.sequences.size(), 1u);
  EXPECT_EQ(msg.sequences[0].identifier, "documents");
  ASSERT_EQ(msg.sequences[0].documents.size(), 2u);
  EXPECT_TRUE(bson_equal(msg.sequences[0].documents[1].get(), documents.documents[1].get()));
  EXPECT_FALSE(msg.more_to_come());
}

TEST(Wire, ChecksumIsVerifiedWhenPresent) {
  Document body = Document::from_json(R"({"ping": 1, "$db": "admin"})");
  Bytes bytes = serialize_op_msg(3, 0, body, kChecksumPresent);
  Result<Message> parsed = parse_message(bytes, Limits{});
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_TRUE(bson_equal(std::get<OpMsg>(parsed->body).body.get(), body.get()));

  Bytes corrupted = bytes;
  corrupted[25] ^= 0x01;  // inside the body
  Result<Message> bad = parse_message(corrupted, Limits{});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("checksum mismatch"), std::string::npos) << bad.status().to_string();
}

TEST(Wire, MoreToComeAndOptionalFlagsAreAccepted) {
  Document body = Document::from_json(R"({"ping": 1, "$db": "admin"})");
  Result<Message> parsed = parse_message(serialize_op_msg(1, 0, body, kMoreToCome | kExhaustAllowed), Limits{});
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  EXPECT_TRUE(std::get<OpMsg>(parsed->body).more_to_come());
}

TEST(Wire, UnknownRequiredFlagBitsAreRejected) {
  Document body = Document::from_json(R"({"ping": 1})");
  Result<Message> parsed = parse_message(serialize_op_msg(1, 0, body, 1u << 5), Limits{});
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_NE(parsed.status().message().find("unknown required flag"), std::string::npos);
}

TEST(Wire, EveryTruncationIsAnErrorNotACrash) {
  Document body = Document::from_json(R"({"insert": "c", "$db": "d"})");
  DocumentSequence documents{"documents", {Document::from_json(R"({"a": [1, {"b": "x"}]})")}};
  Bytes full = serialize_op_msg(1, 0, body, kChecksumPresent, {documents});
  for (size_t length = 0; length < full.size(); ++length) {
    Bytes prefix(full.begin(), full.begin() + static_cast<ptrdiff_t>(length));
    EXPECT_FALSE(parse_message(prefix, Limits{}).is_ok()) << "prefix of " << length;
    // Also with the header claiming exactly the bytes present.
    if (length >= kHeaderBytes) {
      set_length(prefix);
      EXPECT_FALSE(parse_message(prefix, Limits{}).is_ok()) << "relabelled prefix of " << length;
    }
  }
}

TEST(Wire, OversizedMessagesAreRefusedFromTheHeader) {
  Limits limits;
  limits.max_message_bytes = 1024;
  Bytes header;
  put_i32(header, 4096);
  put_i32(header, 1);
  put_i32(header, 0);
  put_i32(header, kOpMsg);
  Result<Header> parsed = parse_header(header, limits);
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(parsed.status().message().find("4096"), std::string::npos);

  Bytes negative;
  put_i32(negative, -5);
  put_i32(negative, 1);
  put_i32(negative, 0);
  put_i32(negative, kOpMsg);
  EXPECT_FALSE(parse_header(negative, limits).is_ok());
}

TEST(Wire, OversizedDocumentsAreRefused) {
  Limits limits;
  limits.max_document_bytes = 64;
  std::string big(100, 'x');
  Document body = Document::from_json(R"({"ping": ")" + big + R"("})");
  Result<Message> parsed = parse_message(serialize_op_msg(1, 0, body), limits);
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().code(), ErrorCode::kLimitExceeded);
}

TEST(Wire, BadSectionKindsAreRejected) {
  Bytes body = bytes_of(Document::from_json(R"({"ping": 1})"));
  for (uint8_t kind : {uint8_t{2}, uint8_t{3}, uint8_t{255}}) {
    Result<Message> parsed = parse_message(op_msg_by_hand(0, {{0, body}, {kind, body}}), Limits{});
    ASSERT_FALSE(parsed.is_ok());
    EXPECT_NE(parsed.status().message().find("section kind " + std::to_string(kind)), std::string::npos)
        << parsed.status().to_string();
  }
}

TEST(Wire, ExactlyOneBodySection) {
  Bytes body = bytes_of(Document::from_json(R"({"ping": 1})"));
  EXPECT_FALSE(parse_message(op_msg_by_hand(0, {}), Limits{}).is_ok());
  EXPECT_FALSE(parse_message(op_msg_by_hand(0, {{0, body}, {0, body}}), Limits{}).is_ok());
  EXPECT_TRUE(parse_message(op_msg_by_hand(0, {{0, body}}), Limits{}).is_ok());
}

TEST(Wire, DocumentSequenceSizesAreChecked) {
  Bytes body = bytes_of(Document::from_json(R"({"insert": "c"})"));
  Bytes doc = bytes_of(Document::from_json(R"({"a": 1})"));
  auto sequence = [&](int32_t size) {
    Bytes payload;
    put_i32(payload, size);
    for (char c : std::string("documents")) payload.push_back(static_cast<uint8_t>(c));
    payload.push_back(0);
    payload.insert(payload.end(), doc.begin(), doc.end());
    return payload;
  };
  int32_t right = static_cast<int32_t>(4 + 10 + doc.size());
  EXPECT_TRUE(parse_message(op_msg_by_hand(0, {{0, body}, {1, sequence(right)}}), Limits{}).is_ok());
  EXPECT_FALSE(parse_message(op_msg_by_hand(0, {{0, body}, {1, sequence(right + 100)}}), Limits{}).is_ok());
  EXPECT_FALSE(parse_message(op_msg_by_hand(0, {{0, body}, {1, sequence(right - 3)}}), Limits{}).is_ok());
  EXPECT_FALSE(parse_message(op_msg_by_hand(0, {{0, body}, {1, sequence(-1)}}), Limits{}).is_ok());
  EXPECT_FALSE(parse_message(op_msg_by_hand(0, {{0, body}, {1, sequence(right)}, {1, sequence(right)}}), Limits{}).is_ok())
      << "a repeated identifier";
}

// {"a": {"a": ... 1 ...}} nested `depth` deep, built with libbson (its JSON
// parser stops at a nesting bound of its own).
Document nested(int depth) {
  struct Level {
    bson_t bson;
  };
  std::vector<Level> levels(static_cast<size_t>(depth) + 1);  // children point into parents: no moves
  bson_init(&levels[0].bson);
  for (int i = 0; i < depth; ++i) bson_append_document_begin(&levels[i].bson, "a", 1, &levels[i + 1].bson);
  bson_append_int32(&levels[depth].bson, "a", 1, 1);
  for (int i = depth; i > 0; --i) bson_append_document_end(&levels[i - 1].bson, &levels[i].bson);
  return Document::adopt(&levels[0].bson);
}

TEST(Wire, DeeplyNestedDocumentsAreRefused) {
  EXPECT_TRUE(Document::parse(nested(kMaxDocumentDepth).bytes()).is_ok());
  Result<Document> parsed = Document::parse(nested(kMaxDocumentDepth + 1).bytes());
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_NE(parsed.status().message().find("nested deeper"), std::string::npos);
  Result<Document> very = Document::parse(nested(5000).bytes());
  EXPECT_FALSE(very.is_ok());
}

TEST(Wire, CorruptBsonIsRefused) {
  Bytes doc = bytes_of(Document::from_json(R"({"a": "hello", "b": {"c": 1}})"));
  doc[7] = 0x7F;  // the string's length becomes absurd
  EXPECT_FALSE(Document::parse(doc).is_ok());
  Bytes unterminated = bytes_of(Document::from_json(R"({"a": 1})"));
  unterminated.back() = 1;
  EXPECT_FALSE(Document::parse(unterminated).is_ok());
}

// Found by fuzz_gateway_update: libbson 1.23's bson_validate stops, with
// success, at the first string that is not UTF-8, so a corrupt element or a
// non-UTF-8 key after one passed Document::parse, and copies of the document
// then failed validation.
TEST(Wire, AStringThatIsNotUtf8DoesNotHideWhatFollows) {
  // {s: "\xff", <key>: 1}, with `key` spliced in by hand.
  auto with_key_after_bad_string = [](const std::string& key) {
    std::string text = std::string("\0\0\0\0\x02s\0\x02\0\0\0\xff\0\x10", 14) + key + std::string("\0\x01\0\0\0\0", 6);
    Bytes doc(text.begin(), text.end());
    uint32_t length = static_cast<uint32_t>(doc.size());
    for (int i = 0; i < 4; ++i) doc[i] = static_cast<uint8_t>(length >> (8 * i));
    return doc;
  };
  EXPECT_TRUE(Document::parse(with_key_after_bad_string("k")).is_ok()) << "string values may be any bytes";
  Result<Document> bad_key = Document::parse(with_key_after_bad_string("\xff\xfe"));
  ASSERT_FALSE(bad_key.is_ok());
  EXPECT_NE(bad_key.status().message().find("key that is not UTF-8"), std::string::npos) << bad_key.status().to_string();
  // The first document with a terminating NUL too early: bytes that are no
  // element follow it, before the last one.
  std::string early = std::string("\x18\0\0\0\x02s\0\x02\0\0\0\xff\0\x10k\0\x01\0\0\0\0\x7f\x7f\0", 24);
  Result<Document> corrupt = Document::parse(as_bytes(early));
  ASSERT_FALSE(corrupt.is_ok());
  EXPECT_NE(corrupt.status().message().find("corrupt element"), std::string::npos) << corrupt.status().to_string();
}

// BSON ignores an array's keys, but libbson warns on stderr at every copy of
// an array whose first key is not "0": a client could fill the gateway's log.
TEST(Wire, ArraysAreKeyedFromZeroOnceParsed) {
  bson_t built = BSON_INITIALIZER, array, inner, element;
  bson_append_array_begin(&built, "a", -1, &array);
  bson_append_int32(&array, "x", -1, 10);
  bson_append_array_begin(&array, "7", -1, &inner);  // a nested array, misnumbered too
  bson_append_utf8(&inner, "", -1, "v", -1);
  bson_append_array_end(&array, &inner);
  bson_append_document_begin(&array, "y", -1, &element);
  bson_append_int32(&element, "k", -1, 1);  // a document's keys stay as they are
  bson_append_document_end(&array, &element);
  bson_append_array_end(&built, &array);
  Bytes raw(bson_get_data(&built), bson_get_data(&built) + built.len);
  bson_destroy(&built);

  ::testing::internal::CaptureStderr();
  Result<Document> parsed = Document::parse(raw);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  bson_t copy = BSON_INITIALIZER;
  bson_iter_t it;
  ASSERT_TRUE(bson_iter_init_find(&it, parsed->get(), "a"));
  bson_append_iter(&copy, "copied", -1, &it);
  bson_destroy(&copy);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "") << "no warning from libbson";
  EXPECT_EQ(parsed->to_json(), Document::from_json(R"({"a": [10, ["v"], {"k": 1}]})").to_json());
  bson_iter_t found;
  ASSERT_TRUE(bson_iter_init(&it, parsed->get()) && bson_iter_find_descendant(&it, "a.1.0", &found));
  EXPECT_STREQ(bson_iter_utf8(&found, nullptr), "v");

  // Well-numbered arrays come through byte for byte.
  Bytes numbered = bytes_of(Document::from_json(R"({"a": [1, [2, 3], {"b": [4]}]})"));
  Result<Document> same = Document::parse(numbered);
  ASSERT_TRUE(same.is_ok());
  EXPECT_EQ(bytes_of(*same), numbered);
}

// libbson copies code and a DBPointer's collection as C strings, so a NUL
// inside one would be cut off at the first copy: such a document is refused
// instead of stored short.
TEST(Wire, CodeWithANulInsideIsRefusedNotCut) {
  // {c: <type> "a\0b"}, built by hand: libbson's own builders take C strings.
  auto with_string = [](uint8_t type, const std::string& text, const std::string& after) {
    std::string body = std::string(1, static_cast<char>(type)) + std::string("c\0", 2);
    uint32_t length = static_cast<uint32_t>(text.size() + 1);
    for (int i = 0; i < 4; ++i) body += static_cast<char>(length >> (8 * i));
    body += text + std::string(1, '\0') + after;
    std::string doc = "    " + body + std::string(1, '\0');
    uint32_t total = static_cast<uint32_t>(doc.size());
    for (int i = 0; i < 4; ++i) doc[i] = static_cast<char>(total >> (8 * i));
    return Bytes(doc.begin(), doc.end());
  };
  const std::string oid(12, '\x01');
  EXPECT_TRUE(Document::parse(with_string(BSON_TYPE_CODE, "return 1", "")).is_ok());
  EXPECT_TRUE(Document::parse(with_string(BSON_TYPE_DBPOINTER, "db.coll", oid)).is_ok());
  for (auto [type, after] : {std::pair<uint8_t, std::string>{BSON_TYPE_CODE, ""}, {BSON_TYPE_DBPOINTER, oid}}) {
    Result<Document> cut = Document::parse(with_string(type, std::string("a\0b", 3), after));
    ASSERT_FALSE(cut.is_ok()) << int(type);
    EXPECT_NE(cut.status().message().find("NUL byte inside"), std::string::npos) << cut.status().to_string();
  }
}

TEST(Wire, OpQueryParsesAndOpReplySerializes) {
  Bytes out;
  put_i32(out, 0);
  put_i32(out, 42);
  put_i32(out, 0);
  put_i32(out, kOpQuery);
  put_i32(out, 0);
  for (char c : std::string("admin.$cmd")) out.push_back(static_cast<uint8_t>(c));
  out.push_back(0);
  put_i32(out, 0);
  put_i32(out, -1);
  Bytes query = bytes_of(Document::from_json(R"({"isMaster": 1, "helloOk": true})"));
  out.insert(out.end(), query.begin(), query.end());
  set_length(out);
  Result<Message> parsed = parse_message(out, Limits{});
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  const OpQuery& q = std::get<OpQuery>(parsed->body);
  EXPECT_EQ(q.full_collection_name, "admin.$cmd");
  EXPECT_EQ(q.number_to_return, -1);
  EXPECT_EQ(q.query.first_key(), "isMaster");

  Bytes reply = serialize_op_reply(5, 42, Document::from_json(R"({"ok": 1})"));
  Result<Header> header = parse_header(reply, Limits{});
  ASSERT_TRUE(header.is_ok());
  EXPECT_EQ(header->op_code, kOpReply);
  EXPECT_EQ(header->response_to, 42);
  EXPECT_EQ(static_cast<size_t>(header->message_length), reply.size());
}

TEST(Wire, OtherOpCodesAreUnsupported) {
  Bytes out;
  put_i32(out, 0);
  put_i32(out, 1);
  put_i32(out, 0);
  put_i32(out, kOpCompressed);
  put_i32(out, 0);
  set_length(out);
  Result<Message> parsed = parse_message(out, Limits{});
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_NE(parsed.status().message().find("2012"), std::string::npos);
}

}  // namespace
}  // namespace fluence::gateway::wire
