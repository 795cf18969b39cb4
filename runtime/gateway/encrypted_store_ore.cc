// EncryptedStore's "ore" indexes: rows the nodes compare themselves, so that
// a range query on the field costs one round trip per shard and page
// instead of a walk down a tree (model/storage/ore_scan.h).
//
// Per shard, for each document and each distinct point its field reaches
// (ore_points.h; numbers only):
//   key   = "o" || epoch || index number || PRF(name key, "o" || number || document row key || point)
//   value = right ciphertext of the point || the document row key || H(sealed row)
// under an ORE key of the index alone (kOreIndexLabel, keyed by the shard's
// ORE seed, collection_keys.h), so that equal values in two indexes, or in
// two shards, give unrelated ciphertexts.
//
// What the nodes learn is ore.h's LEAKAGE for each query, on top of the
// store's. What they can do: a node that drops, adds or alters an entry
// cannot make a wrong document pass (each is checked against the hash, and
// the whole filter is applied to it), but it can hide a document from a
// query, since no Merkle root covers these rows. The read's `signatures`
// (NodeRowSource) is what stands against that: members that did not all
// drop the entry disagree.
#include <sodium.h>

#include <algorithm>
#include <set>

#include "model/crypto/ore.h"
#include "runtime/gateway/encrypted_rows.h"
#include "runtime/gateway/encrypted_store.h"

