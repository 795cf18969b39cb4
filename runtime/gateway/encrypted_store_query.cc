// EncryptedStore's reads: planning a filter and a sort against the indexes,
// fetching the candidates from every shard, and applying the whole filter
// to them.
#include <algorithm>
#include <set>

#include "runtime/gateway/encrypted_store.h"
#include "runtime/gateway/key_encoding.h"

namespace fluence::gateway {
namespace {

using Range = std::pair<Bytes, Bytes>;

Bytes with_ff(ByteView key) {
  Bytes out(key.begin(), key.end());
  out.push_back(0xFF);
  return out;
}

// The predicates every matching document satisfies: the filter's top-level
// conjunction, through nested $and.
void conjuncts(const FilterNode& node, std::vector<const Predicate*>& out) {
  if (node.kind == FilterNode::Kind::kPredicate) {
    out.push_back(&node.predicate);
  } else if (node.kind == FilterNode::Kind::kAnd) {
    for (const FilterNode& child : node.children) conjuncts(child, out);
  }
}

bool index_answers(PredicateOp op) {
  switch (op) {
    case PredicateOp::kEq:
    case PredicateOp::kGt:
    case PredicateOp::kGte:
    case PredicateOp::kLt:
    case PredicateOp::kLte:
    case PredicateOp::kIn: return true;
    default: return false;
  }
}

// Operands whose matches all have a key in the ranges below. Not: arrays
// (which match an equal array as a whole, not its elements), regexes (a
// pattern match), null and undefined (which match paths that reach nothing
// through arrays of documents), MinKey and MaxKey (which compare across
// brackets).
bool plannable(const Value& operand) {
  switch (operand.type()) {
    case BSON_TYPE_ARRAY:
    case BSON_TYPE_REGEX:
    case BSON_TYPE_NULL:
    case BSON_TYPE_UNDEFINED:
    case BSON_TYPE_MINKEY:
    case BSON_TYPE_MAXKEY:
    case BSON_TYPE_DECIMAL128:
    case BSON_TYPE_DBPOINTER:
    case BSON_TYPE_CODEWSCOPE: return false;
    default: return true;
  }
}

// The ranges of index keys (value || _id, or the _id alone) a document that
// satisfies `predicate` has a key in; nullopt if the predicate cannot be
// answered from an index. Range operators match within the operand's type
// bracket only, so the bracket bounds the other side. encode(v) || 0xFF is
// above every key starting with encode(v) and below every greater value's
// (key_encoding.h).
std::optional<std::vector<Range>> predicate_ranges(const Predicate& predicate) {
  if (!index_answers(predicate.op) || predicate.operands.empty()) return std::nullopt;
  std::vector<Range> ranges;
  for (const Value& operand : predicate.operands) {
    if (!plannable(operand)) return std::nullopt;
    bson_iter_t it;
    operand.iter(&it);
    Result<Bytes> key = key_encoding(&it);
    if (!key) return std::nullopt;
    bson_type_t type = operand.type();
    switch (predicate.op) {
      case PredicateOp::kEq:
      case PredicateOp::kIn: ranges.emplace_back(*key, with_ff(*key)); break;
      case PredicateOp::kGt: ranges.emplace_back(with_ff(*key), bracket_end(type)); break;
      case PredicateOp::kGte: ranges.emplace_back(*key, bracket_end(type)); break;
      case PredicateOp::kLt: ranges.emplace_back(bracket_start(type), *key); break;
      case PredicateOp::kLte: ranges.emplace_back(bracket_start(type), with_ff(*key)); break;
      default: return std::nullopt;
    }
  }
  // Ascending and disjoint, so that the walk is in key order: equal $in
  // operands give equal ranges, and distinct ones disjoint ranges.
  std::sort(ranges.begin(), ranges.end());
  ranges.erase(std::unique(ranges.begin(), ranges.end()), ranges.end());
  return ranges;
}

bool is_point(const Predicate& predicate) {
  return predicate.op == PredicateOp::kEq || predicate.op == PredicateOp::kIn;
}

// The tree a field's queries use: nullopt for none, -1 for the primary index.
std::optional<ptrdiff_t> tree_for(const CatalogCollection& collection, const std::string& dotted) {
  if (dotted == "_id") return -1;
  for (size_t i = 0; i < collection.indexes.size(); ++i) {
    const CatalogIndex& index = collection.indexes[i];
    if (index.spec.kind == IndexKind::kBtree && index.spec.key.first_key() == dotted) return static_cast<ptrdiff_t>(i);
  }
  return std::nullopt;
}

std::optional<size_t> ore_index_for(const CatalogCollection& collection, const std::string& dotted) {
  for (size_t i = 0; i < collection.indexes.size(); ++i) {
    const CatalogIndex& index = collection.indexes[i];
    if (index.spec.kind == IndexKind::kOre && index.spec.key.first_key() == dotted) return i;
  }
  return std::nullopt;
}

// The first conjunct an ore index answers, as intervals of points; with
// several on that field and no arrays in it, their intersection.
bool plan_ore(const CatalogCollection& collection, const std::vector<const Predicate*>& conjunction,
              std::optional<size_t>& index, std::vector<OreInterval>& intervals) {
  for (const Predicate* predicate : conjunction) {
    std::optional<size_t> found = ore_index_for(collection, predicate->path);
    std::optional<std::vector<OreInterval>> answered = found ? ore_intervals(*predicate) : std::nullopt;
    if (!answered) continue;
    index = found;
    intervals = std::move(*answered);
    if (collection.indexes[*found].multikey || intervals.size() != 1) return true;
    for (const Predicate* other : conjunction) {
      if (other == predicate || other->path != predicate->path) continue;
      std::optional<std::vector<OreInterval>> more = ore_intervals(*other);
      if (!more || more->size() != 1) continue;
      std::optional<OreInterval> both = intersect(intervals.front(), more->front());
      if (!both) {
        intervals.clear();  // nothing satisfies both
        return true;
      }
      intervals.front() = *both;
    }
    return true;
  }
  return false;
}

}  // namespace

Result<EncryptedStore::Plan> EncryptedStore::plan(const CatalogCollection& collection, const Filter& filter,
                                                  const SortSpec& sort, bool has_limit) const {
  // Per tree, the conjuncts it can answer.
  std::map<ptrdiff_t, std::vector<const Predicate*>> by_tree;
  std::vector<const Predicate*> conjunction;
  conjuncts(filter.root(), conjunction);
  for (const Predicate* predicate : conjunction) {
    std::optional<ptrdiff_t> tree = tree_for(collection, predicate->path);
    if (tree && predicate_ranges(*predicate)) by_tree[*tree].push_back(predicate);
  }
  // Points before ranges, the primary index on a tie.
  std::optional<ptrdiff_t> chosen;
  bool chosen_point = false;
  for (const auto& [tree, predicates] : by_tree) {
    bool point = std::any_of(predicates.begin(), predicates.end(), [](const Predicate* p) { return is_point(*p); });
    if (!chosen || (point && !chosen_point)) {
      chosen = tree;
      chosen_point = point;
    }
  }
  Plan plan;
  // No tree answers the filter, an ore index does: the nodes find the
  // candidates in one round trip per shard and page, and the sort is done
  // in memory (ORE rows have no order the client can walk).
  if (!chosen && plan_ore(collection, conjunction, plan.ore_index, plan.ore_intervals)) {
    plan.gives_sort_order = sort.empty();
    return plan;
  }
  std::optional<ptrdiff_t> sort_tree;
  if (sort.keys().size() == 1) sort_tree = tree_for(collection, sort.keys()[0].dotted);
  // Walking the sort's index pays when a limit can stop it early, or when the
  // filter gives no ranges anyway; otherwise the filter's ranges, then a sort.
  std::optional<ptrdiff_t> walk = chosen;
  if (sort_tree && (has_limit || !chosen || *chosen == *sort_tree)) {
    walk = sort_tree;
    plan.gives_sort_order = true;
    plan.descending = !sort.keys()[0].ascending;
  }
  if (!walk) {
    plan.gives_sort_order = sort.empty();
    plan.ranges.emplace_back();  // the whole primary index
    return plan;
  }
  if (*walk >= 0) plan.index = static_cast<size_t>(*walk);
  // A multikey index walked for a sort must be walked whole: a document is
  // placed by its least (greatest) key, which a range on the field could cut off.
  bool multikey = plan.index && collection.indexes[*plan.index].multikey;
  if (!by_tree.contains(*walk) || (multikey && plan.gives_sort_order)) {
    plan.ranges.emplace_back();
    plan.gives_sort_order = plan.gives_sort_order || sort.empty();
    return plan;
  }
  const std::vector<const Predicate*>& predicates = by_tree.at(*walk);
  auto point = std::find_if(predicates.begin(), predicates.end(), [](const Predicate* p) { return is_point(*p); });
  if (point != predicates.end() || multikey) {
    // One predicate's ranges: a document with several keys may satisfy each
    // predicate with a different key, so bounds cannot be intersected.
    plan.ranges = *predicate_ranges(point != predicates.end() ? **point : *predicates.front());
  } else {
    // One key per document: it satisfies every predicate, so it lies in the
    // intersection of their ranges (each predicate gives one range here).
    Range bounds = predicate_ranges(*predicates.front())->front();
    for (const Predicate* predicate : predicates) {
      Range range = predicate_ranges(*predicate)->front();
      bounds.first = std::max(bounds.first, range.first);
      bounds.second = std::min(bounds.second, range.second);
    }
    if (bounds.first < bounds.second) plan.ranges.push_back(std::move(bounds));
  }
  plan.gives_sort_order = plan.gives_sort_order || sort.empty();
  return plan;
}

Result<std::vector<EncryptedStore::Candidate>> EncryptedStore::candidates(Live& live, const Plan& plan) {
  // Per shard, the walk in key order (or its reverse); then merged by key.
  // Every key ends with its document's _id and a document is in one shard,
  // so no key is in two shards and the merge is the order one tree holding
  // every document would give.
  std::vector<std::vector<Candidate>> walks;
  for (size_t s = 0; s < live.shards.size(); ++s) {
    LiveShard& shard = live.shards[s];
    client::BTree& tree = plan.index ? *shard.indexes[*plan.index] : shard.primary;
    std::vector<Candidate> walk;
    for (const Range& range : plan.ranges) {
      Result<std::vector<client::BTreeEntry>> entries = scan(tree, range.first, range.second);
      if (!entries) return entries.status();
      for (client::BTreeEntry& entry : *entries) walk.push_back({std::move(entry.key), std::move(entry.value), s});
    }
    if (plan.descending) std::reverse(walk.begin(), walk.end());
    // A document with several keys in an index comes once, at its first key:
    // its least value ascending, its greatest descending, as SortSpec orders.
    std::set<Bytes> seen;
    std::erase_if(walk, [&](const Candidate& c) { return !seen.insert(c.located).second; });
    walks.push_back(std::move(walk));
  }
  auto before = [&](const Candidate& a, const Candidate& b) { return plan.descending ? b.key < a.key : a.key < b.key; };
  std::vector<Candidate> merged;
  for (std::vector<Candidate>& walk : walks) {
    size_t middle = merged.size();
    merged.insert(merged.end(), std::make_move_iterator(walk.begin()), std::make_move_iterator(walk.end()));
    std::inplace_merge(merged.begin(), merged.begin() + static_cast<ptrdiff_t>(middle), merged.end(), before);
  }
  return merged;
}

Result<std::vector<Document>> EncryptedStore::run_query(const Namespace& ns, const Filter& filter,
                                                        const SortSpec& sort, uint64_t skip,
                                                        std::optional<uint64_t> limit) {
  FL_RETURN_IF_ERROR(refresh_view());
  std::vector<Document> out;
  auto found = catalog_.collections.find(ns);
  if (found == catalog_.collections.end()) return out;
  Result<Plan> chosen = plan(found->second, filter, sort, limit.has_value());
  if (!chosen) return chosen.status();
  Live& live = *live_.at(ns);
  Result<std::vector<Candidate>> located =
      chosen->ore_index ? ore_candidates(live, found->second, *chosen) : candidates(live, *chosen);
  if (!located) return located.status();
  // Skip and limit count over the merged stream, never per shard.
  uint64_t skipped = 0;
  for (const Candidate& candidate : *located) {
    if (chosen->gives_sort_order && limit && out.size() >= *limit) break;
    Result<Document> document = load_document(live.shards.at(candidate.shard), candidate.located);
    if (!document) return document.status();
    if (!filter.matches(document->get())) continue;
    if (chosen->gives_sort_order && skipped < skip) {
      ++skipped;
      continue;
    }
    if (!chosen->gives_sort_order && out.size() >= options_.max_sort_documents) {
      return Status::error(ErrorCode::kLimitExceeded,
                           "Sort exceeded memory limit of " + std::to_string(options_.max_sort_documents) +
                               " documents; sort on an indexed field, or narrow the filter");
    }
    out.push_back(std::move(*document));
  }
  if (chosen->gives_sort_order) return out;
  std::stable_sort(out.begin(), out.end(),
                   [&](const Document& a, const Document& b) { return sort.compare(a.get(), b.get()) < 0; });
  size_t drop = static_cast<size_t>(std::min<uint64_t>(skip, out.size()));
  out.erase(out.begin(), out.begin() + static_cast<ptrdiff_t>(drop));
  if (limit && *limit < out.size()) out.resize(static_cast<size_t>(*limit));
  return out;
}

Result<std::vector<Document>> EncryptedStore::find(const Namespace& ns, const FindQuery& query) {
  return run_query(ns, query.filter, query.sort, query.skip, query.limit);
}

Result<uint64_t> EncryptedStore::count(const Namespace& ns, const Filter& filter) {
  Result<std::vector<Document>> matches = run_query(ns, filter, SortSpec(), 0, std::nullopt);
  if (!matches) return matches.status();
  return static_cast<uint64_t>(matches->size());
}

}  // namespace fluence::gateway
