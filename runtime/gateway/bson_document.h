// One BSON document, owned (libbson's bson_t behind a value type).
//
// Every document that reaches the gateway from outside passes through
// Document::parse, which checks the bytes' structure and bounds their nesting:
// the matcher, projection and comparison recurse on nesting, so the bound is
// what keeps a hostile message from exhausting the stack.
#pragma once

#include <bson/bson.h>

#include <string>
#include <string_view>

#include "model/base/bytes.h"

namespace fluence::gateway {

// MongoDB accepts user documents nested at most about 100 deep.
constexpr int kMaxDocumentDepth = 100;
// MongoDB's maxBsonObjectSize.
constexpr size_t kMaxDocumentBytes = 16 * 1024 * 1024;

class Document {
 public:
  Document();  // {}
  Document(const Document& other);
  Document(Document&& other) noexcept;
  Document& operator=(const Document& other);
  Document& operator=(Document&& other) noexcept;
  ~Document();

  // Untrusted bytes: exactly one document, well formed, within the limits.
  static Result<Document> parse(ByteView bytes, size_t max_bytes = kMaxDocumentBytes);
  // Copies a document built or held by libbson (trusted: assembled here).
  static Document copy_of(const bson_t* source);
  // Takes over a document built with bson_new() / bson_init() and releases
  // `built`. A pointer, not bson_t&&: std::move's template drops bson_t's
  // alignment attribute, which clang reports as a misaligned argument.
  static Document adopt(bson_t* built);
  // Test and diagnostics convenience: relaxed extended JSON; asserts it parses.
  static Document from_json(std::string_view json);

  const bson_t* get() const;
  ByteView bytes() const { return {bson_get_data(get()), get()->len}; }
  size_t size_bytes() const { return get()->len; }
  bool empty() const { return bson_count_keys(get()) == 0; }
  std::string to_json() const;  // relaxed extended JSON, for logs and tests

  // The element named `key` at top level, if present.
  bool find(std::string_view key, bson_iter_t* out) const;
  // The first key, e.g. a command's name ("" for an empty document).
  std::string first_key() const;

 private:
  // Owned; a raw pointer because bson_t's alignment attribute is lost as a
  // template argument (unique_ptr<bson_t> draws -Wignored-attributes).
  explicit Document(bson_t* owned) : bson_(owned) {}
  bson_t* bson_ = nullptr;
};

// A borrowed document (a view of bytes owned elsewhere) that can be copied
// and kept in containers. A plain bson_t cannot: bson_init_static makes it
// point into itself, and its alignment attribute is lost as a template
// argument; so a copy re-creates the view over the same bytes.
class BsonView {
 public:
  explicit BsonView(const bson_t* of) { init(bson_get_data(of), of->len); }
  BsonView(const BsonView& other) { init(other.data_, other.length_); }
  BsonView& operator=(const BsonView& other) {
    init(other.data_, other.length_);
    return *this;
  }
  const bson_t* get() const { return &bson_; }

 private:
  void init(const uint8_t* data, uint32_t length);
  bson_t bson_;
  const uint8_t* data_ = nullptr;
  uint32_t length_ = 0;
};

// Checks that an embedded document or array stays within the depth bound
// (the whole of it, recursively); used by parse and by tests.
bool within_depth(const bson_t* document, int max_depth);

// A view of an embedded document or array under an iterator; valid while the
// iterator's document lives. False if the element is not a document or array.
bool embedded(const bson_iter_t* it, bson_t* out);

// The element's string if it is one.
std::string_view utf8_of(const bson_iter_t* it);

}  // namespace fluence::gateway
