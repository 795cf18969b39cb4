#include "runtime/gateway/catalog_anchor.h"

#include <nlohmann/json.hpp>

#include "runtime/atomic_file.h"

namespace fluence::gateway {

CatalogMark mark_of(uint64_t generation, ByteView sealed_row) {
  return {generation, crypto::blake2b_256(kCatalogMarkDomain, {sealed_row})};
}

Status check_catalog_freshness(const std::optional<CatalogMark>& anchored, const std::optional<CatalogMark>& served) {
  if (!anchored) return Status::ok();
  std::string committed = "this gateway committed generation " + std::to_string(anchored->generation);
  if (!served) {
    return Status::error(ErrorCode::kAuthentication,
                         "the nodes serve no catalog, but " + committed + ": a node rolled the store back");
  }
  if (served->generation < anchored->generation) {
    return Status::error(ErrorCode::kAuthentication, "the nodes serve catalog generation " +
                                                         std::to_string(served->generation) + ", but " + committed +
                                                         ": a node rolled the store back");
  }
  if (served->generation == anchored->generation && served->row_hash != anchored->row_hash) {
    return Status::error(ErrorCode::kAuthentication, "the nodes serve a catalog of generation " +
                                                         std::to_string(served->generation) +
                                                         " that is not the one this gateway committed");
  }
  return Status::ok();
}

Result<std::optional<CatalogMark>> FileCatalogAnchor::load() {
  Result<Bytes> bytes = runtime::read_file(path_);
  if (!bytes && bytes.status().code() == ErrorCode::kNotFound) return std::optional<CatalogMark>();
  if (!bytes) return bytes.status();
  auto malformed = [&](const std::string& what) {
    return Status::error(ErrorCode::kMalformed, "catalog anchor " + path_ + ": " + what);
  };
  nlohmann::json json = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return malformed("not a JSON object");
  if (!json.contains("generation") || !json["generation"].is_number_unsigned()) return malformed("no generation");
  if (!json.contains("catalog_hash") || !json["catalog_hash"].is_string()) return malformed("no catalog_hash");
  Result<Bytes> hash = from_hex(json["catalog_hash"].get<std::string>());
  if (!hash || hash->size() != crypto::kHashBytes) return malformed("catalog_hash: not 64 hex digits");
  CatalogMark mark;
  mark.generation = json["generation"].get<uint64_t>();
  std::copy(hash->begin(), hash->end(), mark.row_hash.begin());
  return std::optional<CatalogMark>(mark);
}

Status FileCatalogAnchor::store(const CatalogMark& mark) {
  nlohmann::json json = {{"generation", mark.generation}, {"catalog_hash", to_hex(mark.row_hash)}};
  std::string text = json.dump() + "\n";
  return runtime::write_file_atomically(path_, as_bytes(text), 0600);
}

}  // namespace fluence::gateway
