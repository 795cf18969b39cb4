// The real MongoDB C driver (libmongoc) as the gateway's tests drive it:
// BSON from JSON text, and the _ids a find returns.
#pragma once

#include <gtest/gtest.h>
#include <mongoc/mongoc.h>

#include <string>
#include <utility>
#include <vector>

namespace fluence::gateway::testing {

// A document parsed from JSON (a failure fails the test), freed with it.
struct Bson {
  explicit Bson(const std::string& json) {
    bson_error_t error;
    bson = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()), static_cast<ssize_t>(json.size()), &error);
    EXPECT_NE(bson, nullptr) << json << ": " << error.message;
  }
  ~Bson() { bson_destroy(bson); }
  Bson(const Bson&) = delete;
  Bson& operator=(const Bson&) = delete;
  bson_t* bson;
};

// The _id of every document `find` returns, in order, through every batch,
// and the cursor's error message ("" when none).
inline std::pair<std::vector<int64_t>, std::string> find_ids_or_error(mongoc_collection_t* collection,
                                                                      const std::string& filter,
                                                                      const std::string& opts) {
  Bson f(filter), o(opts);
  mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(collection, f.bson, o.bson, nullptr);
  std::vector<int64_t> ids;
  const bson_t* document;
  while (mongoc_cursor_next(cursor, &document)) {
    bson_iter_t it;
    if (bson_iter_init_find(&it, document, "_id")) ids.push_back(bson_iter_as_int64(&it));
  }
  bson_error_t error;
  std::string message = mongoc_cursor_error(cursor, &error) ? error.message : "";
  mongoc_cursor_destroy(cursor);
  return {ids, message};
}

// The same, where an error fails the test.
inline std::vector<int64_t> find_ids(mongoc_collection_t* collection, const std::string& filter, const std::string& opts) {
  auto [ids, error] = find_ids_or_error(collection, filter, opts);
  EXPECT_TRUE(error.empty()) << filter << ": " << error;
  return ids;
}

}  // namespace fluence::gateway::testing
