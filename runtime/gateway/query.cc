#include "runtime/gateway/query.h"

#include <algorithm>
#include <charconv>

#include "runtime/gateway/compare.h"

namespace fluence::gateway {

Value Value::of(const bson_iter_t* element) {
  Value value;
  bson_t holder = BSON_INITIALIZER;
  // Cannot fail for an element of a document that passed Document::parse.
  bool appended = bson_append_iter(&holder, "", 0, element);
  FL_ASSERT(appended);
  value.holder_ = Document::adopt(&holder);
  return value;
}

void Value::iter(bson_iter_t* out) const {
  bool found = bson_iter_init(out, holder_.get()) && bson_iter_next(out);
  FL_ASSERT(found);
}

bson_type_t Value::type() const {
  bson_iter_t it;
  iter(&it);
  return bson_iter_type(&it);
}

Outcome<std::vector<std::string>> parse_path(const std::string& dotted) {
  if (static_cast<size_t>(std::count(dotted.begin(), dotted.end(), '.')) >= kMaxPathParts) {
    return bad_value("path '" + dotted.substr(0, 64) + "...' has more than " + std::to_string(kMaxPathParts) + " parts");
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    parts.push_back(dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

namespace {

bool is_array_index(const std::string& part) {
  if (part.empty() || part.size() > 9) return false;
  return std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void collect(const bson_t* document, const std::vector<std::string>& path, size_t index,
             std::vector<HeldIter>& out);

void descend(const bson_iter_t* it, const std::vector<std::string>& path, size_t next, std::vector<HeldIter>& out) {
  if (next == path.size()) {
    out.push_back(HeldIter{*it});
    return;
  }
  bson_t sub;
  if (!embedded(it, &sub)) return;  // a scalar where the path goes on: missing
  if (BSON_ITER_HOLDS_DOCUMENT(it)) return collect(&sub, path, next, out);
  if (is_array_index(path[next])) return collect(&sub, path, next, out);
  // An array of documents: the path continues in each of them.
  bson_iter_t element;
  if (!bson_iter_init(&element, &sub)) return;
  while (bson_iter_next(&element)) {
    bson_t element_document;
    if (BSON_ITER_HOLDS_DOCUMENT(&element) && embedded(&element, &element_document)) {
      collect(&element_document, path, next, out);
    }
  }
}

void collect(const bson_t* document, const std::vector<std::string>& path, size_t index,
             std::vector<HeldIter>& out) {
  bson_iter_t it;
  const std::string& key = path[index];
  if (!bson_iter_init_find_w_len(&it, document, key.data(), static_cast<int>(key.size()))) return;
  descend(&it, path, index + 1, out);
}

bool truthy(const bson_iter_t* it) {
  if (BSON_ITER_HOLDS_BOOL(it)) return bson_iter_bool(it);
  if (BSON_ITER_HOLDS_NUMBER(it)) return bson_iter_as_double(it) != 0;
  return !BSON_ITER_HOLDS_NULL(it) && !BSON_ITER_HOLDS_UNDEFINED(it);
}

// Calls `test` on the value and, if it is an array, on each element.
template <typename Test>
bool any_of_value_or_elements(const bson_iter_t* value, Test test) {
  if (test(value)) return true;
  if (!BSON_ITER_HOLDS_ARRAY(value)) return false;
  bson_iter_t element;
  if (!bson_iter_recurse(value, &element)) return false;
  while (bson_iter_next(&element)) {
    if (test(&element)) return true;
  }
  return false;
}

bool equals_any(const std::vector<HeldIter>& found, const Value& operand) {
  bson_iter_t wanted;
  operand.iter(&wanted);
  if (found.empty()) return BSON_ITER_HOLDS_NULL(&wanted);  // {a: null} matches a missing a
  for (const HeldIter& value : found) {
    if (any_of_value_or_elements(&value.it, [&](const bson_iter_t* v) { return compare_values(v, &wanted) == 0; })) {
      return true;
    }
  }
  return false;
}

bool range_matches(const std::vector<HeldIter>& found, const Value& operand, PredicateOp op) {
  bson_iter_t bound;
  operand.iter(&bound);
  int bracket = type_bracket(bson_iter_type(&bound));
  auto test = [&](const bson_iter_t* v) {
    if (type_bracket(bson_iter_type(v)) != bracket) return false;
    int c = compare_values(v, &bound);
    switch (op) {
      case PredicateOp::kGt: return c > 0;
      case PredicateOp::kGte: return c >= 0;
      case PredicateOp::kLt: return c < 0;
      case PredicateOp::kLte: return c <= 0;
      default: return false;
    }
  };
  for (const HeldIter& value : found) {
    if (any_of_value_or_elements(&value.it, test)) return true;
  }
  return false;
}

bool predicate_matches(const Predicate& p, const bson_t* document) {
  std::vector<HeldIter> found;
  values_at(document, p.parts, found);
  switch (p.op) {
    case PredicateOp::kEq: return equals_any(found, p.operands[0]);
    case PredicateOp::kNe: return !equals_any(found, p.operands[0]);
    case PredicateOp::kIn:
    case PredicateOp::kNin: {
      bool in = std::any_of(p.operands.begin(), p.operands.end(),
                            [&](const Value& v) { return equals_any(found, v); });
      return p.op == PredicateOp::kIn ? in : !in;
    }
    case PredicateOp::kExists: {
      bson_iter_t wanted;
      p.operands[0].iter(&wanted);
      return found.empty() != truthy(&wanted);
    }
    default: return range_matches(found, p.operands[0], p.op);
  }
}

bool node_matches(const FilterNode& node, const bson_t* document) {
  switch (node.kind) {
    case FilterNode::Kind::kPredicate: return predicate_matches(node.predicate, document);
    case FilterNode::Kind::kAnd:
      return std::all_of(node.children.begin(), node.children.end(),
                         [&](const FilterNode& c) { return node_matches(c, document); });
    case FilterNode::Kind::kOr:
      return std::any_of(node.children.begin(), node.children.end(),
                         [&](const FilterNode& c) { return node_matches(c, document); });
    case FilterNode::Kind::kNor:
      return std::none_of(node.children.begin(), node.children.end(),
                          [&](const FilterNode& c) { return node_matches(c, document); });
  }
  return false;
}

FilterNode predicate_node(const std::string& path, const std::vector<std::string>& parts, PredicateOp op,
                          std::vector<Value> operands) {
  FilterNode node;
  node.kind = FilterNode::Kind::kPredicate;
  node.predicate.path = path;
  node.predicate.parts = parts;
  node.predicate.op = op;
  node.predicate.operands = std::move(operands);
  return node;
}

Outcome<FilterNode> parse_object(const bson_t* filter);

Outcome<FilterNode> parse_field(const std::string& path, const bson_iter_t* value) {
  if (path.empty()) return bad_value("a filter field name must not be empty");
  Outcome<std::vector<std::string>> parts = parse_path(path);
  if (!parts) return parts.error();
  bson_t expression;
  bool operators = false;
  if (BSON_ITER_HOLDS_DOCUMENT(value) && embedded(value, &expression)) {
    bson_iter_t first;
    operators = bson_iter_init(&first, &expression) && bson_iter_next(&first) && bson_iter_key(&first)[0] == '$';
  }
  if (!operators) {
    // {a: /re/} means a regular-expression match in MongoDB; equality on the
    // pattern would be a wrong answer, so it is refused.
    if (BSON_ITER_HOLDS_REGEX(value)) return bad_value("regular expression queries on " + path + " are not supported");
    return predicate_node(path, *parts, PredicateOp::kEq, {Value::of(value)});
  }

  FilterNode all;  // {a: {$gt: 1, $lt: 5}} is the conjunction of both
  bson_iter_t op;
  bson_iter_init(&op, &expression);
  while (bson_iter_next(&op)) {
    std::string name = bson_iter_key(&op);
    static constexpr std::pair<const char*, PredicateOp> kOps[] = {
        {"$eq", PredicateOp::kEq},   {"$ne", PredicateOp::kNe}, {"$gt", PredicateOp::kGt},
        {"$gte", PredicateOp::kGte}, {"$lt", PredicateOp::kLt}, {"$lte", PredicateOp::kLte},
        {"$in", PredicateOp::kIn},   {"$nin", PredicateOp::kNin}, {"$exists", PredicateOp::kExists}};
    auto known = std::find_if(std::begin(kOps), std::end(kOps), [&](const auto& e) { return name == e.first; });
    if (known == std::end(kOps)) return bad_value("unknown operator: " + name);
    std::vector<Value> operands;
    if (known->second == PredicateOp::kIn || known->second == PredicateOp::kNin) {
      if (!BSON_ITER_HOLDS_ARRAY(&op)) return bad_value(name + " needs an array");
      bson_iter_t element;
      bson_iter_recurse(&op, &element);
      while (bson_iter_next(&element)) {
        if (BSON_ITER_HOLDS_REGEX(&element)) return bad_value(name + " with a regular expression is not supported");
        operands.push_back(Value::of(&element));
      }
    } else {
      operands.push_back(Value::of(&op));
    }
    all.children.push_back(predicate_node(path, *parts, known->second, std::move(operands)));
  }
  if (all.children.size() == 1) return std::move(all.children[0]);
  return all;
}

Outcome<FilterNode> parse_logical(const std::string& name, const bson_iter_t* value) {
  FilterNode node;
  node.kind = name == "$and" ? FilterNode::Kind::kAnd
              : name == "$or" ? FilterNode::Kind::kOr
                              : FilterNode::Kind::kNor;
  bson_t list;
  if (!BSON_ITER_HOLDS_ARRAY(value) || !embedded(value, &list) || bson_count_keys(&list) == 0) {
    return bad_value(name + " must be a nonempty array");
  }
  bson_iter_t element;
  bson_iter_init(&element, &list);
  while (bson_iter_next(&element)) {
    bson_t clause;
    if (!BSON_ITER_HOLDS_DOCUMENT(&element) || !embedded(&element, &clause)) {
      return bad_value(name + "/$or/$nor entries need to be full objects");
    }
    Outcome<FilterNode> child = parse_object(&clause);
    if (!child) return child.error();
    node.children.push_back(std::move(*child));
  }
  return node;
}

Outcome<FilterNode> parse_object(const bson_t* filter) {
  FilterNode all;
  bson_iter_t it;
  if (!bson_iter_init(&it, filter)) return bad_value("filter is not a document");
  while (bson_iter_next(&it)) {
    std::string key(bson_iter_key(&it), bson_iter_key_len(&it));
    Outcome<FilterNode> child = bad_value("");
    if (!key.empty() && key[0] == '$') {
      if (key != "$and" && key != "$or" && key != "$nor") return bad_value("unknown top level operator: " + key);
      child = parse_logical(key, &it);
    } else {
      child = parse_field(key, &it);
    }
    if (!child) return child.error();
    all.children.push_back(std::move(*child));
  }
  return all;
}

const bson_iter_t& null_value() {
  // An immutable constant: null, for sort keys of missing fields.
  static const struct Holder {
    bson_t document = BSON_INITIALIZER;
    bson_iter_t it;
    Holder() {
      bson_append_null(&document, "", 0);
      bson_iter_init(&it, &document);
      bson_iter_next(&it);
    }
  } holder;
  return holder.it;
}

// The value a document sorts by for one key: the least (ascending) or
// greatest (descending) of the values the path reaches, arrays unrolled.
bson_iter_t sort_value(const bson_t* document, const SortSpec::Key& key) {
  std::vector<HeldIter> found;
  values_at(document, key.path, found);
  std::vector<HeldIter> candidates;
  for (const HeldIter& value : found) {
    if (!BSON_ITER_HOLDS_ARRAY(&value.it)) {
      candidates.push_back(value);
      continue;
    }
    bson_iter_t element;
    if (!bson_iter_recurse(&value.it, &element)) continue;
    while (bson_iter_next(&element)) candidates.push_back(HeldIter{element});
  }
  if (candidates.empty()) return null_value();
  bson_iter_t best = candidates[0].it;
  for (const HeldIter& c : candidates) {
    int order = compare_values(&c.it, &best);
    if (key.ascending ? order < 0 : order > 0) best = c.it;
  }
  return best;
}

}  // namespace

void values_at(const bson_t* document, const std::vector<std::string>& path, std::vector<HeldIter>& out) {
  FL_ASSERT(!path.empty());
  collect(document, path, 0, out);
}

Outcome<Filter> Filter::parse(const bson_t* filter) {
  Outcome<FilterNode> root = parse_object(filter);
  if (!root) return root.error();
  Filter parsed;
  parsed.root_ = std::move(*root);
  parsed.source_ = Document::copy_of(filter);
  return parsed;
}

bool Filter::matches(const bson_t* document) const { return node_matches(root_, document); }

Outcome<Projection> Projection::parse(const bson_t* projection) {
  Projection parsed;
  bool any_inclusion = false, any_exclusion = false, id_given = false;
  bson_iter_t it;
  if (!bson_iter_init(&it, projection)) return bad_value("projection is not a document");
  while (bson_iter_next(&it)) {
    std::string key(bson_iter_key(&it), bson_iter_key_len(&it));
    if (!BSON_ITER_HOLDS_BOOL(&it) && !BSON_ITER_HOLDS_NUMBER(&it)) {
      return bad_value("projection of " + key + ": only 0/1 or true/false are supported, not operators");
    }
    if (key.empty() || key[0] == '$') return bad_value("projection field name " + key + " is not supported");
    bool keep = truthy(&it);
    if (key == "_id") {
      parsed.include_id_ = keep;
      id_given = true;
      continue;
    }
    (keep ? any_inclusion : any_exclusion) = true;
    if (any_inclusion && any_exclusion) {
      return bad_value("cannot do " + std::string(keep ? "inclusion" : "exclusion") + " on field " + key + " in " +
                       (keep ? "exclusion" : "inclusion") + " projection");
    }
    Outcome<std::vector<std::string>> parts = parse_path(key);
    if (!parts) return parts.error();
    Node* node = &parsed.root_;
    for (const std::string& part : *parts) {
      if (node->leaf) return bad_value("path collision at " + key);
      Node* child = node->find(part);
      node = child != nullptr ? child : &node->add(part);
    }
    if (node->leaf || !node->children.empty()) return bad_value("path collision at " + key);
    node->leaf = true;
  }
  // {_id: 1} alone keeps only _id; {_id: 0} alone drops only _id.
  parsed.inclusion_ = any_inclusion || (!any_exclusion && id_given && parsed.include_id_);
  // _id is one more path of the tree: kept with the others in an inclusion
  // projection unless {_id: 0}; dropped in an exclusion one only on {_id: 0}.
  bool id_in_tree = parsed.inclusion_ ? parsed.include_id_ : !parsed.include_id_;
  // ("_id.a" in the tree already wins, as it did when it came first.)
  if (id_in_tree && parsed.root_.find("_id") == nullptr) parsed.root_.add("_id").leaf = true;
  return parsed;
}

void Projection::apply_node(const bson_t* document, const Node& node, bool inclusion, bson_t* out) {
  bson_iter_t it;
  if (!bson_iter_init(&it, document)) return;
  while (bson_iter_next(&it)) {
    const char* key = bson_iter_key(&it);
    int key_length = static_cast<int>(bson_iter_key_len(&it));
    const Node* child = node.find(std::string(key, static_cast<size_t>(key_length)));
    if (child == nullptr) {
      if (!inclusion) bson_append_iter(out, key, key_length, &it);
      continue;
    }
    if (child->leaf) {
      if (inclusion) bson_append_iter(out, key, key_length, &it);
      continue;
    }
    bson_t sub;
    if (BSON_ITER_HOLDS_DOCUMENT(&it) && embedded(&it, &sub)) {
      bson_t projected;
      bson_append_document_begin(out, key, key_length, &projected);
      apply_node(&sub, *child, inclusion, &projected);
      bson_append_document_end(out, &projected);
    } else if (BSON_ITER_HOLDS_ARRAY(&it) && embedded(&it, &sub)) {
      // The path goes on into each embedded document of the array; scalars
      // in it are dropped by an inclusion and kept by an exclusion.
      bson_t projected;
      bson_append_array_begin(out, key, key_length, &projected);
      bson_iter_t element;
      bson_iter_init(&element, &sub);
      uint32_t index = 0;
      while (bson_iter_next(&element)) {
        const char* index_key = nullptr;
        char buffer[16];
        size_t index_length = bson_uint32_to_string(index, &index_key, buffer, sizeof buffer);
        bson_t element_document;
        if (BSON_ITER_HOLDS_DOCUMENT(&element) && embedded(&element, &element_document)) {
          bson_t projected_element;
          bson_append_document_begin(&projected, index_key, static_cast<int>(index_length), &projected_element);
          apply_node(&element_document, *child, inclusion, &projected_element);
          bson_append_document_end(&projected, &projected_element);
          ++index;
        } else if (!inclusion) {
          bson_append_iter(&projected, index_key, static_cast<int>(index_length), &element);
          ++index;
        }
      }
      bson_append_array_end(out, &projected);
    } else if (!inclusion) {
      bson_append_iter(out, key, key_length, &it);
    }
  }
}

Document Projection::apply(const bson_t* document) const {
  if (empty()) return Document::copy_of(document);
  bson_t out = BSON_INITIALIZER;
  apply_node(document, root_, inclusion_, &out);
  return Document::adopt(&out);
}

Outcome<SortSpec> SortSpec::parse(const bson_t* sort) {
  SortSpec parsed;
  bson_iter_t it;
  if (!bson_iter_init(&it, sort)) return bad_value("sort is not a document");
  while (bson_iter_next(&it)) {
    std::string key(bson_iter_key(&it), bson_iter_key_len(&it));
    if (!BSON_ITER_HOLDS_NUMBER(&it)) return bad_value("sort of " + key + ": expected 1 or -1");
    double direction = bson_iter_as_double(&it);
    if (direction != 1 && direction != -1) return bad_value("sort of " + key + ": expected 1 or -1");
    if (key.empty() || key[0] == '$') return bad_value("sort field name " + key + " is not supported");
    Outcome<std::vector<std::string>> parts = parse_path(key);
    if (!parts) return parts.error();
    parsed.keys_.push_back(Key{std::move(*parts), key, direction == 1});
  }
  return parsed;
}

int SortSpec::compare(const bson_t* a, const bson_t* b) const {
  for (const Key& key : keys_) {
    bson_iter_t x = sort_value(a, key), y = sort_value(b, key);
    int c = compare_values(&x, &y);
    if (c != 0) return key.ascending ? c : -c;
  }
  return 0;
}

}  // namespace fluence::gateway
