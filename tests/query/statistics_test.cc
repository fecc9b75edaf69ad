// query/internal/statistics.h against SciPy 1.10.1 (Debian 12's python3-scipy): every
// expected value below was printed by the Python snippet above its table with
// "%.17g" % value and is compared to 1e-9 relative (Boost.Math and SciPy's Cephes
// agree to ~1e-11 on the t quantile and ~1e-13 elsewhere, tiny tails included); a
// value that is exactly 0 compares to 1e-12 absolute.
//   from scipy import stats as st; import numpy as np, math
//   def gen(n, a, salt, offset, scale):  # the deterministic samples of Gen() below
//       return np.array([offset + scale * ((i * a + salt) % 1009) / 1009.0 for i in range(n)])
#include "query/internal/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "gtest/gtest.h"

namespace mua::query_internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void ExpectClose(double actual, double expected) {
  EXPECT_NEAR(actual, expected, expected == 0 ? 1e-12 : 1e-9 * std::fabs(expected))
      << "expected " << expected;
}

SampleMoments Of(const std::vector<double>& values) {
  SampleMoments moments;
  for (double v : values) moments.Add(v);
  return moments;
}

// gen() of the header comment.
std::vector<double> Gen(int64_t n, int64_t a, int64_t salt, double offset, double scale) {
  std::vector<double> values;
  for (int64_t i = 0; i < n; ++i) {
    values.push_back(offset + scale * static_cast<double>((i * a + salt) % 1009) / 1009.0);
  }
  return values;
}

TEST(NormalCdfTest, MatchesScipy) {
  // [st.norm.cdf(x) for x in [-37.5, -10.0, -1.959963984540054, -0.5, 0.0, 1.0, 8.0]]
  const struct {
    double x, cdf;
  } kCases[] = {
      {-37.5, 4.6053530095819542e-308},
      {-10, 7.6198530241604696e-24},
      {-1.959963984540054, 0.025000000000000001},
      {-0.5, 0.30853753872598688},
      {0, 0.5},
      {1, 0.84134474606854293},
      {8, 0.99999999999999933},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.x);
    ExpectClose(NormalCdf(c.x), c.cdf);
  }
  EXPECT_EQ(NormalCdf(-kInf), 0);
  EXPECT_EQ(NormalCdf(kInf), 1);
  EXPECT_TRUE(std::isnan(NormalCdf(kNaN)));
}

TEST(NormalQuantileTest, MatchesScipyAndInvertsTheCdf) {
  // [st.norm.ppf(p) for p in [1e-300, 1e-10, 0.025, 0.3, 0.5, 0.975, 0.999999]]
  const struct {
    double p, quantile;
  } kCases[] = {
      {1e-300, -37.047096299361201},
      {1e-10, -6.3613409024040557},
      {0.025, -1.9599639845400545},
      {0.3, -0.52440051270804089},
      {0.5, 0},
      {0.975, 1.959963984540054},
      {0.999999, 4.7534243088170873},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.p);
    ExpectClose(NormalQuantile(c.p), c.quantile);
    ExpectClose(NormalCdf(NormalQuantile(c.p)), c.p);
  }
  // The ends of the domain are the infinities; outside it NaN (no exception).
  EXPECT_EQ(NormalQuantile(0), -kInf);
  EXPECT_EQ(NormalQuantile(1), kInf);
  EXPECT_TRUE(std::isnan(NormalQuantile(-0.1)));
  EXPECT_TRUE(std::isnan(NormalQuantile(1.5)));
  EXPECT_TRUE(std::isnan(NormalQuantile(kNaN)));
}

