#include "ingest/rejected_event_log.h"

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/json_lines_loader.h"
#include "ingest/pii.h"
#include "storage/table.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

std::vector<RejectedEvent> Events(int from, int to, size_t payload_bytes = 10) {
  std::vector<RejectedEvent> events;
  for (int i = from; i < to; ++i) {
    events.push_back({.raw = std::string(payload_bytes, 'x'),
                      .reason = RejectReason::kMalformedJson,
                      .message = "m",
                      .source = "t/0/" + std::to_string(i),
                      .topic = "t",
                      .partition = 0,
                      .offset = i});
  }
  return events;
}

TEST(RejectedEventLogTest, KeepsTheNewestRowsAndCountsTheRest) {
  RejectedEventLog log({.max_rows = 5});
  log.Append(Events(0, 3));
  log.Append(Events(3, 8));
  const std::vector<RejectedEvent> rows = log.Rows();
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows.front().offset, 3);  // oldest kept first
  EXPECT_EQ(rows.back().offset, 7);
  EXPECT_EQ(log.total(), 8);
  EXPECT_EQ(log.evicted(), 3);
}

TEST(RejectedEventLogTest, BoundsBytesSoAFloodOfBigPayloadsCannotExhaustMemory) {
  RejectedEventLog log({.max_rows = 1'000'000, .max_bytes = 100'000});
  for (int i = 0; i < 100; ++i) log.Append(Events(i * 10, i * 10 + 10, 4096));
  EXPECT_LE(log.bytes(), 100'000u);
  EXPECT_GT(log.Rows().size(), 10u);
  EXPECT_EQ(log.total(), 1000);
  EXPECT_EQ(log.total() - log.evicted(), static_cast<int64_t>(log.Rows().size()));
}

TEST(RejectedEventLogTest, ConcurrentAppendsAndReadsLoseNothing) {
  RejectedEventLog log;
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&log, t] {
      for (int i = 0; i < 100; ++i) log.Append(Events(t * 1000 + i * 10, t * 1000 + i * 10 + 10));
    });
  }
  for (int i = 0; i < 50; ++i) ASSERT_LE(log.Rows().size(), 4000u);
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(log.total(), 4000);
  EXPECT_EQ(log.Rows().size(), 4000u);
}

RejectedEvent OfUser(const std::string& user_id, int offset) {
  return {.raw = absl::StrCat("{\"user_id\":\"", user_id, "\"}"),
          .reason = RejectReason::kBadTimestamp,
          .message = "m",
          .source = "http",
          .offset = offset,
          .user_id = user_id};
}

TEST(RejectedEventLogTest, EraseUserRemovesOnlyThatUsersRows) {
  RejectedEventLog log;
  log.Append({OfUser("a", 1), OfUser("b", 2), OfUser("a", 3), OfUser("", 4), OfUser("ab", 5)});
  const size_t bytes_before = log.bytes();
  EXPECT_EQ(log.EraseUser("a"), 2);
  EXPECT_EQ(log.EraseUser("a"), 0);
  EXPECT_EQ(log.EraseUser(""), 0);  // rows without a readable id belong to nobody
  EXPECT_EQ(log.EraseUser("nobody"), 0);
  const std::vector<RejectedEvent> rows = log.Rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].offset, 2);
  EXPECT_EQ(rows[1].offset, 4);
  EXPECT_EQ(rows[2].offset, 5);
  EXPECT_LT(log.bytes(), bytes_before);
  EXPECT_EQ(log.total(), 5);
  EXPECT_EQ(log.erased(), 2);
  EXPECT_EQ(log.total() - log.evicted() - log.erased(), static_cast<int64_t>(rows.size()));
  EXPECT_EQ(log.EraseUser("b"), 1);
  EXPECT_EQ(log.EraseUser("ab"), 1);
  EXPECT_EQ(log.Rows().size(), 1u);  // the one without an id
}

TEST(RejectedEventLogTest, RowsOfErasedUsersArriveWithoutPayload) {
  RejectedEventLog log;
  log.Append({OfUser("gone", 1)});
  log.SetErasedCheck([](absl::string_view user_id) { return user_id == "gone"; });
  EXPECT_EQ(log.EraseUser("gone"), 1);
  log.Append({OfUser("gone", 2), OfUser("kept", 3)});
  const std::vector<RejectedEvent> rows = log.Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].reason, RejectReason::kErasedUser);
  EXPECT_EQ(rows[0].raw, "");
  EXPECT_EQ(rows[0].user_id, "");
  EXPECT_EQ(rows[0].offset, 2);
  EXPECT_THAT(rows[0].message, ::testing::HasSubstr("erased"));
  EXPECT_EQ(rows[1].reason, RejectReason::kBadTimestamp);
  EXPECT_EQ(rows[1].user_id, "kept");
}

