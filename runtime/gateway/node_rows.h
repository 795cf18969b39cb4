// The gateway's rows on a real cluster: a client::RowSource over ONE member's
// admin endpoint (runtime/admin.h), for one dataset.
//
// Write-back. put() and erase() only buffer; flush() sends the buffer as one
// admin "write", which the cluster orders as one journal entry and every
// member applies atomically. Every write costs a consensus round (a block),
// so the gateway flushes once per MongoDB command: the command's rows commit
// together, in one round, instead of one round per row. The buffer keeps the
// last change per key (a put after a put, or an erase after a put, replaces
// it), and get() answers from it first, so a command reads its own writes; a
// buffered erase reads as absent.
//
// Scans. scan_ore() is one admin "ore_scan" (a page signed by `signatures`
// members, retried as get() is). It sees the command's own writes by
// FLUSHING FIRST, but only when the buffer holds a row under the scan's
// prefix: merging buffered rows into a node's page would need the scan's
// comparisons and paging on both sides, and a command that does not touch
// the index keeps its one atomic write.
//
// A batch over the endpoint's bounds (kAdminMaxWriteRows rows,
// kAdminMaxWriteBytes encoded) goes as several writes, in key order: then
// ONLY EACH PART IS ATOMIC. When a part fails, the parts before it are
// committed and dropped from the buffer; it and the rest stay buffered, so a
// later flush() sends them again (puts and erases of whole rows are
// idempotent) and discard() drops them.
//
// Blocking, with a deadline per request (connecting included): the caller's
// thread runs a private io_context for the length of one request, Asio's
// "blocking client with timeouts" pattern. One connection is kept and
// reused; one that broke or timed out is closed, and the next request opens
// a new one. Not thread-safe: one caller at a time, as the gateway runs one
// command at a time.
//
// Errors, as Status codes:
//   kTimeout          no reply within the deadline; a write's fate is then
//                     unknown (it may still commit), as it is when the
//                     cluster itself answers "timeout"
//   kUnavailable      connection refused or broken, or the node could not
//                     carry the request out (e.g. members disagreed on a
//                     read after the retries below)
//   kInvalidArgument  the node refused the request as invalid (its message
//                     names the field), or this node does not host the
//                     dataset
//   kMalformed        the node's reply is not what the protocol says
//   kLimitExceeded    a value over storage::kMaxRowValueBytes, or the
//                     buffer over max_buffered_bytes (flush first)
//   kAuthentication   the node refused admin_token, or asks for one and
//                     none was given
//
// Like every RowSource this is untrusted: a value comes back signed by
// `signatures` members (the node checked), and the caller (the encrypted
// index) still verifies what it decrypts.
#pragma once

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "model/client/row_source.h"

namespace fluence::gateway {

struct NodeRowSourceOptions {
  std::string admin_address{};  // "127.0.0.1:8001": an IP address and port, as the node's admin_listen
  // The node's admin token (runtime/admin_token.h), presented on every new
  // connection; empty for a node that asks none.
  std::string admin_token{};
  std::string dataset{};        // 64 hex digits
  // How many members (1..n) must sign the same answer to a get: the read's
  // integrity, bought with round trips inside the cluster.
  size_t signatures = 1;
  std::chrono::milliseconds read_timeout{10000};
  // A write waits for its block, and the cluster gives up on one after 30 s
  // (ClusterConfig::write_timeout): waiting longer lets its verdict arrive.
  std::chrono::milliseconds write_timeout{35000};
  // A get the members did not agree on (one may be a block behind the
  // member we ask, read.h) is asked again this often (0..6), 50 ms apart,
  // doubling.
  int read_retries = 3;
  // Bound on what put() may hold before a flush: key and value bytes.
  size_t max_buffered_bytes = 64 * 1024 * 1024;
};

// Requests sent to the node, each one round trip; failed ones included, as
// CountingRowSource counts (a failed call still cost its wait). A get that
// the buffer answered sends nothing.
struct NodeRoundTrips {
  uint64_t reads = 0;   // admin "read"s
  uint64_t writes = 0;  // admin "write"s: one per flush, or per part of a split one
  uint64_t scans = 0;   // admin "ore_scan"s
  uint64_t commands = 0;  // any other admin command (command())

