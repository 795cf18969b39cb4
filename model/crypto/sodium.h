// libsodium must be initialised once before use; every wrapper calls this.
#pragma once

namespace fluence::crypto {
void ensure_sodium();
}
