// A node's local control endpoint: one JSON request per line, one JSON
// response per line, for operators' tools, the loopback tests and the
// gateway's NodeRowSource (runtime/gateway/node_rows.h).
//
// With an admin token (config admin_token_file, admin_token.h) a connection
// first presents it; until then every other command is refused with
// "authentication failed", and a wrong token closes the connection:
//   {"cmd": "auth", "token": "<64 hex>"}    -> {"authenticated": true}
// (A node without a token answers "auth" the same, whatever the token.)
//
//   {"cmd": "info"}                         -> {"id", "address", "contacts", "joined"}
//   {"cmd": "lookup", "target": "<64 hex>", "count": n}
//                                           -> {"closest": [{"id", "address"}], "hops", "messages"}
//   {"cmd": "write", "dataset": "<64 hex>", "rows": [row, ...]}
//                                           -> {"sequence": n}   (once a committed block holds it)
//       row: {"key_hex": "<hex>", "value_hex": "<hex>"}   put a row (any bytes)
//            {"key_hex": "<hex>", "delete": true}         delete a row (absent already: fine)
//            {"key": "text", "value": "text"}             put, key and value as UTF-8 text
//       (a row names its key one way, "key" or "key_hex", and either a value,
//       "value" or "value_hex", or "delete": true)
//       All rows of a request are ONE write: one journal entry, which the
//       cluster orders and every member applies atomically, so a reader sees
//       all of them or none. Rows apply in order (a key given twice: the
//       last one wins).
//   {"cmd": "read", "dataset": "<64 hex>", "key": "..." | "key_hex": "<hex>", "signatures": k}
//                                           -> {"value", "value_hex" (both null: no row),
//                                               "signed_by": [k keys], "sequence"}
//                                              once k members signed the same answer (1 <= k <= n);
//                                              "value" is the row as text, with U+FFFD for bytes
//                                              that are not UTF-8: "value_hex" is exact
//   {"cmd": "ore_scan", "dataset": "<64 hex>", "prefix_hex": "<hex>",
//    "lower": {"left_hex": "<hex>", "inclusive": bool},   (optional: no lower bound)
//    "upper": {"left_hex": "<hex>", "inclusive": bool},   (optional: no upper bound)
//    "limit": n, "max_bytes": n, "after_hex": "<hex>", "signatures": k}   (all optional)
//                                           -> {"rows": [{"key_hex", "payload_hex"}], "complete",
//                                               "resume_after_hex" (null when complete), "skipped",
//                                               "signed_by": [k keys], "sequence"}
//       One page of a range query over an ORE index (storage/ore_scan.h):
//       the rows under the prefix whose right ciphertext (the start of the
//       row's value) lies between the bounds, given as ORE left ciphertexts
//       encoded as crypto/ore.h encodes them. limit 1..4096 rows (default
//       4096), max_bytes 1..256 KiB of keys and payloads (default 256 KiB),
//       after_hex: a previous page's resume_after_hex; signatures as "read",
//       on the whole page. "skipped": rows under the prefix that are not
//       index rows.
//   {"cmd": "dataset", "dataset": "<64 hex>"}
//                                           -> member: {"role": "member", "members", "arbiters", "applied",
//                                                       "entries", "state_root", "height", "sealed", "pool",
//                                                       "proofs"}
//                                              arbiter: {"role": "arbiter", "members", "arbiters", "signed",
//                                                        "por_rounds", "por_faults", "refused_for_time"}
//       "members", "arbiters": the current roster's public keys in hex, as
//       this node's chain has it (what a storage contract must name).
//
// The token economy (model/economy; the commands are in admin_economy.cc).
// Amounts are micro-FFT and ticks the chain's, all JSON integers (u64); keys
// and ids are 64 hex digits; "_hex" values are codec encodings in hex.
// Codes below are ErrorCodes; a reply's "code" is error_code_name()'s
// ("invalid argument", "not found", "unavailable", "timeout", "authentication
// failed", ...). A request refused at once carries the message alone; an
// answer from the cluster (a timeout, refusing parties, too few fragments)
// carries "<code name>: <message>", as "read" does.
//   {"cmd": "submit", "dataset": "<64 hex>", "op_hex": "<hex of an economy::EconomyOp>"}
//                                           -> {"height": n}   (members only)
//       Once a committed block of this member's chain holds the operation.
//       It is first checked against a copy of this member's ledger at the
//       chain's current tick: one that does not apply is refused at once
//       with the ledger's message and code, so an author's operations go one
//       at a time (the next nonce is the committed ledger's). kTimeout after
//       the cluster's write_timeout. A Mint applies only for a receipt in
//       config.token_receipts (runtime/config.h), once.
//   {"cmd": "ledger", "dataset": "<64 hex>", one of "account" | "contract" | "share": "<64 hex>"}
//                                           -> {"tick", "chain_id", ...}   (members only)
//       "tick": the tick an operation submitted now is applied at; "chain_id":
//       the id operations are signed for (cluster::ledger_chain_id), and
//       account: "spendable", "rewards", "next_nonce" (a key never seen: 0s);
//       contract: "client", "nodes", "arbiters" (the ledger's copy: SLA
//                 removals shrink "nodes"), "escrow", "valid_until_tick",
//                 "gas_price", "active";
//       share: "phase" ("active", "revoked" or "ended"), "escrow", "owner",
//              "receiver", "storage_contract", "threshold", "holders",
//              "contract_hex" (the economy::SharingContract).
//       An unknown contract or share: kNotFound.
//   {"cmd": "sign_contract", "dataset": "<64 hex>", "contract_hex": "<hex of an economy::StorageContract>"}
//                                           -> {"signatures_hex": ["<hex of an economy::ContractSignature>", ...]}
//       One signature from every node, then every arbiter, the contract
//       names (not the client's), gathered by this member or arbiter over the
//       network (cluster/contract_signing.h). A party signs only a
//       well-formed contract that names it, whose nodes are the members of
//       its current roster of the dataset and whose arbiters are the
//       roster's arbiters. Otherwise the error names each party that refused
//       (with its reason: kInvalidArgument) or did not answer within the
//       chain's contract_signing_timeout (kUnavailable). A contract that
//       fails StorageContract::check() is refused at once, naming
//       "contract_hex"; a node neither member nor arbiter of the dataset
//       answers kNotFound.
//   {"cmd": "reencrypt", "dataset": "<64 hex>", "share": "<64 hex>",
//    "capsule_hex": "<hex of a crypto::pre::Capsule>"}
//                                           -> {"cfrags_hex": ["<hex of a pre::CapsuleFrag>", ...]}
//       The verified fragments, at least the share's threshold m, from
//       distinct holders (ClusterChain::reencrypt), for the receiver's
//       pre::decrypt_reencrypted; kNotFound for a share the ledger does not
//       know; kUnavailable "<k> of <m> fragments ..." when too few holders
//       re-encrypt (after revocation, honest members have forgotten theirs).
//       (members only)
//
// "members only": a node that is not a member of the dataset answers
// kNotFound "dataset: this node is not a member for it".
// Errors come back as {"error": "<message naming the field>", "code": "<error_code_name>"};
// keys are 1..256 bytes, values at most 256 KiB (storage/dataset.h), a write
// 1..kAdminMaxWriteRows rows and at most kAdminMaxWriteBytes encoded; a line
// over kAdminMaxLineBytes closes the connection.
#pragma once

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "model/node/node.h"
#include "model/storage/dataset.h"

