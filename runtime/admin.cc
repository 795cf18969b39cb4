#include "runtime/admin.h"

#include <algorithm>
#include <deque>
#include <nlohmann/json.hpp>

#include "model/codec/codec.h"
#include "model/storage/ore_scan.h"
#include "runtime/admin_internal.h"
#include "runtime/admin_token.h"
#include "runtime/config.h"

namespace fluence::runtime {

namespace asio = boost::asio;
using asio::ip::tcp;
using nlohmann::json;

using admin_detail::dump;
using admin_detail::failed;
using admin_detail::key_field;
using admin_detail::key_list;
using admin_detail::refused;

Result<std::array<uint8_t, 32>> admin_detail::key_field(const json& request, const char* name) {
  if (!request.contains(name) || !request[name].is_string()) {
    return Status::error(ErrorCode::kMalformed, std::string(name) + ": expected 64 hex digits");
  }
  return fixed_from_hex<32>(request[name].get_ref<const std::string&>(), name);
}

json admin_detail::key_list(const std::vector<crypto::PublicKey>& keys) {
  json list = json::array();
  for (const crypto::PublicKey& key : keys) list.push_back(to_hex(key.bytes));
  return list;
}

namespace {
// A lookup asks for at most this many contacts.
constexpr size_t kMaxLookupCount = 1024;

// Bytes given as text (`name`) or as hex (`name` + "_hex"), and which of the
// two fields held them, for errors.
struct BytesField {
  Bytes bytes;
  std::string field;
};

// nullopt when neither field is there. `where` prefixes field names
// ("rows[3]."), so errors name the exact place.
Result<std::optional<BytesField>> bytes_field(const json& object, const std::string& name, const std::string& where) {
  const std::string hex_name = name + "_hex";
  const bool text = object.contains(name), hex = object.contains(hex_name);
  if (text && hex) {
    return Status::error(ErrorCode::kInvalidArgument, where + name + ", " + where + hex_name + ": give one, not both");
  }
  if (text) {
    const json& value = object.at(name);
    if (!value.is_string()) return Status::error(ErrorCode::kInvalidArgument, where + name + ": expected a string");
    const std::string& s = value.get_ref<const std::string&>();
    return std::optional<BytesField>(BytesField{Bytes(s.begin(), s.end()), where + name});
  }
  if (hex) {
    const json& value = object.at(hex_name);
    if (!value.is_string()) return Status::error(ErrorCode::kMalformed, where + hex_name + ": expected a hex string");
    Result<Bytes> bytes = from_hex(value.get_ref<const std::string&>());
    if (!bytes) return bytes.status().with_context(where + hex_name);
    return std::optional<BytesField>(BytesField{std::move(*bytes), where + hex_name});
  }
  return std::optional<BytesField>();
}

// A row key, "key" or "key_hex", within the store's bounds.
Result<Bytes> row_key(const json& object, const std::string& where) {
  Result<std::optional<BytesField>> key = bytes_field(object, "key", where);
  if (!key) return key.status();
  if (!key->has_value()) {
    return Status::error(ErrorCode::kInvalidArgument, where + "key_hex: missing (or \"key\" as text)");
  }
  BytesField& field = **key;
  if (field.bytes.empty() || field.bytes.size() > storage::kMaxRowKeyBytes) {
    return Status::error(ErrorCode::kInvalidArgument, field.field + ": a key is 1.." +
                                                          std::to_string(storage::kMaxRowKeyBytes) + " bytes, got " +
                                                          std::to_string(field.bytes.size()));
  }
  return std::move(field.bytes);
}

// The rows of a "write", as the mutations of one journal entry.
Result<std::vector<storage::Mutation>> write_rows(const json& request) {
  if (!request.contains("rows") || !request["rows"].is_array()) {
    return Status::error(ErrorCode::kInvalidArgument, "rows: expected a list");
  }
  const json& rows = request["rows"];
  if (rows.empty()) return Status::error(ErrorCode::kInvalidArgument, "rows: empty (a write needs a row)");
  if (rows.size() > kAdminMaxWriteRows) {
    return Status::error(ErrorCode::kLimitExceeded, "rows: " + std::to_string(rows.size()) + " rows, over " +
                                                        std::to_string(kAdminMaxWriteRows));
  }
  std::vector<storage::Mutation> mutations;
  mutations.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& row = rows[i];
    const std::string where = "rows[" + std::to_string(i) + "].";
    if (!row.is_object()) {
      return Status::error(ErrorCode::kInvalidArgument, "rows[" + std::to_string(i) + "]: expected an object");
    }
    Result<Bytes> key = row_key(row, where);
    if (!key) return key.status();
    Result<std::optional<BytesField>> value = bytes_field(row, "value", where);
    if (!value) return value.status();
    storage::Mutation mutation;
    mutation.row_key = std::move(*key);
    if (row.contains("delete")) {
      if (!row["delete"].is_boolean() || !row["delete"].get<bool>()) {
        return Status::error(ErrorCode::kInvalidArgument, where + "delete: expected true");
      }
      if (value->has_value()) {
        return Status::error(ErrorCode::kInvalidArgument,
                             where + "delete: a row is deleted or given a value, not both");
      }
      mutation.kind = storage::Mutation::Kind::kDeleteRow;
    } else {
      if (!value->has_value()) {
        return Status::error(ErrorCode::kInvalidArgument,
                             where + "value_hex: missing (or \"value\" as text, or \"delete\": true)");
      }
      BytesField& field = **value;
      if (field.bytes.size() > storage::kMaxRowValueBytes) {
        return Status::error(ErrorCode::kLimitExceeded, field.field + ": " + std::to_string(field.bytes.size()) +
                                                            " bytes, over " +
                                                            std::to_string(storage::kMaxRowValueBytes));
      }
      mutation.kind = storage::Mutation::Kind::kPutRow;
      mutation.value = std::move(field.bytes);
    }
    mutations.push_back(std::move(mutation));
  }
  size_t encoded = codec::encode(storage::JournalEntry{0, mutations}).size();
  if (encoded > kAdminMaxWriteBytes) {
    return Status::error(ErrorCode::kLimitExceeded, "rows: the write encodes to " + std::to_string(encoded) +
                                                        " bytes, over " + std::to_string(kAdminMaxWriteBytes) +
                                                        " (split it into several writes)");
  }
  return mutations;
}

// "signatures": optional, at least 1 (the chain checks the upper bound).
Result<size_t> signatures_field(const json& request) {
  if (!request.contains("signatures")) return size_t{1};
  const json& field = request["signatures"];
  if (!field.is_number_integer()) return Status::error(ErrorCode::kInvalidArgument, "signatures: expected an integer");
  if (field.get<int64_t>() < 1) return Status::error(ErrorCode::kInvalidArgument, "signatures: at least 1");
  return field.get<size_t>();
}

// Hex bytes of at most `max_bytes`; nullopt when absent (or null).
Result<std::optional<Bytes>> hex_bytes(const json& object, const std::string& name, const std::string& where,
                                       size_t max_bytes) {
  if (!object.contains(name) || object[name].is_null()) return std::optional<Bytes>();
  const json& value = object[name];
  if (!value.is_string()) return Status::error(ErrorCode::kMalformed, where + name + ": expected a hex string");
  Result<Bytes> bytes = from_hex(value.get_ref<const std::string&>());
  if (!bytes) return bytes.status().with_context(where + name);
  if (bytes->size() > max_bytes) {
    return Status::error(ErrorCode::kLimitExceeded, where + name + ": " + std::to_string(bytes->size()) +
                                                        " bytes, over " + std::to_string(max_bytes));
  }
  return std::optional<Bytes>(std::move(*bytes));
}

Result<std::optional<storage::OreBound>> ore_bound(const json& request, const std::string& name) {
  if (!request.contains(name) || request[name].is_null()) return std::optional<storage::OreBound>();
  const json& bound = request[name];
  if (!bound.is_object()) return Status::error(ErrorCode::kInvalidArgument, name + ": expected an object");
  // A left ciphertext of 1-bit blocks, the longest, is 64 * 17 + 1 bytes.
  Result<std::optional<Bytes>> left = hex_bytes(bound, "left_hex", name + ".", 4096);
  if (!left) return left.status();
  if (!left->has_value()) return Status::error(ErrorCode::kInvalidArgument, name + ".left_hex: missing");
  Result<crypto::OreLeftCiphertext> decoded = codec::decode<crypto::OreLeftCiphertext>(**left);
  if (!decoded) return decoded.status().with_context(name + ".left_hex");
  if (!bound.contains("inclusive") || !bound["inclusive"].is_boolean()) {
    return Status::error(ErrorCode::kInvalidArgument, name + ".inclusive: expected true or false");
  }
  return std::optional<storage::OreBound>(storage::OreBound{std::move(*decoded), bound["inclusive"].get<bool>()});
}

Result<uint32_t> bounded_count(const json& request, const char* name, uint32_t max, uint32_t fallback) {
  if (!request.contains(name)) return fallback;
  const json& field = request[name];
  if (!field.is_number_integer() || field.get<int64_t>() < 1 || field.get<int64_t>() > static_cast<int64_t>(max)) {
    return Status::error(ErrorCode::kInvalidArgument, std::string(name) + ": expected an integer 1.." + std::to_string(max));
  }
  return field.get<uint32_t>();
}

// An "ore_scan" request's query; errors name the field.
Result<storage::OreScanQuery> ore_scan_query(const json& request) {
  storage::OreScanQuery query;
  Result<std::optional<Bytes>> prefix = hex_bytes(request, "prefix_hex", "", storage::kMaxOrePrefixBytes);
  if (!prefix) return prefix.status();
  if (!prefix->has_value() || (*prefix)->empty()) {
    return Status::error(ErrorCode::kInvalidArgument,
                         "prefix_hex: 1.." + std::to_string(storage::kMaxOrePrefixBytes) + " bytes expected");
  }
  query.prefix = std::move(**prefix);
  for (const char* name : {"lower", "upper"}) {
    Result<std::optional<storage::OreBound>> bound = ore_bound(request, name);
    if (!bound) return bound.status();
    (std::string(name) == "lower" ? query.lower : query.upper) = std::move(*bound);
  }
  Result<uint32_t> limit = bounded_count(request, "limit", storage::kMaxOreScanRows, storage::kMaxOreScanRows);
  if (!limit) return limit.status();
  query.limit = *limit;
  Result<uint32_t> max_bytes = bounded_count(request, "max_bytes", storage::kMaxOreScanBytes, storage::kMaxOreScanBytes);
  if (!max_bytes) return max_bytes.status();
  query.max_bytes = *max_bytes;
  Result<std::optional<Bytes>> after = hex_bytes(request, "after_hex", "", storage::kMaxRowKeyBytes);
  if (!after) return after.status();
  if (after->has_value()) query.after = std::move(**after);
  FL_RETURN_IF_ERROR(storage::validate(query));  // its messages name the fields too
  return query;
}

// The reply to an "ore_scan"; its size is bounded below.
std::string ore_scan_reply(const cluster::OreScanResult& result) {
  json rows = json::array();
  for (const storage::OreScanRow& row : result.page.rows) {
    rows.push_back({{"key_hex", to_hex(row.row_key)}, {"payload_hex", to_hex(row.payload)}});
  }
  json signers = json::array();
  uint64_t sequence = 0;
  for (const cluster::OreScanAnswer& a : result.answers) {
    signers.push_back(to_hex(a.signer.bytes));
    sequence = std::max(sequence, a.sequence);
  }
  json resume = result.page.complete ? json(nullptr) : json(to_hex(result.page.resume_after));
  return dump(json{{"rows", rows},
                   {"complete", result.page.complete},
                   {"resume_after_hex", resume},
                   {"skipped", result.page.skipped},
                   {"signed_by", signers},
                   {"sequence", sequence}});
}
// A page holds at most max(kMaxOreScanBytes, one largest row) of keys and
// payloads (ore_scan.h), twice that in hex, and each row's JSON around it.
static_assert(2 * (std::max<size_t>(storage::kMaxOreScanBytes, storage::kMaxRowKeyBytes + storage::kMaxRowValueBytes) +
                   storage::kMaxRowKeyBytes) +
                  storage::kMaxOreScanRows * 64 + 64 * 1024 <=
              kAdminMaxLineBytes);
}  // namespace

