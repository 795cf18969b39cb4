// Reports over a sweep (fluence-sim with a "sweep", see sim/sweep.h): the
// finished runs of each point pooled across their seeds, every rate with a
// confidence interval, and the point's measurement set beside the model.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "analysis/plot.h"
#include "analysis/report.h"

namespace fluence::analysis {

// True if `folder` is a sweep's folder (it holds sweep.json).
bool is_sweep(const std::filesystem::path& folder);

// One report per point, in point order, and, when the sweep varies one
// numeric parameter and the kind has a headline measurement with a model
// (lazy-member: ticks to ejection; kademlia-lookup: hops), that measurement
// across the points for a plot. Fails if sweep.json is unreadable or a
// finished run's summary lacks what its kind needs. Unfinished runs are left
// out and counted in the titles.
struct SweepReport {
  std::vector<RunReport> points;
  std::optional<Series> series;
};
Result<SweepReport> report_sweep(const std::filesystem::path& folder);

struct MeanInterval {
  double mean = 0;
  double low = 0;
  double high = 0;
};
// Mean of `samples` with a two-sided Student t interval at 95% (or 99%)
// confidence; a single sample gets a zero-width interval.
MeanInterval mean_interval(const std::vector<double>& samples, bool confidence99 = false);

}  // namespace fluence::analysis
