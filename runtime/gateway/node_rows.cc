#include "runtime/gateway/node_rows.h"

#include <algorithm>
#include <thread>

#include "model/codec/codec.h"
#include "runtime/admin.h"

namespace fluence::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// Upper bounds on a row's share of an encoded journal entry (kind byte, and
// varint length prefixes of at most 10 bytes), and on the entry's header
// (sequence, row count): a part these bounds keep within
// kAdminMaxWriteBytes passes the node's exact check.
constexpr size_t kEntryHeaderBytes = 8 + 10;
size_t encoded_row_bytes(const Bytes& key, const std::optional<Bytes>& value) {
  return 1 + 10 + key.size() + (value ? 10 + value->size() : 0);
}
// A largest row fits in one write, so a split always makes progress...
static_assert(kEntryHeaderBytes + 1 + 10 + storage::kMaxRowKeyBytes + 10 + storage::kMaxRowValueBytes <=
              runtime::kAdminMaxWriteBytes);
// ...and a largest write, in hex with each row's JSON around it, fits in a line.
static_assert(2 * runtime::kAdminMaxWriteBytes + runtime::kAdminMaxWriteRows * 64 + 1024 <=
              runtime::kAdminMaxLineBytes);

// A read's reply holds the value twice, as hex and as escaped text (at most
// 6 characters a byte), and the signers' keys.
constexpr size_t kMaxReplyBytes = 4 * 1024 * 1024;
static_assert(kMaxReplyBytes > 8 * storage::kMaxRowValueBytes + 64 * 1024);

constexpr std::chrono::milliseconds kFirstRetryDelay{50};
constexpr int kMaxReadRetries = 6;  // waits 3.15 s in all, doubling from 50 ms

// The node's error code names (error_code_name), as the admin endpoint sends them.
bool names_invalid_request(const std::string& code) {
  return code == error_code_name(ErrorCode::kInvalidArgument) || code == error_code_name(ErrorCode::kMalformed) ||
         code == error_code_name(ErrorCode::kLimitExceeded) || code == error_code_name(ErrorCode::kNotFound);
}

Result<Bytes> hex_member(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return Status::error(ErrorCode::kMalformed, std::string(name) + ": expected a hex string");
  }
  Result<Bytes> bytes = from_hex(it->get_ref<const std::string&>());
  if (!bytes) return Status::error(ErrorCode::kMalformed, std::string(name) + ": " + bytes.status().message());
  return bytes;
}

// An "ore_scan" reply (runtime/admin.h) as a page; the checks against the
// query come after.
Result<storage::OreScanPage> parse_ore_page(const json& reply) {
  auto malformed = [](const std::string& message) { return Status::error(ErrorCode::kMalformed, message); };
  auto rows = reply.find("rows");
  if (rows == reply.end() || !rows->is_array()) return malformed("rows: expected a list");
  if (rows->size() > storage::kMaxOreScanRows) return malformed("rows: over " + std::to_string(storage::kMaxOreScanRows));
  storage::OreScanPage page;
  for (const json& row : *rows) {
    if (!row.is_object()) return malformed("rows: expected objects");
    Result<Bytes> key = hex_member(row, "key_hex");
    if (!key) return key.status().with_context("rows[" + std::to_string(page.rows.size()) + "]");
    Result<Bytes> payload = hex_member(row, "payload_hex");
    if (!payload) return payload.status().with_context("rows[" + std::to_string(page.rows.size()) + "]");
    page.rows.push_back({std::move(*key), std::move(*payload)});
  }
  auto complete = reply.find("complete");
  if (complete == reply.end() || !complete->is_boolean()) return malformed("complete: expected true or false");
  page.complete = complete->get<bool>();
  if (!page.complete) {
    Result<Bytes> resume = hex_member(reply, "resume_after_hex");
    if (!resume) return resume.status();
    page.resume_after = std::move(*resume);
  }
  auto skipped = reply.find("skipped");
  if (skipped == reply.end() || !skipped->is_number_unsigned()) return malformed("skipped: expected a count");
  page.skipped = skipped->get<uint64_t>();
  return page;
}

