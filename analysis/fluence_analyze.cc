// fluence-analyze: reads result folders written by fluence-sim and reports
// each measurement beside its model.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "analysis/report.h"
#include "analysis/sweep_report.h"

int main(int argc, char** argv) {
  CLI::App app{"Reads fluence-sim result folders and reports measurements beside the models.\n"
               "Prints a table per run and writes report.md."};
  std::vector<std::string> folders;
  std::string out_dir;
  app.add_option("RESULTS", folders, "result folders (each holds summary.json), or sweep folders (sweep.json)")
      ->required();
  bool strict = false;
  app.add_option("--out", out_dir, "where to write report.md (default: the first result folder)");
  app.add_flag("--strict", strict, "exit with status 1 if any measurement disagrees with its model");
  CLI11_PARSE(app, argc, argv);

  std::vector<fluence::analysis::RunReport> reports;
  std::vector<fluence::analysis::Series> series;  // one plot per sweep that has one
  bool any_disagreement = false;
  for (const std::string& folder : folders) {
    if (fluence::analysis::is_sweep(folder)) {
      fluence::Result<fluence::analysis::SweepReport> sweep = fluence::analysis::report_sweep(folder);
      if (!sweep) {
        std::cerr << "fluence-analyze: " << sweep.status().message() << "\n";
        return 2;
      }
      for (fluence::analysis::RunReport& report : sweep->points) {
        std::cout << fluence::analysis::render_table(report) << "\n";
        any_disagreement = any_disagreement || report.disagrees();
        reports.push_back(std::move(report));
      }
      if (sweep->series) series.push_back(*sweep->series);
      continue;
    }
    fluence::Result<fluence::analysis::RunResult> run = fluence::analysis::load_run(folder);
    if (!run) {
      std::cerr << "fluence-analyze: " << run.status().message() << "\n";
      return 2;
    }
    fluence::Result<fluence::analysis::RunReport> report = fluence::analysis::report_run(*run);
    if (!report) {
      std::cerr << "fluence-analyze: " << report.status().message() << "\n";
      return 2;
    }
    std::cout << fluence::analysis::render_table(*report) << "\n";
    any_disagreement = any_disagreement || report->disagrees();
    reports.push_back(std::move(*report));
  }
  std::filesystem::path out(out_dir.empty() ? folders.front() : out_dir);
  std::error_code error;
  std::filesystem::create_directories(out, error);
  std::ofstream file(out / "report.md");
  file << fluence::analysis::render_markdown(reports);
  for (size_t i = 0; i < series.size(); ++i) {
    fluence::Result<std::string> svg = fluence::analysis::plot(series[i], out, "plot" + std::to_string(i + 1));
    if (svg) {
      file << "![" << series[i].title << "](" << *svg << ")\n\n";
      std::cout << "plot: " << (out / *svg).string() << "\n";
    } else {
      file << "_(plot skipped: " << svg.status().message() << ")_\n\n";
      std::cerr << "fluence-analyze: " << svg.status().message() << "\n";
    }
  }
  if (!file) {
    std::cerr << "fluence-analyze: cannot write " << (out / "report.md").string() << "\n";
    return 2;
  }
  std::cout << "report: " << (out / "report.md").string() << "\n";
  if (any_disagreement) {
    std::cout << "some measurements DISAGREE with their model (see the verdict column)\n";
    if (strict) return 1;
  }
  return 0;
}
