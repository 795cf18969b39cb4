#include "runtime/gateway/update.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

#include "runtime/gateway/compare.h"

namespace fluence::gateway {

namespace {

bool is_index(const std::string& part) {
  return !part.empty() && part.size() <= 9 && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
}

MongoError not_viable(const std::vector<std::string>& parts, size_t at) {
  std::string prefix;
  for (size_t i = 0; i <= at; ++i) prefix += (i ? "." : "") + parts[i];
  return {MongoCode::kPathNotViable, "cannot create field '" + parts[at + 1] + "' in element '" + prefix +
                                         "', which is neither a document nor an array to extend"};
}

void append_new_path(bson_t* out, const std::vector<std::string>& parts, size_t i, const bson_iter_t* value) {
  const std::string& key = parts[i];
  if (i + 1 == parts.size()) {
    bson_append_iter(out, key.data(), static_cast<int>(key.size()), value);
    return;
  }
  bson_t child;
  bson_append_document_begin(out, key.data(), static_cast<int>(key.size()), &child);
  append_new_path(&child, parts, i + 1, value);
  bson_append_document_end(out, &child);
}

// Copies `document` into `out` with the path set to `value` (or removed, if
// value is null). Recursion is bounded by the path's length, itself bounded
// by the update document's size.
std::optional<MongoError> rebuild(const bson_t* document, bool is_array, const std::vector<std::string>& parts, size_t i,
                                  const bson_iter_t* value, bson_t* out) {
  const std::string& key = parts[i];
  bool last = i + 1 == parts.size();
  bool found = false;
  uint32_t count = 0;
  bson_iter_t it;
  bson_iter_init(&it, document);
  while (bson_iter_next(&it)) {
    ++count;
    const char* name = bson_iter_key(&it);
    int name_length = static_cast<int>(bson_iter_key_len(&it));
    if (key != std::string_view(name, name_length)) {
      bson_append_iter(out, name, name_length, &it);
      continue;
    }
    found = true;
    if (last) {
      if (value != nullptr) {
        bson_append_iter(out, name, name_length, value);
      } else if (is_array) {
        bson_append_null(out, name, name_length);  // $unset of an element leaves a hole, as MongoDB does
      }
      continue;
    }
    bson_t sub;
    bool sub_is_array = BSON_ITER_HOLDS_ARRAY(&it);
    if (!embedded(&it, &sub) || (sub_is_array && !is_index(parts[i + 1]))) {
      if (value == nullptr) {  // nothing there to remove
        bson_append_iter(out, name, name_length, &it);
        continue;
      }
      return not_viable(parts, i);
    }
    bson_t child;
    if (sub_is_array) {
      bson_append_array_begin(out, name, name_length, &child);
    } else {
      bson_append_document_begin(out, name, name_length, &child);
    }
    std::optional<MongoError> error = rebuild(&sub, sub_is_array, parts, i + 1, value, &child);
    if (sub_is_array) {
      bson_append_array_end(out, &child);
    } else {
      bson_append_document_end(out, &child);
    }
    if (error) return error;
  }
  if (found || value == nullptr) return std::nullopt;
  // A new field; in an array only the next position may be added.
  if (is_array && (!is_index(key) || std::stoul(key) != count)) {
    return MongoError{MongoCode::kPathNotViable, "cannot set array position " + key + " of an array of " +
                                                     std::to_string(count) + " elements"};
  }
  append_new_path(out, parts, i, value);
  return std::nullopt;
}

Outcome<Document> set_path(const bson_t* document, const std::vector<std::string>& parts, const bson_iter_t* value) {
  bson_t out = BSON_INITIALIZER;
  std::optional<MongoError> error = rebuild(document, false, parts, 0, value, &out);
  Document result = Document::adopt(&out);
  if (error) return *error;
  return result;
}

Outcome<Value> incremented(const std::vector<HeldIter>& current, const Value& by, const std::string& path) {
  bson_iter_t delta;
  by.iter(&delta);
  if (current.size() > 1) return MongoError{MongoCode::kPathNotViable, "$inc of " + path + " reaches several values"};
  bson_t result = BSON_INITIALIZER;
  if (current.empty()) {
    bson_append_iter(&result, "", 0, &delta);
  } else {
    const bson_iter_t& base = current[0].it;
    if (!BSON_ITER_HOLDS_NUMBER(&base) || BSON_ITER_HOLDS_DECIMAL128(&base)) {
      bson_destroy(&result);
      return type_mismatch("cannot apply $inc to " + path + ", a value of non-numeric type");
    }
    bson_type_t a = bson_iter_type(&base), b = bson_iter_type(&delta);
    if (a == BSON_TYPE_DOUBLE || b == BSON_TYPE_DOUBLE) {
      bson_append_double(&result, "", 0, bson_iter_as_double(&base) + bson_iter_as_double(&delta));
    } else {
      int64_t sum = 0;
      if (__builtin_add_overflow(bson_iter_as_int64(&base), bson_iter_as_int64(&delta), &sum)) {
        bson_destroy(&result);
        return bad_value("$inc of " + path + " overflows a 64-bit integer");
      }
      // int32 stays int32 while it fits, as MongoDB's arithmetic does.
      if (a == BSON_TYPE_INT32 && b == BSON_TYPE_INT32 && sum >= INT32_MIN && sum <= INT32_MAX) {
        bson_append_int32(&result, "", 0, static_cast<int32_t>(sum));
      } else {
        bson_append_int64(&result, "", 0, sum);
      }
    }
  }
  Document holder = Document::adopt(&result);
  bson_iter_t it;
  bson_iter_init(&it, holder.get());
  bson_iter_next(&it);
  return Value::of(&it);
}

// The paths an update names so far, to find one that overlaps a new path
// (equal, or one a dotted prefix of the other) by lookups: comparing with
// each earlier path made an update of many fields quadratic.
class NamedPaths {
 public:
  std::optional<std::string> overlapping(const std::string& path) const {
    if (paths_.contains(path)) return path;
    if (auto below = prefixes_.find(path); below != prefixes_.end()) return below->second;
    for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
      if (auto above = paths_.find(path.substr(0, dot)); above != paths_.end()) return *above;
    }
    return std::nullopt;
  }
  void add(const std::string& path) {
    paths_.insert(path);
    for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
      prefixes_.emplace(path.substr(0, dot), path);
    }
  }

