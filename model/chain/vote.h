// What a cluster node or arbiter signs when it endorses a block: the height
// and the header hash, under a domain label. Signing the height explicitly
// makes two signatures for one height self-evident equivocation.
#pragma once

#include "model/base/bytes.h"
#include "model/crypto/hash.h"

namespace fluence::chain {

Bytes vote_message(uint64_t height, const crypto::Hash256& header_hash);

}  // namespace fluence::chain
