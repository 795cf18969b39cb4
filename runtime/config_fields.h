// Strict readers for the runtime's JSON configuration files (fluence-node's
// and fluence-gateway's): each field present when required and of the right
// type, and an unknown field an error, every error naming the field's path.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/consensus/tendermint.h"
#include "runtime/config.h"

namespace fluence::runtime {

using nlohmann::json;

// `text` parsed as a JSON object; errors name `source`.
Result<json> parse_json_object(const std::string& text, const std::string& source);

// The same checks for every field: present when required, of the right type.
class ConfigFields {
 public:
  ConfigFields(const json& object, std::string path) : object_(object), path_(std::move(path)) {}
  Status error;

  const json* get(const char* name, bool required) {
    seen_.insert(name);
    if (!error.is_ok()) return nullptr;
    auto it = object_.find(name);
    if (it == object_.end()) {
      if (required) error = Status::error(ErrorCode::kMalformed, path_ + "." + name + ": required");
      return nullptr;
    }
    return &*it;
  }
  std::string text(const char* name, bool required, std::string fallback = "") {
    const json* v = get(name, required);
    if (v == nullptr) return fallback;
    if (!v->is_string()) {
      error = Status::error(ErrorCode::kMalformed, path_ + "." + name + ": expected a string");
      return fallback;
    }
    return v->get<std::string>();
  }
  int64_t integer(const char* name, int64_t fallback, int64_t min, int64_t max) {
    const json* v = get(name, false);
    if (v == nullptr) return fallback;
    if (!v->is_number_integer() || v->get<int64_t>() < min || v->get<int64_t>() > max) {
      error = Status::error(ErrorCode::kMalformed, path_ + "." + name + ": expected an integer in " +
                                                       std::to_string(min) + ".." + std::to_string(max));
      return fallback;
    }
    return v->get<int64_t>();
  }
  std::vector<std::string> addresses(const char* name) {
    std::vector<std::string> out;
    const json* v = get(name, false);
    if (v == nullptr) return out;
    if (!v->is_array()) {
      error = Status::error(ErrorCode::kMalformed, path_ + "." + name + ": expected a list of \"host:port\"");
      return out;
    }
    for (size_t i = 0; i < v->size() && error.is_ok(); ++i) {
      std::string field = path_ + "." + name + "[" + std::to_string(i) + "]";
      if (!(*v)[i].is_string()) {
        error = Status::error(ErrorCode::kMalformed, field + ": expected \"host:port\"");
        break;
      }
      Result<Endpoint> endpoint = parse_endpoint((*v)[i].get<std::string>(), field);
      if (!endpoint) error = endpoint.status();
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }
  // A list of "<64 hex public key>@host:port": a cluster member or arbiter.
  std::vector<consensus::Validator> validators(const char* name) {
    std::vector<consensus::Validator> out;
    const json* v = get(name, false);
    if (v == nullptr) return out;
    if (!v->is_array()) {
      error = Status::error(ErrorCode::kMalformed, path_ + "." + name + ": expected a list of \"<key hex>@host:port\"");
      return out;
    }
    for (size_t i = 0; i < v->size() && error.is_ok(); ++i) {
      std::string field = path_ + "." + name + "[" + std::to_string(i) + "]";
      std::string text = (*v)[i].is_string() ? (*v)[i].get<std::string>() : "";
      size_t at = text.find('@');
      if (at == std::string::npos) {
        error = Status::error(ErrorCode::kMalformed, field + ": expected \"<key hex>@host:port\"");
        break;
      }
      Result<std::array<uint8_t, crypto::kPublicKeyBytes>> key =
          fixed_from_hex<crypto::kPublicKeyBytes>(text.substr(0, at), field + " key");
      if (!key) {
        error = key.status();
        break;
      }
      Result<Endpoint> endpoint = parse_endpoint(text.substr(at + 1), field);
      if (!endpoint) {
        error = endpoint.status();
        break;
      }
      out.push_back({text.substr(at + 1), crypto::PublicKey{*key}});
    }
    return out;
  }
  Status finish() {
    if (!error.is_ok()) return error;
    for (const auto& [key, value] : object_.items()) {
      if (!seen_.count(key)) return Status::error(ErrorCode::kMalformed, path_ + "." + key + ": unknown field");
    }
    return Status::ok();
  }

 private:
  const json& object_;
  std::string path_;
  std::set<std::string> seen_;
};

}  // namespace fluence::runtime
