// The command engine: MongoDB's commands over a DocumentStore.
//
// It takes whole wire messages and returns whole replies, with no I/O of its
// own, so the server is only framing and the engine can be driven directly
// by tests and fuzzing. Supported commands:
//   hello / isMaster, ping, buildInfo, endSessions (accepted, no-op)
//   insert, update, delete, find, getMore, killCursors, count,
//   aggregate ($match $sort $skip $limit $project $count, and $group with
//     $sum: what count_documents sends and a little more)
//   create, drop, dropDatabase, listCollections, createIndexes, listIndexes
// and, with sharing, the fluence* commands of sharing_commands.cc.
// Anything else gets MongoDB's error document {ok: 0, errmsg, code,
// codeName}: 59 CommandNotFound for an unknown command, 2 BadValue / 14
// TypeMismatch for arguments, and so on. Nothing a client sends crashes the
// engine or leaves it without an answer; a message that cannot be framed
// closes the connection, as MongoDB does.
//
// Not supported, and refused rather than ignored where ignoring would give a
// wrong answer: transactions, collations, tailable cursors, authentication
// (the gateway listens on a local address for one user's applications).
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/gateway/cursors.h"
#include "runtime/gateway/documents.h"
#include "runtime/gateway/wire.h"

namespace fluence::gateway {

class Sharing;
namespace detail {
struct CommandEntry;
}

struct EngineOptions {
  wire::Limits limits;
  size_t max_open_cursors = 1000;
  size_t max_write_batch = 100'000;  // MongoDB's maxWriteBatchSize
  size_t default_first_batch = 101;  // MongoDB's default
  size_t max_batch_bytes = 16 * 1024 * 1024;
  int32_t logical_session_timeout_minutes = 30;
  // Wall-clock milliseconds since the epoch, for hello's localTime; the
  // engine reads no clock of its own.
  std::function<int64_t()> now_ms = [] { return int64_t{0}; };
};

// The wire version hello reports: 17 is MongoDB 6.0, whose OP_MSG-only
// protocol the engine speaks.
constexpr int32_t kMaxWireVersion = 17;
constexpr int32_t kMinWireVersion = 0;

class CommandEngine {
 public:
  CommandEngine(DocumentStore& store, EngineOptions options);
  // Also serves the fluence* commands over `sharing`, which outlives the
  // engine. Defined with those commands in sharing_commands.cc, so that the
  // engine alone links without the node client behind them: the sanitizer
  // build fuzzes it that way.
  CommandEngine(DocumentStore& store, EngineOptions options, Sharing* sharing);

  struct Response {
    std::optional<Bytes> reply;  // none: moreToCome, or closing
    bool close = false;          // the message could not be framed
    std::string why;             // for the log, when closing
  };
  // One whole message (header included) from connection `connection_id`.
  Response handle_message(ByteView message, int64_t connection_id);

  // One command as an OP_MSG carries it: the body (with "$db") and its
  // document sequences. Returns the reply document, ok: 1 or an error.
  Document run_command(const Document& body, const std::vector<wire::DocumentSequence>& sequences = {},
                       int64_t connection_id = 0);

  const EngineOptions& options() const { return options_; }
  size_t open_cursors() const { return cursors_.size(); }

 private:
  Document execute(const std::string& db, const bson_t* body, const std::vector<wire::DocumentSequence>& sequences,
                   int64_t connection_id);
  DocumentStore& store_;
  EngineOptions options_;
  Sharing* sharing_ = nullptr;
  std::span<const detail::CommandEntry> sharing_commands_;  // empty without sharing
  CursorTable cursors_;
  int32_t next_request_id_ = 1;
};

// {ok: 0.0, errmsg, code, codeName}.
Document error_document(const MongoError& error);

}  // namespace fluence::gateway
