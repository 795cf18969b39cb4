// libFuzzer target: update documents (runtime/gateway/update.h), the "u" of
// the update command. The input is parsed as one; what parses is applied to
// each sample document and made into an upsert from a few filters. An update
// either fails with MongoDB's error or yields a well-formed document that
// keeps its _id, and, applied at once, gives what its fields applied one at
// a time give (the one-pass paths of Update::apply against the plain one).
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

// The update split into one-field updates, in the order parse() takes them;
// empty for a replacement or an update that names _id (whose check runs once
// at the end of a whole update, so the first error could differ).
std::vector<Update> one_field_updates(const bson_t* update) {
  std::vector<Update> parts;
  bson_iter_t op;
  bson_iter_init(&op, update);
  while (bson_iter_next(&op)) {
    bson_t fields;
    if (bson_iter_key(&op)[0] != '$' || !BSON_ITER_HOLDS_DOCUMENT(&op) || !embedded(&op, &fields)) return {};
    bson_iter_t field;
    bson_iter_init(&field, &fields);
    while (bson_iter_next(&field)) {
      std::string_view path(bson_iter_key(&field), bson_iter_key_len(&field));
      if (path == "_id" || path.rfind("_id.", 0) == 0) return {};
      bson_t one = BSON_INITIALIZER, inner;
      bson_append_document_begin(&one, bson_iter_key(&op), -1, &inner);
      bson_append_iter(&inner, path.data(), static_cast<int>(path.size()), &field);
      bson_append_document_end(&one, &inner);
      Document holder = Document::adopt(&one);
      Outcome<Update> parsed = Update::parse(holder.get());
      if (!parsed) __builtin_trap();  // each field parsed inside the whole update
      parts.push_back(std::move(*parsed));
    }
  }
  return parts;
}

void check_one_at_a_time(const Outcome<Document>& whole, const std::vector<Update>& parts, const bson_t* document) {
  Outcome<Document> current = Document::copy_of(document);
  for (const Update& part : parts) {
    current = part.apply(current->get());
    if (!current) break;
  }
  if (whole.is_ok() != current.is_ok()) __builtin_trap();
  if (whole.is_ok() && !bson_equal(whole->get(), current->get())) __builtin_trap();
  if (!whole.is_ok() && whole.error().code != current.error().code) __builtin_trap();
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
  std::vector<Update> parts = update->is_replacement() ? std::vector<Update>() : one_field_updates(input->get());
  for (const Document& document : kDocuments) {
    Outcome<Document> whole = update->apply(document.get());
    check_result(whole, document.get());
    if (!parts.empty()) check_one_at_a_time(whole, parts, document.get());
  }
  Document empty;
  for (const Filter& filter : kUpsertFilters) check_result(update->upsert_document(filter), empty.get());
  return 0;
}
