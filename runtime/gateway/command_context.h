// Private to the command engine: what a command handler gets, and the
// argument readers every handler shares, so that a wrong type or value gets
// the same error (14 TypeMismatch, 2 BadValue) from each command.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/gateway/commands.h"

namespace fluence::gateway::detail {

struct Context {
  DocumentStore& store;
  const EngineOptions& options;
  CursorTable& cursors;
  Sharing* sharing = nullptr;  // none: the fluence* commands are refused
};

struct Request {
  std::string name;  // the command, the body's first key
  std::string db;
  const bson_t* body;
  const std::vector<wire::DocumentSequence>& sequences;
  int64_t connection_id;
};

// A handler appends its reply fields to `out` (the engine adds ok: 1), or
// returns the error that replaces them.
using Handler = std::optional<MongoError> (*)(Context&, const Request&, bson_t* out);

struct CommandEntry {
  const char* name;
  Handler handler;
};

// The collection named by the command's own field ({find: "people"}).
Outcome<Namespace> target_namespace(const Request& request);
// A whole number, as int64: an int32, an int64, or a double that is
// integral and within 2^53 (converting any other double to int64, as
// bson_iter_as_int64 does, is undefined). `what` names it in errors.
Outcome<int64_t> integer_value(const bson_iter_t* it, const std::string& what);
// Optional fields: nullopt when absent, an error when of the wrong type.
Outcome<std::optional<BsonView>> document_field(const Request& request, const char* name);
Outcome<std::optional<int64_t>> integer_field(const Request& request, const char* name);
Outcome<std::optional<bool>> bool_field(const Request& request, const char* name);
// The documents of a list argument, from a kind-1 sequence or the body's
// array of that name; views into the request, valid while it lives.
Outcome<std::vector<BsonView>> document_list(const Request& request, const char* name);
// Refuses options the engine cannot honour, rather than ignoring them.
std::optional<MongoError> refuse_fields(const Request& request, std::initializer_list<const char*> names);

// {cursor: {firstBatch, id, ns}} with the first batch of `results`; the
// rest stays in an open cursor.
void reply_with_cursor(Context& context, const std::string& ns, std::vector<Document> results,
                       std::optional<int64_t> batch_size, bool single_batch, bson_t* out);
void append_batch(bson_t* out, const char* field, const std::vector<Document>& documents);

// The _id of a stored document.
std::optional<Value> id_of(const bson_t* document);

std::optional<MongoError> cmd_insert(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_update(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_delete(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_find(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_get_more(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_kill_cursors(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_count(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_aggregate(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_create(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_drop(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_drop_database(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_list_collections(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_create_indexes(Context&, const Request&, bson_t*);
std::optional<MongoError> cmd_list_indexes(Context&, const Request&, bson_t*);

}  // namespace fluence::gateway::detail