Status check_key(ByteView key) {
  if (key.empty() || key.size() > storage::kMaxRowKeyBytes) {
    return Status::error(ErrorCode::kInvalidArgument, "row key: 1.." + std::to_string(storage::kMaxRowKeyBytes) +
                                                          " bytes, got " + std::to_string(key.size()));
  }
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<NodeRowSource>> NodeRowSource::open(NodeRowSourceOptions options) {
  const std::string& address = options.admin_address;
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::error(ErrorCode::kInvalidArgument, "admin_address: expected ip:port, got \"" + address + "\"");
  }
  boost::system::error_code ec;
  asio::ip::address ip = asio::ip::make_address(address.substr(0, colon), ec);
  if (ec) return Status::error(ErrorCode::kInvalidArgument, "admin_address: \"" + address + "\" needs an IP address");
  const std::string port_text = address.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(port_text) == 0 || std::stoul(port_text) > 65535) {
    return Status::error(ErrorCode::kInvalidArgument, "admin_address: bad port in \"" + address + "\"");
  }
  Result<std::array<uint8_t, 32>> dataset = fixed_from_hex<32>(options.dataset, "dataset");
  if (!dataset) return Status::error(ErrorCode::kInvalidArgument, dataset.status().message());
  if (options.signatures < 1) return Status::error(ErrorCode::kInvalidArgument, "signatures: at least 1");
  if (options.read_timeout.count() <= 0 || options.write_timeout.count() <= 0) {
    return Status::error(ErrorCode::kInvalidArgument, "read_timeout, write_timeout: must be positive");
  }
  if (options.read_retries < 0 || options.read_retries > kMaxReadRetries) {
    return Status::error(ErrorCode::kInvalidArgument, "read_retries: 0.." + std::to_string(kMaxReadRetries));
  }
  tcp::endpoint endpoint(ip, static_cast<uint16_t>(std::stoul(port_text)));
  return std::unique_ptr<NodeRowSource>(new NodeRowSource(std::move(options), endpoint));
}

NodeRowSource::NodeRowSource(NodeRowSourceOptions options, tcp::endpoint endpoint)
    : options_(std::move(options)), endpoint_(endpoint), socket_(io_), input_(kMaxReplyBytes) {}

NodeRowSource::~NodeRowSource() { disconnect(); }

std::string NodeRowSource::where() const { return "node " + options_.admin_address; }

Result<std::optional<Bytes>> NodeRowSource::get(ByteView key) {
  FL_RETURN_IF_ERROR(check_key(key));
  if (auto it = buffer_.find(Bytes(key.begin(), key.end())); it != buffer_.end()) return it->second;
  json request = {{"cmd", "read"},
                  {"dataset", options_.dataset},
                  {"key_hex", to_hex(key)},
                  {"signatures", options_.signatures}};
  Result<json> reply = signed_call(request, counts_.reads);
  if (!reply) return reply.status();
  auto value_hex = reply->find("value_hex");
  if (value_hex == reply->end() || !(value_hex->is_string() || value_hex->is_null())) {
    return Status::error(ErrorCode::kMalformed, where() + ": read reply without a \"value_hex\" string or null");
  }
  if (value_hex->is_null()) return std::optional<Bytes>();
  Result<Bytes> value = from_hex(value_hex->get_ref<const std::string&>());
  if (!value) return value.status().with_context(where() + ": read reply's value_hex");
  return std::optional<Bytes>(std::move(*value));
}

