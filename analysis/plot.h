// Plots for reports, drawn by gnuplot (an SVG beside report.md): one
// measured series with its confidence intervals as error bars, and the
// model's curve.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "model/base/status.h"

namespace fluence::analysis {

struct Series {
  std::string title;
  std::string x_label;
  std::string y_label;
  bool log_y = false;
  std::vector<std::array<double, 4>> measured;  // x, mean, interval low, interval high
  std::vector<std::pair<double, double>> model;  // x, predicted
};

// Writes DIR/NAME.dat and DIR/NAME.gp and runs gnuplot to draw DIR/NAME.svg;
// returns the SVG's file name. Fails (the caller reports it and goes on) if
// gnuplot is missing or fails.
Result<std::string> plot(const Series& series, const std::filesystem::path& dir, const std::string& name);

}  // namespace fluence::analysis
