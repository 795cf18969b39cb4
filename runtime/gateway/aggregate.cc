// aggregate: the few stages applications and drivers use most, above all the
// pipeline of count_documents ($match, $skip, $limit, $group {_id: 1, n:
// {$sum: 1}}). The leading $match/$sort/$skip/$limit go to the store as one
// query; a pipeline that ends in a count after them asks the store to count
// (an index may answer that without decrypting); anything else runs here.
#include <algorithm>
#include <limits>
#include <map>

#include "runtime/gateway/command_context.h"
#include "runtime/gateway/compare.h"

namespace fluence::gateway::detail {

namespace {

struct Stage {
  std::string name;
  bson_iter_t argument;  // into the request's body
};

Outcome<std::vector<Stage>> parse_pipeline(const Request& request) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, request.body, "pipeline") || !BSON_ITER_HOLDS_ARRAY(&it)) {
    return type_mismatch("aggregate needs a 'pipeline' array");
  }
  std::vector<Stage> stages;
  bson_iter_t element;
  bson_iter_recurse(&it, &element);
  while (bson_iter_next(&element)) {
    bson_t stage;
    if (!BSON_ITER_HOLDS_DOCUMENT(&element) || !embedded(&element, &stage)) {
      return type_mismatch("each pipeline stage must be a document");
    }
    bson_iter_t field;
    if (bson_count_keys(&stage) != 1 || !bson_iter_init(&field, &stage) || !bson_iter_next(&field)) {
      return bad_value("a pipeline stage specification object must contain exactly one field");
    }
    stages.push_back(Stage{bson_iter_key(&field), field});
  }
  return stages;
}

Outcome<BsonView> stage_document(const Stage& stage) {
  bson_t view;
  if (!BSON_ITER_HOLDS_DOCUMENT(&stage.argument) || !embedded(&stage.argument, &view)) {
    return type_mismatch(stage.name + " takes a document");
  }
  return BsonView(&view);
}

Outcome<int64_t> stage_integer(const Stage& stage, int64_t minimum) {
  Outcome<int64_t> value = integer_value(&stage.argument, stage.name);
  if (!value) return value.error();
  if (*value < minimum) return bad_value(stage.name + " must be at least " + std::to_string(minimum));
  return value;
}

// An accumulated $sum: integers stay integers until a double joins.
struct Sum {
  int64_t integer = 0;
  double real = 0;
  bool is_double = false;
  void add(const bson_iter_t* value) {
    if (!BSON_ITER_HOLDS_NUMBER(value) || BSON_ITER_HOLDS_DECIMAL128(value)) return;  // non-numbers are skipped
    if (BSON_ITER_HOLDS_DOUBLE(value) || is_double) {
      if (!is_double) real = static_cast<double>(integer);
      is_double = true;
      real += bson_iter_as_double(value);
    } else if (int64_t sum = 0; __builtin_add_overflow(integer, bson_iter_as_int64(value), &sum)) {
      // From the operands: the wrapped sum is no use.
      is_double = true;
      real = static_cast<double>(integer) + bson_iter_as_double(value);
    } else {
      integer = sum;
    }
  }
  void append(bson_t* out, const char* field) const {
    if (is_double) {
      bson_append_double(out, field, -1, real);
    } else if (integer >= INT32_MIN && integer <= INT32_MAX) {
      bson_append_int32(out, field, -1, static_cast<int32_t>(integer));
    } else {
      bson_append_int64(out, field, -1, integer);
    }
  }
};

