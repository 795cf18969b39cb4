// The admin endpoint's token (runtime/admin.h): 32 random bytes, written as
// 64 hex digits in a file of mode 0600 that only the node's operator and the
// tools and gateways they give it to can read. A connection to a node whose
// configuration names an admin_token_file must present it first:
//   {"cmd": "auth", "token": "<64 hex>"}
// The token is the whole secret, so it never appears in a configuration
// file, only that file's path.
#pragma once

#include <string>

#include "model/base/status.h"

namespace fluence::runtime {

inline constexpr size_t kAdminTokenHexDigits = 64;

// The node's side: the token at `path`, or a new one created there (OS
// entropy, written atomically) if the file is absent. A file that is there
// but holds no token is an error naming it: it is never replaced.
Result<std::string> load_or_create_admin_token(const std::string& path);

// A client's side (the gateway): the token at `path`, never created.
Result<std::string> read_admin_token(const std::string& path);

// Whether `offered` is `expected`, in time independent of where they differ.
bool admin_token_matches(const std::string& expected, const std::string& offered);

}  // namespace fluence::runtime
