#include "model/base/check.h"

#include <cstdio>
#include <cstdlib>

namespace fluence::detail {

void assertion_failed(const char* expression, const char* file, int line, const char* message) {
  std::fprintf(stderr, "%s:%d: assertion failed: %s%s%s\n", file, line, expression,
               message != nullptr ? ": " : "", message != nullptr ? message : "");
  std::fflush(stderr);
  std::abort();
}

}  // namespace fluence::detail