TEST(StudentTTwoSidedPTest, MatchesScipyWithFractionalDfAndTinyTails) {
  // 2 * st.t.sf(abs(t), df)
  const struct {
    double t, df, p;
  } kCases[] = {
      {2, 5, 0.10193947882985828},
      {-2, 5, 0.10193947882985828},
      {0, 3, 1},
      {1.5, 2.5, 0.24783645308629604},
      {0.7, 0.3, 0.74562308876649752},
      {3, 1e6, 0.0026998625414217953},
      {25, 7.5, 1.6963706896295544e-08},
      {12, 200, 2.4221360052466602e-25},
      {40, 30, 1.3726045194406362e-27},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(testing::Message() << "t=" << c.t << " df=" << c.df);
    ExpectClose(StudentTTwoSidedP(c.t, c.df), c.p);
  }
  // Many degrees of freedom: the normal distribution's 2 * (1 - Φ(|t|)).
  ExpectClose(StudentTTwoSidedP(1.96, 1e13), 2 * NormalCdf(-1.96));
  EXPECT_EQ(StudentTTwoSidedP(kInf, 4), 0);
  EXPECT_EQ(StudentTTwoSidedP(-kInf, 4), 0);
  EXPECT_TRUE(std::isnan(StudentTTwoSidedP(kNaN, 4)));
  EXPECT_TRUE(std::isnan(StudentTTwoSidedP(1, 0)));
  EXPECT_TRUE(std::isnan(StudentTTwoSidedP(1, -2)));
  EXPECT_TRUE(std::isnan(StudentTTwoSidedP(1, kNaN)));
}

TEST(StudentTQuantileTest, MatchesScipy) {
  // st.t.ppf(p, df)
  const struct {
    double p, df, quantile;
  } kCases[] = {
      {0.975, 10, 2.2281388519649385},
      {0.025, 3.5, -2.9400886379827784},
      {0.5, 7, 0},  // SciPy prints 6.8785100813835908e-17
      {1e-10, 4, -416.17514032924612},
      {0.999, 1e6, 3.0902404563165193},
      {0.9, 0.5, 10.270324410234544},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(testing::Message() << "p=" << c.p << " df=" << c.df);
    ExpectClose(StudentTQuantile(c.p, c.df), c.quantile);
  }
  // Unlike NormalQuantile, the ends p = 0 and 1 give NaN, as does df <= 0.
  EXPECT_TRUE(std::isnan(StudentTQuantile(0, 5)));
  EXPECT_TRUE(std::isnan(StudentTQuantile(1, 5)));
  EXPECT_TRUE(std::isnan(StudentTQuantile(0.5, 0)));
  EXPECT_TRUE(std::isnan(StudentTQuantile(kNaN, 5)));
}

TEST(ChiSquaredSurvivalTest, MatchesScipy) {
  // st.chi2.sf(x, df)
  const struct {
    double x, df, p;
  } kCases[] = {
      {3.841458820694124, 1, 0.049999999999999892},
      {10, 4, 0.040427681994512792},
      {0.5, 2.5, 0.8638836284585889},
      {1e-3, 3, 0.9999915920809419},
      {200, 10, 1.6139305336977317e-37},
      {400, 3, 2.2138865931011112e-86},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(testing::Message() << "x=" << c.x << " df=" << c.df);
    ExpectClose(ChiSquaredSurvival(c.x, c.df), c.p);
  }
  EXPECT_EQ(ChiSquaredSurvival(0, 3), 1);
  EXPECT_EQ(ChiSquaredSurvival(-1, 3), 1);
  EXPECT_EQ(ChiSquaredSurvival(kInf, 3), 0);
  EXPECT_TRUE(std::isnan(ChiSquaredSurvival(kNaN, 3)));
  EXPECT_TRUE(std::isnan(ChiSquaredSurvival(1, 0)));
}

TEST(SampleMomentsTest, EmptyAndSingleValue) {
  SampleMoments moments;
  EXPECT_EQ(moments.count, 0);
  EXPECT_TRUE(std::isnan(moments.SampleVariance()));
  EXPECT_TRUE(std::isnan(moments.PopulationVariance()));
  moments.Add(7);
  EXPECT_EQ(moments.mean, 7);
  EXPECT_TRUE(std::isnan(moments.SampleVariance()));
  EXPECT_EQ(moments.PopulationVariance(), 0);
}

TEST(SampleMomentsTest, StableFarFromZero) {
  // x = gen(1000, 7919, 3, 1e9, 1); np.mean(x), np.var(x, ddof=1), np.var(x)
  const SampleMoments moments = Of(Gen(1000, 7919, 3, 1e9, 1));
  EXPECT_EQ(moments.count, 1000);
  ExpectClose(moments.mean, 1000000000.5001496);
  // The values carry ~1e-7 of rounding each (ulp of 1e9): 1e-7 relative here.
  EXPECT_NEAR(moments.SampleVariance(), 0.083469891336225205, 1e-7 * 0.0834);
  EXPECT_NEAR(moments.PopulationVariance(), 0.083386421444888975, 1e-7 * 0.0834);
}

