// The distributions and tests behind the statistical aggregates (welchTTest,
// studentTTest) and the experiment() table function: Student's t, chi-square
// and the normal distribution from Boost.Math (its special functions are
// accurate to a few ulp, what SciPy's Cephes routines are checked against),
// evaluated without exceptions: an argument outside a distribution's domain
// gives NaN.
//
//   SampleMoments a, b;  // a.Add(x) per value
//   std::optional<TTest> t = WelchTTest(a, b);  // nullopt: fewer than 2 values a side
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace mua::query_internal {

// Count, mean and sum of squared deviations of a sample (Welford's update, stable for
// values far from zero); mergeable.
struct SampleMoments {
  double count = 0;
  double mean = 0;
  double squared_deviations = 0;  // sum of (x - mean)^2

  void Add(double x);
  void Merge(const SampleMoments& other);
  double SampleVariance() const;  // n - 1 in the denominator; NaN below 2 values
  double PopulationVariance() const;
};

// Count, means and co-moments of pairs (x, y): m2x = sum((x - mean_x)^2), cxy =
// sum((x - mean_x)(y - mean_y)). Welford's update and Chan's merge, so no sum(x^2) -
// sum(x)^2/n cancels; what varPop ... corr and experiment()'s CUPED arms accumulate.
struct BivariateMoments {
  double n = 0;
  double mean_x = 0, mean_y = 0;
  double m2x = 0, m2y = 0, cxy = 0;

  void Add(double x, double y);
  void Merge(const BivariateMoments& other);
};

// Φ(x), the standard normal distribution function.
double NormalCdf(double x);
// Φ⁻¹(p) for p in (0, 1).
double NormalQuantile(double p);
// P(|T| >= |t|) for Student's t with `df` degrees of freedom (df > 0; may be fractional).
double StudentTTwoSidedP(double t, double df);
// The t quantile: P(T <= q) = p.
double StudentTQuantile(double p, double df);
// P(X >= x) for chi-square with `df` degrees of freedom.
double ChiSquaredSurvival(double x, double df);

struct TTest {
  double t = 0;       // (mean_a - mean_b) / standard error
  double p_value = 0; // two-sided
  double degrees_of_freedom = 0;
  double standard_error = 0;
};

// Welch's unequal-variance t-test of a against b (SciPy's ttest_ind(equal_var=False)).
// nullopt when a side has fewer than 2 values. A zero standard error gives t = ±inf or
// NaN (equal means) and the p-value that follows (0 or NaN), with 1 degree of freedom,
// as SciPy does.
std::optional<TTest> WelchTTest(const SampleMoments& a, const SampleMoments& b);
// Student's pooled-variance t-test (SciPy's ttest_ind(equal_var=True)); nullopt when
// n_a + n_b < 3 or a side is empty.
std::optional<TTest> StudentTTest(const SampleMoments& a, const SampleMoments& b);

struct ZTest {
  double z = 0;
  double p_value = 0;  // two-sided
};

// The pooled two-proportion z-test of successes_a / n_a against successes_b / n_b.
// nullopt when a side is empty, successes are outside [0, n], or the pooled proportion
// is 0 or 1.
std::optional<ZTest> TwoProportionZTest(double successes_a, double n_a, double successes_b,
                                        double n_b);

// Pearson's chi-square goodness of fit of `observed` counts against expected shares
// `weights` (normalized to sum 1; same length as observed, every weight > 0).
// Returns the p-value; nullopt for fewer than 2 categories, a negative count or no
// observations.
std::optional<double> ChiSquareGoodnessOfFitP(std::span<const double> observed,
                                              std::span<const double> weights);

}  // namespace mua::query_internal
