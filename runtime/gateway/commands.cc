#include "runtime/gateway/commands.h"

#include <cmath>
#include <cstring>

#include "runtime/gateway/command_context.h"

namespace fluence::gateway {

using detail::Context;
using detail::Request;

namespace {

std::optional<MongoError> cmd_hello(Context& context, const Request& request, bson_t* out) {
  const wire::Limits& limits = context.options.limits;
  bson_iter_t it;
  if (bson_iter_init_find(&it, request.body, "helloOk")) bson_append_bool(out, "helloOk", -1, true);
  // hello says isWritablePrimary; the legacy isMaster says ismaster.
  bson_append_bool(out, request.name == "hello" ? "isWritablePrimary" : "ismaster", -1, true);
  bson_append_int32(out, "maxBsonObjectSize", -1, static_cast<int32_t>(limits.max_document_bytes));
  bson_append_int32(out, "maxMessageSizeBytes", -1, static_cast<int32_t>(limits.max_message_bytes));
  bson_append_int32(out, "maxWriteBatchSize", -1, static_cast<int32_t>(context.options.max_write_batch));
  bson_append_date_time(out, "localTime", -1, context.options.now_ms());
  bson_append_int32(out, "logicalSessionTimeoutMinutes", -1, context.options.logical_session_timeout_minutes);
  bson_append_int64(out, "connectionId", -1, request.connection_id);
  bson_append_int32(out, "minWireVersion", -1, kMinWireVersion);
  bson_append_int32(out, "maxWireVersion", -1, kMaxWireVersion);
  bson_append_bool(out, "readOnly", -1, false);
  return std::nullopt;
}

std::optional<MongoError> cmd_ping(Context&, const Request&, bson_t*) { return std::nullopt; }

std::optional<MongoError> cmd_build_info(Context& context, const Request&, bson_t* out) {
  // Drivers read the version to pick features; the gateway speaks 6.0's.
  bson_append_utf8(out, "version", -1, "6.0.0", -1);
  bson_t array;
  bson_append_array_begin(out, "versionArray", -1, &array);
  for (int i = 0; i < 4; ++i) {
    char key[2] = {static_cast<char>('0' + i), 0};
    bson_append_int32(&array, key, 1, i == 0 ? 6 : 0);
  }
  bson_append_array_end(out, &array);
  bson_append_utf8(out, "gitVersion", -1, "fluence-gateway", -1);
  bson_append_int32(out, "bits", -1, 64);
  bson_append_int32(out, "maxBsonObjectSize", -1, static_cast<int32_t>(context.options.limits.max_document_bytes));
  return std::nullopt;
}

std::optional<MongoError> cmd_end_sessions(Context&, const Request&, bson_t*) {
  // Sessions hold no server state here (no transactions, no retryable
  // writes on a standalone), so there is nothing to end.
  return std::nullopt;
}

using detail::CommandEntry;

constexpr CommandEntry kCommands[] = {
    {"hello", cmd_hello},
    {"isMaster", cmd_hello},
    {"ismaster", cmd_hello},
    {"ping", cmd_ping},
    {"buildInfo", cmd_build_info},
    {"buildinfo", cmd_build_info},
    {"endSessions", cmd_end_sessions},
    {"insert", detail::cmd_insert},
    {"update", detail::cmd_update},
    {"delete", detail::cmd_delete},
    {"find", detail::cmd_find},
    {"getMore", detail::cmd_get_more},
    {"killCursors", detail::cmd_kill_cursors},
    {"count", detail::cmd_count},
    {"aggregate", detail::cmd_aggregate},
    {"create", detail::cmd_create},
    {"drop", detail::cmd_drop},
    {"dropDatabase", detail::cmd_drop_database},
    {"listCollections", detail::cmd_list_collections},
    {"createIndexes", detail::cmd_create_indexes},
    {"listIndexes", detail::cmd_list_indexes},
};

bool is_hello(const std::string& name) { return name == "hello" || name == "isMaster" || name == "ismaster"; }

}  // namespace

Document error_document(const MongoError& error) {
  bson_t out = BSON_INITIALIZER;
  bson_append_double(&out, "ok", 2, 0.0);
  bson_append_utf8(&out, "errmsg", 6, error.message.data(), static_cast<int>(error.message.size()));
  bson_append_int32(&out, "code", 4, static_cast<int32_t>(error.code));
  bson_append_utf8(&out, "codeName", 8, code_name(error.code), -1);
  return Document::adopt(&out);
}

CommandEngine::CommandEngine(DocumentStore& store, EngineOptions options)
    : store_(store), options_(std::move(options)), cursors_(options_.max_open_cursors) {
  FL_ASSERT(options_.max_open_cursors > 0);
  FL_ASSERT(options_.now_ms != nullptr);
}

Document CommandEngine::execute(const std::string& db, const bson_t* body,
                                const std::vector<wire::DocumentSequence>& sequences, int64_t connection_id) {
  bson_iter_t first;
  if (!bson_iter_init(&first, body) || !bson_iter_next(&first)) {
    return error_document({MongoCode::kFailedToParse, "empty command"});
  }
  Request request{bson_iter_key(&first), db, body, sequences, connection_id};
  const CommandEntry* entry = nullptr;
  for (const CommandEntry& candidate : kCommands) {
    if (request.name == candidate.name) entry = &candidate;
  }
  for (const CommandEntry& candidate : sharing_commands_) {
    if (request.name == candidate.name) entry = &candidate;
  }
  if (entry == nullptr) {
    return error_document({MongoCode::kCommandNotFound, "no such command: '" + request.name + "'"});
  }
  for (const char* field : {"startTransaction", "autocommit"}) {
    if (bson_has_field(body, field)) {
      return error_document({MongoCode::kIllegalOperation, "transactions are not supported by the fluence gateway"});
    }
  }
  Outcome<std::string> checked_db = check_db_name(db);
  if (!checked_db) return error_document(checked_db.error());
  Context context{store_, options_, cursors_, sharing_};
  bson_t out = BSON_INITIALIZER;
  store_.begin_command();
  std::optional<MongoError> error = entry->handler(context, request, &out);
  Status durable = store_.end_command();
  if (!error && !durable.is_ok()) error = error_from_status(durable);
  if (error) {
    bson_destroy(&out);
    return error_document(*error);
  }
  bson_append_double(&out, "ok", 2, 1.0);
  return Document::adopt(&out);
}

Document CommandEngine::run_command(const Document& body, const std::vector<wire::DocumentSequence>& sequences,
                                    int64_t connection_id) {
  bson_iter_t db;
  if (!body.find("$db", &db)) return error_document(bad_value("OP_MSG requires a $db argument"));
  if (!BSON_ITER_HOLDS_UTF8(&db)) return error_document(type_mismatch("$db must be a string"));
  return execute(std::string(utf8_of(&db)), body.get(), sequences, connection_id);
}

CommandEngine::Response CommandEngine::handle_message(ByteView message, int64_t connection_id) {
  Response response;
  int32_t reply_id = next_request_id_++;
  if (next_request_id_ == INT32_MAX) next_request_id_ = 1;
  Result<wire::Message> parsed = wire::parse_message(message, options_.limits);
  if (!parsed) {
    Result<wire::Header> header = wire::parse_header(message, options_.limits);
    // A whole message whose contents do not parse gets an error reply, so
    // the driver sees why; unless it asked for none (moreToCome), or its
    // header itself is bad, when the stream cannot be trusted and closes.
    bool wants_reply = header.is_ok() && message.size() >= wire::kHeaderBytes + 4 &&
                       static_cast<size_t>(header->message_length) == message.size();
    MongoError error{MongoCode::kInvalidBSON, parsed.status().to_string()};
    if (wants_reply && header->op_code == wire::kOpMsg) {
      uint32_t flags = static_cast<uint32_t>(message[16]) | static_cast<uint32_t>(message[17]) << 8;
      if ((flags & wire::kMoreToCome) == 0) {
        response.reply = wire::serialize_op_msg(reply_id, header->request_id, error_document(error));
        return response;
      }
    } else if (wants_reply && header->op_code == wire::kOpQuery) {
      response.reply = wire::serialize_op_reply(reply_id, header->request_id, error_document(error), 2);
      return response;
    }
    response.close = true;
    response.why = parsed.status().to_string();
    return response;
  }
  int32_t request_id = parsed->header.request_id;
  if (auto* msg = std::get_if<wire::OpMsg>(&parsed->body)) {
    Document reply = run_command(msg->body, msg->sequences, connection_id);
    if (!msg->more_to_come()) response.reply = wire::serialize_op_msg(reply_id, request_id, reply);
    return response;
  }
  const wire::OpQuery& query = std::get<wire::OpQuery>(parsed->body);
  // OP_QUERY survives only for the first hello of old-style handshakes;
  // MongoDB 6 refuses everything else on it, and so does the gateway.
  static constexpr std::string_view kCmd = ".$cmd";
  const std::string& name = query.full_collection_name;
  Document reply;
  if (name.size() <= kCmd.size() || name.compare(name.size() - kCmd.size(), kCmd.size(), kCmd) != 0) {
    reply = error_document({MongoCode::kUnsupportedOpQueryCommand, "OP_QUERY on " + name + " is not supported"});
  } else {
    std::string db = name.substr(0, name.size() - kCmd.size());
    const bson_t* command = query.query.get();
    bson_t wrapped;
    bson_iter_t inner;
    // Drivers wrap a command with read preferences as {$query: {...}}.
    if (bson_iter_init_find(&inner, command, "$query") && embedded(&inner, &wrapped)) command = &wrapped;
    std::string first = Document::copy_of(command).first_key();
    if (is_hello(first)) {
      reply = execute(db, command, {}, connection_id);
    } else {
      reply = error_document({MongoCode::kUnsupportedOpQueryCommand,
                              "OP_QUERY carries only hello/isMaster; send '" + first + "' with OP_MSG"});
    }
  }
  response.reply = wire::serialize_op_reply(reply_id, request_id, reply);
  return response;
}

namespace detail {

Outcome<Namespace> target_namespace(const Request& request) {
  bson_iter_t it;
  bool found = bson_iter_init_find_w_len(&it, request.body, request.name.data(), static_cast<int>(request.name.size()));
  FL_ASSERT(found);
  if (!BSON_ITER_HOLDS_UTF8(&it)) {
    return MongoError{MongoCode::kInvalidNamespace, "collection name for '" + request.name + "' must be a string"};
  }
  return make_namespace(request.db, std::string(utf8_of(&it)));
}

Outcome<std::optional<BsonView>> document_field(const Request& request, const char* name) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, request.body, name) || BSON_ITER_HOLDS_NULL(&it)) return std::optional<BsonView>();
  bson_t view;
  if (!BSON_ITER_HOLDS_DOCUMENT(&it) || !embedded(&it, &view)) {
    return type_mismatch("'" + request.name + "." + name + "' must be a document");
  }
  return std::optional<BsonView>(BsonView(&view));
}

