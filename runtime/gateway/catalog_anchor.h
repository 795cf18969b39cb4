// The newest catalog this gateway committed, kept where the nodes cannot
// reach it: what stops a node from rolling the encrypted store back.
//
// Every read is checked against the Merkle roots in the catalog row
// (encrypted_catalog.h), and a node cannot forge that row, sealed under the
// client's key. It could serve an OLDER one, though, and the store would
// then roll back consistently: documents deleted since would reappear,
// updates vanish. So after each commit the store records the catalog's
// generation and the hash of its sealed row here, and when it opens it
// compares what the nodes serve:
//   no anchor yet                       -> accepted (a new gateway)
//   an older generation, or no catalog  -> kAuthentication: a rollback
//   the same generation, another row    -> kAuthentication: not the catalog
//                                          this gateway committed
//   a newer generation                  -> accepted, and anchored: the
//                                          gateway stopped between the nodes'
//                                          commit and writing the anchor
// The anchor is the gateway's local state, like its key store: a gateway
// restored from an old backup of it accepts a rollback to that backup's
// time, and two gateways sharing one collection would each see the other's
// commits as "newer" (only one gateway per collection is supported). An
// anchor that could not be written only weakens the check until the next
// commit writes it, so it never fails a mutation that the nodes committed.
#pragma once

#include <optional>
#include <string>

#include "model/base/status.h"
#include "model/crypto/hash.h"

namespace fluence::gateway {

struct CatalogMark {
  uint64_t generation = 0;
  crypto::Hash256 row_hash{};  // BLAKE2b-256 of the sealed catalog row, under kCatalogMarkDomain
  bool operator==(const CatalogMark&) const = default;
};
inline constexpr std::string_view kCatalogMarkDomain = "fluence/gateway/v1/catalog-row";

CatalogMark mark_of(uint64_t generation, ByteView sealed_row);

// Whether the catalog the nodes served (nullopt: none) may be opened, by
// the rules above.
Status check_catalog_freshness(const std::optional<CatalogMark>& anchored, const std::optional<CatalogMark>& served);

class CatalogAnchor {
 public:
  virtual ~CatalogAnchor() = default;
  // nullopt: nothing anchored yet.
  virtual Result<std::optional<CatalogMark>> load() = 0;
  virtual Status store(const CatalogMark& mark) = 0;
};

class MemoryCatalogAnchor final : public CatalogAnchor {
 public:
  Result<std::optional<CatalogMark>> load() override { return mark_; }
  Status store(const CatalogMark& mark) override {
    mark_ = mark;
    return Status::ok();
  }

 private:
  std::optional<CatalogMark> mark_;
};

// A small JSON file, {"generation": n, "catalog_hash": "<64 hex>"}, written
// atomically (runtime/atomic_file.h). A missing file is "nothing anchored";
// a malformed one is an error naming the file, never silently reset.
class FileCatalogAnchor final : public CatalogAnchor {
 public:
  explicit FileCatalogAnchor(std::string path) : path_(std::move(path)) {}
  Result<std::optional<CatalogMark>> load() override;
  Status store(const CatalogMark& mark) override;

 private:
  std::string path_;
};

}  // namespace fluence::gateway
