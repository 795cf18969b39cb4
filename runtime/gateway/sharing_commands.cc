// The fluence* commands: sharing through the nodes' ledger (sharing.h),
// sent as any MongoDB command is (db.runCommand / mongoc_client_command).
//
//   {fluenceIdentity: 1}
//       -> {account: "<hex>", preKey: "<hex>"}: what an owner needs to share
//          with this gateway
//   {fluenceOpenContract: "<dataset hex>", deposit, pricePerGbMonth,
//    gasPrice, periodTicks}                      (numbers optional; default 0
//                                                 and 720 ticks)
//       -> {contract: "<hex>"}
//   {fluenceShare: "<collection>", receiver: "<hex>", receiverKey: "<hex>",
//    threshold, markupPerMille}                   (on the collection's db;
//                                                 threshold default: a
//                                                 majority of the nodes)
//       -> {share: "<hex>", dataset: "<hex>", contract: "<hex>", threshold, holders}
//   {fluenceRevokeShare: "<collection>", share: "<hex>"}
//   {fluenceAttachShare: "<share hex>", dataset: "<hex>", nodeAdmin: "host:port",
//    readSignatures}                              (default 1)
//       -> {ns: "db.collection"}: the shared collection now reads here
//   {fluenceFundShare: "<share hex>", amount}
// A gateway run without a node connection has none of them (CommandNotFound).
#include "runtime/gateway/command_context.h"
#include "runtime/gateway/sharing.h"

