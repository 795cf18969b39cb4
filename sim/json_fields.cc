#include "sim/json_fields.h"

#include <cmath>

namespace fluence::sim {

namespace {
const nlohmann::json kNull;
}

JsonFields::JsonFields(const nlohmann::json& object, std::string path) : object_(object), path_(std::move(path)) {
  if (!object_.is_object()) status_ = Status::error(ErrorCode::kMalformed, path_ + ": expected an object");
}

void JsonFields::fail(const std::string& field, const std::string& problem) {
  if (!status_.is_ok()) return;
  status_ = Status::error(ErrorCode::kMalformed, path_ + "." + field + ": " + problem);
}

const nlohmann::json* JsonFields::find(const char* name) {
  read_.insert(name);
  if (!status_.is_ok()) return nullptr;
  auto it = object_.find(name);
  return it == object_.end() ? nullptr : &*it;
}

bool JsonFields::has(const char* name) const { return object_.is_object() && object_.contains(name); }

double JsonFields::number(const char* name, double fallback, double min, double max) {
  const nlohmann::json* value = find(name);
  if (value == nullptr) return fallback;
  if (!value->is_number()) {
    fail(name, "expected a number");
    return fallback;
  }
  double x = value->get<double>();
  if (!std::isfinite(x) || x < min || x > max) {
    fail(name, "must be between " + nlohmann::json(min).dump() + " and " + nlohmann::json(max).dump());
    return fallback;
  }
  return x;
}

int64_t JsonFields::integer(const char* name, int64_t fallback, int64_t min, int64_t max) {
  const nlohmann::json* value = find(name);
  if (value == nullptr) return fallback;
  if (!value->is_number_integer()) {
    fail(name, "expected an integer");
    return fallback;
  }
  int64_t x = value->get<int64_t>();
  if (x < min || x > max) {
    fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return fallback;
  }
  return x;
}

std::string JsonFields::text(const char* name, const std::string& fallback) {
  const nlohmann::json* value = find(name);
  if (value == nullptr) return fallback;
  if (!value->is_string()) {
    fail(name, "expected a string");
    return fallback;
  }
  return value->get<std::string>();
}

bool JsonFields::flag(const char* name, bool fallback) {
  const nlohmann::json* value = find(name);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) {
    fail(name, "expected true or false");
    return fallback;
  }
  return value->get<bool>();
}

const nlohmann::json& JsonFields::child(const char* name) {
  const nlohmann::json* value = find(name);
  return value == nullptr ? kNull : *value;
}

Status JsonFields::finish() {
  if (!status_.is_ok()) return status_;
  for (const auto& [key, value] : object_.items()) {
    if (!read_.count(key)) return Status::error(ErrorCode::kMalformed, path_ + "." + key + ": unknown field");
  }
  return Status::ok();
}

}  // namespace fluence::sim