 private:
  std::set<std::string> paths_;
  std::map<std::string, std::string> prefixes_;  // "a", "a.b" of "a.b.c" -> "a.b.c"
};

bool same_id(const bson_t* before, const bson_t* after) {
  bson_iter_t x, y;
  bool has_x = bson_iter_init_find(&x, before, "_id"), has_y = bson_iter_init_find(&y, after, "_id");
  if (!has_x) return true;  // an upsert's seed: the update may give it one
  return has_y && bson_iter_type(&x) == bson_iter_type(&y) && compare_values(&x, &y) == 0;
}

}  // namespace

Outcome<Update> Update::parse(const bson_t* update) {
  Update parsed;
  bson_iter_t it;
  if (!bson_iter_init(&it, update)) return bad_value("update is not a document");
  bool operators = false, fields = false;
  NamedPaths named;
  while (bson_iter_next(&it)) {
    std::string key(bson_iter_key(&it), bson_iter_key_len(&it));
    bool is_operator = !key.empty() && key[0] == '$';
    (is_operator ? operators : fields) = true;
    if (operators && fields) {
      return MongoError{MongoCode::kFailedToParse, "an update mixes operators and fields (at " + key + ")"};
    }
    if (!is_operator) continue;
    Operation::Kind kind;
    if (key == "$set") {
      kind = Operation::Kind::kSet;
    } else if (key == "$unset") {
      kind = Operation::Kind::kUnset;
    } else if (key == "$inc") {
      kind = Operation::Kind::kInc;
    } else {
      return MongoError{MongoCode::kFailedToParse, "Unknown modifier: " + key + " (supported: $set $unset $inc)"};
    }
    bson_t arguments;
    if (!BSON_ITER_HOLDS_DOCUMENT(&it) || !embedded(&it, &arguments)) {
      return MongoError{MongoCode::kFailedToParse, "Modifiers operate on fields but " + key + " has no document"};
    }
    bson_iter_t field;
    bson_iter_init(&field, &arguments);
    while (bson_iter_next(&field)) {
      std::string path(bson_iter_key(&field), bson_iter_key_len(&field));
      Outcome<std::vector<std::string>> parsed_path = parse_path(path);
      if (!parsed_path) return parsed_path.error();
      std::vector<std::string> parts = std::move(*parsed_path);
      for (const std::string& part : parts) {
        if (part.empty()) return bad_value("update path '" + path + "' has an empty field name");
        if (part[0] == '$') return bad_value("update path '" + path + "': positional operators are not supported");
      }
      if (kind == Operation::Kind::kInc && (!BSON_ITER_HOLDS_NUMBER(&field) || BSON_ITER_HOLDS_DECIMAL128(&field))) {
        return type_mismatch("Cannot increment with non-numeric argument: {" + path + "}");
      }
      if (std::optional<std::string> earlier = named.overlapping(path)) {
        return MongoError{MongoCode::kConflictingUpdateOperators,
                          "Updating the path '" + path + "' would create a conflict at '" + *earlier + "'"};
      }
      named.add(path);
      parsed.operations_.push_back(Operation{kind, path, std::move(parts), Value::of(&field)});
    }
  }
  if (!operators) parsed.replacement_ = Document::copy_of(update);
  return parsed;
}