// A $group expression: a constant or "$path".
struct Expression {
  std::optional<std::vector<std::string>> path;
  std::optional<Value> constant;
  static Outcome<Expression> parse(const bson_iter_t* value) {
    Expression e;
    std::string_view text = utf8_of(value);
    if (!text.empty() && text[0] == '$') {
      if (text.size() == 1 || text[1] == '$') return bad_value("expression '" + std::string(text) + "' is not supported");
      Outcome<std::vector<std::string>> parts = parse_path(std::string(text.substr(1)));
      if (!parts) return parts.error();
      e.path = std::move(*parts);
    } else if (BSON_ITER_HOLDS_DOCUMENT(value) || BSON_ITER_HOLDS_ARRAY(value)) {
      return bad_value("only constants and \"$field\" paths are supported as $group expressions");
    } else {
      e.constant = Value::of(value);
    }
    return e;
  }
  // The value for `document`; null when the path is missing.
  Value evaluate(const bson_t* document) const {
    if (constant) return *constant;
    std::vector<HeldIter> found;
    values_at(document, *path, found);
    if (!found.empty()) return Value::of(&found[0].it);
    bson_t null_holder = BSON_INITIALIZER;
    bson_append_null(&null_holder, "", 0);
    Document holder = Document::adopt(&null_holder);
    bson_iter_t it;
    bson_iter_init(&it, holder.get());
    bson_iter_next(&it);
    return Value::of(&it);
  }
  bool is_number_constant() const {
    if (!constant) return false;
    bson_iter_t it;
    constant->iter(&it);
    return BSON_ITER_HOLDS_NUMBER(&it) && !BSON_ITER_HOLDS_DECIMAL128(&it);
  }
};

struct Group {
  Expression id;
  std::vector<std::pair<std::string, Expression>> sums;
};

Outcome<Group> parse_group(const Stage& stage) {
  Outcome<BsonView> spec = stage_document(stage);
  if (!spec) return spec.error();
  Group group;
  bool have_id = false;
  bson_iter_t field;
  bson_iter_init(&field, spec->get());
  while (bson_iter_next(&field)) {
    std::string name = bson_iter_key(&field);
    if (name == "_id") {
      Outcome<Expression> id = Expression::parse(&field);
      if (!id) return id.error();
      group.id = std::move(*id);
      have_id = true;
      continue;
    }
    bson_t accumulator;
    bson_iter_t op;
    if (!BSON_ITER_HOLDS_DOCUMENT(&field) || !embedded(&field, &accumulator) || bson_count_keys(&accumulator) != 1 ||
        !bson_iter_init(&op, &accumulator) || !bson_iter_next(&op)) {
      return bad_value("$group field '" + name + "' must be {<accumulator>: <expression>}");
    }
    if (std::string_view(bson_iter_key(&op)) != "$sum") {
      return bad_value("$group accumulator " + std::string(bson_iter_key(&op)) + " is not supported (only $sum)");
    }
    Outcome<Expression> summed = Expression::parse(&op);
    if (!summed) return summed.error();
    group.sums.emplace_back(name, std::move(*summed));
  }
  if (!have_id) return bad_value("a $group specification must include an _id");
  return group;
}

std::vector<Document> run_group(const Group& group, const std::vector<Document>& input) {
  struct Bucket {
    Value key;
    std::vector<Sum> sums;
  };
  // Keys equal as MongoDB compares them (1, 1.0 and NumberLong(1)) share a
  // bucket, found by that order: a scan of the buckets made many groups quadratic.
  struct KeyOrder {
    bool operator()(const Value& a, const Value& b) const {
      bson_iter_t x, y;
      a.iter(&x);
      b.iter(&y);
      return compare_values(&x, &y) < 0;
    }
  };
  std::vector<Bucket> buckets;  // in order of first appearance
  std::map<Value, size_t, KeyOrder> bucket_of;
  for (const Document& document : input) {
    Value key = group.id.evaluate(document.get());
    auto [found, added] = bucket_of.try_emplace(key, buckets.size());
    if (added) buckets.push_back(Bucket{key, std::vector<Sum>(group.sums.size())});
    Bucket* bucket = &buckets[found->second];
    for (size_t i = 0; i < group.sums.size(); ++i) {
      Value v = group.sums[i].second.evaluate(document.get());
      bson_iter_t it;
      v.iter(&it);
      bucket->sums[i].add(&it);
    }
  }
  std::vector<Document> output;
  for (const Bucket& bucket : buckets) {
    bson_t out = BSON_INITIALIZER;
    bson_iter_t key;
    bucket.key.iter(&key);
    bson_append_iter(&out, "_id", 3, &key);
    for (size_t i = 0; i < group.sums.size(); ++i) bucket.sums[i].append(&out, group.sums[i].first.c_str());
    output.push_back(Document::adopt(&out));
  }
  return output;
}

Outcome<std::string> count_field(const Stage& stage) {
  std::string_view name = utf8_of(&stage.argument);
  if (name.empty() || name[0] == '$' || name.find('.') != std::string_view::npos) {
    return bad_value("$count takes a non-empty field name without '$' or '.'");
  }
  return std::string(name);
}

