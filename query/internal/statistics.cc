#include "query/internal/statistics.h"

#include <cmath>
#include <limits>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace mua::query_internal {
namespace {

// Domain and range errors become NaN / infinity instead of exceptions; no promotion of
// double to long double, so results are reproducible across builds.
using Policy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::underflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::promote_double<false>>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

void SampleMoments::Add(double x) {
  count += 1;
  const double delta = x - mean;
  mean += delta / count;
  squared_deviations += delta * (x - mean);
}

void SampleMoments::Merge(const SampleMoments& other) {
  if (other.count == 0) return;
  if (count == 0) {
    *this = other;
    return;
  }
  const double total = count + other.count;
  const double delta = other.mean - mean;
  squared_deviations += other.squared_deviations + delta * delta * count * other.count / total;
  mean += delta * other.count / total;
  count = total;
}

void BivariateMoments::Add(double x, double y) {
  n += 1;
  const double dx = x - mean_x;
  mean_x += dx / n;
  const double dy = y - mean_y;
  mean_y += dy / n;
  m2x += dx * (x - mean_x);
  m2y += dy * (y - mean_y);
  cxy += dx * (y - mean_y);
}

void BivariateMoments::Merge(const BivariateMoments& o) {
  if (o.n == 0) return;
  if (n == 0) {
    *this = o;
    return;
  }
  const double total = n + o.n;
  const double dx = o.mean_x - mean_x, dy = o.mean_y - mean_y;
  const double factor = n * o.n / total;
  m2x += o.m2x + dx * dx * factor;
  m2y += o.m2y + dy * dy * factor;
  cxy += o.cxy + dx * dy * factor;
  mean_x += dx * o.n / total;
  mean_y += dy * o.n / total;
  n = total;
}

double SampleMoments::SampleVariance() const {
  return count < 2 ? kNaN : squared_deviations / (count - 1);
}

double SampleMoments::PopulationVariance() const {
  return count < 1 ? kNaN : squared_deviations / count;
}

double NormalCdf(double x) {
  if (std::isnan(x)) return kNaN;
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

double NormalQuantile(double p) {
  if (!(p > 0 && p < 1)) return p == 0 ? -INFINITY : p == 1 ? INFINITY : kNaN;
  return boost::math::quantile(boost::math::normal_distribution<double, Policy>(0, 1), p);
}

double StudentTTwoSidedP(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  if (std::isinf(t)) return 0;
  const boost::math::students_t_distribution<double, Policy> dist(df);
  return 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(t)));
}

double StudentTQuantile(double p, double df) {
  if (!(df > 0) || !(p > 0 && p < 1)) return kNaN;
  return boost::math::quantile(boost::math::students_t_distribution<double, Policy>(df), p);
}

double ChiSquaredSurvival(double x, double df) {
  if (std::isnan(x) || !(df > 0)) return kNaN;
  if (x <= 0) return 1;
  if (std::isinf(x)) return 0;
  const boost::math::chi_squared_distribution<double, Policy> dist(df);
  return boost::math::cdf(boost::math::complement(dist, x));
}

std::optional<TTest> WelchTTest(const SampleMoments& a, const SampleMoments& b) {
  if (a.count < 2 || b.count < 2) return std::nullopt;
  const double va = a.SampleVariance() / a.count;
  const double vb = b.SampleVariance() / b.count;
  TTest result;
  result.standard_error = std::sqrt(va + vb);
  result.t = (a.mean - b.mean) / result.standard_error;
  // Both variances 0 make the degrees of freedom 0/0; SciPy then takes 1, so that t = ±inf
  // still gives p = 0 rather than NaN.
  result.degrees_of_freedom =
      va + vb == 0 ? 1
                   : (va + vb) * (va + vb) / (va * va / (a.count - 1) + vb * vb / (b.count - 1));
  result.p_value = StudentTTwoSidedP(result.t, result.degrees_of_freedom);
  return result;
}

std::optional<TTest> StudentTTest(const SampleMoments& a, const SampleMoments& b) {
  if (a.count < 1 || b.count < 1 || a.count + b.count < 3) return std::nullopt;
  TTest result;
  result.degrees_of_freedom = a.count + b.count - 2;
  const double pooled = (a.squared_deviations + b.squared_deviations) / result.degrees_of_freedom;
  result.standard_error = std::sqrt(pooled * (1 / a.count + 1 / b.count));
  result.t = (a.mean - b.mean) / result.standard_error;
  result.p_value = StudentTTwoSidedP(result.t, result.degrees_of_freedom);
  return result;
}

std::optional<ZTest> TwoProportionZTest(double successes_a, double n_a, double successes_b,
                                        double n_b) {
  if (!(n_a > 0) || !(n_b > 0)) return std::nullopt;
  if (!(successes_a >= 0 && successes_a <= n_a) || !(successes_b >= 0 && successes_b <= n_b)) {
    return std::nullopt;
  }
  const double pooled = (successes_a + successes_b) / (n_a + n_b);
  if (!(pooled > 0 && pooled < 1)) return std::nullopt;
  ZTest result;
  result.z = (successes_a / n_a - successes_b / n_b) /
             std::sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b));
  result.p_value = std::erfc(std::fabs(result.z) / std::sqrt(2.0));
  return result;
}

std::optional<double> ChiSquareGoodnessOfFitP(std::span<const double> observed,
                                              std::span<const double> weights) {
  if (observed.size() < 2 || observed.size() != weights.size()) return std::nullopt;
  double total = 0;
  double weight_sum = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    if (!(weights[i] > 0) || !(observed[i] >= 0)) return std::nullopt;
    total += observed[i];
    weight_sum += weights[i];
  }
  if (!(total > 0)) return std::nullopt;
  double statistic = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    const double expected = total * weights[i] / weight_sum;
    statistic += (observed[i] - expected) * (observed[i] - expected) / expected;
  }
  return ChiSquaredSurvival(statistic, static_cast<double>(observed.size() - 1));
}

}  // namespace mua::query_internal