Outcome<Document> Update::apply_operators(const bson_t* document) const {
  Document current = Document::copy_of(document);
  for (size_t op = 0; op < operations_.size();) {
    // A run of fields with one parent ("a", "b"; or "p.q.x", "p.q.y") goes in
    // one pass when the parent is one embedded document: a rebuild of the
    // whole document per field made an update of many fields quadratic.
    size_t end = op + 1;
    while (end < operations_.size() && same_parent(operations_[op], operations_[end])) ++end;
    std::vector<std::string> parent(operations_[op].parts.begin(), operations_[op].parts.end() - 1);
    std::optional<Document> nested;
    if (!parent.empty() && end - op > 1) nested = embedded_at(current.get(), parent);
    if (parent.empty() || nested) {
      Outcome<Document> changed = apply_siblings(current.get(), nested ? nested->get() : current.get(), op, end);
      if (!changed) return changed.error();
      if (parent.empty()) {
        current = std::move(*changed);
      } else {
        bson_t holder = BSON_INITIALIZER;
        bson_append_document(&holder, "", 0, changed->get());
        Document held = Document::adopt(&holder);
        bson_iter_t it;
        bson_iter_init(&it, held.get());
        bson_iter_next(&it);
        Outcome<Document> next = set_path(current.get(), parent, &it);
        if (!next) return next.error();
        current = std::move(*next);
      }
      op = end;
      continue;
    }
    for (; op < end; ++op) {  // one at a time, as the paths lead
      Outcome<std::optional<Value>> value = new_value(current.get(), operations_[op]);
      if (!value) return value.error();
      bson_iter_t it;
      if (*value) (*value)->iter(&it);
      Outcome<Document> next = set_path(current.get(), operations_[op].parts, *value ? &it : nullptr);
      if (!next) return next.error();
      current = std::move(*next);
    }
  }
  return current;
}

bool Update::same_parent(const Operation& a, const Operation& b) {
  return a.parts.size() == b.parts.size() && std::equal(a.parts.begin(), a.parts.end() - 1, b.parts.begin());
}

std::optional<Document> Update::embedded_at(const bson_t* document, const std::vector<std::string>& parent) {
  // Each step one field of that name holding a document: through an array,
  // a repeated key or anything else the fields go one at a time.
  Document level = Document::copy_of(document);
  for (const std::string& key : parent) {
    std::optional<Document> child;
    bson_iter_t it;
    bson_iter_init(&it, level.get());
    while (bson_iter_next(&it)) {
      if (std::string_view(bson_iter_key(&it), bson_iter_key_len(&it)) != key) continue;
      bson_t sub;
      if (child || !BSON_ITER_HOLDS_DOCUMENT(&it) || !embedded(&it, &sub)) return std::nullopt;
      child = Document::copy_of(&sub);
    }
    if (!child) return std::nullopt;
    level = std::move(*child);
  }
  return level;
}

Outcome<std::optional<Value>> Update::new_value(const bson_t* document, const Operation& op) const {
  if (op.kind == Operation::Kind::kUnset) return std::optional<Value>();
  if (op.kind == Operation::Kind::kSet) return std::optional<Value>(op.value);
  std::vector<HeldIter> found;
  values_at(document, op.parts, found);
  Outcome<Value> sum = incremented(found, op.value, op.path);
  if (!sum) return sum.error();
  return std::optional<Value>(std::move(*sum));
}

