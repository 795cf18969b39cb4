// Dataset ids and key paths for the key tree's and the grants' tests.
#pragma once

#include <initializer_list>
#include <string_view>

#include "model/base/check.h"
#include "model/client/key_tree.h"

namespace fluence::client::testing {

inline storage::DatasetId dataset(uint8_t n) {
  storage::DatasetId id{};
  id[0] = 0xda;
  id[31] = n;
  return id;
}

inline KeyPath path(std::initializer_list<std::string_view> segments) {
  Result<KeyPath> made = KeyPath::from_strings(segments);
  FL_ASSERT(made.is_ok());
  return std::move(*made);
}

}  // namespace fluence::client::testing