TEST(SampleMomentsTest, MergeEqualsSequentialAdd) {
  const std::vector<double> values = Gen(997, 613, 7, -50, 300);
  const SampleMoments sequential = Of(values);
  for (size_t split : {size_t{0}, size_t{1}, size_t{2}, size_t{500}, size_t{996}, values.size()}) {
    SCOPED_TRACE(split);
    const SampleMoments head = Of({values.begin(), values.begin() + split});
    const SampleMoments tail = Of({values.begin() + split, values.end()});
    for (bool head_first : {true, false}) {
      SampleMoments merged = head_first ? head : tail;
      merged.Merge(head_first ? tail : head);
      EXPECT_EQ(merged.count, sequential.count);
      ExpectClose(merged.mean, sequential.mean);
      ExpectClose(merged.squared_deviations, sequential.squared_deviations);
    }
  }
  // Many small parts merged one by one.
  SampleMoments merged;
  for (size_t begin = 0; begin < values.size(); begin += 10) {
    const size_t end = std::min(values.size(), begin + 10);
    merged.Merge(Of({values.begin() + begin, values.begin() + end}));
  }
  EXPECT_EQ(merged.count, sequential.count);
  ExpectClose(merged.mean, sequential.mean);
  ExpectClose(merged.SampleVariance(), sequential.SampleVariance());
}

void ExpectTTest(const std::optional<TTest>& actual, const TTest& expected) {
  ASSERT_TRUE(actual.has_value());
  ExpectClose(actual->t, expected.t);
  ExpectClose(actual->p_value, expected.p_value);
  ExpectClose(actual->degrees_of_freedom, expected.degrees_of_freedom);
  ExpectClose(actual->standard_error, expected.standard_error);
}

struct TTestCase {
  const char* name;
  std::vector<double> a, b;
  TTest welch, student;  // {t, p_value, degrees_of_freedom, standard_error}
};

void ExpectTTests(const TTestCase& c) {
  SCOPED_TRACE(c.name);
  const SampleMoments a = Of(c.a), b = Of(c.b);
  ExpectTTest(WelchTTest(a, b), c.welch);
  ExpectTTest(StudentTTest(a, b), c.student);
  // b against a: the sign of t flips, nothing else changes.
  TTest welch = c.welch, student = c.student;
  welch.t = -welch.t;
  student.t = -student.t;
  ExpectTTest(WelchTTest(b, a), welch);
  ExpectTTest(StudentTTest(b, a), student);
}

