// Internal to the admin endpoint (admin.h): the reply helpers its commands
// share, and the economy commands, which live in admin_economy.cc.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/base/status.h"
#include "model/node/node.h"

namespace fluence::runtime::admin_detail {

// Replies replace bytes that are not UTF-8 with U+FFFD: a row's text form
// ("value") may hold any bytes, and a strict dump would throw out of the
// io_context and take the node down.
inline std::string dump(const nlohmann::json& reply) {
  return reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A request the node refused: the message names the field.
inline std::string refused(const Status& status) {
  return dump(nlohmann::json{{"error", status.message()}, {"code", error_code_name(status.code())}});
}
inline std::string refused(ErrorCode code, const std::string& message) { return refused(Status::error(code, message)); }
// A request the node took but could not carry out (the cluster's answer).
inline std::string failed(const Status& status) {
  return dump(nlohmann::json{{"error", status.to_string()}, {"code", error_code_name(status.code())}});
}

// A 32-byte key or id given as 64 hex digits in field `name`.
Result<std::array<uint8_t, 32>> key_field(const nlohmann::json& request, const char* name);
// Keys as a list of hex strings.
nlohmann::json key_list(const std::vector<crypto::PublicKey>& keys);

// "submit", "ledger", "sign_contract", "reencrypt".
bool is_economy_command(const std::string& cmd);
void handle_economy_request(node::Node& node, const std::string& cmd, const nlohmann::json& request,
                            const std::function<void(std::string)>& reply);

}  // namespace fluence::runtime::admin_detail
