// The key store's file format: the dataset root secrets and the subtree keys
// received in grants, sealed under a passphrase. The same format serves as the
// store's own file and as a backup.
//
//   header (61 bytes, codec encoding: integers big-endian):
//     magic              4 bytes  "FLKS"
//     format version     u8       2 (1 is still read)
//     Argon2id opslimit  u64
//     Argon2id memlimit  u64      bytes
//     salt               16 bytes random per seal
//     nonce              24 bytes random per seal
//   body: XChaCha20-Poly1305(key   = Argon2id13(passphrase, salt, opslimit, memlimit),
//                            nonce = the header's nonce,
//                            associated data = the whole header,
//                            plaintext)
//   plaintext (codec encoding):
//     datasets section:
//       count            varint   at most kMaxKeyStoreDatasets
//       count times:     dataset id (32 bytes) || root secret (32 bytes),
//                        ascending by dataset id, no dataset twice
//     received section (version 2 only):
//       count            varint   at most kMaxReceivedKeys
//       count times:     owner's dataset id (32 bytes) || KeyPath encoding
//                        (key_tree.h) || the node's key (32 bytes), ascending
//                        by (dataset id, path) as KeyPath orders paths, no pair
//                        twice
//
// Version 1 files, written before grants existed, are the datasets section
// alone; they open as a store with no received keys, and the next seal
// writes version 2. A version 1 reader refuses a version 2 file by its
// version byte rather than misreading it. The version is in the header and
// so under the tag: it cannot be lowered to hide the received section.
//
// The header is associated data, so no field of it (a weaker limit, another
// salt) can be changed without the tag failing. The Argon2 limits come from
// the file, so they are bounded before Argon2 runs: a hostile file could
// otherwise ask for any amount of memory and time.
//
// This module does no I/O: it produces and consumes bytes. Writing the file so
// that a crash leaves the old or the new store and never a torn one (write a
// temporary file, fsync it, rename it over the old one, fsync the directory) is
// the gateway's job.
#pragma once

#include <array>
#include <span>
#include <string_view>
#include <vector>

#include "model/base/bytes.h"
#include "model/base/status.h"
#include "model/client/dataset_keys.h"
#include "model/client/key_tree.h"
#include "model/crypto/aead.h"
#include "model/env/random.h"

