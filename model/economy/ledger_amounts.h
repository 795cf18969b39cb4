// Arithmetic and messages shared by the ledger's files (ledger.cc,
// ledger_share.cc); not part of the ledger's contract.
#pragma once

#include <limits>
#include <string>

#include "model/base/check.h"
#include "model/base/status.h"

namespace fluence::economy::ledger_detail {

inline Status rejected(ErrorCode code, const std::string& message) { return Status::error(code, message); }

// Every balance and escrow is at most total_minted, which Mint keeps within 64
// bits, so these additions cannot overflow; the assertion says so.
inline uint64_t plus(uint64_t a, uint64_t b) {
  FL_ASSERT(a <= std::numeric_limits<uint64_t>::max() - b);
  return a + b;
}

inline std::string amount_text(uint64_t micro_fft) { return std::to_string(micro_fft) + " micro-FFT"; }

}  // namespace fluence::economy::ledger_detail
