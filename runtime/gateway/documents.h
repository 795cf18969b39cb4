// The storage under the gateway: collections of whole documents.
//
// The gateway owns MongoDB's semantics (commands, operators, cursors) and
// asks a DocumentStore only for what a store of client-encrypted documents
// can do: put a document, find documents by a parsed filter, replace or
// remove one by _id, keep collections and index definitions. Updates and
// deletes are find-then-replace/remove by _id in the command layer, because
// the nodes hold documents encrypted whole and cannot apply an $inc; the
// client side has to read, decrypt, change and write back anyway.
//
// Contract for implementations:
//  - Calls come from one thread (the gateway's io_context); a call may block
//    it, which stalls every client of this gateway for that long.
//  - Errors are Status values: kUnavailable and kTimeout reach drivers as
//    retryable network errors; anything else as an internal error.
//  - A collection exists once something is inserted into it, or once it is
//    created explicitly or given an index; drop removes it with its indexes.
//  - Every document stored has an _id (the gateway adds an ObjectId when the
//    client did not), unique within its collection.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/gateway/query.h"

namespace fluence::gateway {

struct Namespace {
  std::string db;
  std::string collection;
  std::string full() const { return db + "." + collection; }
  auto operator<=>(const Namespace&) const = default;
};

// MongoDB's rules for names, minus what the gateway does not do (views,
// system collections): the error names the part that is wrong.
Outcome<Namespace> make_namespace(const std::string& db, const std::string& collection);
Outcome<std::string> check_db_name(const std::string& db);

// "btree": equality and order on plaintext keys kept by the client side;
// "ore": order-revealing encryption (model/crypto/ore.h), so the nodes can
// answer range queries without the plaintext. A driver asks for one as
// MongoDB's special index types are asked for: {age: "ore"} instead of
// {age: 1}. The kind is recorded and reported back by listIndexes.
enum class IndexKind { kBtree, kOre };
const char* index_kind_name(IndexKind kind);

struct IndexSpec {
  std::string name;
  Document key;  // as given: {a: 1, b: -1} or {a: "ore"}
  IndexKind kind = IndexKind::kBtree;
  bool unique = false;

  // One entry of createIndexes' "indexes" list.
  static Outcome<IndexSpec> parse(const bson_t* entry);
  // As listIndexes reports it: {v: 2, key, name, fluenceKind[, unique]}.
  Document to_document() const;
  bool same_definition(const IndexSpec& other) const;
};

struct FindQuery {
  Filter filter;
  SortSpec sort;  // empty: the store's own order, stable between calls
  uint64_t skip = 0;
  std::optional<uint64_t> limit;  // none: all
};

class DocumentStore {
 public:
  virtual ~DocumentStore() = default;

  enum class InsertOutcome { kInserted, kDuplicateId };
  // The document has an _id; a duplicate changes nothing.
  virtual Result<InsertOutcome> insert(const Namespace& ns, const Document& document) = 0;
  // Matching documents, sorted, then skip and limit applied. A missing
  // collection holds no documents.
  virtual Result<std::vector<Document>> find(const Namespace& ns, const FindQuery& query) = 0;
  virtual Result<uint64_t> count(const Namespace& ns, const Filter& filter) = 0;
  // The document with this _id becomes `document` (same _id); false: none.
  virtual Result<bool> replace(const Namespace& ns, const Value& id, const Document& document) = 0;
  // False: no document has this _id.
  virtual Result<bool> remove(const Namespace& ns, const Value& id) = 0;

  // Names in `db`, sorted.
  virtual Result<std::vector<std::string>> list_collections(const std::string& db) = 0;
  // False: it existed already.
  virtual Result<bool> create_collection(const Namespace& ns) = 0;
  // False: there was no such collection.
  virtual Result<bool> drop(const Namespace& ns) = 0;
  // Creates the collection if needed. False: an index of this name exists
  // (the caller has checked that it is the same definition).
  virtual Result<bool> create_index(const Namespace& ns, const IndexSpec& index) = 0;
  // Without the implicit _id index, which the gateway reports itself.
  virtual Result<std::vector<IndexSpec>> list_indexes(const Namespace& ns) = 0;

  // The engine brackets each command with these. A store whose writes cost
  // a round of consensus each may hold the command's mutations back and
  // make them durable together in end_command(); a failure there undoes
  // the whole command, and the engine replies with it instead of the
  // command's result. A mutation that fails inside a command undoes only
  // itself. Defaults: every mutation is durable when it returns.
  virtual void begin_command() {}
  virtual Status end_command() { return Status::ok(); }
};

}  // namespace fluence::gateway