namespace fluence::runtime {

// Bounds on one "write", so that every message that carries it stays under
// env::kMaxMessageBytes (1 MiB), where a larger one would be a bug in the
// sender: a recovery JournalBatch grows until it passes 512 KiB and so may
// end with one whole write (512 KiB + 384 KiB), and a block proposal holds
// one such write or 512 KiB of smaller ones. A largest row (256 KiB value,
// 256-byte key) still fits in one write.
inline constexpr size_t kAdminMaxWriteRows = storage::kMaxMutationsPerEntry;
inline constexpr size_t kAdminMaxWriteBytes = 384 * 1024;  // the write's journal entry, encoded
// A largest write in hex, with the JSON around each row, fits with room to spare.
inline constexpr size_t kAdminMaxLineBytes = 2 * 1024 * 1024;

class AdminServer {
 public:
  // `token` (admin_token.h): empty, or what every connection must present
  // with "auth" before any other command.
  AdminServer(boost::asio::io_context& io, node::Node& node, std::string token);
  Status listen(const std::string& address);
  void close();

 private:
  class Session;
  void accept_next();
  boost::asio::io_context& io_;
  node::Node& node_;
  const std::string token_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
};

// One request line as JSON: an object with a "cmd" string, or an error.
Result<nlohmann::json> parse_admin_request(const std::string& line);
// Carries out one request (any "cmd" but "auth", which the connection
// handles); `reply` gets the response (maybe later).
void handle_admin_command(node::Node& node, const nlohmann::json& request, std::function<void(std::string)> reply);

}  // namespace fluence::runtime