namespace fluence::gateway {
namespace {

crypto::OreKey index_ore_key(const crypto::Secret<32>& seed, uint64_t epoch, uint32_t number) {
  Bytes message(kOreIndexLabel.begin(), kOreIndexLabel.end());
  append_be(message, epoch, 8);
  append_be(message, number, 4);
  crypto::Secret<32> secret;
  int rc = crypto_generichash(secret.data(), secret.size(), message.data(), message.size(), seed.data(), seed.size());
  FL_ASSERT(rc == 0);
  return crypto::OreKey::derive(secret);
}

// The distinct points of the numbers `path` reaches, arrays unrolled one
// level as the B-tree indexes do.
std::vector<uint64_t> points_at(const bson_t* document, const std::vector<std::string>& path) {
  std::vector<HeldIter> found;
  values_at(document, path, found);
  std::vector<uint64_t> points;
  auto add = [&](const bson_iter_t* value) {
    if (std::optional<uint64_t> point = ore_point(value)) points.push_back(*point);
  };
  for (const HeldIter& value : found) {
    bson_iter_t element;
    if (BSON_ITER_HOLDS_ARRAY(&value.it) && bson_iter_recurse(&value.it, &element)) {
      while (bson_iter_next(&element)) add(&element);
    } else {
      add(&value.it);
    }
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  return points;
}

// The encoded size of a right ciphertext: block bits, nonce, two bits a cell.
uint64_t right_ciphertext_bytes(crypto::OreBlockBits block_bits) {
  uint64_t d = static_cast<uint64_t>(block_bits);
  uint64_t cells = (crypto::kOreValueBits / d) << d;
  return 1 + crypto::kOreNonceBytes + (cells + 3) / 4;
}

}  // namespace

Result<std::vector<EncryptedStore::OreRow>> EncryptedStore::ore_rows(const LiveShard& live,
                                                                     const CatalogShard& shard,
                                                                     const CatalogIndex& index,
                                                                     const bson_t* document, ByteView located,
                                                                     bool with_values) {
  Result<ByteView> row_key = document_row_of(located);
  if (!row_key) return row_key.status();
  std::vector<uint64_t> points = points_at(document, index.path);
  std::optional<crypto::OreKey> key;
  if (with_values && !points.empty()) key.emplace(index_ore_key(live.keys.ore_seed, shard.epoch, index.number));
  std::vector<OreRow> rows;
  for (uint64_t point : points) {
    Bytes message{kOreIndexTag};
    append_be(message, index.number, 4);
    message.insert(message.end(), row_key->begin(), row_key->end());
    append_be(message, point, 8);
    OreRow row{ore_prefix(shard.epoch, index.number), {}};
    size_t at = row.key.size();
    row.key.resize(at + kRowNameBytes);
    int rc = crypto_generichash(row.key.data() + at, kRowNameBytes, message.data(), message.size(),
                                live.keys.row_names.data(), live.keys.row_names.size());
    FL_ASSERT(rc == 0);
    if (with_values) row.value = storage::encode_ore_row_value(crypto::ore_encrypt_right(*key, point, *random_), located);
    rows.push_back(std::move(row));
  }
  return rows;
}

Status EncryptedStore::put_ore_rows(CatalogCollection& collection, size_t shard, const bson_t* document,
                                    ByteView located) {
  const CatalogShard& where = collection.shards.at(shard);
  const LiveShard& live = live_.at(collection.ns)->shards.at(shard);
  for (CatalogIndex& index : collection.indexes) {
    if (index.spec.kind != IndexKind::kOre) continue;
    Result<std::vector<OreRow>> rows = ore_rows(live, where, index, document, located, /*with_values=*/true);
    if (!rows) return rows.status();
    if (rows->size() > 1) index.multikey = true;
    for (const OreRow& row : *rows) FL_RETURN_IF_ERROR(live.slot->meter->put_counted(row.key, row.value));
  }
  return Status::ok();
}

Status EncryptedStore::retire_ore_rows(const CatalogCollection& collection, size_t shard, const bson_t* document,
                                       ByteView located) {
  const CatalogShard& where = collection.shards.at(shard);
  const LiveShard& live = live_.at(collection.ns)->shards.at(shard);
  uint64_t value_bytes = right_ciphertext_bytes(crypto::kOreDefaultBlockBits) + located.size();
  for (const CatalogIndex& index : collection.indexes) {
    if (index.spec.kind != IndexKind::kOre) continue;
    Result<std::vector<OreRow>> rows = ore_rows(live, where, index, document, located, /*with_values=*/false);
    if (!rows) return rows.status();
    for (OreRow& row : *rows) pending_garbage_[where.dataset].push_back({std::move(row.key), value_bytes});
  }
  return Status::ok();
}

Result<std::vector<Bytes>> EncryptedStore::all_ore_rows(const CatalogCollection& collection, size_t shard,
                                                        size_t index) {
  const CatalogShard& where = collection.shards.at(shard);
  storage::OreScanQuery query;
  query.prefix = ore_prefix(where.epoch, collection.indexes.at(index).number);
  std::vector<Bytes> keys;
  while (true) {
    Result<storage::OreScanPage> page = slot_of(where.dataset).meter->scan_ore(query);
    if (!page) return page.status();
    FL_RETURN_IF_ERROR(storage::check_page(query, *page));
    for (storage::OreScanRow& row : page->rows) keys.push_back(std::move(row.row_key));
    if (page->complete) return keys;
    query.after = std::move(page->resume_after);
  }
}

Result<std::vector<EncryptedStore::Candidate>> EncryptedStore::ore_candidates(Live& live,
                                                                              const CatalogCollection& collection,
                                                                              const Plan& plan) {
  FL_ASSERT(plan.ore_index.has_value());
  const CatalogIndex& index = collection.indexes.at(*plan.ore_index);
  std::vector<Candidate> out;
  for (size_t s = 0; s < collection.shards.size(); ++s) {
    const CatalogShard& shard = collection.shards[s];
    const LiveShard& where = live.shards.at(s);
    MeteredRows& rows = *where.slot->meter;
    crypto::OreKey key = index_ore_key(where.keys.ore_seed, shard.epoch, index.number);
    std::set<Bytes> seen;  // a document with several points in one interval comes once
    for (const OreInterval& interval : plan.ore_intervals) {
      storage::OreScanQuery query;
      query.prefix = ore_prefix(shard.epoch, index.number);
      if (interval.low) query.lower = storage::OreBound{crypto::ore_encrypt_left(key, *interval.low), true};
      if (interval.high) query.upper = storage::OreBound{crypto::ore_encrypt_left(key, *interval.high), true};
      while (true) {
        Result<storage::OreScanPage> page = rows.scan_ore(query);
        if (!page) return page.status();
        FL_RETURN_IF_ERROR(storage::check_page(query, *page));
        for (storage::OreScanRow& row : page->rows) {
          FL_RETURN_IF_ERROR(document_row_of(row.payload).status());
          if (seen.insert(row.payload).second) out.push_back({row.payload, std::move(row.payload), s});
        }
        if (page->complete) break;
        query.after = std::move(page->resume_after);
      }
    }
  }
  return out;
}

}  // namespace fluence::gateway
