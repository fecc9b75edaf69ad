#include "server/query_log.h"

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/audit_log.h"
#include "sql/catalog.h"
#include "storage/table.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

AuditRecord Sql(std::string principal, std::string statement, std::string query_id, int status, int code) {
  AuditRecord record;
  record.time = absl::FromUnixMillis(1'767'323'045'123);  // 2026-01-02 03:04:05.123
  record.principal = std::move(principal);
  record.role = "analyst";
  record.endpoint = "POST /";
  record.statement = std::move(statement);
  record.query_id = std::move(query_id);
  record.status = status;
  record.rows = 3;
  record.duration = absl::Milliseconds(250);
  record.read_rows = 1000;
  record.memory_usage = 4096;
  record.exception_code = code;
  if (status != 200) record.error = "boom";
  return record;
}

TEST(QueryLogTest, RowsPerStatementAndCaller) {
  auto audit = AuditLog::Open({});
  ASSERT_OK(audit);
  (*audit)->Record(Sql("ana", "SELECT 1", "q1", 200, 0));
  (*audit)->Record(Sql("ana", "SELEC 1", "q2", 400, 62));
  (*audit)->Record(Sql("bob", "SELECT sleep(9)", "q3", 500, 241));
  AuditRecord rest = Sql("ana", "GET /api/v1/users", "", 200, 0);
  (*audit)->Record(rest);  // not SQL: no query id
  Table events;
  Catalog catalog(&events);
  RegisterQueryLog(&catalog, audit->get());

  std::shared_ptr<const ResultSet> all = *catalog.ProvidedTable("system", "query_log");
  ASSERT_EQ(all->row_count, 5u);
  EXPECT_EQ(all->columns[0].strings,
            (std::vector<std::string>{"QueryStart", "QueryFinish", "ExceptionBeforeStart", "QueryStart",
                                      "ExceptionWhileProcessing"}));
  const auto column = [&](const char* name) -> const Column& {
    for (size_t c = 0; c < all->names.size(); ++c) {
      if (all->names[c] == name) return all->columns[c];
    }
    ADD_FAILURE() << name;
    return all->columns[0];
  };
  EXPECT_EQ(column("event_date").ints[1], 20455);  // 2026-01-02
  EXPECT_EQ(column("query_start_time").ints[1], 1'767'323'045);
  EXPECT_EQ(column("event_time_microseconds").ints[1], 1'767'323'045'373);
  EXPECT_EQ(column("query_duration_ms").ints[1], 250);
  EXPECT_EQ(column("read_rows").ints[0], 0);  // QueryStart rows have no counts yet
  EXPECT_EQ(column("read_rows").ints[1], 1000);
  EXPECT_EQ(column("result_rows").ints[1], 3);
  EXPECT_EQ(column("memory_usage").ints[0], 0);
  EXPECT_EQ(column("memory_usage").ints[1], 4096);
  EXPECT_EQ(column("query_kind").strings[1], "Select");
  EXPECT_EQ(column("exception_code").ints[2], 62);
  EXPECT_EQ(column("exception").strings[4], "boom");
  EXPECT_EQ(column("user").strings[3], "bob");

  const QueryCaller ana{"ana", false};
  const QueryCallerScope scope(&ana);
  std::shared_ptr<const ResultSet> own = *catalog.ProvidedTable("system", "query_log");
  EXPECT_EQ(own->row_count, 3u);
}

}  // namespace
}  // namespace mua