Outcome<Document> Update::apply_siblings(const bson_t* document, const bson_t* siblings, size_t begin,
                                         size_t end) const {
  // What applying the fields one at a time gives, since the paths do not
  // overlap (parse() refuses those that do): a named field is replaced
  // where it stands (every copy of a repeated key) or removed, and the new
  // ones follow in the update's order. Each $inc reads its field in the
  // whole document before any other change, which cannot touch it.
  std::vector<std::optional<Value>> values;
  std::unordered_map<std::string_view, size_t> named;
  for (size_t op = begin; op < end; ++op) {
    Outcome<std::optional<Value>> value = new_value(document, operations_[op]);
    if (!value) return value.error();
    values.push_back(std::move(*value));
    named.emplace(operations_[op].parts.back(), op - begin);
  }
  std::vector<bool> present(values.size(), false);
  bson_t out = BSON_INITIALIZER;
  bson_iter_t it;
  bson_iter_init(&it, siblings);
  while (bson_iter_next(&it)) {
    const char* name = bson_iter_key(&it);
    int name_length = static_cast<int>(bson_iter_key_len(&it));
    auto op = named.find(std::string_view(name, static_cast<size_t>(name_length)));
    if (op == named.end()) {
      bson_append_iter(&out, name, name_length, &it);
      continue;
    }
    present[op->second] = true;
    if (!values[op->second]) continue;  // $unset
    bson_iter_t value;
    values[op->second]->iter(&value);
    bson_append_iter(&out, name, name_length, &value);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (present[i] || !values[i]) continue;
    const std::string& key = operations_[begin + i].parts.back();
    bson_iter_t value;
    values[i]->iter(&value);
    bson_append_iter(&out, key.data(), static_cast<int>(key.size()), &value);
  }
  return Document::adopt(&out);
}

Outcome<Document> Update::apply(const bson_t* document) const {
  Outcome<Document> result = MongoError{MongoCode::kInternalError, ""};
  if (replacement_) {
    // The original _id first (or, for an upsert's seed, the replacement's),
    // then the replacement's other fields.
    bson_t out = BSON_INITIALIZER;
    bson_iter_t id;
    if (bson_iter_init_find(&id, document, "_id") || bson_iter_init_find(&id, replacement_->get(), "_id")) {
      bson_append_iter(&out, "_id", 3, &id);
    }
    bson_iter_t it;
    bson_iter_init(&it, replacement_->get());
    while (bson_iter_next(&it)) {
      if (std::string_view(bson_iter_key(&it)) != "_id") bson_append_iter(&out, nullptr, -1, &it);
    }
    result = Document::adopt(&out);
    bson_iter_t given;
    if (bson_iter_init_find(&given, replacement_->get(), "_id") && !same_id(document, replacement_->get())) {
      return MongoError{MongoCode::kImmutableField,
                        "the replacement would change the immutable field '_id'"};
    }
  } else {
    result = apply_operators(document);
  }
  if (!result) return result;
  if (!same_id(document, result->get())) {
    return MongoError{MongoCode::kImmutableField,
                      "performing an update on the path '_id' would modify the immutable field '_id'"};
  }
  return result;
}

Outcome<Document> Update::upsert_document(const Filter& filter) const {
  Document seed;
  std::vector<const FilterNode*> pending{&filter.root()};
  // Equality fields of the top-level conjunction (MongoDB also looks only there).
  while (!pending.empty()) {
    const FilterNode* node = pending.back();
    pending.pop_back();
    if (node->kind == FilterNode::Kind::kAnd) {
      for (auto c = node->children.rbegin(); c != node->children.rend(); ++c) pending.push_back(&*c);
      continue;
    }
    if (node->kind != FilterNode::Kind::kPredicate || node->predicate.op != PredicateOp::kEq) continue;
    bson_iter_t value;
    node->predicate.operands[0].iter(&value);
    if (replacement_ && node->predicate.path != "_id") continue;  // a replacement keeps only the filter's _id
    Outcome<Document> next = set_path(seed.get(), node->predicate.parts, &value);
    if (!next) return next.error();
    seed = std::move(*next);
  }
  return apply(seed.get());
}

}  // namespace fluence::gateway
