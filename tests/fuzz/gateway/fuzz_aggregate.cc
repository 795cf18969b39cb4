// libFuzzer target: aggregation pipelines (runtime/gateway/aggregate.cc),
// parsed and run by the command engine over the sample documents in an
// in-memory store. The input is the pipeline, a BSON array (whose encoding
// is a document's); the command around it is fixed, with a small batch so
// that the result is also read back through getMore.
#include "tests/fuzz/gateway/fuzz_gateway.h"

using namespace fluence;
using namespace fluence::gateway;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::optional<Document> pipeline = gateway::fuzz::input_document(data, size);
  if (!pipeline) return 0;
  gateway::fuzz::Gateway gateway;
  bson_t body = BSON_INITIALIZER, stages, cursor;
  bson_append_utf8(&body, "aggregate", -1, "c", -1);
  // Keys renumbered "0", "1", ... as a driver writes them (libbson
  // complains on stderr about an array that does not start at "0").
  bson_append_array_begin(&body, "pipeline", -1, &stages);
  bson_iter_t stage;
  bson_iter_init(&stage, pipeline->get());
  for (uint32_t i = 0; bson_iter_next(&stage); ++i) {
    char buffer[16];
    const char* key = nullptr;
    size_t key_length = bson_uint32_to_string(i, &key, buffer, sizeof buffer);
    bson_append_iter(&stages, key, static_cast<int>(key_length), &stage);
  }
  bson_append_array_end(&body, &stages);
  bson_append_document_begin(&body, "cursor", -1, &cursor);
  bson_append_int32(&cursor, "batchSize", -1, 2);
  bson_append_document_end(&body, &cursor);
  bson_append_utf8(&body, "$db", -1, "d", -1);
  Document reply = gateway.engine.run_command(Document::adopt(&body));
  gateway::fuzz::check_reply(reply);
  if (std::optional<int64_t> id = gateway::fuzz::cursor_of(reply)) {
    gateway::fuzz::drain(gateway.engine, *id, {"d", "c"}, 100);
  }
  return 0;
}
