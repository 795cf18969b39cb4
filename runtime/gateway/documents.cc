#include "runtime/gateway/documents.h"

#include <algorithm>

namespace fluence::gateway {

Outcome<std::string> check_db_name(const std::string& db) {
  if (db.empty() || db.size() > 63) return MongoError{MongoCode::kInvalidNamespace, "database name must be 1 to 63 bytes"};
  if (db.find_first_of("/\\. \"$*<>:|?") != std::string::npos || db.find('\0') != std::string::npos) {
    return MongoError{MongoCode::kInvalidNamespace, "invalid database name '" + db + "'"};
  }
  return db;
}

Outcome<Namespace> make_namespace(const std::string& db, const std::string& collection) {
  Outcome<std::string> checked = check_db_name(db);
  if (!checked) return checked.error();
  if (collection.empty() || collection.size() > 255) {
    return MongoError{MongoCode::kInvalidNamespace, "collection name must be 1 to 255 bytes"};
  }
  if (collection.find('$') != std::string::npos || collection.find('\0') != std::string::npos ||
      collection[0] == '.' || collection.rfind("system.", 0) == 0) {
    return MongoError{MongoCode::kInvalidNamespace, "invalid collection name '" + collection + "'"};
  }
  return Namespace{db, collection};
}

const char* index_kind_name(IndexKind kind) { return kind == IndexKind::kOre ? "ore" : "btree"; }

Outcome<IndexSpec> IndexSpec::parse(const bson_t* entry) {
  IndexSpec spec;
  bson_iter_t it;
  bson_t key;
  if (!bson_iter_init_find(&it, entry, "key") || !BSON_ITER_HOLDS_DOCUMENT(&it) || !embedded(&it, &key)) {
    return MongoError{MongoCode::kTypeMismatch, "an index needs a 'key' document"};
  }
  if (bson_count_keys(&key) == 0) return MongoError{MongoCode::kCannotCreateIndex, "an index key must not be empty"};
  bool ore = false, btree = false;
  bson_iter_t field;
  bson_iter_init(&field, &key);
  while (bson_iter_next(&field)) {
    std::string path = bson_iter_key(&field);
    if (path.empty() || path[0] == '$') return MongoError{MongoCode::kCannotCreateIndex, "bad index field '" + path + "'"};
    if (BSON_ITER_HOLDS_NUMBER(&field) && (bson_iter_as_double(&field) == 1 || bson_iter_as_double(&field) == -1)) {
      btree = true;
    } else if (utf8_of(&field) == "ore") {
      ore = true;
    } else {
      return MongoError{MongoCode::kCannotCreateIndex,
                        "index field '" + path + "': expected 1, -1 or \"ore\" (other index types are not supported)"};
    }
  }
  if (ore && btree) return MongoError{MongoCode::kCannotCreateIndex, "an index cannot mix \"ore\" and ordered fields"};
  if (ore && bson_count_keys(&key) > 1) return MongoError{MongoCode::kCannotCreateIndex, "an \"ore\" index has one field"};
  spec.kind = ore ? IndexKind::kOre : IndexKind::kBtree;
  spec.key = Document::copy_of(&key);
  if (!bson_iter_init_find(&it, entry, "name") || !BSON_ITER_HOLDS_UTF8(&it) || utf8_of(&it).empty()) {
    return MongoError{MongoCode::kTypeMismatch, "an index needs a 'name' string"};
  }
  spec.name = std::string(utf8_of(&it));
  if (spec.name == "_id_") return MongoError{MongoCode::kCannotCreateIndex, "the _id index exists already"};
  if (bson_iter_init_find(&it, entry, "unique")) {
    if (!BSON_ITER_HOLDS_BOOL(&it)) return MongoError{MongoCode::kTypeMismatch, "index option 'unique' must be a bool"};
    spec.unique = bson_iter_bool(&it);
  }
  bson_iter_init(&it, entry);
  while (bson_iter_next(&it)) {
    std::string option = bson_iter_key(&it);
    if (option != "key" && option != "name" && option != "unique" && option != "v" && option != "background") {
      return MongoError{MongoCode::kInvalidOptions, "index option '" + option + "' is not supported"};
    }
  }
  return spec;
}

Document IndexSpec::to_document() const {
  bson_t out = BSON_INITIALIZER;
  bson_append_int32(&out, "v", 1, 2);
  bson_append_document(&out, "key", 3, key.get());
  bson_append_utf8(&out, "name", 4, name.data(), static_cast<int>(name.size()));
  bson_append_utf8(&out, "fluenceKind", -1, index_kind_name(kind), -1);
  if (unique) bson_append_bool(&out, "unique", 6, true);
  return Document::adopt(&out);
}

bool IndexSpec::same_definition(const IndexSpec& other) const {
  return name == other.name && kind == other.kind && unique == other.unique &&
         bson_equal(key.get(), other.key.get());
}

}  // namespace fluence::gateway
