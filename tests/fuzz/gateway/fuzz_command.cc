// libFuzzer target: whole commands through the command engine
// (runtime/gateway/commands.h) over an in-memory store that holds the sample
// documents in d.c: every command's argument parsing, filters, updates,
// pipelines, cursors and catalog. The input is the command body as OP_MSG
// carries it ("$db" added when missing). Whatever it asks, the reply is ok
// or an error that says why, a cursor it opens reads to its end, and the
// store is left readable.
#include "tests/fuzz/gateway/fuzz_gateway.h"

using namespace fluence;
using namespace fluence::gateway;

namespace {

// What a reply's cursor reads, from its "ns" ("d.c"; a database name has
// no dot).
Namespace cursor_namespace(const Document& reply) {
  bson_iter_t it, ns;
  if (!bson_iter_init(&it, reply.get()) || !bson_iter_find_descendant(&it, "cursor.ns", &ns)) __builtin_trap();
  std::string_view full = utf8_of(&ns);
  size_t dot = full.find('.');
  if (dot == std::string_view::npos) __builtin_trap();
  return Namespace{std::string(full.substr(0, dot)), std::string(full.substr(dot + 1))};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::optional<Document> input = gateway::fuzz::input_document(data, size);
  if (!input) return 0;
  bson_iter_t db;
  if (!input->find("$db", &db)) {
    bson_t body;
    bson_copy_to(input->get(), &body);
    bson_append_utf8(&body, "$db", -1, "d", -1);
    input = Document::adopt(&body);
  }
  gateway::fuzz::Gateway gateway;
  Document reply = gateway.engine.run_command(*input);
  gateway::fuzz::check_reply(reply);
  if (std::optional<int64_t> cursor = gateway::fuzz::cursor_of(reply)) {
    gateway::fuzz::drain(gateway.engine, *cursor, cursor_namespace(reply), 1000);
  }
  if (gateway.engine.open_cursors() > gateway.engine.options().max_open_cursors) __builtin_trap();
  // Whatever the command wrote, every collection of d reads back whole.
  Result<std::vector<std::string>> names = gateway.store.list_collections("d");
  if (!names) __builtin_trap();
  for (const std::string& name : *names) {
    Result<std::vector<Document>> all = gateway.store.find(Namespace{"d", name}, FindQuery{});
    if (!all) __builtin_trap();
    for (const Document& document : *all) {
      bson_iter_t id;
      if (!document.find("_id", &id)) __builtin_trap();
    }
  }
  return 0;
}