Outcome<int64_t> integer_value(const bson_iter_t* it, const std::string& what) {
  if (!BSON_ITER_HOLDS_NUMBER(it) || BSON_ITER_HOLDS_DECIMAL128(it)) return type_mismatch(what + " must be a number");
  if (BSON_ITER_HOLDS_DOUBLE(it)) {
    double value = bson_iter_double(it);
    if (!std::isfinite(value) || value != std::floor(value) || std::fabs(value) > 9.0e15) {
      return bad_value(what + " must be an integer");
    }
  }
  return bson_iter_as_int64(it);
}

Outcome<std::optional<int64_t>> integer_field(const Request& request, const char* name) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, request.body, name) || BSON_ITER_HOLDS_NULL(&it)) return std::optional<int64_t>();
  Outcome<int64_t> value = integer_value(&it, "'" + request.name + "." + name + "'");
  if (!value) return value.error();
  return std::optional<int64_t>(*value);
}

Outcome<std::optional<bool>> bool_field(const Request& request, const char* name) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, request.body, name) || BSON_ITER_HOLDS_NULL(&it)) return std::optional<bool>();
  if (!BSON_ITER_HOLDS_BOOL(&it) && !BSON_ITER_HOLDS_NUMBER(&it)) {
    return type_mismatch("'" + request.name + "." + name + "' must be a boolean");
  }
  return std::optional<bool>(bson_iter_as_bool(&it));
}