// For each case:
//   w = st.ttest_ind(a, b, equal_var=False); s = st.ttest_ind(a, b, equal_var=True)
//   va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
//   welch_df = (va + vb)**2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
//   welch_se = math.sqrt(va + vb); student_df = len(a) + len(b) - 2
//   student_se = math.sqrt(((len(a) - 1) * np.var(a, ddof=1) + (len(b) - 1) *
//                           np.var(b, ddof=1)) / student_df * (1 / len(a) + 1 / len(b)))
TEST(TTestTest, WelchAndStudentMatchScipy) {
  const TTestCase kCases[] = {
      // ClickHouse's welchTTest documentation example.
      {"welch_doc",
       {20.3, 22.1, 21.9},
       {18.9, 20.3, 19},
       {2.7988719532208552, 0.051807360348599431, 3.7999040024252033, 0.72648315725677903},
       {2.7988719532208552, 0.048867713352562001, 4, 0.72648315725677903}},
      // ClickHouse's studentTTest documentation example.
      {"student_doc",
       {20.3, 21.1, 21.7},
       {21.9, 19.9, 21.8},
       {-0.21739130434782294, 0.84048285179483861, 3.3500852961422174, 0.76666666666666683},
       {-0.21739130434782297, 0.83854212084158419, 4, 0.76666666666666672}},
      {"unequal_sizes",
       {1.2, 3.4, 2.2, 5.1, 4.4, 0.3, 2.9},
       {6.1, 2.5, 7.7, 4.9, 8.8, 3.3, 5.5, 9.1, 6.6, 2.0, 7.2, 4.0},
       {-3.0431594326674447, 0.0077329303102287939, 16.0366342342274, 0.93848266715655859},
       {-2.7856781445898213, 0.012681715085700448, 17, 1.025226976238818}},
      {"equal_means",
       {1, 2, 3, 4, 5},
       {0, 3, 6},
       {0, 1, 2.6849315068493151, 1.8708286933869707},
       {0, 1, 6, 1.5776212754932311}},
      // One side without variance is an ordinary case.
      {"zero_variance_one_side",
       {5, 5, 5},
       {1, 2, 3, 4},
       {3.872983346207417, 0.030466291662170977, 3, 0.6454972243679028},
       {3.2732683535398861, 0.022118466722329432, 5, 0.76376261582597327}},
      // a = gen(100000, 7919, 3, 0, 10); b = gen(80000, 104729, 11, -9.97, 30)
      {"large",
       Gen(100000, 7919, 3, 0, 10),
       Gen(80000, 104729, 11, -9.97, 30),
       {-0.61419713776140272, 0.53908654694261138, 94257.118978909391, 0.031951071542464508},
       {-0.67145091482547414, 0.50193418073688922, 179998, 0.029226643759793395}},
      // a = gen(2000, 7919, 5, 0, 1); b = gen(1500, 613, 7, -0.01, 1.3)
      {"p_near_1e-32",
       Gen(2000, 7919, 5, 0, 1),
       Gen(1500, 613, 7, -0.01, 1.3),
       {-11.948028486910149, 4.1593041427952419e-32, 2722.9863447393468, 0.011650778396584838},
       {-12.393983765331296, 1.4815659833372138e-34, 3498, 0.011231564831193083}},
      // a = gen(2000, 7919, 5, 0, 1); b = gen(1500, 613, 7, 0.2, 1.3)
      {"p_near_1e-171",
       Gen(2000, 7919, 5, 0, 1),
       Gen(1500, 613, 7, 0.2, 1.3),
       {-29.972575246940956, 7.9621956690376045e-171, 2722.9863447393468, 0.011650778396584838},
       {-31.091289363993166, 1.3223367211422907e-187, 3498, 0.011231564831193083}},
  };
  for (const TTestCase& c : kCases) ExpectTTests(c);
}

TEST(TTestTest, ZeroStandardErrorGivesInfiniteOrUndefinedT) {
  // st.ttest_ind([1, 1], [2, 2], equal_var=False / True) -> (-inf, 0.0): SciPy takes
  // 1 degree of freedom for Welch's 0/0.
  const SampleMoments ones = Of({1, 1}), twos = Of({2, 2});
  const std::optional<TTest> welch = WelchTTest(ones, twos);
  ASSERT_TRUE(welch.has_value());
  EXPECT_EQ(welch->t, -kInf);
  EXPECT_EQ(welch->p_value, 0);
  EXPECT_EQ(welch->degrees_of_freedom, 1);
  EXPECT_EQ(welch->standard_error, 0);
  const std::optional<TTest> student = StudentTTest(ones, twos);
  ASSERT_TRUE(student.has_value());
  EXPECT_EQ(student->t, -kInf);
  EXPECT_EQ(student->p_value, 0);
  EXPECT_EQ(student->degrees_of_freedom, 2);
  // Equal constant samples: t = 0/0 and p NaN (SciPy: (nan, nan)).
  EXPECT_TRUE(std::isnan(WelchTTest(ones, ones)->t));
  EXPECT_TRUE(std::isnan(WelchTTest(ones, ones)->p_value));
  EXPECT_TRUE(std::isnan(StudentTTest(ones, ones)->p_value));
}

TEST(TTestTest, TooFewValues) {
  const SampleMoments empty, one = Of({1}), two = Of({2, 4});
  EXPECT_FALSE(WelchTTest(one, two).has_value());
  EXPECT_FALSE(WelchTTest(two, one).has_value());
  EXPECT_FALSE(WelchTTest(empty, two).has_value());
  EXPECT_FALSE(StudentTTest(empty, two).has_value());
  EXPECT_FALSE(StudentTTest(one, one).has_value());
  // Student's test needs 3 values in all: one against two has 1 degree of freedom.
  // SciPy gives nan (its variance of one value); by hand: t = -2 / math.sqrt(3),
  // p = 2 * st.t.sf(abs(t), 1).
  const std::optional<TTest> student = StudentTTest(one, two);
  ASSERT_TRUE(student.has_value());
  ExpectClose(student->t, -1.1547005383792517);
  ExpectClose(student->p_value, 0.45437105165700981);
  EXPECT_EQ(student->degrees_of_freedom, 1);
}

