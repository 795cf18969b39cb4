// The documents a gateway serves: its own collections (an EncryptedStore,
// or none for a gateway that only receives) and the collections shared with
// it (sharing.h), each under its own name.
//
// A command on a shared collection opens a fresh read-only view through
// Sharing::open_view (the share checked on chain, the key re-encrypted by
// the cluster), runs on it, and, for a read that returned documents or a
// count, pays for itself with Sharing::charge before the answer goes out: a
// read the share's escrow cannot pay is refused. Writes to a shared
// collection are refused here, without asking the nodes.
// listCollections shows both kinds; a name is never both (attach refuses).
#pragma once

#include "runtime/gateway/documents.h"
#include "runtime/gateway/sharing.h"

namespace fluence::gateway {

class SharedCollections final : public DocumentStore {
 public:
  // `own` may be null; both outlive this object.
  SharedCollections(DocumentStore* own, Sharing& sharing) : own_(own), sharing_(sharing) {}

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
  void begin_command() override;
  Status end_command() override;

 private:
  // The store that holds `ns`: a fresh view for a shared one, else the
  // gateway's own (kInvalidArgument when it has none).
  Result<DocumentStore*> store_for(const Namespace& ns);
  // For a mutation: the gateway's own store; a shared collection refused.
  Result<DocumentStore*> own_for(const Namespace& ns);

  DocumentStore* own_;
  Sharing& sharing_;
  std::unique_ptr<EncryptedStore> view_;  // the last view opened, alive for its command
};

}  // namespace fluence::gateway
