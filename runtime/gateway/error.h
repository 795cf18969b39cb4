// MongoDB's error taxonomy, as the gateway reports it to drivers.
//
// Drivers branch on the numeric code (retry on some, surface others), so the
// command layer carries MongoDB's codes (src/mongo/base/error_codes.yml) and
// not the project's ErrorCode: Outcome<T> is Result<T> with such a code.
// The storage interface below the commands still speaks Status, and
// error_from_status() maps it at that edge.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "model/base/status.h"

namespace fluence::gateway {

enum class MongoCode : int32_t {
  kInternalError = 1,
  kBadValue = 2,
  kHostUnreachable = 6,
  kFailedToParse = 9,
  kTypeMismatch = 14,
  kAuthenticationFailed = 18,
  kIllegalOperation = 20,
  kInvalidBSON = 22,
  kNamespaceNotFound = 26,
  kPathNotViable = 28,
  kConflictingUpdateOperators = 40,
  kCursorNotFound = 43,
  kNamespaceExists = 48,
  kCommandNotFound = 59,
  kImmutableField = 66,
  kCannotCreateIndex = 67,
  kInvalidOptions = 72,
  kInvalidNamespace = 73,
  kIndexOptionsConflict = 85,
  kNetworkTimeout = 89,
  kOperationFailed = 96,
  kExceededMemoryLimit = 146,
  kUnsupportedOpQueryCommand = 352,
  kBSONObjectTooLarge = 10334,
  kUpdatedDocumentTooLarge = 17419,
  kDuplicateKey = 11000,
  kUnrecognizedPipelineStage = 40324,
};

// "BadValue"; MongoDB's name for the code, sent as codeName.
const char* code_name(MongoCode code);

struct MongoError {
  MongoCode code;
  std::string message;
};

// The backend's errors, in the codes drivers know: unreachable cluster and
// timeouts become retryable network codes, the rest internal errors.
MongoError error_from_status(const Status& status);

template <typename T>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Outcome(MongoError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool is_ok() const { return state_.index() == 0; }
  explicit operator bool() const { return is_ok(); }
  T& value() & {
    FL_ASSERT(is_ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    FL_ASSERT(is_ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    FL_ASSERT(is_ok());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const MongoError& error() const {
    FL_ASSERT(!is_ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, MongoError> state_;
};

inline MongoError bad_value(std::string message) { return {MongoCode::kBadValue, std::move(message)}; }
inline MongoError type_mismatch(std::string message) { return {MongoCode::kTypeMismatch, std::move(message)}; }

}  // namespace fluence::gateway
