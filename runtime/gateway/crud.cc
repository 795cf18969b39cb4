// insert, update, delete, find, getMore, killCursors, count.
#include <algorithm>
#include <limits>

#include "runtime/gateway/command_context.h"
#include "runtime/gateway/update.h"

namespace fluence::gateway::detail {

namespace {

struct WriteError {
  uint32_t index;
  MongoError error;
};

void append_write_errors(bson_t* out, const std::vector<WriteError>& errors) {
  if (errors.empty()) return;
  bson_t array;
  bson_append_array_begin(out, "writeErrors", -1, &array);
  char buffer[16];
  for (uint32_t i = 0; i < errors.size(); ++i) {
    const char* key = nullptr;
    size_t key_length = bson_uint32_to_string(i, &key, buffer, sizeof buffer);
    bson_t entry;
    bson_append_document_begin(&array, key, static_cast<int>(key_length), &entry);
    bson_append_int32(&entry, "index", 5, static_cast<int32_t>(errors[i].index));
    bson_append_int32(&entry, "code", 4, static_cast<int32_t>(errors[i].error.code));
    bson_append_utf8(&entry, "codeName", 8, code_name(errors[i].error.code), -1);
    bson_append_utf8(&entry, "errmsg", 6, errors[i].error.message.data(), static_cast<int>(errors[i].error.message.size()));
    bson_append_document_end(&array, &entry);
  }
  bson_append_array_end(out, &array);
}

void append_count(bson_t* out, const char* field, uint64_t n) {
  if (n <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    bson_append_int32(out, field, -1, static_cast<int32_t>(n));
  } else {
    bson_append_int64(out, field, -1, static_cast<int64_t>(n));
  }
}

// The document as stored: _id first (an ObjectId if the client gave none),
// as MongoDB stores it.
Outcome<Document> with_id(const bson_t* document) {
  bson_t out = BSON_INITIALIZER;
  bson_iter_t id;
  if (bson_iter_init_find(&id, document, "_id")) {
    if (BSON_ITER_HOLDS_ARRAY(&id) || BSON_ITER_HOLDS_REGEX(&id) || BSON_ITER_HOLDS_UNDEFINED(&id)) {
      bson_destroy(&out);
      return bad_value("_id cannot be an array, a regular expression or undefined");
    }
    bson_append_iter(&out, "_id", 3, &id);
  } else {
    bson_oid_t oid;
    bson_oid_init(&oid, nullptr);
    bson_append_oid(&out, "_id", 3, &oid);
  }
  bson_iter_t it;
  bson_iter_init(&it, document);
  while (bson_iter_next(&it)) {
    if (std::string_view(bson_iter_key(&it)) != "_id") bson_append_iter(&out, nullptr, -1, &it);
  }
  // The wire admits documents up to the limit; an _id added here can take
  // one past it, and MongoDB stores none larger.
  if (out.len > kMaxDocumentBytes) {
    std::string size = std::to_string(out.len);
    bson_destroy(&out);
    return bad_value("object to insert too large. size in bytes: " + size +
                     ", max size: " + std::to_string(kMaxDocumentBytes));
  }
  return Document::adopt(&out);
}

MongoError duplicate_key(const Namespace& ns, const bson_t* document) {
  bson_iter_t id;
  std::string shown = "?";
  if (bson_iter_init_find(&id, document, "_id")) {
    bson_t wrapper = BSON_INITIALIZER;
    bson_append_iter(&wrapper, "_id", 3, &id);
    shown = Document::adopt(&wrapper).to_json();
  }
  return {MongoCode::kDuplicateKey, "E11000 duplicate key error collection: " + ns.full() + " index: _id_ dup key: " + shown};
}

Outcome<bool> ordered_of(const Request& request) {
  Outcome<std::optional<bool>> ordered = bool_field(request, "ordered");
  if (!ordered) return ordered.error();
  return ordered->value_or(true);
}

// A statement's document field: {q: {...}}.
Outcome<BsonView> statement_document(const bson_t* statement, const char* field, const char* where) {
  bson_iter_t it;
  bson_t view;
  if (!bson_iter_init_find(&it, statement, field)) {
    return MongoError{MongoCode::kFailedToParse, std::string(where) + " statement needs '" + field + "'"};
  }
  if (BSON_ITER_HOLDS_ARRAY(&it) && std::string_view(field) == "u") {
    return bad_value("pipeline-style updates are not supported by the fluence gateway");
  }
  if (!BSON_ITER_HOLDS_DOCUMENT(&it) || !embedded(&it, &view)) {
    return type_mismatch(std::string(where) + "." + field + " must be a document");
  }
  return BsonView(&view);
}

bool statement_flag(const bson_t* statement, const char* field) {
  bson_iter_t it;
  return bson_iter_init_find(&it, statement, field) && bson_iter_as_bool(&it);
}

std::optional<MongoError> refuse_statement_fields(const bson_t* statement, const char* where) {
  for (const char* field : {"arrayFilters", "collation"}) {
    if (bson_has_field(statement, field)) {
      return bad_value(std::string(where) + "." + field + " is not supported by the fluence gateway");
    }
  }
  return std::nullopt;
}

struct UpdateCounts {
  uint64_t matched = 0;
  uint64_t modified = 0;
  std::optional<Value> upserted_id;
};

Outcome<UpdateCounts> run_update(Context& context, const Namespace& ns, const bson_t* statement) {
  if (std::optional<MongoError> refused = refuse_statement_fields(statement, "update")) return *refused;
  Outcome<BsonView> q = statement_document(statement, "q", "update");
  if (!q) return q.error();
  Outcome<BsonView> u = statement_document(statement, "u", "update");
  if (!u) return u.error();
  bool multi = statement_flag(statement, "multi"), upsert = statement_flag(statement, "upsert");
  Outcome<Filter> filter = Filter::parse(q->get());
  if (!filter) return filter.error();
  Outcome<Update> update = Update::parse(u->get());
  if (!update) return update.error();
  if (multi && update->is_replacement()) {
    return MongoError{MongoCode::kFailedToParse, "multi update is not supported for replacement-style update"};
  }
  FindQuery query{*filter, {}, 0, multi ? std::nullopt : std::optional<uint64_t>(1)};
  Result<std::vector<Document>> matches = context.store.find(ns, query);
  if (!matches) return error_from_status(matches.status());
  UpdateCounts counts;
  for (const Document& before : *matches) {
    Outcome<Document> after = update->apply(before.get());
    if (!after) return after.error();
    if (after->get()->len > kMaxDocumentBytes) {
      return MongoError{MongoCode::kUpdatedDocumentTooLarge,
                        "Resulting document after update is larger than " + std::to_string(kMaxDocumentBytes)};
    }
    ++counts.matched;
    if (bson_equal(before.get(), after->get())) continue;
    std::optional<Value> id = id_of(before.get());
    if (!id) return MongoError{MongoCode::kInternalError, "the store returned a document without _id"};
    Result<bool> replaced = context.store.replace(ns, *id, *after);
    if (!replaced) return error_from_status(replaced.status());
    if (*replaced) ++counts.modified;
  }
  if (counts.matched == 0 && upsert) {
    Outcome<Document> seed = update->upsert_document(*filter);
    if (!seed) return seed.error();
    Outcome<Document> inserted = with_id(seed->get());
    if (!inserted) return inserted.error();
    Result<DocumentStore::InsertOutcome> outcome = context.store.insert(ns, *inserted);
    if (!outcome) return error_from_status(outcome.status());
    if (*outcome == DocumentStore::InsertOutcome::kDuplicateId) return duplicate_key(ns, inserted->get());
    counts.upserted_id = id_of(inserted->get());
  }
  return counts;
}

Outcome<uint64_t> run_delete(Context& context, const Namespace& ns, const bson_t* statement) {
  if (std::optional<MongoError> refused = refuse_statement_fields(statement, "delete")) return *refused;
  Outcome<BsonView> q = statement_document(statement, "q", "delete");
  if (!q) return q.error();
  bson_iter_t it;
  if (!bson_iter_init_find(&it, statement, "limit") || !BSON_ITER_HOLDS_NUMBER(&it)) {
    return type_mismatch("delete statement needs a numeric 'limit' (0: all, 1: one)");
  }
  // Whole numbers only: truncating would make {limit: 0.5} delete everything.
  Outcome<int64_t> limit = integer_value(&it, "delete limit");
  if (!limit) return limit.error();
  if (*limit != 0 && *limit != 1) return bad_value("delete limit must be 0 or 1, not " + std::to_string(*limit));
  Outcome<Filter> filter = Filter::parse(q->get());
  if (!filter) return filter.error();
  FindQuery query{*filter, {}, 0, *limit == 1 ? std::optional<uint64_t>(1) : std::nullopt};
  Result<std::vector<Document>> matches = context.store.find(ns, query);
  if (!matches) return error_from_status(matches.status());
  uint64_t removed = 0;
  for (const Document& document : *matches) {
    std::optional<Value> id = id_of(document.get());
    if (!id) return MongoError{MongoCode::kInternalError, "the store returned a document without _id"};
    Result<bool> gone = context.store.remove(ns, *id);
    if (!gone) return error_from_status(gone.status());
    if (*gone) ++removed;
  }
  return removed;
}

Outcome<std::vector<BsonView>> write_statements(Context& context, const Request& request, const char* name) {
  Outcome<std::vector<BsonView>> statements = document_list(request, name);
  if (!statements) return statements.error();
  if (statements->size() > context.options.max_write_batch) {
    return bad_value("a write batch holds at most " + std::to_string(context.options.max_write_batch) + " statements");
  }
  return statements;
}

}  // namespace

std::optional<MongoError> cmd_insert(Context& context, const Request& request, bson_t* out) {
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  Outcome<std::vector<BsonView>> documents = write_statements(context, request, "documents");
  if (!documents) return documents.error();
  Outcome<bool> ordered = ordered_of(request);
  if (!ordered) return ordered.error();
  uint64_t inserted = 0;
  std::vector<WriteError> errors;
  for (uint32_t i = 0; i < documents->size(); ++i) {
    Outcome<Document> document = with_id((*documents)[i].get());
    if (!document) {
      errors.push_back({i, document.error()});
    } else {
      Result<DocumentStore::InsertOutcome> outcome = context.store.insert(*ns, *document);
      if (!outcome) {
        errors.push_back({i, error_from_status(outcome.status())});
        break;  // the store is failing: the rest would fail the same way
      }
      if (*outcome == DocumentStore::InsertOutcome::kDuplicateId) {
        errors.push_back({i, duplicate_key(*ns, document->get())});
      } else {
        ++inserted;
      }
    }
    if (!errors.empty() && *ordered) break;
  }
  append_count(out, "n", inserted);
  append_write_errors(out, errors);
  return std::nullopt;
}

std::optional<MongoError> cmd_update(Context& context, const Request& request, bson_t* out) {
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  Outcome<std::vector<BsonView>> statements = write_statements(context, request, "updates");
  if (!statements) return statements.error();
  Outcome<bool> ordered = ordered_of(request);
  if (!ordered) return ordered.error();
  uint64_t n = 0, modified = 0;
  std::vector<std::pair<uint32_t, Value>> upserted;
  std::vector<WriteError> errors;
  for (uint32_t i = 0; i < statements->size(); ++i) {
    Outcome<UpdateCounts> counts = run_update(context, *ns, (*statements)[i].get());
    if (!counts) {
      errors.push_back({i, counts.error()});
      if (*ordered) break;
      continue;
    }
    n += counts->matched;
    modified += counts->modified;
    if (counts->upserted_id) {
      ++n;
      upserted.emplace_back(i, *counts->upserted_id);
    }
  }
  append_count(out, "n", n);
  append_count(out, "nModified", modified);
  if (!upserted.empty()) {
    bson_t array;
    bson_append_array_begin(out, "upserted", -1, &array);
    char buffer[16];
    for (uint32_t i = 0; i < upserted.size(); ++i) {
      const char* key = nullptr;
      size_t key_length = bson_uint32_to_string(i, &key, buffer, sizeof buffer);
      bson_t entry;
      bson_append_document_begin(&array, key, static_cast<int>(key_length), &entry);
      bson_append_int32(&entry, "index", 5, static_cast<int32_t>(upserted[i].first));
      bson_iter_t id;
      upserted[i].second.iter(&id);
      bson_append_iter(&entry, "_id", 3, &id);
      bson_append_document_end(&array, &entry);
    }
    bson_append_array_end(out, &array);
  }
  append_write_errors(out, errors);
  return std::nullopt;
}

std::optional<MongoError> cmd_delete(Context& context, const Request& request, bson_t* out) {
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  Outcome<std::vector<BsonView>> statements = write_statements(context, request, "deletes");
  if (!statements) return statements.error();
  Outcome<bool> ordered = ordered_of(request);
  if (!ordered) return ordered.error();
  uint64_t n = 0;
  std::vector<WriteError> errors;
  for (uint32_t i = 0; i < statements->size(); ++i) {
    Outcome<uint64_t> removed = run_delete(context, *ns, (*statements)[i].get());
    if (!removed) {
      errors.push_back({i, removed.error()});
      if (*ordered) break;
      continue;
    }
    n += *removed;
  }
  append_count(out, "n", n);
  append_write_errors(out, errors);
  return std::nullopt;
}

std::optional<MongoError> cmd_find(Context& context, const Request& request, bson_t* out) {
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  if (std::optional<MongoError> refused = refuse_fields(
          request, {"collation", "tailable", "awaitData", "min", "max", "returnKey", "showRecordId", "oplogReplay"})) {
    return refused;
  }
  FindQuery query;
  Outcome<std::optional<BsonView>> filter = document_field(request, "filter");
  if (!filter) return filter.error();
  if (*filter) {
    Outcome<Filter> parsed = Filter::parse((*filter)->get());
    if (!parsed) return parsed.error();
    query.filter = std::move(*parsed);
  }
  Outcome<std::optional<BsonView>> sort = document_field(request, "sort");
  if (!sort) return sort.error();
  if (*sort) {
    Outcome<SortSpec> parsed = SortSpec::parse((*sort)->get());
    if (!parsed) return parsed.error();
    query.sort = std::move(*parsed);
  }
  Projection projection;
  Outcome<std::optional<BsonView>> projection_field = document_field(request, "projection");
  if (!projection_field) return projection_field.error();
  if (*projection_field) {
    Outcome<Projection> parsed = Projection::parse((*projection_field)->get());
    if (!parsed) return parsed.error();
    projection = std::move(*parsed);
  }
  Outcome<std::optional<int64_t>> skip = integer_field(request, "skip");
  if (!skip) return skip.error();
  Outcome<std::optional<int64_t>> limit = integer_field(request, "limit");
  if (!limit) return limit.error();
  Outcome<std::optional<int64_t>> batch_size = integer_field(request, "batchSize");
  if (!batch_size) return batch_size.error();
  Outcome<std::optional<bool>> single_batch = bool_field(request, "singleBatch");
  if (!single_batch) return single_batch.error();
  if (skip->value_or(0) < 0) return bad_value("skip must be non-negative");
  if (limit->value_or(0) < 0) return bad_value("limit must be non-negative");
  if (batch_size->value_or(0) < 0) return bad_value("batchSize must be non-negative");
  query.skip = static_cast<uint64_t>(skip->value_or(0));
  if (limit->value_or(0) > 0) query.limit = static_cast<uint64_t>(**limit);

  Result<std::vector<Document>> found = context.store.find(*ns, query);
  if (!found) return error_from_status(found.status());
  std::vector<Document> results = std::move(*found);
  if (!projection.empty()) {
    for (Document& document : results) document = projection.apply(document.get());
  }
  reply_with_cursor(context, ns->full(), std::move(results), *batch_size, single_batch->value_or(false), out);
  return std::nullopt;
}

std::optional<MongoError> cmd_get_more(Context& context, const Request& request, bson_t* out) {
  bson_iter_t it;
  bson_iter_init_find(&it, request.body, "getMore");
  if (!BSON_ITER_HOLDS_INT64(&it) && !BSON_ITER_HOLDS_INT32(&it)) return type_mismatch("getMore's cursor id must be a long");
  int64_t id = bson_iter_as_int64(&it);
  if (!bson_iter_init_find(&it, request.body, "collection") || !BSON_ITER_HOLDS_UTF8(&it)) {
    return type_mismatch("getMore needs a 'collection' string");
  }
  std::string collection(utf8_of(&it));
  // A listCollections cursor reads "<db>.$cmd.listCollections", a name no
  // collection may have: the cursor table's own record is its check.
  std::string full;
  if (collection == "$cmd.listCollections") {
    Outcome<std::string> db = check_db_name(request.db);
    if (!db) return db.error();
    full = request.db + "." + collection;
  } else {
    Outcome<Namespace> ns = make_namespace(request.db, collection);
    if (!ns) return ns.error();
    full = ns->full();
  }
  Outcome<std::optional<int64_t>> batch_size = integer_field(request, "batchSize");
  if (!batch_size) return batch_size.error();
  if (batch_size->value_or(0) < 0) return bad_value("batchSize must be non-negative");
  std::optional<std::string> cursor_ns = context.cursors.ns_of(id);
  if (!cursor_ns) return MongoError{MongoCode::kCursorNotFound, "cursor id " + std::to_string(id) + " not found"};
  if (*cursor_ns != full) {
    return bad_value("cursor " + std::to_string(id) + " reads " + *cursor_ns + ", not " + full);
  }
  size_t max_documents = batch_size->value_or(0) > 0 ? static_cast<size_t>(**batch_size) : SIZE_MAX;
  std::optional<CursorTable::Batch> batch = context.cursors.next(id, max_documents, context.options.max_batch_bytes);
  FL_ASSERT(batch.has_value());
  bson_t cursor;
  bson_append_document_begin(out, "cursor", 6, &cursor);
  append_batch(&cursor, "nextBatch", batch->documents);
  bson_append_int64(&cursor, "id", 2, batch->exhausted ? 0 : id);
  bson_append_utf8(&cursor, "ns", 2, full.data(), static_cast<int>(full.size()));
  bson_append_document_end(out, &cursor);
  return std::nullopt;
}

std::optional<MongoError> cmd_kill_cursors(Context& context, const Request& request, bson_t* out) {
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  bson_iter_t it;
  if (!bson_iter_init_find(&it, request.body, "cursors") || !BSON_ITER_HOLDS_ARRAY(&it)) {
    return type_mismatch("killCursors needs a 'cursors' array");
  }
  std::vector<int64_t> killed, not_found;
  bson_iter_t element;
  bson_iter_recurse(&it, &element);
  while (bson_iter_next(&element)) {
    if (!BSON_ITER_HOLDS_INT64(&element) && !BSON_ITER_HOLDS_INT32(&element)) {
      return type_mismatch("killCursors' cursor ids must be longs");
    }
    int64_t id = bson_iter_as_int64(&element);
    std::optional<std::string> cursor_ns = context.cursors.ns_of(id);
    if (cursor_ns && *cursor_ns == ns->full() && context.cursors.kill(id)) {
      killed.push_back(id);
    } else {
      not_found.push_back(id);
    }
  }
  auto append_ids = [&](const char* field, const std::vector<int64_t>& ids) {
    bson_t array;
    bson_append_array_begin(out, field, -1, &array);
    char buffer[16];
    for (uint32_t i = 0; i < ids.size(); ++i) {
      const char* key = nullptr;
      size_t key_length = bson_uint32_to_string(i, &key, buffer, sizeof buffer);
      bson_append_int64(&array, key, static_cast<int>(key_length), ids[i]);
    }
    bson_append_array_end(out, &array);
  };
  append_ids("cursorsKilled", killed);
  append_ids("cursorsNotFound", not_found);
  append_ids("cursorsAlive", {});
  append_ids("cursorsUnknown", {});
  return std::nullopt;
}

std::optional<MongoError> cmd_count(Context& context, const Request& request, bson_t* out) {
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  if (std::optional<MongoError> refused = refuse_fields(request, {"collation"})) return refused;
  Filter filter;
  Outcome<std::optional<BsonView>> query = document_field(request, "query");
  if (!query) return query.error();
  if (*query) {
    Outcome<Filter> parsed = Filter::parse((*query)->get());
    if (!parsed) return parsed.error();
    filter = std::move(*parsed);
  }
  Outcome<std::optional<int64_t>> skip = integer_field(request, "skip");
  if (!skip) return skip.error();
  Outcome<std::optional<int64_t>> limit = integer_field(request, "limit");
  if (!limit) return limit.error();
  if (skip->value_or(0) < 0) return bad_value("skip must be non-negative");
  Result<uint64_t> total = context.store.count(*ns, filter);
  if (!total) return error_from_status(total.status());
  uint64_t n = *total - std::min(*total, static_cast<uint64_t>(skip->value_or(0)));
  // count's limit counts its absolute value, as MongoDB's does.
  if (int64_t l = limit->value_or(0); l != 0) {
    uint64_t magnitude = l < 0 ? uint64_t{0} - static_cast<uint64_t>(l) : static_cast<uint64_t>(l);
    n = std::min(n, magnitude);
  }
  append_count(out, "n", n);
  return std::nullopt;
}

}  // namespace fluence::gateway::detail