Outcome<std::vector<BsonView>> document_list(const Request& request, const char* name) {
  std::vector<BsonView> views;
  for (const wire::DocumentSequence& sequence : request.sequences) {
    if (sequence.identifier != name) continue;
    if (bson_has_field(request.body, name)) {
      return bad_value("'" + std::string(name) + "' is both in the body and a document sequence");
    }
    for (const Document& document : sequence.documents) views.emplace_back(document.get());
    return views;
  }
  bson_iter_t it;
  if (!bson_iter_init_find(&it, request.body, name)) {
    return MongoError{MongoCode::kFailedToParse, "'" + request.name + "' needs '" + name + "'"};
  }
  if (!BSON_ITER_HOLDS_ARRAY(&it)) return type_mismatch("'" + request.name + "." + name + "' must be an array");
  bson_iter_t element;
  bson_iter_recurse(&it, &element);
  while (bson_iter_next(&element)) {
    bson_t view;
    if (!BSON_ITER_HOLDS_DOCUMENT(&element) || !embedded(&element, &view)) {
      return type_mismatch("each of '" + request.name + "." + name + "' must be a document");
    }
    views.push_back(BsonView(&view));
  }
  return views;
}

std::optional<MongoError> refuse_fields(const Request& request, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (bson_has_field(request.body, name)) {
      return bad_value("'" + request.name + "." + name + "' is not supported by the fluence gateway");
    }
  }
  return std::nullopt;
}

