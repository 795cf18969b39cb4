// Errors as values at module edges.
//
// Status carries a code and a message that names what went wrong (the field,
// the limit, the peer); Result<T> is a value or a Status. Callers must look:
// both are [[nodiscard]]. Modelled on LevelDB's Status and std::expected.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "model/base/check.h"

namespace fluence {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // the caller passed something out of its contract
  kMalformed,        // untrusted bytes or text that do not parse
  kNotFound,
  kIo,
  kTimeout,
  kUnavailable,      // a peer or resource cannot be reached now
  kAuthentication,   // a signature, MAC or identity did not verify
  kLimitExceeded,    // a size, count or depth bound was hit
};

const char* error_code_name(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(ErrorCode code, std::string message) {
    FL_ASSERT(code != ErrorCode::kOk);
    return Status(code, std::move(message));
  }

  bool is_ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "malformed: frame length 9000000 exceeds 1048576"
  std::string to_string() const;

  // Prefixes the message with where the error happened, for errors that
  // travel up through several layers.
  Status with_context(const std::string& context) const {
    if (is_ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    FL_ASSERT_MSG(!std::get<1>(state_).is_ok(), "a Result's error must not be ok");
  }

  bool is_ok() const { return state_.index() == 0; }
  explicit operator bool() const { return is_ok(); }

  T& value() & {
    FL_ASSERT_MSG(is_ok(), status_message());
    return std::get<0>(state_);
  }
  const T& value() const& {
    FL_ASSERT_MSG(is_ok(), status_message());
    return std::get<0>(state_);
  }
  T&& value() && {
    FL_ASSERT_MSG(is_ok(), status_message());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  Status status() const { return is_ok() ? Status::ok() : std::get<1>(state_); }

 private:
  const char* status_message() const {
    return is_ok() ? "" : std::get<1>(state_).message().c_str();
  }
  std::variant<T, Status> state_;
};

}  // namespace fluence

// Returns early with the error of a Status-returning expression.
#define FL_RETURN_IF_ERROR(expression)              \
  do {                                              \
    ::fluence::Status fl_status_ = (expression);    \
    if (!fl_status_.is_ok()) return fl_status_;     \
  } while (0)
