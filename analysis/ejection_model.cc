#include "analysis/ejection_model.h"

#include <Eigen/Dense>
#include <cmath>

namespace fluence::analysis {

namespace {

// The transient block Q of the chain over run lengths 0..F-1.
Eigen::MatrixXd transient(double q, int run_length) {
  Eigen::MatrixXd Q = Eigen::MatrixXd::Zero(run_length, run_length);
  for (int i = 0; i < run_length; ++i) {
    Q(i, 0) += 1 - q;                      // a proven tick ends the run
    if (i + 1 < run_length) Q(i, i + 1) += q;  // a failed one extends it (from F-1: absorbed)
  }
  return Q;
}

double binomial(int n, int k, double p) {
  return std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0)) * std::pow(p, k) *
         std::pow(1 - p, n - k);
}

}  // namespace

double tick_failure_probability(double forgotten_fraction, int chunks, int arbiters) {
  double pass = std::pow(1 - forgotten_fraction, chunks);
  double failed = 0;
  for (int passed = 0; 2 * passed <= arbiters; ++passed) failed += binomial(arbiters, passed, pass);
  return failed;
}

double expected_ticks_to_ejection(double q, int run_length) {
  Eigen::MatrixXd Q = transient(q, run_length);
  Eigen::MatrixXd I = Eigen::MatrixXd::Identity(run_length, run_length);
  // t = (I - Q)^-1 1: expected steps to absorption from each state.
  Eigen::VectorXd t = (I - Q).partialPivLu().solve(Eigen::VectorXd::Ones(run_length));
  return t(0);
}

double ejection_within(double q, int run_length, uint64_t ticks) {
  Eigen::MatrixXd Q = transient(q, run_length);
  Eigen::RowVectorXd state = Eigen::RowVectorXd::Zero(run_length);
  state(0) = 1;
  for (uint64_t t = 0; t < ticks; ++t) state = state * Q;
  return 1 - state.sum();  // the mass absorbed so far
}

double expected_ticks_within(double q, int run_length, uint64_t limit) {
  // E[min(T, L)] = sum over t < L of P(T > t), the mass not yet absorbed.
  Eigen::MatrixXd Q = transient(q, run_length);
  Eigen::RowVectorXd state = Eigen::RowVectorXd::Zero(run_length);
  state(0) = 1;
  double sum = 0;
  for (uint64_t t = 0; t < limit; ++t) {
    sum += state.sum();
    state = state * Q;
  }
  return sum;
}

}  // namespace fluence::analysis
