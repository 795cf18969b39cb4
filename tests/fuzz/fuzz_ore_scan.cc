// libFuzzer target: storage::OreScanQuery (a scan request's body) and
// storage::OreScanPage (a member's page) from untrusted bytes; each input is
// decoded as both. A query that decodes is also run, as a node would run it,
// over a small index (rows of two block sizes, and junk), and its page
// checked as a client would check it.
#include "model/env/random.h"
#include "model/env/store.h"
#include "model/storage/ore_scan.h"
#include "tests/fuzz/canonical_round_trip.h"

namespace {

using namespace fluence;

struct Index {
  env::MemoryStore store;
  std::optional<storage::Dataset> dataset;
  Index() {
    dataset.emplace(std::move(*storage::Dataset::open(store, storage::DatasetId{})));
    env::DeterministicRandom random(1);
    storage::JournalEntry entry{1, {}};
    crypto::OreKey keys[] = {crypto::OreKey::derive(crypto::Secret<32>()),
                             crypto::OreKey::derive(crypto::Secret<32>(), crypto::OreBlockBits::k2)};
    for (uint8_t n = 0; n < 8; ++n) {
      Bytes value = storage::encode_ore_row_value(crypto::ore_encrypt_right(keys[n % 2], n * 1000u, random), Bytes{n});
      entry.mutations.push_back({storage::Mutation::Kind::kPutRow, Bytes{'i', 'x', n}, std::move(value), {}, {}});
    }
    entry.mutations.push_back({storage::Mutation::Kind::kPutRow, Bytes{'i', 'x', 9}, Bytes{1, 2, 3}, {}, {}});
    if (!dataset->apply(entry).is_ok()) __builtin_trap();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Index index;
  Result<storage::OreScanQuery> query = codec::decode<storage::OreScanQuery>({data, size});
  if (query) {
    Result<storage::OreScanPage> page = storage::scan_ore(*index.dataset, *query);
    if (page.is_ok() != storage::validate(*query).is_ok()) __builtin_trap();
    if (page && !storage::check_page(*query, *page).is_ok()) __builtin_trap();  // an honest page passes
  }
  fuzz::canonical_round_trip<storage::OreScanQuery>(data, size);
  return fuzz::canonical_round_trip<storage::OreScanPage>(data, size);
}
