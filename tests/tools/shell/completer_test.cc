#include "tools/shell/completer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mua::shell {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

class CompleterTest : public ::testing::Test {
 protected:
  CompleterTest() {
    completer_.SetSchema({{"default", "events", "event_type"},
                          {"default", "events", "event_time"},
                          {"default", "events", "user_id"},
                          {"default", "events_rejected", "reason"},
                          {"default", "sessions", "session_id"},
                          {"default", "user_profiles", "plan"},
                          {"system", "columns", "name"},
                          {"system", "tables", "total_rows"}});
  }
  Completer completer_;
};

TEST_F(CompleterTest, KeywordsCompleteInTheTypedCase) {
  EXPECT_THAT(completer_.Complete("SEL").candidates, ElementsAre("SELECT"));
  EXPECT_THAT(completer_.Complete("sel").candidates, ElementsAre("select"));
}

TEST_F(CompleterTest, TablesAfterFrom) {
  const Completion completion = completer_.Complete("SELECT count() FROM ev");
  EXPECT_EQ(completion.word, "ev");
  EXPECT_THAT(completion.candidates, ElementsAre("events", "events_rejected"));
  EXPECT_THAT(completer_.Complete("select * from sys").candidates,
              ElementsAre("system.columns", "system.tables"));
}

TEST_F(CompleterTest, TableFunctionsAfterFrom) {
  EXPECT_THAT(completer_.Complete("SELECT * FROM ret").candidates, ElementsAre("retention_matrix"));
}

TEST_F(CompleterTest, ColumnsAndFunctionsInExpressions) {
  EXPECT_THAT(completer_.Complete("SELECT event_t").candidates,
              ElementsAre("event_time", "event_type"));
  EXPECT_THAT(completer_.Complete("SELECT uniq").candidates, ElementsAre("uniq", "uniqExact"));
  EXPECT_THAT(completer_.Complete("SELECT windowF").candidates, ElementsAre("windowFunnel"));
}

TEST_F(CompleterTest, TableNamesDoNotMakeAColumnAmbiguous) {
  EXPECT_THAT(completer_.Complete("SELECT uniqExact(user_").candidates, ElementsAre("user_id"));
  EXPECT_THAT(completer_.Complete("SELECT count() FROM user_").candidates,
              ElementsAre("user_profiles"));
  // A table is offered, as a qualifier, where nothing else starts so.
  EXPECT_THAT(completer_.Complete("SELECT sessi").candidates, ElementsAre("session_id"));
  EXPECT_THAT(completer_.Complete("SELECT user_pro").candidates, ElementsAre("user_profiles"));
}

TEST_F(CompleterTest, TheServersFunctionsReplaceTheBuiltInOnes) {
  completer_.SetFunctions({"arrayMap", "arrayFilter", "uniq"}, {"numbers"});
  EXPECT_THAT(completer_.Complete("SELECT array").candidates, ElementsAre("arrayFilter", "arrayMap"));
  EXPECT_THAT(completer_.Complete("SELECT * FROM num").candidates, ElementsAre("numbers"));
  EXPECT_THAT(completer_.Complete("SELECT windowF").candidates, ElementsAre());
}

TEST_F(CompleterTest, QualifiedNames) {
  EXPECT_THAT(completer_.Complete("SELECT events.us").candidates, ElementsAre("events.user_id"));
  EXPECT_THAT(completer_.Complete("SELECT * FROM system.t").candidates,
              ElementsAre("system.tables"));
  // An alias is unknown, so every column qualifies.
  EXPECT_THAT(completer_.Complete("SELECT e.sess").candidates, ElementsAre("e.session_id"));
}

TEST_F(CompleterTest, ShellCommandsAndTheirArguments) {
  EXPECT_THAT(completer_.Complete("\\fo").candidates, ElementsAre("\\format"));
  EXPECT_THAT(completer_.Complete("\\d ses").candidates, ElementsAre("sessions"));
  EXPECT_THAT(completer_.Complete("\\format cs").candidates, ElementsAre("CSV", "CSVWithNames"));
  EXPECT_THAT(completer_.Complete("SELECT 1 FORMAT JSONC").candidates,
              ElementsAre("JSONCompact", "JSONCompactEachRow"));
}

TEST_F(CompleterTest, NoCandidatesForUnknownWords) {
  EXPECT_THAT(completer_.Complete("SELECT zzz").candidates, ::testing::IsEmpty());
  EXPECT_THAT(completer_.Complete("SELECT ").candidates, Contains("count"));
  EXPECT_THAT(completer_.Complete("SELECT ").candidates, Not(Contains("")));
}

TEST(PlanCompletionTest, SingleCandidateIsTakenWithASpace) {
  const CompletionEdit edit = PlanCompletion({"ev", {"events"}});
  EXPECT_EQ(edit.replacement, "events ");
  EXPECT_FALSE(edit.list_candidates);
}

TEST(PlanCompletionTest, SeveralCandidatesCompleteTheirCommonPrefix) {
  EXPECT_EQ(PlanCompletion({"cou", {"count", "countIf", "country"}}).replacement, "count");
  EXPECT_EQ(PlanCompletion({"SYS", {"system.columns", "system.tables"}}).replacement, "system.");
}

TEST(PlanCompletionTest, ListsWhenNothingCanBeAdded) {
  const CompletionEdit edit = PlanCompletion({"count", {"count", "countIf", "country"}});
  EXPECT_EQ(edit.replacement, "");
  EXPECT_TRUE(edit.list_candidates);
  EXPECT_FALSE(PlanCompletion({"x", {}}).list_candidates);
}

}  // namespace
}  // namespace mua::shell
