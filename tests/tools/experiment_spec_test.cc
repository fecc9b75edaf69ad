#include "tools/gen/experiment_spec.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace mua::gen {
namespace {

using ::mua::test::StatusIs;
using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ExperimentSpecTest, NameAndVariantsWithEqualWeights) {
  ASSERT_OK_AND_ASSIGN(const ExperimentSpec spec, ParseExperimentSpec("onboarding:a,b,c"));
  EXPECT_EQ(spec.name, "onboarding");
  EXPECT_THAT(spec.variants, ElementsAre("a", "b", "c"));
  EXPECT_THAT(spec.weights, ElementsAre(DoubleNear(1 / 3.0, 1e-12), DoubleNear(1 / 3.0, 1e-12),
                                        DoubleNear(1 / 3.0, 1e-12)));
  EXPECT_EQ(spec.effect_event, "");
  EXPECT_EQ(spec.effect_factor, 1);
  EXPECT_EQ(spec.exposure_day, -1);
}

TEST(ExperimentSpecTest, WeightsAreNormalized) {
  ASSERT_OK_AND_ASSIGN(const ExperimentSpec spec,
                       ParseExperimentSpec("new_checkout:control=52,treatment=48"));
  EXPECT_THAT(spec.variants, ElementsAre("control", "treatment"));
  EXPECT_THAT(spec.weights, ElementsAre(DoubleNear(0.52, 1e-12), DoubleNear(0.48, 1e-12)));
  ASSERT_OK_AND_ASSIGN(const ExperimentSpec fractions, ParseExperimentSpec("x:a=0.25,b=0.75"));
  EXPECT_THAT(fractions.weights, ElementsAre(DoubleNear(0.25, 1e-12), DoubleNear(0.75, 1e-12)));
}

TEST(ExperimentSpecTest, EffectAndExposureDay) {
  ASSERT_OK_AND_ASSIGN(const ExperimentSpec spec,
                       ParseExperimentSpec("new_checkout:control,treatment:purchase*1.1@14"));
  EXPECT_EQ(spec.effect_event, "purchase");
  EXPECT_DOUBLE_EQ(spec.effect_factor, 1.1);
  EXPECT_EQ(spec.exposure_day, 14);
  ASSERT_OK_AND_ASSIGN(const ExperimentSpec day_only, ParseExperimentSpec("x.v2:a-1,b_2@0"));
  EXPECT_EQ(day_only.name, "x.v2");
  EXPECT_EQ(day_only.effect_event, "");
  EXPECT_EQ(day_only.exposure_day, 0);
  ASSERT_OK_AND_ASSIGN(const ExperimentSpec fewer, ParseExperimentSpec("x:a,b:app_crash*0.5"));
  EXPECT_EQ(fewer.effect_event, "app_crash");
  EXPECT_DOUBLE_EQ(fewer.effect_factor, 0.5);
  EXPECT_EQ(fewer.exposure_day, -1);
}

TEST(ExperimentSpecTest, EveryEffectEventTypeParses) {
  for (const char* event : EffectEventTypes()) {
    EXPECT_OK(ParseExperimentSpec(std::string("x:a,b:") + event + "*2")) << event;
  }
}

TEST(ExperimentSpecTest, MalformedSpecsAreInvalidArguments) {
  const std::vector<std::string> bad = {
      "",
      "x",
      "x:",
      "x:a",   // one variant
      "x:a,",  // empty variant
      "x:a,,b",
      ":a,b",     // no name
      "x y:a,b",  // name charset
      "x:a b,c",
      "x:a,a",      // variant twice
      "x:a=1,b",    // weights for some only
      "x:a=0,b=1",  // weight not > 0
      "x:a=-1,b=1",
      "x:a=nan,b=1",
      "x:a=inf,b=1",
      "x:a=one,b=1",
      "x:a,b:purchase",  // no factor
      "x:a,b:purchase*",
      "x:a,b:purchase*0",
      "x:a,b:purchase*-2",
      "x:a,b:purchase*abc",
      "x:a,b:purchase*101",
      "x:a,b:app_open*2",  // structural event type
      "x:a,b:no_such_event*2",
      "x:a,b:purchase*2:more",
      "x:a,b@",
      "x:a,b@-1",
      "x:a,b@+1",
      "x:a,b@1x",
      "x:a,b@99999999999999999999",
      std::string(65, 'n') + ":a,b",
  };
  for (const std::string& text : bad) {
    EXPECT_THAT(ParseExperimentSpec(text), StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  }
}

TEST(ExperimentSpecTest, ErrorsNameTheSpecAndThePart) {
  const auto status = ParseExperimentSpec("x:a,b:purchase*zero").status();
  EXPECT_THAT(std::string(status.message()), HasSubstr("experiment 'x:a,b:purchase*zero'"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("factor 'zero'"));
}

TEST(ExperimentSpecTest, ValidateChecksTheExperimentsTogether) {
  ASSERT_OK_AND_ASSIGN(const ExperimentSpec a, ParseExperimentSpec("a:x,y@6"));
  ASSERT_OK_AND_ASSIGN(const ExperimentSpec b, ParseExperimentSpec("b:x,y"));
  ASSERT_OK_AND_ASSIGN(const ExperimentSpec seed003_name,
                       ParseExperimentSpec("checkout_button:x,y"));
  EXPECT_OK(ValidateExperiments({}, 7, 0));
  EXPECT_OK(ValidateExperiments({a, b}, 7, 0));
  EXPECT_THAT(ValidateExperiments({a, b}, 6, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateExperiments({a, b, a}, 7, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_OK(ValidateExperiments({seed003_name}, 7, 0));
  EXPECT_THAT(ValidateExperiments({seed003_name}, 7, 0.5),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<ExperimentSpec> many;
  for (int i = 0; i <= kMaxExperiments; ++i) {
    ExperimentSpec spec = b;
    spec.name = "e" + std::to_string(i);
    many.push_back(spec);
  }
  EXPECT_THAT(ValidateExperiments(many, 7, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  many.pop_back();
  EXPECT_OK(ValidateExperiments(many, 7, 0));
}

}  // namespace
}  // namespace mua::gen
