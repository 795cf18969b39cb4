#include "analysis/plot.h"

#include <cstdlib>
#include <fstream>

namespace fluence::analysis {

namespace {

// gnuplot strings are single-quoted; a quote inside is doubled.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Result<std::string> plot(const Series& series, const std::filesystem::path& dir, const std::string& name) {
  std::filesystem::path data = dir / (name + ".dat"), script = dir / (name + ".gp"), svg = dir / (name + ".svg");
  {
    std::ofstream out(data);
    out << "# x mean low high\n";
    for (const auto& [x, mean, low, high] : series.measured) out << x << " " << mean << " " << low << " " << high << "\n";
    out << "\n\n# x model\n";
    for (const auto& [x, y] : series.model) out << x << " " << y << "\n";
    if (!out) return Status::error(ErrorCode::kIo, "cannot write " + data.string());
  }
  {
    std::ofstream gp(script);
    gp << "set terminal svg size 720,440 noenhanced font 'sans,12' background rgb 'white'\n"
       << "set output " << quoted(svg.string()) << "\n"
       << "set title " << quoted(series.title) << "\n"
       << "set xlabel " << quoted(series.x_label) << "\nset ylabel " << quoted(series.y_label) << "\n"
       << "set key top right\nset grid\nset offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n"
       << (series.log_y ? "set logscale y\n" : "")
       << "plot " << quoted(data.string()) << " index 0 using 1:2:3:4 with yerrorbars pointtype 7 title 'measured (interval)', \\\n"
       << "     " << quoted(data.string()) << " index 1 using 1:2 with lines linewidth 2 title 'model'\n";
    if (!gp) return Status::error(ErrorCode::kIo, "cannot write " + script.string());
  }
  std::string command = "gnuplot " + shell_quoted(script.string()) + " 2>/dev/null";
  int status = std::system(command.c_str());
  if (status != 0 || !std::filesystem::exists(svg)) {
    return Status::error(ErrorCode::kUnavailable, "gnuplot could not draw " + svg.string() + " (is gnuplot-nox installed?)");
  }
  return svg.filename().string();
}

}  // namespace fluence::analysis
