// Update documents, as in MongoDB's update command's "u" field: either
// operators ($set, $unset, $inc; dotted paths) or a whole replacement.
//
// Errors carry MongoDB's codes: FailedToParse for an unknown modifier,
// TypeMismatch for $inc on or by a non-number, PathNotViable for a path
// through a scalar, ConflictingUpdateOperators for two operators on
// overlapping paths, ImmutableField for any change to _id.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/gateway/query.h"

namespace fluence::gateway {

class Update {
 public:
  static Outcome<Update> parse(const bson_t* update);
  // The document after the update. Its _id is the original's.
  Outcome<Document> apply(const bson_t* document) const;
  // What an upsert that matched nothing inserts: the filter's equality
  // fields, with the update applied on top (no _id added here).
  Outcome<Document> upsert_document(const Filter& filter) const;
  bool is_replacement() const { return replacement_.has_value(); }

 private:
  struct Operation {
    enum class Kind { kSet, kUnset, kInc };
    Kind kind;
    std::string path;
    std::vector<std::string> parts;
    Value value;
  };
  Outcome<Document> apply_operators(const bson_t* document) const;
  // Paths of one length that differ in their last field only.
  static bool same_parent(const Operation& a, const Operation& b);
  // The embedded document at `parent`, if each step is one field holding one.
  static std::optional<Document> embedded_at(const bson_t* document, const std::vector<std::string>& parent);
  // What `op` writes: its value, the sum for $inc, nothing for $unset.
  Outcome<std::optional<Value>> new_value(const bson_t* document, const Operation& op) const;
  // `siblings` (the fields' parent in `document`) with operations_[begin,
  // end), fields of that one parent, applied in one pass.
  Outcome<Document> apply_siblings(const bson_t* document, const bson_t* siblings, size_t begin, size_t end) const;
  std::vector<Operation> operations_;
  std::optional<Document> replacement_;
};

}  // namespace fluence::gateway