Result<json> NodeRowSource::signed_call(const json& request, uint64_t& counter) {
  std::chrono::milliseconds delay = kFirstRetryDelay;
  for (int attempt = 0;; ++attempt) {
    Result<json> reply = call(request, options_.read_timeout, counter);
    if (!reply || !reply->contains("error")) return reply;
    // Only the cluster's "unavailable" (members that did not agree yet)
    // is worth asking again; a refused request stays refused.
    Status refused = node_error(*reply);
    if (refused.code() != ErrorCode::kUnavailable || attempt >= options_.read_retries) return refused;
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
}

Result<storage::OreScanPage> NodeRowSource::scan_ore(const storage::OreScanQuery& query) {
  FL_RETURN_IF_ERROR(storage::validate(query));
  if (auto it = buffer_.lower_bound(query.prefix);
      it != buffer_.end() && it->first.size() >= query.prefix.size() &&
      std::equal(query.prefix.begin(), query.prefix.end(), it->first.begin())) {
    FL_RETURN_IF_ERROR(flush().with_context("flushing before an ore scan"));
  }
  json request = {{"cmd", "ore_scan"},
                  {"dataset", options_.dataset},
                  {"prefix_hex", to_hex(query.prefix)},
                  {"limit", query.limit},
                  {"max_bytes", query.max_bytes},
                  {"signatures", options_.signatures}};
  if (!query.after.empty()) request["after_hex"] = to_hex(query.after);
  for (const auto& [name, bound] : {std::pair{"lower", &query.lower}, std::pair{"upper", &query.upper}}) {
    if (*bound) request[name] = {{"left_hex", to_hex(codec::encode((*bound)->left))}, {"inclusive", (*bound)->inclusive}};
  }
  Result<json> reply = signed_call(request, counts_.scans);
  if (!reply) return reply.status();
  Result<storage::OreScanPage> page = parse_ore_page(*reply);
  if (!page) return page.status().with_context(where() + ": ore_scan reply");
  FL_RETURN_IF_ERROR(storage::check_page(query, *page).with_context(where()));
  return page;
}

Status NodeRowSource::put(ByteView key, ByteView value) {
  if (value.size() > storage::kMaxRowValueBytes) {
    return Status::error(ErrorCode::kLimitExceeded, "row value: " + std::to_string(value.size()) + " bytes, over " +
                                                        std::to_string(storage::kMaxRowValueBytes));
  }
  return buffer_row(key, Bytes(value.begin(), value.end()));
}

Status NodeRowSource::erase(ByteView key) { return buffer_row(key, std::nullopt); }

Status NodeRowSource::buffer_row(ByteView key, std::optional<Bytes> value) {
  FL_RETURN_IF_ERROR(check_key(key));
  Bytes row_key(key.begin(), key.end());
  size_t added = row_key.size() + (value ? value->size() : 0);
  auto it = buffer_.find(row_key);
  size_t replaced = it == buffer_.end() ? 0 : it->first.size() + (it->second ? it->second->size() : 0);
  FL_ASSERT(buffered_bytes_ >= replaced);
  if (buffered_bytes_ - replaced + added > options_.max_buffered_bytes) {
    return Status::error(ErrorCode::kLimitExceeded, "write-back buffer: " + std::to_string(buffered_bytes_) +
                                                        " bytes held, bound " +
                                                        std::to_string(options_.max_buffered_bytes) + "; flush first");
  }
  buffered_bytes_ = buffered_bytes_ - replaced + added;
  if (it == buffer_.end()) {
    buffer_.emplace(std::move(row_key), std::move(value));
  } else {
    it->second = std::move(value);
  }
  return Status::ok();
}

Status NodeRowSource::flush() {
  while (!buffer_.empty()) {
    json rows = json::array();
    size_t encoded = kEntryHeaderBytes;
    auto end = buffer_.begin();
    for (; end != buffer_.end() && rows.size() < runtime::kAdminMaxWriteRows; ++end) {
      size_t row_bytes = encoded_row_bytes(end->first, end->second);
      if (!rows.empty() && encoded + row_bytes > runtime::kAdminMaxWriteBytes) break;
      encoded += row_bytes;
      if (end->second) {
        rows.push_back({{"key_hex", to_hex(end->first)}, {"value_hex", to_hex(*end->second)}});
      } else {
        rows.push_back({{"key_hex", to_hex(end->first)}, {"delete", true}});
      }
    }
    FL_ASSERT(!rows.empty() && encoded <= runtime::kAdminMaxWriteBytes);
    json request = {{"cmd", "write"}, {"dataset", options_.dataset}, {"rows", std::move(rows)}};
    Result<json> reply = call(request, options_.write_timeout, counts_.writes);
    if (!reply) return reply.status();
    if (reply->contains("error")) return node_error(*reply);
    auto sequence = reply->find("sequence");
    if (sequence == reply->end() || !sequence->is_number_unsigned()) {
      return Status::error(ErrorCode::kMalformed, where() + ": write reply without a \"sequence\"");
    }
    last_sequence_ = sequence->get<uint64_t>();
    for (auto it = buffer_.begin(); it != end; ++it) {
      size_t row = it->first.size() + (it->second ? it->second->size() : 0);
      FL_ASSERT(buffered_bytes_ >= row);
      buffered_bytes_ -= row;
    }
    buffer_.erase(buffer_.begin(), end);
  }
  FL_ASSERT(buffered_bytes_ == 0);
  return Status::ok();
}

void NodeRowSource::discard() {
  buffer_.clear();
  buffered_bytes_ = 0;
}

Result<json> NodeRowSource::call(const json& request, std::chrono::milliseconds timeout, uint64_t& counter) {
  ++counter;
  Result<std::string> line = exchange(request.dump() + "\n", Clock::now() + timeout);
  if (!line) return line.status();
  return object_reply(*line);
}

Result<json> NodeRowSource::object_reply(const std::string& line) {
  json reply = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded() || !reply.is_object()) {
    disconnect();
    return Status::error(ErrorCode::kMalformed, where() + ": a reply that is not a JSON object");
  }
  return reply;
}

Result<json> NodeRowSource::command(json request, std::chrono::milliseconds timeout) {
  request["dataset"] = options_.dataset;
  Result<json> reply = call(request, timeout, counts_.commands);
  if (!reply || !reply->contains("error")) return reply;
  const json& error = (*reply)["error"];
  std::string message = where() + ": " + (error.is_string() ? error.get<std::string>() : error.dump());
  const json code = reply->value("code", json());
  for (int c = static_cast<int>(ErrorCode::kOk) + 1; code.is_string() && c <= static_cast<int>(ErrorCode::kLimitExceeded); ++c) {
    if (code.get<std::string>() == error_code_name(static_cast<ErrorCode>(c))) {
      return Status::error(static_cast<ErrorCode>(c), message);
    }
  }
  return Status::error(ErrorCode::kUnavailable, message);
}