Document count_document(const std::string& field, uint64_t n) {
  bson_t out = BSON_INITIALIZER;
  if (n <= static_cast<uint64_t>(INT32_MAX)) {
    bson_append_int32(&out, field.c_str(), -1, static_cast<int32_t>(n));
  } else {
    bson_append_int64(&out, field.c_str(), -1, static_cast<int64_t>(n));
  }
  return Document::adopt(&out);
}

// The output of a pipeline that ends by counting, from the count alone:
// {$count: f} or a $group with a constant _id and constant $sums.
Outcome<std::optional<std::vector<Document>>> counted_output(const Stage& stage, uint64_t n) {
  if (stage.name == "$count") {
    Outcome<std::string> field = count_field(stage);
    if (!field) return field.error();
    std::vector<Document> out;
    if (n > 0) out.push_back(count_document(*field, n));
    return std::optional<std::vector<Document>>(std::move(out));
  }
  if (stage.name != "$group") return std::optional<std::vector<Document>>();
  Outcome<Group> group = parse_group(stage);
  if (!group) return group.error();
  if (!group->id.constant) return std::optional<std::vector<Document>>();
  for (const auto& [name, sum] : group->sums) {
    if (!sum.is_number_constant()) return std::optional<std::vector<Document>>();
  }
  std::vector<Document> out;
  if (n > 0) {
    // {_id: c, f: k * n} for each {f: {$sum: k}}.
    bson_t out_doc = BSON_INITIALIZER;
    bson_iter_t key;
    group->id.constant->iter(&key);
    bson_append_iter(&out_doc, "_id", 3, &key);
    for (const auto& [name, sum] : group->sums) {
      bson_iter_t k;
      sum.constant->iter(&k);
      Sum total;
      if (BSON_ITER_HOLDS_DOUBLE(&k)) {
        total.is_double = true;
        total.real = bson_iter_double(&k) * static_cast<double>(n);
      } else if (__builtin_mul_overflow(bson_iter_as_int64(&k), static_cast<int64_t>(n), &total.integer)) {
        total.is_double = true;
        total.real = static_cast<double>(bson_iter_as_int64(&k)) * static_cast<double>(n);
      }
      total.append(&out_doc, name.c_str());
    }
    out.push_back(Document::adopt(&out_doc));
  }
  return std::optional<std::vector<Document>>(std::move(out));
}

std::optional<MongoError> run_stage(const Stage& stage, std::vector<Document>& documents) {
  if (stage.name == "$match") {
    Outcome<BsonView> spec = stage_document(stage);
    if (!spec) return spec.error();
    Outcome<Filter> filter = Filter::parse(spec->get());
    if (!filter) return filter.error();
    std::erase_if(documents, [&](const Document& d) { return !filter->matches(d.get()); });
  } else if (stage.name == "$sort") {
    Outcome<BsonView> spec = stage_document(stage);
    if (!spec) return spec.error();
    Outcome<SortSpec> sort = SortSpec::parse(spec->get());
    if (!sort) return sort.error();
    if (sort->empty()) return bad_value("$sort needs at least one key");
    std::stable_sort(documents.begin(), documents.end(),
                     [&](const Document& a, const Document& b) { return sort->compare(a.get(), b.get()) < 0; });
  } else if (stage.name == "$skip") {
    Outcome<int64_t> skip = stage_integer(stage, 0);
    if (!skip) return skip.error();
    documents.erase(documents.begin(), documents.begin() + static_cast<ptrdiff_t>(std::min<uint64_t>(*skip, documents.size())));
  } else if (stage.name == "$limit") {
    Outcome<int64_t> limit = stage_integer(stage, 1);
    if (!limit) return limit.error();
    if (static_cast<uint64_t>(*limit) < documents.size()) documents.resize(static_cast<size_t>(*limit));
  } else if (stage.name == "$project") {
    Outcome<BsonView> spec = stage_document(stage);
    if (!spec) return spec.error();
    Outcome<Projection> projection = Projection::parse(spec->get());
    if (!projection) return projection.error();
    for (Document& d : documents) d = projection->apply(d.get());
  } else if (stage.name == "$count") {
    Outcome<std::string> field = count_field(stage);
    if (!field) return field.error();
    uint64_t n = documents.size();
    documents.clear();
    if (n > 0) documents.push_back(count_document(*field, n));
  } else if (stage.name == "$group") {
    Outcome<Group> group = parse_group(stage);
    if (!group) return group.error();
    documents = run_group(*group, documents);
  } else {
    return MongoError{MongoCode::kUnrecognizedPipelineStage,
                      "Unrecognized pipeline stage name: '" + stage.name + "' (the fluence gateway supports "
                      "$match $sort $skip $limit $project $count $group)"};
  }
  return std::nullopt;
}

}  // namespace

