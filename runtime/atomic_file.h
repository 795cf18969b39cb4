// Files that are either wholly old or wholly new after a crash: the bytes
// go to a temporary file beside the target, which is fsynced, renamed over
// the target, and the folder fsynced so the rename itself survives.
#pragma once

#include <string>

#include "model/base/bytes.h"
#include "model/base/status.h"

namespace fluence::runtime {

// Creates the file with `mode` (0600 for secrets); errors name the path.
Status write_file_atomically(const std::string& path, ByteView bytes, unsigned mode = 0600);

// The whole file; kNotFound if it does not exist.
Result<Bytes> read_file(const std::string& path);

}  // namespace fluence::runtime
