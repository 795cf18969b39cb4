#include "model/client/key_store_format.h"

#include <sodium.h>

#include <algorithm>

#include "model/codec/codec.h"
#include "model/crypto/sodium.h"

namespace fluence::client {

static_assert(crypto_pwhash_SALTBYTES == kKeyStoreSaltBytes);
static_assert(kMinPasswordHashLimits.opslimit == crypto_pwhash_argon2id_OPSLIMIT_MIN);
static_assert(kMinPasswordHashLimits.memlimit_bytes == crypto_pwhash_argon2id_MEMLIMIT_MIN);
static_assert(kDefaultPasswordHashLimits.opslimit == crypto_pwhash_argon2id_OPSLIMIT_MODERATE);
static_assert(kDefaultPasswordHashLimits.memlimit_bytes ==
              crypto_pwhash_argon2id_MEMLIMIT_MODERATE);
static_assert(kMaxPasswordHashLimits.opslimit == crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE);
static_assert(kMaxPasswordHashLimits.memlimit_bytes == crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE);
static_assert(kMaxPasswordHashLimits.memlimit_bytes <= SIZE_MAX);

namespace {

// 3: the varint of kMaxKeyStoreDatasets (2^16 needs three 7-bit groups), and
// of kMaxReceivedKeys (2^14 needs three too).
static_assert(kMaxKeyStoreDatasets == 65536 && kMaxReceivedKeys == 16384);
constexpr size_t kMaxDatasetsOnlyPlaintextBytes = 3 + kMaxKeyStoreDatasets * kKeyStoreEntryBytes;

size_t max_plaintext_bytes(uint8_t version) {
  FL_ASSERT(version == kKeyStoreFormatVersion || version == kKeyStoreFormatVersionDatasetsOnly);
  return version == kKeyStoreFormatVersion ? kMaxKeyStorePlaintextBytes
                                           : kMaxDatasetsOnlyPlaintextBytes;
}

using Salt = std::array<uint8_t, kKeyStoreSaltBytes>;

// Wipes a buffer that held root secrets on every way out of a scope.
class WipeOnExit {
 public:
  explicit WipeOnExit(Bytes& bytes) : bytes_(bytes) {}
  ~WipeOnExit() { crypto::wipe(bytes_.data(), bytes_.size()); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  Bytes& bytes_;
};

Status check_limits(const PasswordHashLimits& limits, ErrorCode too_low, ErrorCode too_high) {
  auto check = [](const char* name, uint64_t value, uint64_t min, uint64_t max, ErrorCode low,
                  ErrorCode high) {
    if (value < min) {
      return Status::error(low, std::string("Argon2id ") + name + " " + std::to_string(value) +
                                    " is below libsodium's minimum " + std::to_string(min));
    }
    if (value > max) {
      return Status::error(high, std::string("Argon2id ") + name + " " + std::to_string(value) +
                                     " exceeds the maximum " + std::to_string(max));
    }
    return Status::ok();
  };
  FL_RETURN_IF_ERROR(check("opslimit", limits.opslimit, kMinPasswordHashLimits.opslimit,
                           kMaxPasswordHashLimits.opslimit, too_low, too_high));
  return check("memlimit", limits.memlimit_bytes, kMinPasswordHashLimits.memlimit_bytes,
               kMaxPasswordHashLimits.memlimit_bytes, too_low, too_high);
}

// Callers have bounded `limits` by kMaxPasswordHashLimits.
Result<crypto::AeadKey> derive_file_key(std::string_view passphrase, const Salt& salt,
                                        const PasswordHashLimits& limits) {
  FL_ASSERT(limits.opslimit <= kMaxPasswordHashLimits.opslimit &&
            limits.memlimit_bytes <= kMaxPasswordHashLimits.memlimit_bytes);
  crypto::ensure_sodium();
  crypto::AeadKey key;
  int rc = crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt.data(),
                         limits.opslimit, static_cast<size_t>(limits.memlimit_bytes),
                         crypto_pwhash_ALG_ARGON2ID13);
  if (rc != 0) {
    return Status::error(
        ErrorCode::kUnavailable,
        "Argon2id could not get its " + std::to_string(limits.memlimit_bytes) + " bytes of memory");
  }
  return key;
}

Bytes encode_header(const PasswordHashLimits& limits, const Salt& salt,
                    const crypto::AeadNonce& nonce) {
  codec::Writer writer;
  writer.fixed(kKeyStoreMagic);
  writer.u8(kKeyStoreFormatVersion);
  writer.u64(limits.opslimit);
  writer.u64(limits.memlimit_bytes);
  writer.fixed(salt);
  writer.fixed(nonce);
  FL_ASSERT(writer.size() == kKeyStoreHeaderBytes);
  return writer.finish();
}

}  // namespace

Result<SealedKeyStore> parse_sealed_key_store(ByteView file) {
  if (file.size() < kKeyStoreHeaderBytes + crypto::kAeadTagBytes) {
    return Status::error(ErrorCode::kMalformed,
                         "key store file of " + std::to_string(file.size()) +
                             " bytes is shorter than its header and tag (" +
                             std::to_string(kKeyStoreHeaderBytes + crypto::kAeadTagBytes) + ")");
  }
  SealedKeyStore sealed;
  sealed.header = file.first(kKeyStoreHeaderBytes);
  sealed.ciphertext = file.subspan(kKeyStoreHeaderBytes);
  codec::Reader reader(sealed.header);
  ByteView magic = reader.raw("key_store.magic", kKeyStoreMagic.size());
  if (reader.ok() && !std::equal(magic.begin(), magic.end(), kKeyStoreMagic.begin())) {
    reader.fail("key_store.magic", "not a fluence key store");
  }
  sealed.version = reader.u8("key_store.version");
  if (reader.ok() && sealed.version != kKeyStoreFormatVersion &&
      sealed.version != kKeyStoreFormatVersionDatasetsOnly) {
    reader.fail("key_store.version", "format version " + std::to_string(sealed.version) +
                                         " is not one this build reads (" +
                                         std::to_string(kKeyStoreFormatVersionDatasetsOnly) +
                                         " or " + std::to_string(kKeyStoreFormatVersion) + ")");
  }
  sealed.limits.opslimit = reader.u64("key_store.opslimit");
  sealed.limits.memlimit_bytes = reader.u64("key_store.memlimit");
  sealed.salt = reader.fixed<kKeyStoreSaltBytes>("key_store.salt");
  sealed.nonce = reader.fixed<crypto::kAeadNonceBytes>("key_store.nonce");
  FL_RETURN_IF_ERROR(reader.finish());
  FL_RETURN_IF_ERROR(check_limits(sealed.limits, ErrorCode::kMalformed, ErrorCode::kLimitExceeded));
  if (sealed.ciphertext.size() > max_plaintext_bytes(sealed.version) + crypto::kAeadTagBytes) {
    return Status::error(ErrorCode::kLimitExceeded,
                         "key store body of " + std::to_string(sealed.ciphertext.size()) +
                             " bytes is longer than the most entries of format version " +
                             std::to_string(sealed.version) + " need");
  }
  return sealed;
}

namespace {

// The bytes of the datasets section: the count, then the entries.
size_t datasets_section_bytes(std::span<const KeyStoreEntry> entries) {
  codec::Writer count;
  count.varint(entries.size());
  return count.size() + entries.size() * kKeyStoreEntryBytes;
}

size_t received_section_bytes(std::span<const ReceivedKeyEntry> entries) {
  codec::Writer counted;
  counted.varint(entries.size());
  size_t total = counted.size();
  for (const ReceivedKeyEntry& entry : entries) {
    codec::Writer path;
    entry.path.encode(path);
    total += storage::kDatasetIdBytes + path.size() + kNodeKeyBytes;
  }
  return total;
}

// Appends to `plaintext`, which the caller reserved: a vector that grew
// while holding secrets would free copies of them that nobody wipes.
void append_datasets(Bytes& plaintext, std::span<const KeyStoreEntry> entries) {
  FL_ASSERT(entries.size() <= kMaxKeyStoreDatasets);
  const uint8_t* buffer = plaintext.data();
  codec::Writer count;
  count.varint(entries.size());
  plaintext.insert(plaintext.end(), count.data().begin(), count.data().end());
  for (size_t i = 0; i < entries.size(); ++i) {
    FL_ASSERT(i == 0 || entries[i - 1].dataset < entries[i].dataset);
    plaintext.insert(plaintext.end(), entries[i].dataset.begin(), entries[i].dataset.end());
    ByteView root = entries[i].root.view();
    plaintext.insert(plaintext.end(), root.begin(), root.end());
  }
  FL_ASSERT(plaintext.data() == buffer);
}

bool received_before(const ReceivedKeyEntry& a, const ReceivedKeyEntry& b) {
  return a.dataset < b.dataset || (a.dataset == b.dataset && a.path < b.path);
}

void append_received(Bytes& plaintext, std::span<const ReceivedKeyEntry> entries) {
  FL_ASSERT(entries.size() <= kMaxReceivedKeys);
  const uint8_t* buffer = plaintext.data();
  codec::Writer count;
  count.varint(entries.size());
  plaintext.insert(plaintext.end(), count.data().begin(), count.data().end());
  for (size_t i = 0; i < entries.size(); ++i) {
    FL_ASSERT(i == 0 || received_before(entries[i - 1], entries[i]));
    plaintext.insert(plaintext.end(), entries[i].dataset.begin(), entries[i].dataset.end());
    codec::Writer path;
    entries[i].path.encode(path);
    plaintext.insert(plaintext.end(), path.data().begin(), path.data().end());
    ByteView key = entries[i].key.view();
    plaintext.insert(plaintext.end(), key.begin(), key.end());
  }
  FL_ASSERT(plaintext.data() == buffer);
}

std::vector<KeyStoreEntry> read_datasets(codec::Reader& reader) {
  size_t count = reader.count("key_store.datasets", kMaxKeyStoreDatasets, kKeyStoreEntryBytes);
  std::vector<KeyStoreEntry> entries;
  entries.reserve(count);
  for (size_t i = 0; i < count && reader.ok(); ++i) {
    KeyStoreEntry entry;
    entry.dataset = reader.fixed<storage::kDatasetIdBytes>("key_store.dataset");
    ByteView root = reader.raw("key_store.root_secret", kRootSecretBytes);
    if (!reader.ok()) break;
    entry.root =
        RootSecret(std::span<const uint8_t, kRootSecretBytes>(root.data(), kRootSecretBytes));
    if (!entries.empty() && !(entries.back().dataset < entry.dataset)) {
      reader.fail("key_store.dataset",
                  "not above the one before: datasets must ascend without repeats");
      break;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<ReceivedKeyEntry> read_received(codec::Reader& reader) {
  size_t count =
      reader.count("key_store.received", kMaxReceivedKeys, kMinReceivedKeyEntryBytes);
  std::vector<ReceivedKeyEntry> entries;
  entries.reserve(count);
  for (size_t i = 0; i < count && reader.ok(); ++i) {
    ReceivedKeyEntry entry;
    entry.dataset = reader.fixed<storage::kDatasetIdBytes>("key_store.received.dataset");
    entry.path = KeyPath::decode(reader);
    ByteView key = reader.raw("key_store.received.key", kNodeKeyBytes);
    if (!reader.ok()) break;
    entry.key = NodeSecret(std::span<const uint8_t, kNodeKeyBytes>(key.data(), kNodeKeyBytes));
    if (!entries.empty() && !received_before(entries.back(), entry)) {
      reader.fail("key_store.received",
                  "not above the one before: (dataset, path) pairs must ascend without repeats");
      break;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

Bytes encode_key_store_plaintext(std::span<const KeyStoreEntry> entries) {
  Bytes plaintext;
  plaintext.reserve(datasets_section_bytes(entries));
  append_datasets(plaintext, entries);
  return plaintext;
}

Result<std::vector<KeyStoreEntry>> decode_key_store_plaintext(ByteView plaintext) {
  codec::Reader reader(plaintext);
  std::vector<KeyStoreEntry> entries = read_datasets(reader);
  FL_RETURN_IF_ERROR(reader.finish());
  return entries;
}

Bytes encode_key_store_contents(const KeyStoreContents& contents) {
  Bytes plaintext;
  plaintext.reserve(datasets_section_bytes(contents.datasets) +
                    received_section_bytes(contents.received));
  append_datasets(plaintext, contents.datasets);
  append_received(plaintext, contents.received);
  FL_ASSERT(plaintext.size() <= kMaxKeyStorePlaintextBytes);
  return plaintext;
}

Result<KeyStoreContents> decode_key_store_contents(ByteView plaintext, uint8_t version) {
  if (version != kKeyStoreFormatVersion && version != kKeyStoreFormatVersionDatasetsOnly) {
    return Status::error(ErrorCode::kMalformed, "key store format version " +
                                                    std::to_string(version) +
                                                    " is not one this build reads");
  }
  codec::Reader reader(plaintext);
  KeyStoreContents contents;
  contents.datasets = read_datasets(reader);
  if (version == kKeyStoreFormatVersion && reader.ok()) contents.received = read_received(reader);
  FL_RETURN_IF_ERROR(reader.finish());
  return contents;
}

Result<Bytes> seal_key_store(const KeyStoreContents& contents, std::string_view passphrase,
                             const PasswordHashLimits& limits, env::Random& random) {
  if (passphrase.empty()) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "an empty passphrase would leave the key store unprotected");
  }
  FL_RETURN_IF_ERROR(
      check_limits(limits, ErrorCode::kInvalidArgument, ErrorCode::kInvalidArgument));
  Salt salt;
  crypto::AeadNonce nonce;
  random.fill(salt);
  random.fill(nonce);
  Result<crypto::AeadKey> key = derive_file_key(passphrase, salt, limits);
  if (!key) return key.status();
  Bytes file = encode_header(limits, salt, nonce);
  Bytes plaintext = encode_key_store_contents(contents);
  WipeOnExit wipe_plaintext(plaintext);
  Bytes body = crypto::aead_seal(*key, nonce, file, plaintext);
  file.insert(file.end(), body.begin(), body.end());
  return file;
}

Result<KeyStoreContents> open_sealed_key_store(ByteView file, std::string_view passphrase) {
  Result<SealedKeyStore> sealed = parse_sealed_key_store(file);
  if (!sealed) return sealed.status();
  Result<crypto::AeadKey> key = derive_file_key(passphrase, sealed->salt, sealed->limits);
  if (!key) return key.status();
  Result<Bytes> plaintext =
      crypto::aead_open(*key, sealed->nonce, sealed->header, sealed->ciphertext);
  if (!plaintext) {
    return Status::error(ErrorCode::kAuthentication,
                         "key store does not open: wrong passphrase, or the file was altered");
  }
  WipeOnExit wipe_plaintext(*plaintext);
  return decode_key_store_contents(*plaintext, sealed->version);
}

}  // namespace fluence::client