TEST(TwoProportionZTestTest, MatchesPooledZByHand) {
  // p = (sa + sb) / (na + nb); z = (sa / na - sb / nb) / math.sqrt(p * (1 - p) * (1 / na + 1 / nb))
  // p_value = 2 * st.norm.sf(abs(z))
  const struct {
    double sa, na, sb, nb, z, p;
  } kCases[] = {
      {45, 100, 30, 100, 2.1908902300206647, 0.028459736916310551},
      {1000, 1e6, 1100, 1e6, -2.1833254492684002, 0.029011851697403668},
      {5000, 10000, 4000, 10000, 14.213381090374023, 7.5681441194531435e-46},
      {10, 10, 0, 10, 4.4721359549995796, 7.7442164310440706e-06},
      {3, 7, 5, 40, 1.9715670075352412, 0.048659056609734443},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(testing::Message() << c.sa << "/" << c.na << " vs " << c.sb << "/" << c.nb);
    const std::optional<ZTest> z = TwoProportionZTest(c.sa, c.na, c.sb, c.nb);
    ASSERT_TRUE(z.has_value());
    ExpectClose(z->z, c.z);
    ExpectClose(z->p_value, c.p);
  }
  EXPECT_FALSE(TwoProportionZTest(1, 0, 1, 10).has_value());     // an empty side
  EXPECT_FALSE(TwoProportionZTest(0, 10, 0, 20).has_value());    // pooled 0
  EXPECT_FALSE(TwoProportionZTest(10, 10, 20, 20).has_value());  // pooled 1
  EXPECT_FALSE(TwoProportionZTest(12, 10, 0, 20).has_value());   // more successes than trials
  EXPECT_FALSE(TwoProportionZTest(-1, 10, 5, 20).has_value());
  EXPECT_FALSE(TwoProportionZTest(kNaN, 10, 5, 20).has_value());
}

TEST(ChiSquareGoodnessOfFitTest, MatchesScipyChisquare) {
  // st.chisquare(obs, obs.sum() * w / w.sum()).pvalue
  const struct {
    std::vector<double> observed, weights;
    double p;
  } kCases[] = {
      {{48, 52}, {1, 1}, 0.68915651677935164},
      {{30, 50, 20}, {0.25, 0.5, 0.25}, 0.36787944117144245},
      {{30, 50, 20}, {1, 2, 1}, 0.36787944117144245},  // weights need not sum to 1
      {{10, 20, 30, 40}, {4, 3, 2, 1}, 5.1045688251879151e-26},
      {{5000, 6500}, {1, 1}, 1.856418624592176e-44},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.p);
    const std::optional<double> p = ChiSquareGoodnessOfFitP(c.observed, c.weights);
    ASSERT_TRUE(p.has_value());
    ExpectClose(*p, c.p);
  }
  const std::vector<double> one = {5}, two = {5, 6}, three = {1, 1, 1};
  EXPECT_FALSE(ChiSquareGoodnessOfFitP(one, one).has_value());    // one category
  EXPECT_FALSE(ChiSquareGoodnessOfFitP(two, three).has_value());  // lengths differ
  EXPECT_FALSE(ChiSquareGoodnessOfFitP(std::vector<double>{0, 0}, two).has_value());
  EXPECT_FALSE(ChiSquareGoodnessOfFitP(two, std::vector<double>{1, 0}).has_value());
  EXPECT_FALSE(ChiSquareGoodnessOfFitP(std::vector<double>{-1, 5}, two).has_value());
  // A perfect fit: statistic 0, p = 1.
  EXPECT_EQ(*ChiSquareGoodnessOfFitP(std::vector<double>{10, 20}, std::vector<double>{1, 2}), 1);
}

}  // namespace
}  // namespace mua::query_internal