namespace fluence::gateway {

namespace detail {

namespace {

// How an error names field `name`: the command's own first field by the
// command's name, others as command.field.
std::string label(const Request& request, const char* name) {
  return "'" + (request.name == name ? request.name : request.name + "." + name) + "'";
}

// The string in field `name`.
Outcome<std::string> text(const Request& request, const char* name) {
  bson_iter_t it;
  if (!bson_iter_init_find(&it, request.body, name)) return bad_value("'" + request.name + "' needs '" + name + "'");
  if (!BSON_ITER_HOLDS_UTF8(&it)) return type_mismatch(label(request, name) + " must be a string");
  return std::string(utf8_of(&it));
}

template <size_t N>
Outcome<std::array<uint8_t, N>> hex_argument(const Request& request, const char* name) {
  Outcome<std::string> hex = text(request, name);
  if (!hex) return hex.error();
  Result<std::array<uint8_t, N>> bytes = fixed_from_hex<N>(hex.value(), name);
  if (!bytes) return bad_value(label(request, name) + ": " + bytes.status().message());
  return *bytes;
}

// A non-negative integer argument, `fallback` when absent.
Outcome<uint64_t> amount(const Request& request, const char* name, uint64_t fallback) {
  Outcome<std::optional<int64_t>> value = integer_field(request, name);
  if (!value) return value.error();
  if (!value.value()) return fallback;
  if (*value.value() < 0) return bad_value(label(request, name) + " must not be negative");
  return static_cast<uint64_t>(*value.value());
}

void append_text(bson_t* out, const char* field, const std::string& value) {
  bson_append_utf8(out, field, -1, value.data(), static_cast<int>(value.size()));
}

std::optional<MongoError> no_sharing(const Request& request) {
  return MongoError{MongoCode::kCommandNotFound, "no such command: '" + request.name + "' (this gateway has no sharing)"};
}


std::optional<MongoError> cmd_fluence_identity(Context& context, const Request& request, bson_t* out) {
  if (context.sharing == nullptr) return no_sharing(request);
  append_text(out, "account", to_hex(context.sharing->identity().account.public_key().view()));
  append_text(out, "preKey", to_hex(context.sharing->identity().pre.public_key().view()));
  return std::nullopt;
}

std::optional<MongoError> cmd_fluence_open_contract(Context& context, const Request& request, bson_t* out) {
  if (context.sharing == nullptr) return no_sharing(request);
  Outcome<storage::DatasetId> dataset = hex_argument<storage::kDatasetIdBytes>(request, request.name.c_str());
  if (!dataset) return dataset.error();
  ContractTerms terms;
  Outcome<uint64_t> deposit = amount(request, "deposit", 0);
  Outcome<uint64_t> price = amount(request, "pricePerGbMonth", 0);
  Outcome<uint64_t> gas = amount(request, "gasPrice", 0);
  Outcome<uint64_t> period = amount(request, "periodTicks", terms.period_ticks);
  for (const Outcome<uint64_t>* given : {&deposit, &price, &gas, &period}) {
    if (!*given) return given->error();
  }
  terms.deposit = deposit.value();
  terms.price_per_gb_month = price.value();
  terms.gas_price = gas.value();
  terms.period_ticks = period.value();
  Result<crypto::PublicKey> contract = context.sharing->open_contract(dataset.value(), terms);
  if (!contract) return error_from_status(contract.status());
  append_text(out, "contract", to_hex(contract->view()));
  return std::nullopt;
}

std::optional<MongoError> cmd_fluence_share(Context& context, const Request& request, bson_t* out) {
  if (context.sharing == nullptr) return no_sharing(request);
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  Outcome<std::array<uint8_t, crypto::kPublicKeyBytes>> receiver =
      hex_argument<crypto::kPublicKeyBytes>(request, "receiver");
  if (!receiver) return receiver.error();
  Outcome<std::array<uint8_t, crypto::pre::kPointBytes>> receiver_key =
      hex_argument<crypto::pre::kPointBytes>(request, "receiverKey");
  if (!receiver_key) return receiver_key.error();
  Outcome<uint64_t> threshold = amount(request, "threshold", 0);
  if (!threshold) return threshold.error();
  Outcome<uint64_t> markup = amount(request, "markupPerMille", 0);
  if (!markup) return markup.error();
  if (threshold.value() > economy::kMaxContractNodes) return bad_value("'threshold' is more than any contract's nodes");
  if (markup.value() > economy::kMaxShareMarkupPerMille) return bad_value("'markupPerMille' is over its bound");
  ShareOffer offer{crypto::PublicKey{receiver.value()}, crypto::pre::Point{receiver_key.value()},
                   static_cast<uint8_t>(threshold.value()), static_cast<uint32_t>(markup.value())};
  Result<MadeShare> made = context.sharing->share(ns.value(), offer);
  if (!made) return error_from_status(made.status());
  append_text(out, "share", to_hex(made->id.view()));
  append_text(out, "dataset", to_hex(made->dataset));
  append_text(out, "contract", to_hex(made->contract.view()));
  bson_append_int32(out, "threshold", -1, made->threshold);
  bson_append_int32(out, "holders", -1, static_cast<int32_t>(made->holders));
  return std::nullopt;
}

std::optional<MongoError> cmd_fluence_revoke_share(Context& context, const Request& request, bson_t*) {
  if (context.sharing == nullptr) return no_sharing(request);
  Outcome<Namespace> ns = target_namespace(request);
  if (!ns) return ns.error();
  Outcome<std::array<uint8_t, crypto::kPublicKeyBytes>> share = hex_argument<crypto::kPublicKeyBytes>(request, "share");
  if (!share) return share.error();
  Status revoked = context.sharing->revoke(ns.value(), crypto::PublicKey{share.value()});
  if (!revoked.is_ok()) return error_from_status(revoked);
  return std::nullopt;
}

std::optional<MongoError> cmd_fluence_attach_share(Context& context, const Request& request, bson_t* out) {
  if (context.sharing == nullptr) return no_sharing(request);
  Outcome<std::array<uint8_t, crypto::kPublicKeyBytes>> share =
      hex_argument<crypto::kPublicKeyBytes>(request, request.name.c_str());
  if (!share) return share.error();
  Outcome<storage::DatasetId> dataset = hex_argument<storage::kDatasetIdBytes>(request, "dataset");
  if (!dataset) return dataset.error();
  Outcome<std::string> node_admin = text(request, "nodeAdmin");
  if (!node_admin) return node_admin.error();
  Outcome<uint64_t> signatures = amount(request, "readSignatures", 1);
  if (!signatures) return signatures.error();
  // The node's admin token is the configuration's default: a client does not hold node secrets.
  Result<Namespace> ns = context.sharing->attach({crypto::PublicKey{share.value()}, dataset.value(), node_admin.value(),
                                                  static_cast<size_t>(signatures.value()), std::string()});
  if (!ns) return error_from_status(ns.status());
  append_text(out, "ns", ns->full());
  return std::nullopt;
}

std::optional<MongoError> cmd_fluence_fund_share(Context& context, const Request& request, bson_t*) {
  if (context.sharing == nullptr) return no_sharing(request);
  Outcome<std::array<uint8_t, crypto::kPublicKeyBytes>> share =
      hex_argument<crypto::kPublicKeyBytes>(request, request.name.c_str());
  if (!share) return share.error();
  Outcome<uint64_t> funds = amount(request, "amount", 0);
  if (!funds) return funds.error();
  if (funds.value() == 0) return bad_value("'" + request.name + "' needs a positive 'amount' (micro-FFT)");
  Status funded = context.sharing->fund(crypto::PublicKey{share.value()}, funds.value());
  if (!funded.is_ok()) return error_from_status(funded);
  return std::nullopt;
}

constexpr CommandEntry kSharingCommands[] = {
    {"fluenceIdentity", cmd_fluence_identity},
    {"fluenceOpenContract", cmd_fluence_open_contract},
    {"fluenceShare", cmd_fluence_share},
    {"fluenceRevokeShare", cmd_fluence_revoke_share},
    {"fluenceAttachShare", cmd_fluence_attach_share},
    {"fluenceFundShare", cmd_fluence_fund_share},
};

}  // namespace

}  // namespace detail

CommandEngine::CommandEngine(DocumentStore& store, EngineOptions options, Sharing* sharing)
    : CommandEngine(store, std::move(options)) {
  sharing_ = sharing;
  sharing_commands_ = detail::kSharingCommands;
}

}  // namespace fluence::gateway