Status NodeRowSource::node_error(const json& reply) const {
  const json& error = reply["error"];
  std::string message = where() + ": " + (error.is_string() ? error.get<std::string>() : error.dump());
  std::string code = reply.contains("code") && reply["code"].is_string() ? reply["code"].get<std::string>() : "";
  if (names_invalid_request(code)) return Status::error(ErrorCode::kInvalidArgument, message);
  if (code == error_code_name(ErrorCode::kTimeout)) return Status::error(ErrorCode::kTimeout, message);
  if (code == error_code_name(ErrorCode::kAuthentication)) return Status::error(ErrorCode::kAuthentication, message);
  return Status::error(ErrorCode::kUnavailable, message);
}

Result<std::string> NodeRowSource::exchange(const std::string& line, Clock::time_point deadline) {
  FL_ASSERT(line.size() <= runtime::kAdminMaxLineBytes && !line.empty() && line.back() == '\n');
  if (socket_.is_open() && !connection_usable()) disconnect();
  if (!socket_.is_open()) {
    boost::system::error_code ec = asio::error::would_block;
    socket_.async_connect(endpoint_, [&ec](boost::system::error_code e) { ec = e; });
    if (!run_until(deadline)) {
      return Status::error(ErrorCode::kTimeout, where() + ": no connection within the deadline");
    }
    if (ec) {
      disconnect();
      return Status::error(ErrorCode::kUnavailable, where() + ": cannot connect: " + ec.message());
    }
    boost::system::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    if (!options_.admin_token.empty()) FL_RETURN_IF_ERROR(authenticate(deadline));
  }
  return round_trip(line, deadline);
}

Status NodeRowSource::authenticate(Clock::time_point deadline) {
  Result<std::string> text = round_trip(json{{"cmd", "auth"}, {"token", options_.admin_token}}.dump() + "\n", deadline);
  if (!text) return text.status();
  Result<json> reply = object_reply(*text);
  if (!reply) return reply.status();
  if (reply->value("authenticated", false) == true) return Status::ok();
  disconnect();
  if (reply->contains("error")) return node_error(*reply);
  return Status::error(ErrorCode::kMalformed,
                       where() + ": an answer to \"auth\" that is not {\"authenticated\": true}");
}

Result<std::string> NodeRowSource::round_trip(const std::string& line, Clock::time_point deadline) {
  boost::system::error_code ec = asio::error::would_block;
  size_t reply_bytes = 0;
  asio::async_write(socket_, asio::buffer(line), [this, &ec, &reply_bytes](boost::system::error_code written, size_t) {
    if (written) {
      ec = written;
      return;
    }
    asio::async_read_until(socket_, input_, '\n', [&ec, &reply_bytes](boost::system::error_code read, size_t n) {
      ec = read;
      reply_bytes = n;
    });
  });
  if (!run_until(deadline)) return Status::error(ErrorCode::kTimeout, where() + ": no reply within the deadline");
  if (ec == asio::error::not_found) {
    disconnect();
    return Status::error(ErrorCode::kMalformed,
                         where() + ": a reply line over " + std::to_string(kMaxReplyBytes) + " bytes");
  }
  if (ec) {
    disconnect();
    return Status::error(ErrorCode::kUnavailable, where() + ": connection lost: " + ec.message());
  }
  std::string reply(asio::buffers_begin(input_.data()), asio::buffers_begin(input_.data()) + reply_bytes);
  input_.consume(reply_bytes);
  // One request, one reply: more bytes would be a reply to nothing we asked,
  // and would answer the next request wrongly.
  if (input_.size() != 0) disconnect();
  return reply;
}

bool NodeRowSource::run_until(Clock::time_point deadline) {
  io_.restart();
  io_.run_until(deadline);
  if (io_.stopped()) return true;
  // Closing cancels the pending operations; running again lets their
  // handlers finish (with operation_aborted) before the locals they write
  // to go out of scope.
  disconnect();
  io_.restart();
  io_.run();
  return false;
}

bool NodeRowSource::connection_usable() {
  // A peek that would block: open and quiet. End of stream: the node closed
  // it (restarted, say); bytes: a stray reply. Either way, start afresh
  // rather than find out with a request whose fate would then be unknown.
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  if (ec) return false;
  char byte = 0;
  socket_.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
  return ec == asio::error::would_block;
}

void NodeRowSource::disconnect() {
  boost::system::error_code ignored;
  if (socket_.is_open()) {
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }
  input_.consume(input_.size());
}

}  // namespace fluence::gateway
