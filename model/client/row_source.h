// The client's view of a dataset's rows on its cluster: get, put and erase by
// row key, one call one round trip.
//
// Synchronous on purpose: the client runs inside the gateway, one request at
// a time, and the encrypted index (btree.h) cannot choose its next bucket
// before the previous one has arrived, so nothing would overlap anyway. The
// gateway implements this over its connection to the cluster; tests and
// benchmarks use MemoryRowSource.
//
// A RowSource is untrusted: what get() and scan_ore() return is whatever a
// node chose to send, and the caller verifies it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "model/base/bytes.h"
#include "model/base/status.h"
#include "model/storage/ore_scan.h"

namespace fluence::client {

class RowSource {
 public:
  virtual ~RowSource() = default;
  // nullopt when the node says the row does not exist.
  virtual Result<std::optional<Bytes>> get(ByteView key) = 0;
  virtual Status put(ByteView key, ByteView value) = 0;
  // Erasing a row that does not exist succeeds, so a retried erase is harmless.
  virtual Status erase(ByteView key) = 0;
  // One page of a range query over an ORE index (storage/ore_scan.h), in one
  // round trip: the rows' owner compares, so the client does not fetch the
  // index. A source sees its own puts and erases, as get() does.
  // kInvalidArgument for a query that fails storage::validate(). Not pure,
  // so that sources written before scans existed still build: this default
  // fails with kUnavailable ("this source cannot scan").
  virtual Result<storage::OreScanPage> scan_ore(const storage::OreScanQuery& query);
};

// Calls made through a CountingRowSource, each one round trip to a node.
struct RoundTrips {
  uint64_t gets = 0;
  uint64_t puts = 0;
  uint64_t erases = 0;
  uint64_t scans = 0;

  uint64_t total() const { return gets + puts + erases + scans; }
  bool operator==(const RoundTrips&) const = default;
};

// Forwards to another source and counts the calls, failed ones included
// (a failed call still cost its round trip).
class CountingRowSource final : public RowSource {
 public:
  explicit CountingRowSource(RowSource& inner) : inner_(&inner) {}

  Result<std::optional<Bytes>> get(ByteView key) override;
  Status put(ByteView key, ByteView value) override;
  Status erase(ByteView key) override;
  Result<storage::OreScanPage> scan_ore(const storage::OreScanQuery& query) override;

  const RoundTrips& counts() const { return counts_; }
  void reset() { counts_ = {}; }

 private:
  RowSource* inner_;
  RoundTrips counts_;
};

// Rows in an ordered map: the test and benchmark stand-in for a cluster, and
// the shape a gateway-side cache of rows would take.
class MemoryRowSource final : public RowSource {
 public:
  Result<std::optional<Bytes>> get(ByteView key) override;
  Status put(ByteView key, ByteView value) override;
  Status erase(ByteView key) override;
  // The node's scan (storage::OreScanner) over the map.
  Result<storage::OreScanPage> scan_ore(const storage::OreScanQuery& query) override;

  // Everything a node would hold, for tests that inspect or tamper with it.
  const std::map<Bytes, Bytes>& rows() const { return rows_; }
  std::map<Bytes, Bytes>& rows() { return rows_; }

 private:
  std::map<Bytes, Bytes> rows_;
};

}  // namespace fluence::client
