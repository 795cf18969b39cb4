// libFuzzer target: update documents (runtime/gateway/update.h), the "u" of
// the update command. The input is parsed as one; what parses is applied to
// each sample document and made into an upsert from a few filters. An update
// either fails with MongoDB's error or yields a well-formed document that
// keeps its _id.
#include "runtime/gateway/compare.h"
#include "runtime/gateway/update.h"
#include "tests/fuzz/gateway/fuzz_gateway.h"

namespace {

using namespace fluence;
using namespace fluence::gateway;

void check_result(const Outcome<Document>& result, const bson_t* before) {
  if (!result) {
    if (result.error().message.empty()) __builtin_trap();
    return;
  }
  size_t offset = 0;
  if (!bson_validate(result->get(), BSON_VALIDATE_NONE, &offset)) __builtin_trap();
  bson_iter_t old_id, new_id;
  if (bson_iter_init_find(&old_id, before, "_id")) {
    if (!bson_iter_init_find(&new_id, result->get(), "_id") || bson_iter_type(&old_id) != bson_iter_type(&new_id) ||
        compare_values(&old_id, &new_id) != 0) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Document> kDocuments = gateway::fuzz::sample_documents();
  static const std::vector<Filter> kUpsertFilters = [] {
    std::vector<Filter> filters;
    for (const char* json : {R"({})", R"({"_id": 7, "a.b": 3, "n": {"$gt": 1}})",
                             R"({"$and": [{"x": 1}, {"y.z": "s"}], "$or": [{"q": 1}]})", R"({"a": {"b": {"c": 1}}})"}) {
      filters.push_back(*Filter::parse(Document::from_json(json).get()));
    }
    return filters;
  }();
  std::optional<Document> input = gateway::fuzz::input_document(data, size);
  if (!input) return 0;
  Outcome<Update> update = Update::parse(input->get());
  if (!update) {
    if (update.error().message.empty()) __builtin_trap();
    return 0;
  }
  for (const Document& document : kDocuments) check_result(update->apply(document.get()), document.get());
  Document empty;
  for (const Filter& filter : kUpsertFilters) check_result(update->upsert_document(filter), empty.get());
  return 0;
}
