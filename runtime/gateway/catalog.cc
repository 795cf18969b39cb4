// create, drop, dropDatabase, listCollections, createIndexes, listIndexes.
#include "runtime/gateway/command_context.h"

namespace fluence::gateway::detail {

namespace {

// Every collection has MongoDB's implicit unique index on _id; the store
// keys documents by _id, so the gateway reports it rather than storing it.
Document id_index() {
  bson_t out = BSON_INITIALIZER;
  bson_append_int32(&out, "v", 1, 2);
  bson_t key;
  bson_append_document_begin(&out, "key", 3, &key);
  bson_append_int32(&key, "_id", 3, 1);
  bson_append_document_end(&out, &key);
  bson_append_utf8(&out, "name", 4, "_id_", 4);
  return Document::adopt(&out);
}

Outcome<bool> collection_exists(Context& context, const Namespace& ns) {
  Result<std::vector<std::string>> names = context.store.list_collections(ns.db);
  if (!names) return error_from_status(names.status());
  return std::find(names->begin(), names->end(), ns.collection) != names->end();
}

// A listing command's optional cursor.batchSize; a negative one counts as 0,
// one that is not a number is ignored, as MongoDB does for these commands.
Outcome<std::optional<int64_t>> listing_batch_size(const Request& request) {
  Outcome<std::optional<BsonView>> cursor = document_field(request, "cursor");
  if (!cursor) return cursor.error();
  std::optional<int64_t> batch_size;
  bson_iter_t size;
  if (*cursor && bson_iter_init_find(&size, (*cursor)->get(), "batchSize") && BSON_ITER_HOLDS_NUMBER(&size)) {
    Outcome<int64_t> value = integer_value(&size, "cursor.batchSize");
    if (!value) return value.error();
    batch_size = std::max<int64_t>(0, *value);
  }
  return batch_size;
}

}  // namespace

std::optional<MongoError> cmd_create(Context& context, const Request& request, bson_t*) {
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  if (std::optional<MongoError> refused =
          refuse_fields(request, {"capped", "viewOn", "pipeline", "timeseries", "clusteredIndex", "validator",
                                  "collation", "encryptedFields", "changeStreamPreAndPostImages"})) {
    return refused;
  }
  Result<bool> created = context.store.create_collection(*ns);
  if (!created) return error_from_status(created.status());
  if (!*created) return MongoError{MongoCode::kNamespaceExists, "collection " + ns->full() + " already exists"};
  return std::nullopt;
}

std::optional<MongoError> cmd_drop(Context& context, const Request& request, bson_t* out) {
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  Result<std::vector<IndexSpec>> indexes = context.store.list_indexes(*ns);
  if (!indexes) return error_from_status(indexes.status());
  Result<bool> dropped = context.store.drop(*ns);
  if (!dropped) return error_from_status(dropped.status());
  // MongoDB 6.0 answers a drop of nothing with NamespaceNotFound; drivers
  // treat that code as success for drop.
  if (!*dropped) return MongoError{MongoCode::kNamespaceNotFound, "ns not found"};
  std::string full = ns->full();
  bson_append_int32(out, "nIndexesWas", -1, static_cast<int32_t>(indexes->size() + 1));
  bson_append_utf8(out, "ns", 2, full.data(), static_cast<int>(full.size()));
  return std::nullopt;
}

std::optional<MongoError> cmd_drop_database(Context& context, const Request& request, bson_t* out) {
  Result<std::vector<std::string>> names = context.store.list_collections(request.db);
  if (!names) return error_from_status(names.status());
  for (const std::string& name : *names) {
    Result<bool> dropped = context.store.drop(Namespace{request.db, name});
    if (!dropped) return error_from_status(dropped.status());
  }
  bson_append_utf8(out, "dropped", -1, request.db.data(), static_cast<int>(request.db.size()));
  return std::nullopt;
}

std::optional<MongoError> cmd_list_collections(Context& context, const Request& request, bson_t* out) {
  Filter filter;
  Outcome<std::optional<BsonView>> filter_field = document_field(request, "filter");
  if (!filter_field) return filter_field.error();
  if (*filter_field) {
    Outcome<Filter> parsed = Filter::parse((*filter_field)->get());
    if (!parsed) return parsed.error();
    filter = std::move(*parsed);
  }
  Outcome<std::optional<bool>> name_only = bool_field(request, "nameOnly");
  if (!name_only) return name_only.error();
  Outcome<std::optional<int64_t>> batch_size = listing_batch_size(request);
  if (!batch_size) return batch_size.error();
  Result<std::vector<std::string>> names = context.store.list_collections(request.db);
  if (!names) return error_from_status(names.status());
  std::vector<Document> entries;
  for (const std::string& name : *names) {
    bson_t entry = BSON_INITIALIZER;
    bson_append_utf8(&entry, "name", 4, name.data(), static_cast<int>(name.size()));
    bson_append_utf8(&entry, "type", 4, "collection", -1);
    if (!name_only->value_or(false)) {
      bson_t options, info;
      bson_append_document_begin(&entry, "options", -1, &options);
      bson_append_document_end(&entry, &options);
      bson_append_document_begin(&entry, "info", -1, &info);
      bson_append_bool(&info, "readOnly", -1, false);
      bson_append_document_end(&entry, &info);
      Document index = id_index();
      bson_append_document(&entry, "idIndex", -1, index.get());
    }
    Document document = Document::adopt(&entry);
    if (filter.matches(document.get())) entries.push_back(std::move(document));
  }
  reply_with_cursor(context, request.db + ".$cmd.listCollections", std::move(entries), *batch_size, false, out);
  return std::nullopt;
}

std::optional<MongoError> cmd_create_indexes(Context& context, const Request& request, bson_t* out) {
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  bson_iter_t it;
  if (!bson_iter_init_find(&it, request.body, "indexes") || !BSON_ITER_HOLDS_ARRAY(&it)) {
    return type_mismatch("createIndexes needs an 'indexes' array");
  }
  std::vector<IndexSpec> wanted;
  bson_iter_t element;
  bson_iter_recurse(&it, &element);
  while (bson_iter_next(&element)) {
    bson_t entry;
    if (!BSON_ITER_HOLDS_DOCUMENT(&element) || !embedded(&element, &entry)) {
      return type_mismatch("each of createIndexes.indexes must be a document");
    }
    Outcome<IndexSpec> spec = IndexSpec::parse(&entry);
    if (!spec) return spec.error();
    if (spec->unique) {
      // A unique constraint would have to be enforced over encrypted
      // documents by every writer; the gateway does not promise it.
      return MongoError{MongoCode::kCannotCreateIndex, "unique indexes other than _id are not supported"};
    }
    wanted.push_back(std::move(*spec));
  }
  if (wanted.empty()) return bad_value("createIndexes needs at least one index");
  Outcome<bool> existed = collection_exists(context, *ns);
  if (!existed) return existed.error();
  Result<std::vector<IndexSpec>> before = context.store.list_indexes(*ns);
  if (!before) return error_from_status(before.status());
  size_t count = before->size();
  for (const IndexSpec& spec : wanted) {
    auto same_name = std::find_if(before->begin(), before->end(), [&](const IndexSpec& e) { return e.name == spec.name; });
    if (same_name != before->end()) {
      if (!same_name->same_definition(spec)) {
        return MongoError{MongoCode::kIndexOptionsConflict,
                          "an index named " + spec.name + " exists with a different definition"};
      }
      continue;
    }
    Result<bool> created = context.store.create_index(*ns, spec);
    if (!created) return error_from_status(created.status());
    if (*created) ++count;
  }
  bson_append_bool(out, "createdCollectionAutomatically", -1, !*existed);
  bson_append_int32(out, "numIndexesBefore", -1, static_cast<int32_t>(before->size() + 1));
  bson_append_int32(out, "numIndexesAfter", -1, static_cast<int32_t>(count + 1));
  return std::nullopt;
}

std::optional<MongoError> cmd_list_indexes(Context& context, const Request& request, bson_t* out) {
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  Outcome<bool> exists = collection_exists(context, *ns);
  if (!exists) return exists.error();
  if (!*exists) return MongoError{MongoCode::kNamespaceNotFound, "ns does not exist: " + ns->full()};
  Result<std::vector<IndexSpec>> indexes = context.store.list_indexes(*ns);
  if (!indexes) return error_from_status(indexes.status());
  std::vector<Document> entries{id_index()};
  for (const IndexSpec& spec : *indexes) entries.push_back(spec.to_document());
  Outcome<std::optional<int64_t>> batch_size = listing_batch_size(request);
  if (!batch_size) return batch_size.error();
  reply_with_cursor(context, ns->full(), std::move(entries), *batch_size, false, out);
  return std::nullopt;
}

}  // namespace fluence::gateway::detail
