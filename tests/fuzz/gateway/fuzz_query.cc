// libFuzzer target: filters, projections and sorts (runtime/gateway/query.h),
// as find, count, delete, update and $match receive them. The input document
// is parsed as each of the three; what parses runs against the sample
// documents, where the answers are checked against properties that hold
// whatever the semantics: {$nor: [f]} matches exactly what f does not, a
// projection applied twice changes nothing more, a sort is a total order.
#include <algorithm>

#include "tests/fuzz/gateway/fuzz_gateway.h"

namespace {

using namespace fluence;
using namespace fluence::gateway;

void check_filter(const Document& input, const std::vector<Document>& documents) {
  Outcome<Filter> filter = Filter::parse(input.get());
  if (!filter) {
    if (filter.error().message.empty()) __builtin_trap();
    return;
  }
  if (!bson_equal(filter->source().get(), input.get())) __builtin_trap();
  bson_t nor = BSON_INITIALIZER, list;
  bson_append_array_begin(&nor, "$nor", -1, &list);
  bson_append_document(&list, "0", 1, input.get());
  bson_append_array_end(&nor, &list);
  Document negated_source = Document::adopt(&nor);
  Outcome<Filter> negated = Filter::parse(negated_source.get());
  if (!negated) __builtin_trap();
  for (const Document& document : documents) {
    if (filter->matches(document.get()) == negated->matches(document.get())) __builtin_trap();
  }
}

void check_projection(const Document& input, const std::vector<Document>& documents) {
  Outcome<Projection> projection = Projection::parse(input.get());
  if (!projection) {
    if (projection.error().message.empty()) __builtin_trap();
    return;
  }
  for (const Document& document : documents) {
    Document once = projection->apply(document.get());
    Document twice = projection->apply(once.get());
    if (!bson_equal(once.get(), twice.get())) __builtin_trap();
    size_t offset = 0;
    if (!bson_validate(once.get(), BSON_VALIDATE_NONE, &offset)) __builtin_trap();
  }
}

void check_sort(const Document& input, std::vector<Document> documents) {
  Outcome<SortSpec> sort = SortSpec::parse(input.get());
  if (!sort) {
    if (sort.error().message.empty()) __builtin_trap();
    return;
  }
  // Antisymmetric and transitive over the samples: std::sort may read out
  // of bounds with a comparison that is not.
  size_t n = documents.size();
  std::vector<int> order(n * n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) order[i * n + j] = sort->compare(documents[i].get(), documents[j].get());
  }
  for (size_t i = 0; i < n; ++i) {
    if (order[i * n + i] != 0) __builtin_trap();
    for (size_t j = 0; j < n; ++j) {
      if (order[i * n + j] != -order[j * n + i]) __builtin_trap();
      for (size_t k = 0; k < n; ++k) {
        if (order[i * n + j] <= 0 && order[j * n + k] <= 0 && order[i * n + k] > 0) __builtin_trap();
      }
    }
  }
  std::sort(documents.begin(), documents.end(),
            [&](const Document& a, const Document& b) { return sort->compare(a.get(), b.get()) < 0; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Document> kDocuments = gateway::fuzz::sample_documents();
  std::optional<Document> input = gateway::fuzz::input_document(data, size);
  if (!input) return 0;
  check_filter(*input, kDocuments);
  check_projection(*input, kDocuments);
  check_sort(*input, kDocuments);
  return 0;
}
