// An in-memory DocumentStore, for tests only: the product's store is the
// encrypted backend. It keeps documents in insertion order and evaluates
// filters and sorts with the gateway's own query code, so what it checks is
// the command layer above it. _id equality is by exact BSON value (so 1 and
// 1.0 are different ids here, unlike in MongoDB).
#pragma once

#include <map>
#include <optional>

#include "runtime/gateway/documents.h"

namespace fluence::gateway::testing {

class MemoryStore final : public DocumentStore {
 public:
  Result<InsertOutcome> insert(const Namespace& ns, const Document& document) override;
  Result<std::vector<Document>> find(const Namespace& ns, const FindQuery& query) override;
  Result<uint64_t> count(const Namespace& ns, const Filter& filter) override;
  Result<bool> replace(const Namespace& ns, const Value& id, const Document& document) override;
  Result<bool> remove(const Namespace& ns, const Value& id) override;
  Result<std::vector<std::string>> list_collections(const std::string& db) override;
  Result<bool> create_collection(const Namespace& ns) override;
  Result<bool> drop(const Namespace& ns) override;
  Result<bool> create_index(const Namespace& ns, const IndexSpec& index) override;
  Result<std::vector<IndexSpec>> list_indexes(const Namespace& ns) override;

  // While set, every call fails with this status (a backend that is down).
  void fail_with(std::optional<Status> failure) { failure_ = std::move(failure); }
  size_t calls() const { return calls_; }

 private:
  struct Collection {
    std::map<uint64_t, Document> documents;  // by insertion sequence
    std::map<std::string, uint64_t> by_id;   // _id's BSON bytes -> sequence
    std::vector<IndexSpec> indexes;
  };
  Status check();
  static std::string id_key(const Value& id);
  std::map<Namespace, Collection> collections_;
  uint64_t next_sequence_ = 1;
  std::optional<Status> failure_;
  size_t calls_ = 0;
};

}  // namespace fluence::gateway::testing