  uint64_t total() const { return reads + writes + scans + commands; }
  bool operator==(const NodeRoundTrips&) const = default;
};

class NodeRowSource final : public client::RowSource {
 public:
  // Checks the options (kInvalidArgument naming the field); connects lazily,
  // at the first request, so a gateway may start before its node.
  static Result<std::unique_ptr<NodeRowSource>> open(NodeRowSourceOptions options);
  // Rows still buffered are dropped: flush() first.
  ~NodeRowSource() override;
  NodeRowSource(const NodeRowSource&) = delete;
  NodeRowSource& operator=(const NodeRowSource&) = delete;

  Result<std::optional<Bytes>> get(ByteView key) override;
  // Buffer only; the key must be 1..storage::kMaxRowKeyBytes bytes.
  Status put(ByteView key, ByteView value) override;
  Status erase(ByteView key) override;
  // One page, checked with storage::check_page (kMalformed if the node's
  // page fails it); flushes first when the buffer holds a row under the
  // prefix, and fails with the flush's error if that fails.
  Result<storage::OreScanPage> scan_ore(const storage::OreScanQuery& query) override;

  // Sends the buffer (nothing to send: ok, no request). Returns once the
  // cluster committed every part, or with the first part's error.
  Status flush();
  // Drops the buffer (a command that failed part-way).
  void discard();

  // Any other admin command about this dataset (the economy ones of
  // runtime/admin.h): `request` gets "dataset" added. The node's reply
  // object, or its {"error"} as a Status with the node's own code (so a
  // share the ledger does not know is kNotFound), or the errors above.
  Result<nlohmann::json> command(nlohmann::json request, std::chrono::milliseconds timeout);

  size_t buffered_rows() const { return buffer_.size(); }
  size_t buffered_bytes() const { return buffered_bytes_; }
  // The journal sequence of the last write the node acknowledged (0: none).
  uint64_t last_sequence() const { return last_sequence_; }
  const NodeRoundTrips& counts() const { return counts_; }
  void reset_counts() { counts_ = {}; }

 private:
  NodeRowSource(NodeRowSourceOptions options, boost::asio::ip::tcp::endpoint endpoint);
  // One request line, one reply line, within `timeout`: the node's reply
  // object ({"error"} ones included), or why there was none. Counts the
  // attempt in `counter`.
  Result<nlohmann::json> call(const nlohmann::json& request, std::chrono::milliseconds timeout, uint64_t& counter);
  // A request to which the node answers with a signed read ("read",
  // "ore_scan"): asked again, as options_.read_retries says, while the
  // members do not agree yet. The reply object, or the node's error.
  Result<nlohmann::json> signed_call(const nlohmann::json& request, uint64_t& counter);
  // A node's {"error"} reply as a Status, by its "code".
  Status node_error(const nlohmann::json& reply) const;
  // The raw exchange, connecting (and presenting the admin token) first if
  // needed; closes the connection on any failure.
  Result<std::string> exchange(const std::string& line, std::chrono::steady_clock::time_point deadline);
  Status authenticate(std::chrono::steady_clock::time_point deadline);
  // A reply line as a JSON object; anything else closes the connection.
  Result<nlohmann::json> object_reply(const std::string& line);
  Result<std::string> round_trip(const std::string& line, std::chrono::steady_clock::time_point deadline);
  // Runs the io_context until its work is done or `deadline`; false: timed
  // out, the connection closed and its operations cancelled.
  bool run_until(std::chrono::steady_clock::time_point deadline);
  // Whether the kept connection still looks usable: not closed by the node
  // (restarted, say) and holding no stray bytes.
  bool connection_usable();
  void disconnect();
  Status buffer_row(ByteView key, std::optional<Bytes> value);
  std::string where() const;

  NodeRowSourceOptions options_;
  boost::asio::ip::tcp::endpoint endpoint_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::streambuf input_;
  // Row key -> the value to put, or nullopt: erase. Ordered, so a split
  // flush sends its parts in a fixed order.
  std::map<Bytes, std::optional<Bytes>> buffer_;
  size_t buffered_bytes_ = 0;
  uint64_t last_sequence_ = 0;
  NodeRoundTrips counts_;
};

}  // namespace fluence::gateway
