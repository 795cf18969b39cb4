// Open cursors: the rest of a result that a driver fetches with getMore.
//
// The table is bounded: past max_open, opening one evicts the cursor used
// least recently (its driver then gets CursorNotFound, as from a server
// whose cursor timed out), so clients that never exhaust or kill their
// cursors cannot grow the gateway's memory without end. Cursors belong to
// the gateway, not a connection: drivers with a pool may getMore on another
// connection than the one that ran the find.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/gateway/bson_document.h"

namespace fluence::gateway {

class CursorTable {
 public:
  explicit CursorTable(size_t max_open) : max_open_(max_open) {}

  // Returns the new cursor's id (never 0: 0 means "no cursor" on the wire).
  int64_t open(std::string ns, std::vector<Document> documents);
  // Takes up to max_documents / max_bytes (at least one document) from the
  // cursor; closes it when it runs out, and then reports `exhausted`.
  struct Batch {
    std::vector<Document> documents;
    bool exhausted = false;
  };
  std::optional<Batch> next(int64_t id, size_t max_documents, size_t max_bytes);
  // The namespace a cursor reads, if it is open.
  std::optional<std::string> ns_of(int64_t id) const;
  bool kill(int64_t id);
  size_t size() const { return cursors_.size(); }

 private:
  struct Cursor {
    std::string ns;
    std::vector<Document> documents;
    size_t position = 0;
    uint64_t last_used = 0;
  };
  size_t max_open_;
  int64_t next_id_ = 1;
  uint64_t tick_ = 0;
  std::map<int64_t, Cursor> cursors_;
};

// Splits off the first batch of a fresh result the same way next() does.
CursorTable::Batch take_batch(std::vector<Document>& documents, size_t max_documents, size_t max_bytes);

}  // namespace fluence::gateway
