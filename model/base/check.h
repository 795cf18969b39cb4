// Invariant assertions that stay on in every build type.
//
// An assertion is a test that runs in production (TigerBeetle's style):
// FL_ASSERT guards invariants inside a module; errors at a module's edge are
// values (see status.h), never assertions.
#pragma once

namespace fluence::detail {
[[noreturn]] void assertion_failed(const char* expression, const char* file, int line,
                                   const char* message);
}  // namespace fluence::detail

#define FL_ASSERT(condition)                                                      \
  do {                                                                            \
    if (!(condition)) [[unlikely]]                                                \
      ::fluence::detail::assertion_failed(#condition, __FILE__, __LINE__, nullptr); \
  } while (0)

#define FL_ASSERT_MSG(condition, message)                                           \
  do {                                                                              \
    if (!(condition)) [[unlikely]]                                                  \
      ::fluence::detail::assertion_failed(#condition, __FILE__, __LINE__, (message)); \
  } while (0)