void append_batch(bson_t* out, const char* field, const std::vector<Document>& documents) {
  bson_t array;
  bson_append_array_begin(out, field, -1, &array);
  char buffer[16];
  for (uint32_t i = 0; i < documents.size(); ++i) {
    const char* key = nullptr;
    size_t key_length = bson_uint32_to_string(i, &key, buffer, sizeof buffer);
    bson_append_document(&array, key, static_cast<int>(key_length), documents[i].get());
  }
  bson_append_array_end(out, &array);
}

void reply_with_cursor(Context& context, const std::string& ns, std::vector<Document> results,
                       std::optional<int64_t> batch_size, bool single_batch, bson_t* out) {
  size_t first = batch_size ? static_cast<size_t>(*batch_size) : context.options.default_first_batch;
  CursorTable::Batch batch = take_batch(results, first, context.options.max_batch_bytes);
  int64_t id = 0;
  if (!batch.exhausted && !single_batch) id = context.cursors.open(ns, std::move(results));
  bson_t cursor;
  bson_append_document_begin(out, "cursor", 6, &cursor);
  append_batch(&cursor, "firstBatch", batch.documents);
  bson_append_int64(&cursor, "id", 2, id);
  bson_append_utf8(&cursor, "ns", 2, ns.data(), static_cast<int>(ns.size()));
  bson_append_document_end(out, &cursor);
}

std::optional<Value> id_of(const bson_t* document) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, document, "_id")) return std::nullopt;
  return Value::of(&it);
}

}  // namespace detail

}  // namespace fluence::gateway
