#include "runtime/gateway/bson_document.h"

#include <cstring>
#include <utility>

#include "model/base/check.h"

namespace fluence::gateway {

Document::Document() : bson_(bson_new()) {}

Document::Document(const Document& other) : bson_(bson_copy(other.get())) {}

Document::Document(Document&& other) noexcept : bson_(std::exchange(other.bson_, nullptr)) {}

Document& Document::operator=(const Document& other) {
  if (this != &other) {
    bson_t* copy = bson_copy(other.get());
    if (bson_ != nullptr) bson_destroy(bson_);
    bson_ = copy;
  }
  return *this;
}

Document& Document::operator=(Document&& other) noexcept {
  if (this != &other) {
    if (bson_ != nullptr) bson_destroy(bson_);
    bson_ = std::exchange(other.bson_, nullptr);
  }
  return *this;
}

Document::~Document() {
  if (bson_ != nullptr) bson_destroy(bson_);
}

const bson_t* Document::get() const {
  FL_ASSERT_MSG(bson_ != nullptr, "use of a moved-from Document");
  return bson_;
}

namespace {
enum class Shape { kOk, kTooDeep, kMalformed, kKeyNotUtf8, kNulInCode };

// libbson's iterator accepts an embedded document whose last byte is not the
// terminating NUL, but bson_init_static (and so bson_append_iter, which the
// gateway uses to copy values) refuses it: every embedded document, array
// and code scope is checked here the way bson_init_static will see it.
// The walk is also the whole structural check, keys included: libbson
// 1.23's bson_validate stops at the first string value that is not UTF-8
// and reports success, leaving every element after it unchecked.
//
// `misnumbered` is set when an array's keys are not "0", "1", ... in order.
Shape walk(const bson_t* document, bool is_array, int depth, int max_depth, bool& misnumbered) {
  bson_iter_t it;
  if (!bson_iter_init(&it, document)) return Shape::kMalformed;
  uint32_t index = 0;
  // Bounded by max_depth: each level costs one frame.
  while (bson_iter_next(&it)) {
    if (!bson_utf8_validate(bson_iter_key(&it), bson_iter_key_len(&it), false)) return Shape::kKeyNotUtf8;
    if (is_array && !misnumbered) {
      char expected[16];
      const char* key = nullptr;
      size_t length = bson_uint32_to_string(index, &key, expected, sizeof expected);
      misnumbered = std::string_view(bson_iter_key(&it), bson_iter_key_len(&it)) != std::string_view(key, length);
    }
    ++index;
    // libbson copies JavaScript code and a DBPointer's collection as C
    // strings: one with a NUL inside would be cut short at every copy.
    uint32_t text_length = 0;
    const char* text = nullptr;
    if (BSON_ITER_HOLDS_CODE(&it)) {
      text = bson_iter_code(&it, &text_length);
    } else if (BSON_ITER_HOLDS_CODEWSCOPE(&it)) {
      uint32_t scope_length = 0;
      const uint8_t* scope = nullptr;
      text = bson_iter_codewscope(&it, &text_length, &scope_length, &scope);
    } else if (BSON_ITER_HOLDS_DBPOINTER(&it)) {
      const bson_oid_t* oid = nullptr;
      bson_iter_dbpointer(&it, &text_length, &text, &oid);
    }
    if (text != nullptr && std::memchr(text, 0, text_length) != nullptr) return Shape::kNulInCode;
    bson_t child;
    bool nested = false;
    if (BSON_ITER_HOLDS_DOCUMENT(&it) || BSON_ITER_HOLDS_ARRAY(&it)) {
      if (!embedded(&it, &child)) return Shape::kMalformed;
      nested = true;
    } else if (BSON_ITER_HOLDS_CODEWSCOPE(&it)) {
      uint32_t code_length = 0, scope_length = 0;
      const uint8_t* scope = nullptr;
      bson_iter_codewscope(&it, &code_length, &scope_length, &scope);
      if (scope == nullptr || !bson_init_static(&child, scope, scope_length)) return Shape::kMalformed;
      nested = true;
    }
    if (!nested) continue;
    if (depth + 1 > max_depth) return Shape::kTooDeep;
    Shape shape = walk(&child, BSON_ITER_HOLDS_ARRAY(&it), depth + 1, max_depth, misnumbered);
    if (shape != Shape::kOk) return shape;
  }
  // The loop ends at the terminating NUL or at an element that does not
  // fit, which the iterator marks (and so do bytes after an early NUL).
  return it.err_off == 0 ? Shape::kOk : Shape::kMalformed;
}

// Copies `document` into `out` with every array's elements keyed "0", "1",
// ...: BSON ignores an array's keys, but libbson prints a warning to stderr
// each time it copies an array whose first key is not "0", which a client
// could repeat for every copy the gateway makes. Recursion is bounded by
// the walk's depth check, done first.
void renumber(const bson_t* document, bool is_array, bson_t* out) {
  bson_iter_t it;
  bson_iter_init(&it, document);
  uint32_t index = 0;
  while (bson_iter_next(&it)) {
    char buffer[16];
    const char* key = bson_iter_key(&it);
    int key_length = static_cast<int>(bson_iter_key_len(&it));
    if (is_array) key_length = static_cast<int>(bson_uint32_to_string(index, &key, buffer, sizeof buffer));
    ++index;
    bson_t child, copy;
    if ((BSON_ITER_HOLDS_DOCUMENT(&it) || BSON_ITER_HOLDS_ARRAY(&it)) && embedded(&it, &child)) {
      bool array = BSON_ITER_HOLDS_ARRAY(&it);
      if (array) {
        bson_append_array_begin(out, key, key_length, &copy);
      } else {
        bson_append_document_begin(out, key, key_length, &copy);
      }
      renumber(&child, array, &copy);
      if (array) {
        bson_append_array_end(out, &copy);
      } else {
        bson_append_document_end(out, &copy);
      }
    } else {
      bson_append_iter(out, key, key_length, &it);
    }
  }
}

}  // namespace

bool within_depth(const bson_t* document, int max_depth) {
  bool misnumbered = false;
  return walk(document, false, 0, max_depth, misnumbered) == Shape::kOk;
}

Result<Document> Document::parse(ByteView bytes, size_t max_bytes) {
  if (bytes.size() < 5) {
    return Status::error(ErrorCode::kMalformed, "BSON document of " + std::to_string(bytes.size()) +
                                                    " bytes is shorter than the minimum 5");
  }
  int32_t declared = 0;
  std::memcpy(&declared, bytes.data(), 4);
  declared = BSON_UINT32_FROM_LE(declared);
  if (declared < 5 || static_cast<size_t>(declared) != bytes.size()) {
    return Status::error(ErrorCode::kMalformed, "BSON document declares " + std::to_string(declared) +
                                                    " bytes but has " + std::to_string(bytes.size()));
  }
  if (bytes.size() > max_bytes) {
    return Status::error(ErrorCode::kLimitExceeded, "BSON document of " + std::to_string(bytes.size()) +
                                                        " bytes exceeds " + std::to_string(max_bytes));
  }
  bson_t view;
  if (!bson_init_static(&view, bytes.data(), bytes.size())) {
    return Status::error(ErrorCode::kMalformed, "BSON document is not terminated");
  }
  // The walk first: bson_validate recurses without a bound of its own, and
  // it stops at the first corrupt element, as the walk does.
  bool misnumbered = false;
  Shape shape = walk(&view, false, 0, kMaxDocumentDepth, misnumbered);
  if (shape == Shape::kTooDeep) {
    return Status::error(ErrorCode::kLimitExceeded,
                         "BSON document nested deeper than " + std::to_string(kMaxDocumentDepth));
  }
  if (shape == Shape::kMalformed) return Status::error(ErrorCode::kMalformed, "BSON document has a corrupt element");
  if (shape == Shape::kKeyNotUtf8) return Status::error(ErrorCode::kMalformed, "BSON document has a key that is not UTF-8");
  if (shape == Shape::kNulInCode) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "BSON document holds JavaScript code or a DBPointer with a NUL byte inside, which the "
                         "gateway cannot store whole");
  }
  size_t offset = 0;
  if (!bson_validate(&view, BSON_VALIDATE_NONE, &offset)) {
    return Status::error(ErrorCode::kMalformed, "BSON document is corrupt at byte " + std::to_string(offset));
  }
  if (misnumbered) {
    bson_t out = BSON_INITIALIZER;
    renumber(&view, false, &out);
    Document numbered = adopt(&out);
    if (numbered.get()->len > max_bytes) {
      return Status::error(ErrorCode::kLimitExceeded, "BSON document of " + std::to_string(numbered.get()->len) +
                                                          " bytes once its arrays are keyed 0, 1, ... exceeds " +
                                                          std::to_string(max_bytes));
    }
    return numbered;
  }
  bson_t* owned = bson_new_from_data(bytes.data(), bytes.size());
  FL_ASSERT(owned != nullptr);
  return Document(owned);
}

