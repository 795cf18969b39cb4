#include "runtime/admin.h"

#include <nlohmann/json.hpp>

#include "runtime/config.h"

namespace fluence::runtime {

namespace asio = boost::asio;
using asio::ip::tcp;
using nlohmann::json;

namespace {
constexpr size_t kMaxLineBytes = 64 * 1024;

std::string error_line(const std::string& message) { return json{{"error", message}}.dump(); }
}  // namespace

void handle_admin_request(node::Node& node, const std::string& line, std::function<void(std::string)> reply) {
  json request;
  try {
    request = json::parse(line);
  } catch (const json::parse_error& e) {
    return reply(error_line(std::string("not JSON: ") + e.what()));
  }
  if (!request.is_object() || !request.contains("cmd") || !request["cmd"].is_string()) {
    return reply(error_line("expected an object with a \"cmd\" string"));
  }
  std::string cmd = request["cmd"];
  if (cmd == "info") {
    return reply(json{{"id", node.identity().id.hex()},
                      {"address", node.contact().address},
                      {"contacts", node.dht().routing_table().size()},
                      {"joined", node.joined()}}
                     .dump());
  }
  auto hex_field = [&](const char* name) -> Result<std::array<uint8_t, 32>> {
    if (!request.contains(name) || !request[name].is_string()) {
      return Status::error(ErrorCode::kMalformed, std::string(name) + ": expected 64 hex digits");
    }
    return fixed_from_hex<32>(request[name].get<std::string>(), name);
  };
  if (cmd == "lookup") {
    Result<std::array<uint8_t, 32>> target = hex_field("target");
    if (!target) return reply(error_line(target.status().message()));
    size_t count = request.value("count", static_cast<size_t>(node.dht().config().bucket_size));
    node.dht().lookup(dht::NodeId{*target}, count, [reply](dht::LookupResult result) {
      json closest = json::array();
      for (const dht::Contact& c : result.closest) closest.push_back({{"id", c.id.hex()}, {"address", c.address}});
      reply(json{{"closest", closest}, {"hops", result.hops}, {"messages", result.messages}}.dump());
    });
    return;
  }
  if (cmd == "write" || cmd == "dataset" || cmd == "read") {
    Result<std::array<uint8_t, 32>> dataset = hex_field("dataset");
    if (!dataset) return reply(error_line(dataset.status().message()));
    if (cmd == "dataset") {
      if (const cluster::ChainArbiter* arbiter = node.arbiter(*dataset)) {
        return reply(json{{"role", "arbiter"},
                          {"signed", arbiter->signed_height()},
                          {"por_rounds", arbiter->rounds()},
                          {"por_faults", arbiter->faults()},
                          {"refused_for_time", arbiter->refused_for_time()}}
                         .dump());
      }
      std::optional<node::DatasetStatus> status = node.dataset_status(*dataset);
      if (!status) return reply(error_line("this node does not host that dataset"));
      return reply(json{{"role", "member"},
                        {"applied", status->applied_sequence},
                        {"entries", status->entry_count},
                        {"state_root", to_hex(status->state_root)},
                        {"height", status->height},
                        {"sealed", status->sealed_height},
                        {"pool", status->pool},
                        {"proofs", {{"proven", status->proofs.proven},
                                    {"failed", status->proofs.failed},
                                    {"offline", status->proofs.offline}}}}
                       .dump());
    }
    if (cmd == "read") {
      cluster::ClusterChain* chain = node.chain(*dataset);
      if (chain == nullptr) return reply(error_line("this node is not a member for that dataset"));
      if (!request.contains("key") || !request["key"].is_string()) return reply(error_line("key: expected a string"));
      int64_t signatures = 1;
      if (request.contains("signatures")) {
        if (!request["signatures"].is_number_integer()) return reply(error_line("signatures: expected an integer"));
        signatures = request["signatures"].get<int64_t>();
      }
      if (signatures < 1) return reply(error_line("signatures: at least 1"));
      std::string key = request["key"];
      chain->read(Bytes(key.begin(), key.end()), static_cast<size_t>(signatures), [reply](Result<cluster::ReadResult> r) {
        if (!r) return reply(error_line(r.status().to_string()));
        json signers = json::array();
        uint64_t sequence = 0;
        for (const cluster::ReadAnswer& a : r->answers) {
          signers.push_back(to_hex(a.signer.bytes));
          sequence = std::max(sequence, a.sequence);
        }
        json value = r->value ? json(std::string(r->value->begin(), r->value->end())) : json(nullptr);
        reply(json{{"value", value}, {"signed_by", signers}, {"sequence", sequence}}.dump());
      });
      return;
    }
    if (!request.contains("rows") || !request["rows"].is_array()) return reply(error_line("rows: expected a list"));
    std::vector<storage::Mutation> mutations;
    for (const json& row : request["rows"]) {
      if (!row.is_object() || !row.contains("key") || !row["key"].is_string() || !row.contains("value") ||
          !row["value"].is_string()) {
        return reply(error_line("rows[]: expected {\"key\": string, \"value\": string}"));
      }
      std::string key = row["key"], value = row["value"];
      mutations.push_back({storage::Mutation::Kind::kPutRow, Bytes(key.begin(), key.end()),
                           Bytes(value.begin(), value.end()), {}, {}});
    }
    node.write(*dataset, std::move(mutations), [reply](Result<uint64_t> sequence) {
      reply(sequence ? json{{"sequence", *sequence}}.dump() : error_line(sequence.status().to_string()));
    });
    return;
  }
  reply(error_line("unknown cmd \"" + cmd + "\""));
}

class AdminServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, node::Node& node) : socket_(std::move(socket)), node_(node), input_(kMaxLineBytes) {}
  void read() {
    auto self = shared_from_this();
    asio::async_read_until(socket_, input_, '\n', [self](boost::system::error_code ec, size_t n) {
      if (ec) return;  // closed, or a line over the limit
      std::string line(asio::buffers_begin(self->input_.data()), asio::buffers_begin(self->input_.data()) + n);
      self->input_.consume(n);
      handle_admin_request(self->node_, line, [self](std::string response) {
        auto text = std::make_shared<std::string>(std::move(response) + "\n");
        asio::async_write(self->socket_, asio::buffer(*text), [self, text](boost::system::error_code, size_t) {});
      });
      self->read();
    });
  }

 private:
  tcp::socket socket_;
  node::Node& node_;
  asio::streambuf input_;
};

AdminServer::AdminServer(asio::io_context& io, node::Node& node) : io_(io), node_(node) {}

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
    if (!ec) std::make_shared<Session>(std::move(socket), node_)->read();
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
