#include "analysis/results.h"

#include <fstream>

namespace fluence::analysis {

std::string RunResult::scenario_kind() const {
  auto it = summary.find("kind");
  return it != summary.end() && it->is_string() ? it->get<std::string>() : "unknown";
}

Result<double> RunResult::metric(const std::string& name) const {
  auto it = summary.find(name);
  if (it == summary.end() || !it->is_number()) {
    return Status::error(ErrorCode::kNotFound,
                         (folder / "summary.json").string() + ": no numeric field '" + name + "'");
  }
  return it->get<double>();
}

Status RunResult::require(std::initializer_list<const char*> names) const {
  for (const char* name : names) {
    if (Result<double> value = metric(name); !value) return value.status();
  }
  return Status::ok();
}

Result<RunResult> load_run(const std::filesystem::path& folder) {
  std::filesystem::path path = folder / "summary.json";
  std::ifstream in(path);
  if (!in) return Status::error(ErrorCode::kNotFound, path.string() + ": cannot open");
  RunResult run{folder, {}};
  try {
    in >> run.summary;
  } catch (const nlohmann::json::exception& e) {
    return Status::error(ErrorCode::kMalformed, path.string() + ": " + e.what());
  }
  if (!run.summary.is_object()) {
    return Status::error(ErrorCode::kMalformed, path.string() + ": expected a JSON object");
  }
  return run;
}

}  // namespace fluence::analysis