// An erasure racing with appends (mark the user, then EraseUser, as the server does)
// never leaves a row with the user's payload behind.
TEST(RejectedEventLogTest, EraseRacingWithAppendsLeavesNothingBehind) {
  RejectedEventLog log;
  absl::Mutex mu;
  absl::flat_hash_set<std::string> erased;
  log.SetErasedCheck([&](absl::string_view user_id) {
    absl::MutexLock lock(&mu);
    return erased.contains(user_id);
  });
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) log.Append({OfUser("victim", i), OfUser("other", i)});
  });
  while (log.total() < 100) std::this_thread::yield();
  {
    absl::MutexLock lock(&mu);
    erased.insert("victim");
  }
  EXPECT_GT(log.EraseUser("victim"), 0);
  const int64_t appended_at_erase = log.total();
  while (log.total() < appended_at_erase + 100) std::this_thread::yield();
  stop = true;
  writer.join();
  int64_t others = 0, erased_rows = 0;
  for (const RejectedEvent& row : log.Rows()) {
    EXPECT_NE(row.user_id, "victim");
    EXPECT_EQ(row.raw.find("victim"), std::string::npos);
    others += row.user_id == "other" ? 1 : 0;
    erased_rows += row.reason == RejectReason::kErasedUser ? 1 : 0;
  }
  EXPECT_GT(erased_rows, 0);
  EXPECT_EQ(others + erased_rows, static_cast<int64_t>(log.Rows().size()));
}

// Through the loader: rejects reach the log with their stored user id, hashed and
// with no clear id anywhere under hashing; DELETE of one user drops only theirs.
TEST(RejectedEventLogTest, LoaderRecordsHashedIdsAndEraseFindsThem) {
  ASSERT_OK_AND_ASSIGN(const UserIdHasher hasher, UserIdHasher::FromSalt("pepper"));
  for (const bool hashing : {false, true}) {
    SCOPED_TRACE(hashing ? "hashing" : "clear");
    RejectedEventLog log;
    IngestOptions options;
    options.now = absl::FromUnixMillis(1'790'000'000'000);
    options.rejected_log = &log;
    if (hashing) options.decoder.user_id_hasher = &hasher;
    options.decoder.max_payload_bytes = 2000;
    const std::string too_large =
        absl::StrCat(R"({"user_id":"mallory","city":")", std::string(6000, 'c'), R"("})");
    std::istringstream in(absl::StrCat(
        R"({"event_id":"1","user_id":"mallory","event_type":"t","event_timestamp":"mallory!"})",
        "\n",
        R"({"event_id":"2","user":{"user_id":"mallory"},"event_type":"t","event_timestamp":"no"})",
        "\n", R"({"event_id":"3","user_id":"trent","event_type":"t","event_timestamp":"no"})", "\n",
        R"({"event_id":"4","user_id":"mallory","event_timestamp":)", "\n",
        R"({"event_id":"5","user_id":1234567,"event_type":"t","event_timestamp":"no"})", "\n",
        too_large, "\n"));
    Table table;
    LoadStats stats;
    ASSERT_OK(LoadJsonLines(in, "mem", &table, options, &stats));
    EXPECT_EQ(stats.rejected, 6);
    const std::string mallory = hashing ? hasher.Hash("mallory") : "mallory";
    std::vector<RejectedEvent> rows = log.Rows();
    ASSERT_EQ(rows.size(), 6u);
    for (const RejectedEvent& row : rows) {
      if (hashing) {
        for (const char* clear : {"mallory", "trent", "1234567"}) {
          EXPECT_EQ(row.raw.find(clear), std::string::npos) << row.raw;
          EXPECT_EQ(row.message.find(clear), std::string::npos) << row.message;
          EXPECT_EQ(row.user_id.find(clear), std::string::npos);
        }
      }
    }
    EXPECT_EQ(rows[0].user_id, mallory);
    EXPECT_EQ(rows[1].user_id, mallory);
    EXPECT_EQ(rows[3].user_id, mallory);  // unparsable, id read before the damage
    EXPECT_EQ(rows[4].user_id, hashing ? hasher.Hash("1234567") : "1234567");
    EXPECT_EQ(rows[5].user_id, mallory);  // too large, yet its id is read
    EXPECT_EQ(rows[5].reason, RejectReason::kTooLarge);
    if (hashing) {
      EXPECT_EQ(rows[3].raw.rfind("unparsable: ", 0), 0u) << rows[3].raw;
      EXPECT_NE(rows[0].raw.find(mallory), std::string::npos);  // correlates with `events`
    } else {
      EXPECT_NE(rows[0].raw.find("mallory"), std::string::npos);  // unchanged
    }
    EXPECT_EQ(log.EraseUser(mallory), 4);
    rows = log.Rows();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].user_id, hashing ? hasher.Hash("trent") : "trent");
  }
}

}  // namespace
}  // namespace mua
