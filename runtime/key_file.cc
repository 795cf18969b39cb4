#include "runtime/key_file.h"

#include <sodium.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runtime/atomic_file.h"
#include "runtime/os_random.h"

namespace fluence::runtime {

Result<dht::Identity> load_or_create_identity(const std::string& path, int difficulty) {
  std::ifstream in(path);
  if (!in) {
    if (std::filesystem::exists(path)) return Status::error(ErrorCode::kIo, path + ": cannot read");
    OsRandom random;
    Result<dht::Identity> identity = dht::Identity::generate(random, difficulty);
    if (!identity) return identity.status();
    nlohmann::json file = {{"ed25519_seed", to_hex(identity->key.seed().view())}, {"puzzle_nonce", identity->nonce}};
    std::string text = file.dump(2) + "\n";
    Status written = write_file_atomically(path, as_bytes(text));
    sodium_memzero(text.data(), text.size());
    if (!written.is_ok()) return written;
    return identity;
  }
  nlohmann::json file;
  try {
    in >> file;
  } catch (const nlohmann::json::exception& e) {
    return Status::error(ErrorCode::kMalformed, path + ": not a key file: " + e.what());
  }
  if (!file.is_object() || !file.contains("ed25519_seed") || !file["ed25519_seed"].is_string() ||
      !file.contains("puzzle_nonce") || !file["puzzle_nonce"].is_number_unsigned()) {
    return Status::error(ErrorCode::kMalformed, path + ": key file needs ed25519_seed (hex) and puzzle_nonce");
  }
  std::string hex = file["ed25519_seed"].get<std::string>();
  Result<std::array<uint8_t, 32>> seed_bytes = fixed_from_hex<32>(hex, path + ": ed25519_seed");
  sodium_memzero(hex.data(), hex.size());
  if (!seed_bytes) return seed_bytes.status();
  crypto::Secret<32> seed{std::span<const uint8_t, 32>(*seed_bytes)};
  sodium_memzero(seed_bytes->data(), seed_bytes->size());
  Result<dht::Identity> identity = dht::Identity::from_parts(seed, file["puzzle_nonce"].get<uint64_t>(), difficulty);
  if (!identity) return identity.status().with_context(path);
  return identity;
}

}  // namespace fluence::runtime