namespace fluence::client {

inline constexpr std::array<uint8_t, 4> kKeyStoreMagic = {'F', 'L', 'K', 'S'};
// What seal writes; open reads it and kKeyStoreFormatVersionDatasetsOnly.
inline constexpr uint8_t kKeyStoreFormatVersion = 2;
inline constexpr uint8_t kKeyStoreFormatVersionDatasetsOnly = 1;
inline constexpr size_t kKeyStoreSaltBytes = 16;
inline constexpr size_t kKeyStoreHeaderBytes =
    4 + 1 + 8 + 8 + kKeyStoreSaltBytes + crypto::kAeadNonceBytes;
// 65,536 datasets make a plaintext of about 4 MiB.
inline constexpr size_t kMaxKeyStoreDatasets = size_t{1} << 16;
inline constexpr size_t kKeyStoreEntryBytes = storage::kDatasetIdBytes + kRootSecretBytes;
// 16,384 received keys of the longest paths make about 26 MiB; typical paths
// of a collection and a document id take about 100 bytes an entry.
inline constexpr size_t kMaxReceivedKeys = size_t{1} << 14;
inline constexpr size_t kMinReceivedKeyEntryBytes = storage::kDatasetIdBytes + 1 + kNodeKeyBytes;
inline constexpr size_t kMaxReceivedKeyEntryBytes =
    storage::kDatasetIdBytes + kMaxKeyPathEncodedBytes + kNodeKeyBytes;
// The longest plaintext a file of the current version can hold: each count
// is a varint of at most 3 bytes.
inline constexpr size_t kMaxKeyStorePlaintextBytes =
    3 + kMaxKeyStoreDatasets * kKeyStoreEntryBytes + 3 + kMaxReceivedKeys * kMaxReceivedKeyEntryBytes;

// Argon2id's cost: passes over memory, and memory in bytes.
struct PasswordHashLimits {
  uint64_t opslimit = 0;
  uint64_t memlimit_bytes = 0;
  bool operator==(const PasswordHashLimits&) const = default;
};

// libsodium's minimum: only for tests, which would otherwise spend seconds per
// seal under AddressSanitizer.
inline constexpr PasswordHashLimits kMinPasswordHashLimits{1, 8192};
// libsodium's MODERATE preset (3 passes over 256 MiB, about 0.7 s on a
// desktop core). Not INTERACTIVE (64 MiB): the store is unlocked once when the
// gateway starts, not per request, so a second of waiting is acceptable, and
// its backups lie in "some cold dark place" where an attacker who finds one
// can guess passphrases offline for as long as they like; four times the
// memory per guess is worth the wait.
inline constexpr PasswordHashLimits kDefaultPasswordHashLimits{3, 256u << 20};
// libsodium's SENSITIVE preset (4 passes over 1 GiB), the strongest it names.
// A file that asks for more is refused, so a hostile file costs at most this.
inline constexpr PasswordHashLimits kMaxPasswordHashLimits{4, 1u << 30};

// A sealed file's parts, checked as far as they can be without the passphrase.
// The views point into the file passed to parse_sealed_key_store().
struct SealedKeyStore {
  uint8_t version = 0;  // kKeyStoreFormatVersion or kKeyStoreFormatVersionDatasetsOnly
  PasswordHashLimits limits;
  std::array<uint8_t, kKeyStoreSaltBytes> salt{};
  crypto::AeadNonce nonce{};
  ByteView header;      // the associated data
  ByteView ciphertext;  // ciphertext || tag
};

// Untrusted bytes in: kMalformed for a bad magic, an unknown version, a
// truncated header or body, Argon2 limits below kMinPasswordHashLimits;
// kLimitExceeded for limits above kMaxPasswordHashLimits or a body longer
// than the most entries its version holds need.
Result<SealedKeyStore> parse_sealed_key_store(ByteView file);

struct KeyStoreEntry {
  storage::DatasetId dataset{};
  RootSecret root;
};

// A subtree key received in a grant (grant.h).
struct ReceivedKeyEntry {
  storage::DatasetId dataset{};  // the owner's dataset
  KeyPath path;
  NodeSecret key;
};

struct KeyStoreContents {
  std::vector<KeyStoreEntry> datasets;
  std::vector<ReceivedKeyEntry> received;
};

// The datasets section alone, which is the whole plaintext of a version 1
// file and holds every root secret. Entries must be ascending by dataset id
// without repeats (as KeyStore holds them). The caller wipes the result when
// done with it (crypto::wipe).
Bytes encode_key_store_plaintext(std::span<const KeyStoreEntry> entries);
// kMalformed unless `plaintext` is exactly a canonical encoding. A plaintext
// only reaches this after its tag verified, but it is still checked as
// untrusted: a file sealed by a buggy or foreign writer is no reason to crash.
Result<std::vector<KeyStoreEntry>> decode_key_store_plaintext(ByteView plaintext);

// The whole plaintext of the current version: both sections, each ascending
// without repeats. The caller wipes the result.
Bytes encode_key_store_contents(const KeyStoreContents& contents);
// The plaintext of a file of `version` (either version this build reads;
// kMalformed for another), checked as decode_key_store_plaintext checks.
Result<KeyStoreContents> decode_key_store_contents(ByteView plaintext, uint8_t version);

// Seals `contents` (as for encode_key_store_contents) in the current version
// with a fresh salt and nonce from `random`. kInvalidArgument for an empty
// passphrase or for limits outside kMinPasswordHashLimits..kMaxPasswordHashLimits;
// kUnavailable if Argon2 cannot get its memory.
Result<Bytes> seal_key_store(const KeyStoreContents& contents, std::string_view passphrase,
                             const PasswordHashLimits& limits, env::Random& random);
// Everything parse_sealed_key_store() rejects, then kAuthentication for a
// wrong passphrase or any altered byte; kUnavailable if Argon2 cannot get its
// memory. A version 1 file gives no received keys.
Result<KeyStoreContents> open_sealed_key_store(ByteView file, std::string_view passphrase);

}  // namespace fluence::client