Document Document::copy_of(const bson_t* source) {
  FL_ASSERT(source != nullptr);
  return Document(bson_copy(source));
}

Document Document::adopt(bson_t* built) {
  FL_ASSERT(built != nullptr);
  // bson_t may live inline (stack) or on the heap; a copy owns its bytes
  // either way, and the caller's bson_t is released here.
  Document document(bson_copy(built));
  bson_destroy(built);
  return document;
}

Document Document::from_json(std::string_view json) {
  bson_error_t error;
  bson_t* parsed = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                      static_cast<ssize_t>(json.size()), &error);
  FL_ASSERT_MSG(parsed != nullptr, error.message);
  return Document(parsed);
}

std::string Document::to_json() const {
  size_t length = 0;
  char* text = bson_as_relaxed_extended_json(get(), &length);
  if (text == nullptr) return "<not JSON-representable>";
  std::string out(text, length);
  bson_free(text);
  return out;
}

bool Document::find(std::string_view key, bson_iter_t* out) const {
  return bson_iter_init_find_w_len(out, get(), key.data(), static_cast<int>(key.size()));
}

std::string Document::first_key() const {
  bson_iter_t it;
  if (!bson_iter_init(&it, get()) || !bson_iter_next(&it)) return "";
  return std::string(bson_iter_key(&it), bson_iter_key_len(&it));
}

void BsonView::init(const uint8_t* data, uint32_t length) {
  data_ = data;
  length_ = length;
  bool ok = bson_init_static(&bson_, data, length);
  FL_ASSERT(ok);
}

bool embedded(const bson_iter_t* it, bson_t* out) {
  uint32_t length = 0;
  const uint8_t* data = nullptr;
  if (BSON_ITER_HOLDS_DOCUMENT(it)) {
    bson_iter_document(it, &length, &data);
  } else if (BSON_ITER_HOLDS_ARRAY(it)) {
    bson_iter_array(it, &length, &data);
  } else {
    return false;
  }
  return bson_init_static(out, data, length);
}

std::string_view utf8_of(const bson_iter_t* it) {
  if (!BSON_ITER_HOLDS_UTF8(it)) return {};
  uint32_t length = 0;
  const char* text = bson_iter_utf8(it, &length);
  return {text, length};
}

}  // namespace fluence::gateway