Result<json> parse_admin_request(const std::string& line) {
  json request;
  try {
    request = json::parse(line);
  } catch (const json::exception& e) {  // out_of_range too: {"n": 1e999} is not a reason to stop the node
    return Status::error(ErrorCode::kMalformed, std::string("not JSON: ") + e.what());
  }
  if (!request.is_object() || !request.contains("cmd") || !request["cmd"].is_string()) {
    return Status::error(ErrorCode::kInvalidArgument, "expected an object with a \"cmd\" string");
  }
  return request;
}

void handle_admin_command(node::Node& node, const json& request, std::function<void(std::string)> reply) {
  std::string cmd = request["cmd"];
  if (cmd == "info") {
    return reply(dump(json{{"id", node.identity().id.hex()},
                           {"address", node.contact().address},
                           {"contacts", node.dht().routing_table().size()},
                           {"joined", node.joined()}}));
  }
  if (cmd == "lookup") {
    Result<std::array<uint8_t, 32>> target = key_field(request, "target");
    if (!target) return reply(refused(target.status()));
    size_t count = node.dht().config().bucket_size;
    if (request.contains("count")) {
      const json& c = request["count"];
      if (!c.is_number_integer() || c.get<int64_t>() < 1 || c.get<int64_t>() > static_cast<int64_t>(kMaxLookupCount)) {
        return reply(refused(ErrorCode::kInvalidArgument,
                             "count: expected an integer 1.." + std::to_string(kMaxLookupCount)));
      }
      count = c.get<size_t>();
    }
    node.dht().lookup(dht::NodeId{*target}, count, [reply](dht::LookupResult result) {
      json closest = json::array();
      for (const dht::Contact& c : result.closest) closest.push_back({{"id", c.id.hex()}, {"address", c.address}});
      reply(dump(json{{"closest", closest}, {"hops", result.hops}, {"messages", result.messages}}));
    });
    return;
  }
  if (cmd == "write" || cmd == "dataset" || cmd == "read" || cmd == "ore_scan") {
    Result<std::array<uint8_t, 32>> dataset = key_field(request, "dataset");
    if (!dataset) return reply(refused(dataset.status()));
    if (cmd == "dataset") {
      if (const cluster::ChainArbiter* arbiter = node.arbiter(*dataset)) {
        return reply(dump(json{{"role", "arbiter"},
                               {"signed", arbiter->signed_height()},
                               {"por_rounds", arbiter->rounds()},
                               {"por_faults", arbiter->faults()},
                               {"refused_for_time", arbiter->refused_for_time()},
                               {"members", key_list(arbiter->book().roster().member_keys())},
                               {"arbiters", key_list(arbiter->book().roster().arbiter_keys())}}));
      }
      std::optional<node::DatasetStatus> status = node.dataset_status(*dataset);
      if (!status) return reply(refused(ErrorCode::kNotFound, "dataset: this node does not host it"));
      const cluster::Roster& roster = node.chain(*dataset)->roster();
      return reply(dump(json{{"role", "member"},
                             {"members", key_list(roster.member_keys())},
                             {"arbiters", key_list(roster.arbiter_keys())},
                             {"applied", status->applied_sequence},
                             {"entries", status->entry_count},
                             {"state_root", to_hex(status->state_root)},
                             {"height", status->height},
                             {"sealed", status->sealed_height},
                             {"pool", status->pool},
                             {"proofs", {{"proven", status->proofs.proven},
                                         {"failed", status->proofs.failed},
                                         {"offline", status->proofs.offline}}}}));
    }
    if (cmd == "ore_scan") {
      cluster::ClusterChain* chain = node.chain(*dataset);
      if (chain == nullptr) return reply(refused(ErrorCode::kNotFound, "dataset: this node is not a member for it"));
      Result<storage::OreScanQuery> query = ore_scan_query(request);
      if (!query) return reply(refused(query.status()));
      Result<size_t> signatures = signatures_field(request);
      if (!signatures) return reply(refused(signatures.status()));
      chain->scan_ore(std::move(*query), *signatures, [reply](Result<cluster::OreScanResult> r) {
        reply(r ? ore_scan_reply(*r) : failed(r.status()));
      });
      return;
    }
    if (cmd == "read") {
      cluster::ClusterChain* chain = node.chain(*dataset);
      if (chain == nullptr) return reply(refused(ErrorCode::kNotFound, "dataset: this node is not a member for it"));
      Result<Bytes> key = row_key(request, "");
      if (!key) return reply(refused(key.status()));
      Result<size_t> signatures = signatures_field(request);
      if (!signatures) return reply(refused(signatures.status()));
      chain->read(std::move(*key), *signatures, [reply](Result<cluster::ReadResult> r) {
        if (!r) return reply(failed(r.status()));
        json signers = json::array();
        uint64_t sequence = 0;
        for (const cluster::ReadAnswer& a : r->answers) {
          signers.push_back(to_hex(a.signer.bytes));
          sequence = std::max(sequence, a.sequence);
        }
        json value = r->value ? json(std::string(r->value->begin(), r->value->end())) : json(nullptr);
        json value_hex = r->value ? json(to_hex(*r->value)) : json(nullptr);
        reply(dump(json{{"value", value}, {"value_hex", value_hex}, {"signed_by", signers}, {"sequence", sequence}}));
      });
      return;
    }
    Result<std::vector<storage::Mutation>> mutations = write_rows(request);
    if (!mutations) return reply(refused(mutations.status()));
    node.write(*dataset, std::move(*mutations), [reply](Result<uint64_t> sequence) {
      reply(sequence ? dump(json{{"sequence", *sequence}}) : failed(sequence.status()));
    });
    return;
  }
  if (admin_detail::is_economy_command(cmd)) return admin_detail::handle_economy_request(node, cmd, request, reply);
  reply(refused(ErrorCode::kInvalidArgument, "unknown cmd \"" + cmd + "\""));
}

class AdminServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, node::Node& node, std::string token)
      : socket_(std::move(socket)), node_(node), token_(std::move(token)), input_(kAdminMaxLineBytes) {}
  void read() {
    auto self = shared_from_this();
    asio::async_read_until(socket_, input_, '\n', [self](boost::system::error_code ec, size_t n) {
      if (ec) return;  // closed, or a line over the limit
      std::string line(asio::buffers_begin(self->input_.data()), asio::buffers_begin(self->input_.data()) + n);
      self->input_.consume(n);
      if (self->on_line(line)) self->read();
    });
  }

 private:
  // False when the connection is to close once the reply is written.
  bool on_line(const std::string& line) {
    Result<json> request = parse_admin_request(line);
    if (!request) {
      send(refused(request.status()));
      return true;
    }
    if ((*request)["cmd"] == "auth") {
      const json& offered = request->contains("token") ? (*request)["token"] : json();
      if (!token_.empty() && (!offered.is_string() || !admin_token_matches(token_, offered.get<std::string>()))) {
        send(refused(ErrorCode::kAuthentication, "token: not this node's admin token"));
        return false;  // one guess per connection
      }
      authenticated_ = true;
      send(dump(json{{"authenticated", true}}));
      return true;
    }
    if (!token_.empty() && !authenticated_) {
      send(refused(ErrorCode::kAuthentication,
                   "authenticate first: {\"cmd\": \"auth\", \"token\": \"<the node's admin_token_file>\"}"));
      return true;
    }
    auto self = shared_from_this();
    handle_admin_command(node_, *request, [self](std::string response) { self->send(std::move(response)); });
    return true;
  }
  // Replies go out one after another: a slow command's reply may come after
  // later ones, and two writes in flight on one socket could interleave.
  void send(std::string response) {
    outbox_.push_back(std::move(response) + "\n");
    if (outbox_.size() == 1) write_next();
  }
  void write_next() {
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(outbox_.front()), [self](boost::system::error_code ec, size_t) {
      self->outbox_.pop_front();
      if (!ec && !self->outbox_.empty()) self->write_next();
    });
  }

  tcp::socket socket_;
  node::Node& node_;
  const std::string token_;
  bool authenticated_ = false;
  asio::streambuf input_;
  std::deque<std::string> outbox_;  // the front is being written
};

AdminServer::AdminServer(asio::io_context& io, node::Node& node, std::string token)
    : io_(io), node_(node), token_(std::move(token)) {}

Status AdminServer::listen(const std::string& address) {
  Result<Endpoint> endpoint = parse_endpoint(address, "admin_listen");
  if (!endpoint) return endpoint.status();
  boost::system::error_code ec;
  asio::ip::address ip = asio::ip::make_address(endpoint->host, ec);
  if (ec) return Status::error(ErrorCode::kInvalidArgument, address + ": admin host must be an IP address");
  acceptor_ = std::make_unique<tcp::acceptor>(io_);
  tcp::endpoint where(ip, endpoint->port);
  acceptor_->open(where.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(where, ec);
  if (!ec) acceptor_->listen(16, ec);
  if (ec) return Status::error(ErrorCode::kIo, address + ": " + ec.message());
  accept_next();
  return Status::ok();
}

void AdminServer::accept_next() {
  acceptor_->async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      // One small reply per request: without this, Nagle's algorithm holds
      // a reply back for the client's delayed ack, about 40 ms each.
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), node_, token_)->read();
    }
    accept_next();
  });
}

void AdminServer::close() {
  if (acceptor_) {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
  }
}

}  // namespace fluence::runtime