std::optional<MongoError> cmd_aggregate(Context& context, const Request& request, bson_t* out) {
  bson_iter_t target;
  bson_iter_init_find(&target, request.body, "aggregate");
  if (!BSON_ITER_HOLDS_UTF8(&target)) {
    return MongoError{MongoCode::kInvalidNamespace, "aggregate on a whole database is not supported"};
  }
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  if (std::optional<MongoError> refused = refuse_fields(request, {"collation", "explain"})) return refused;
  Outcome<std::optional<BsonView>> cursor = document_field(request, "cursor");
  if (!cursor) return cursor.error();
  if (!*cursor) return MongoError{MongoCode::kFailedToParse, "the 'cursor' option is required"};
  std::optional<int64_t> batch_size;
  bson_iter_t size;
  if (bson_iter_init_find(&size, (*cursor)->get(), "batchSize")) {
    Outcome<int64_t> value = integer_value(&size, "cursor.batchSize");
    if (!value) return value.error();
    if (*value < 0) return bad_value("cursor.batchSize must be non-negative");
    batch_size = *value;
  }
  Outcome<std::vector<Stage>> stages = parse_pipeline(request);
  if (!stages) return stages.error();

  FindQuery query;
  size_t next = 0;
  if (next < stages->size() && (*stages)[next].name == "$match") {
    Outcome<BsonView> spec = stage_document((*stages)[next]);
    if (!spec) return spec.error();
    Outcome<Filter> filter = Filter::parse(spec->get());
    if (!filter) return filter.error();
    query.filter = std::move(*filter);
    ++next;
  }
  // Fold what the store can do in one query: sort, then skip, then limit.
  for (; next < stages->size(); ++next) {
    const Stage& stage = (*stages)[next];
    if (stage.name == "$sort" && query.sort.empty() && query.skip == 0 && !query.limit) {
      Outcome<BsonView> spec = stage_document(stage);
      if (!spec) return spec.error();
      Outcome<SortSpec> sort = SortSpec::parse(spec->get());
      if (!sort) return sort.error();
      if (sort->empty()) return bad_value("$sort needs at least one key");
      query.sort = std::move(*sort);
    } else if (stage.name == "$skip" && !query.limit) {
      Outcome<int64_t> skip = stage_integer(stage, 0);
      if (!skip) return skip.error();
      query.skip += static_cast<uint64_t>(*skip);
    } else if (stage.name == "$limit") {
      Outcome<int64_t> limit = stage_integer(stage, 1);
      if (!limit) return limit.error();
      query.limit = std::min(query.limit.value_or(UINT64_MAX), static_cast<uint64_t>(*limit));
    } else {
      break;
    }
  }

  std::vector<Document> results;
  bool counted = false;
  if (next + 1 == stages->size() && ((*stages)[next].name == "$count" || (*stages)[next].name == "$group")) {
    Result<uint64_t> total = context.store.count(*ns, query.filter);
    if (!total) return error_from_status(total.status());
    uint64_t n = *total - std::min(*total, query.skip);
    if (query.limit) n = std::min(n, *query.limit);
    Outcome<std::optional<std::vector<Document>>> output = counted_output((*stages)[next], n);
    if (!output) return output.error();
    if (*output) {
      results = std::move(**output);
      counted = true;
      next = stages->size();
    }
  }
  if (!counted) {
    Result<std::vector<Document>> found = context.store.find(*ns, query);
    if (!found) return error_from_status(found.status());
    results = std::move(*found);
  }
  for (; next < stages->size(); ++next) {
    if (std::optional<MongoError> error = run_stage((*stages)[next], results)) return error;
  }
  reply_with_cursor(context, ns->full(), std::move(results), batch_size, false, out);
  return std::nullopt;
}

}  // namespace fluence::gateway::detail
