// Small helpers the encrypted store's tests share: documents and queries
// from JSON, dataset ids, and results as JSON text for comparisons.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "runtime/gateway/documents.h"
#include "runtime/gateway/query.h"

namespace fluence::gateway::testing {

inline Document J(const std::string& json) { return Document::from_json(json); }

inline storage::DatasetId dataset_id(uint8_t n) {
  storage::DatasetId id{};
  id[0] = n;
  return id;
}

// The value `json` as a Value, e.g. an _id for replace() and remove().
inline Value value_of(const std::string& json) {
  Document d = J(R"({"v": )" + json + "}");
  bson_iter_t it;
  EXPECT_TRUE(d.find("v", &it));
  return Value::of(&it);
}

// One entry of createIndexes' "indexes".
inline IndexSpec index_of(const std::string& json) {
  Document entry = J(json);
  Outcome<IndexSpec> spec = IndexSpec::parse(entry.get());
  EXPECT_TRUE(spec) << json;
  return *spec;
}

inline FindQuery query_of(const std::string& filter, const std::string& sort = "{}", uint64_t skip = 0,
                          std::optional<uint64_t> limit = std::nullopt) {
  Document f = J(filter), s = J(sort);
  FindQuery query;
  query.filter = *Filter::parse(f.get());
  query.sort = *SortSpec::parse(s.get());
  query.skip = skip;
  query.limit = limit;
  return query;
}

inline std::vector<std::string> as_json(const std::vector<Document>& documents) {
  std::vector<std::string> out;
  for (const Document& d : documents) out.push_back(d.to_json());
  return out;
}

// The same, in a fixed order: for queries whose order is the store's own.
inline std::vector<std::string> sorted_json(const std::vector<Document>& documents) {
  std::vector<std::string> out = as_json(documents);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace fluence::gateway::testing
