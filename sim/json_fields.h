// Strict reading of JSON objects from files people write by hand: every
// error names the field's full path (scenario.network.latency_ms), and a
// field nobody reads is an error, not a silent typo.
#pragma once

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "model/base/status.h"

namespace fluence::sim {

class JsonFields {
 public:
  // `path` names the object for errors ("scenario", "scenario.network").
  JsonFields(const nlohmann::json& object, std::string path);

  bool ok() const { return status_.is_ok(); }
  const Status& status() const { return status_; }
  // Fails with the first unknown field, if no error came first.
  Status finish();

  bool has(const char* name) const;
  double number(const char* name, double fallback, double min, double max);
  int64_t integer(const char* name, int64_t fallback, int64_t min, int64_t max);
  std::string text(const char* name, const std::string& fallback);
  bool flag(const char* name, bool fallback);
  // The raw value of an object or array field for nested readers; null json
  // if absent. Marks it read.
  const nlohmann::json& child(const char* name);
  std::string child_path(const char* name) const { return path_ + "." + name; }
  void fail(const std::string& field, const std::string& problem);

 private:
  const nlohmann::json* find(const char* name);
  const nlohmann::json& object_;
  std::string path_;
  std::set<std::string> read_;
  Status status_;
};

}  // namespace fluence::sim
