// Filters, projections and sorts, in MongoDB's semantics for the subset the
// gateway supports.
//
// A filter is parsed once (errors name the operator, with MongoDB's codes:
// BadValue for a wrong operator or shape) and then evaluated against
// decrypted documents. The parsed tree is public so that a storage backend
// can plan with it: an equality or range predicate on a field with an index
// can be answered from that index, and matches() decides the rest.
//
// Supported: implicit equality, $eq $ne $gt $gte $lt $lte $in $nin $exists,
// $and $or $nor, dotted paths (through embedded documents and arrays of
// them, and numeric array positions). Array semantics are MongoDB's: a
// predicate on an array field matches if the array or any element does.
// Range operators match only values of the operand's type bracket.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/gateway/bson_document.h"
#include "runtime/gateway/error.h"

namespace fluence::gateway {

// One BSON value, owned: a copy of an element, held as the only field of a
// private document so that it can be looked at with a bson_iter_t.
class Value {
 public:
  static Value of(const bson_iter_t* element);
  // Fills `out` with an iterator positioned on the value.
  void iter(bson_iter_t* out) const;
  bson_type_t type() const;
  const Document& holder() const { return holder_; }

 private:
  Document holder_;
};

// Paths are bounded as nesting is: a longer path reaches into no valid
// document, and building or walking it would only cost stack.
constexpr size_t kMaxPathParts = kMaxDocumentDepth;
// "a.b.0" -> {"a", "b", "0"}; BadValue past kMaxPathParts.
Outcome<std::vector<std::string>> parse_path(const std::string& dotted);

// A bson_iter_t that can be kept in a container. libbson's typedef makes
// bson_iter_t 128-byte aligned, and a template argument drops that: the
// elements of a std::vector<bson_iter_t> are 16-byte aligned while code that
// uses them as bson_iter_t assumes 128 (undefined behaviour; UBSan reports
// it). As a member the alignment holds, and the vector allocates for it.
struct HeldIter {
  bson_iter_t it;
};

// Every value that `path` reaches in `document` (several through arrays of
// documents; none if the path is missing). Iterators stay valid while the
// document lives.
void values_at(const bson_t* document, const std::vector<std::string>& path, std::vector<HeldIter>& out);

enum class PredicateOp { kEq, kNe, kGt, kGte, kLt, kLte, kIn, kNin, kExists };

struct Predicate {
  std::string path;  // dotted
  std::vector<std::string> parts;
  PredicateOp op = PredicateOp::kEq;
  std::vector<Value> operands;  // one; several for $in/$nin; $exists keeps its bool
};

struct FilterNode {
  enum class Kind { kAnd, kOr, kNor, kPredicate };
  Kind kind = Kind::kAnd;
  std::vector<FilterNode> children;  // kAnd (empty: matches everything), kOr, kNor
  Predicate predicate;               // kPredicate
};

class Filter {
 public:
  Filter() = default;  // matches every document
  static Outcome<Filter> parse(const bson_t* filter);
  bool matches(const bson_t* document) const;
  const FilterNode& root() const { return root_; }
  // The filter as the client sent it, for backends that log or forward it.
  const Document& source() const { return source_; }

 private:
  FilterNode root_;
  Document source_;
};

// {a: 1, "b.c": 1} keeps those paths (and _id unless {_id: 0});
// {a: 0} drops them. Operators ($slice, $elemMatch, "$a") are not supported.
class Projection {
 public:
  Projection() = default;  // everything
  static Outcome<Projection> parse(const bson_t* projection);
  Document apply(const bson_t* document) const;
  bool empty() const { return root_.children.empty(); }

 private:
  // The named paths as a tree: a leaf is a whole field kept (inclusion) or
  // dropped (exclusion); inner nodes descend into embedded documents.
  // Children are found by name through an index, so that a projection of
  // many fields costs a lookup per field or document key, not a scan of the
  // siblings (quadratic in the request). Not a vector of pair<name, Node>:
  // clang cannot instantiate a pair of the type it is defining.
  struct Node {
    bool leaf = false;
    std::vector<Node> children;
    std::unordered_map<std::string, size_t> by_name;  // into children
    const Node* find(const std::string& name) const {
      auto found = by_name.find(name);
      return found == by_name.end() ? nullptr : &children[found->second];
    }
    Node* find(const std::string& name) {
      auto found = by_name.find(name);
      return found == by_name.end() ? nullptr : &children[found->second];
    }
    Node& add(const std::string& name) {
      by_name.emplace(name, children.size());
      return children.emplace_back();
    }
  };
  static void apply_node(const bson_t* document, const Node& node, bool inclusion, bson_t* out);
  Node root_;
  bool inclusion_ = false;
  bool include_id_ = true;
};

// {a: 1} ascending, {a: -1, b: 1} by a descending then b. An array sorts by
// its least element ascending and its greatest descending; a missing field
// sorts as null.
class SortSpec {
 public:
  struct Key {
    std::vector<std::string> path;
    std::string dotted;
    bool ascending = true;
  };
  SortSpec() = default;  // no order: the store's own
  static Outcome<SortSpec> parse(const bson_t* sort);
  int compare(const bson_t* a, const bson_t* b) const;
  bool empty() const { return keys_.empty(); }
  const std::vector<Key>& keys() const { return keys_; }

 private:
  std::vector<Key> keys_;
};

}  // namespace fluence::gateway
