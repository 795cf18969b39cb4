// What the gateway's fuzz targets share: the documents they query, update
// and aggregate, the input read as one BSON document, and the checks every
// reply of the command engine must pass.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "runtime/gateway/commands.h"
#include "tests/runtime/gateway/memory_store.h"

namespace fluence::gateway::fuzz {

// Every kind of value the matcher, projection, sort and update treat apart:
// each number type with its extremes (NaN, infinity, int64 bounds, decimal),
// strings and symbols, embedded documents, arrays of scalars, of arrays and
// of documents, null, and fields missing from some documents.
inline std::vector<Document> sample_documents() {
  static const char* const kJson[] = {
      R"({"_id": 1, "n": 5, "s": "t", "a": {"b": [1, 2, {"c": "x"}]}, "t": true})",
      R"({"_id": 2, "n": {"$numberDouble": "7.5"}, "s": "u", "a": {"b": 3}, "arr": [[1, 2], [3]], "z": null})",
      R"({"_id": 3, "n": {"$numberLong": "9223372036854775807"}, "a": [{"b": 1}, {"b": [2, 3]}, 4]})",
      R"({"_id": 4, "n": {"$numberDouble": "NaN"}, "s": {"$symbol": "t"}, "d": {"$numberDecimal": "1.5"}})",
      R"({"_id": 5, "n": {"$numberDouble": "-Infinity"}, "dt": {"$date": {"$numberLong": "1700000000000"}},
          "o": {"$oid": "0123456789abcdef01234567"}, "b": {"$binary": {"base64": "AQID", "subType": "00"}}})",
      R"({"_id": "six", "n": {"$numberInt": "-2147483648"}, "a": {"b": {"c": {"d": [1, {"e": "f"}]}}}, "ts":
          {"$timestamp": {"t": 1, "i": 2}}, "r": {"$regularExpression": {"pattern": "^a", "options": "i"}}})",
      R"({"_id": {"k": [1, 2]}, "a": [], "s": "", "m": {"$minKey": 1}, "x": {"$maxKey": 1}, "u": {"$undefined": true}})",
      R"({"_id": 8})",
  };
  std::vector<Document> documents;
  for (const char* json : kJson) documents.push_back(Document::from_json(json));
  return documents;
}

// The input as one document, or none if it is not one. Its top-level length
// is set to the input's own first: libFuzzer's insertions and deletions
// would otherwise break it nearly always, and the framing has its own
// target (fuzz_wire).
inline std::optional<Document> input_document(const uint8_t* data, size_t size) {
  if (size < 5) return std::nullopt;
  Bytes bytes(data, data + size);
  uint32_t length = static_cast<uint32_t>(size);
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<uint8_t>(length >> (8 * i));
  Result<Document> parsed = Document::parse(bytes);
  if (!parsed) {
    if (parsed.status().message().empty()) __builtin_trap();  // errors must say what
    return std::nullopt;
  }
  return std::move(*parsed);
}

// A store holding the sample documents in d.c, and an engine over it, as
// fresh for each input so that a run does not depend on the ones before it.
struct Gateway {
  testing::MemoryStore store;
  CommandEngine engine{store, [] {
                         EngineOptions options;
                         options.max_open_cursors = 4;  // so that eviction runs too
                         options.max_write_batch = 64;
                         return options;
                       }()};
  Gateway() {
    static const std::vector<Document> kDocuments = sample_documents();
    for (const Document& document : kDocuments) {
      if (!store.insert(Namespace{"d", "c"}, document).is_ok()) __builtin_trap();
    }
  }
};

// A reply is a document with a numeric ok; a failure says what and why
// (errmsg, code, codeName), as drivers expect.
inline void check_reply(const Document& reply) {
  bson_iter_t it;
  if (!reply.find("ok", &it) || !BSON_ITER_HOLDS_DOUBLE(&it)) __builtin_trap();
  if (bson_iter_double(&it) == 1.0) return;
  if (bson_iter_double(&it) != 0.0) __builtin_trap();
  if (!reply.find("errmsg", &it) || utf8_of(&it).empty()) __builtin_trap();
  if (!reply.find("code", &it) || !BSON_ITER_HOLDS_INT32(&it) || bson_iter_int32(&it) == 0) __builtin_trap();
  if (!reply.find("codeName", &it) || utf8_of(&it).empty()) __builtin_trap();
}

// The cursor a reply opened, if any: {cursor: {id: <nonzero>, ns}}.
inline std::optional<int64_t> cursor_of(const Document& reply) {
  bson_iter_t it, id;
  if (!bson_iter_init(&it, reply.get()) || !bson_iter_find_descendant(&it, "cursor.id", &id)) return std::nullopt;
  if (!BSON_ITER_HOLDS_INT64(&id) || bson_iter_int64(&id) == 0) return std::nullopt;
  return bson_iter_int64(&id);
}

// Drains a cursor of `ns` with getMore, as a driver would: every batch is a
// valid reply and the cursor ends within `max_batches`.
inline void drain(CommandEngine& engine, int64_t cursor, const Namespace& ns, int max_batches) {
  for (int i = 0; i < max_batches; ++i) {
    bson_t body = BSON_INITIALIZER;
    bson_append_int64(&body, "getMore", -1, cursor);
    bson_append_utf8(&body, "collection", -1, ns.collection.data(), static_cast<int>(ns.collection.size()));
    bson_append_int32(&body, "batchSize", -1, 2);
    bson_append_utf8(&body, "$db", -1, ns.db.data(), static_cast<int>(ns.db.size()));
    Document reply = engine.run_command(Document::adopt(&body));
    check_reply(reply);
    std::optional<int64_t> next = cursor_of(reply);
    if (!next) return;
    if (*next != cursor) __builtin_trap();
  }
  __builtin_trap();  // a cursor over a finite result ends
}

}  // namespace fluence::gateway::fuzz
