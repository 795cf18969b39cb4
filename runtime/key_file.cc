#include "runtime/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runtime/os_random.h"

namespace fluence::runtime {

namespace {

Status write_atomically(const std::string& path, const std::string& text) {
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Status::error(ErrorCode::kIo, temp + ": cannot create");
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return Status::error(ErrorCode::kIo, path + ": cannot write");
  }
  return Status::ok();
}

}  // namespace

Result<dht::Identity> load_or_create_identity(const std::string& path, int difficulty) {
  std::ifstream in(path);
  if (!in) {
    if (std::filesystem::exists(path)) return Status::error(ErrorCode::kIo, path + ": cannot read");
    OsRandom random;
    Result<dht::Identity> identity = dht::Identity::generate(random, difficulty);
    if (!identity) return identity.status();
    nlohmann::json file = {{"ed25519_seed", to_hex(identity->key.seed().view())}, {"puzzle_nonce", identity->nonce}};
    std::string text = file.dump(2) + "\n";
    Status written = write_atomically(path, text);
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
