#include "ingest/rejected_event_log.h"

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
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
#include "storage/store.h"
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

// --- Durability: events_rejected as a Store attachment.

std::string Describe(const RejectedEvent& event) {
  return absl::StrCat(RejectReasonName(event.reason), "|", event.raw, "|", event.message, "|", event.source,
                      "|", event.topic, "|", event.partition, "|", event.offset, "|", event.user_id, "|",
                      absl::ToUnixMicros(event.rejected_at));
}

std::vector<std::string> Describe(const std::vector<RejectedEvent>& events) {
  std::vector<std::string> out;
  for (const RejectedEvent& event : events) out.push_back(Describe(event));
  return out;
}

TEST(RejectedEventLogTest, SnapshotRoundTripsEveryField) {
  RejectedEventLog log({.max_rows = 4});
  std::vector<RejectedEvent> events = Events(0, 6);
  events[5].reason = RejectReason::kBadTimestamp;
  events[5].user_id = "user-7";
  events[5].raw = std::string("a\0b\xff", 4);
  events[5].rejected_at = absl::FromUnixMicros(1'796'000'000'123'456);
  events[5].partition = -1;
  events[5].offset = 17;
  log.Append(events);
  ASSERT_EQ(log.evicted(), 2);
  RejectedEventLog back({.max_rows = 4});
  ASSERT_OK(back.Restore(log.Capture()()));
  EXPECT_EQ(Describe(back.Rows()), Describe(log.Rows()));
  EXPECT_EQ(back.total(), 6);
  EXPECT_EQ(back.evicted(), 2);
  EXPECT_EQ(back.bytes(), log.bytes());
  // Damage is reported, not half-applied.
  const std::string snapshot = log.Capture()();
  EXPECT_FALSE(back.Restore(snapshot.substr(0, snapshot.size() - 3)).ok());
  EXPECT_FALSE(back.Restore("MUAX" + snapshot.substr(4)).ok());
  EXPECT_EQ(back.Rows().size(), 4u);
}

class DurableRejectedEventLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir();
    if (pattern.empty() || pattern.back() != '/') pattern += '/';
    pattern += "rejected_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code error;
    std::filesystem::remove_all(dir_, error);
  }

  // A "server": table, log and store on dir_; dropping it without a checkpoint is a kill -9.
  struct Server {
    Table table;
    std::unique_ptr<RejectedEventLog> log;
    std::unique_ptr<Store> store;
  };
  std::unique_ptr<Server> Start(RejectedEventLogOptions options = {}) {
    auto server = std::make_unique<Server>();
    server->log = std::make_unique<RejectedEventLog>(options);
    StoreOptions store_options{.dir = dir_ + "/data",
                               .retention_days = 0,
                               .log = [](const std::string&) {},
                               .attachments = {{std::string(kRejectedAttachment), server->log.get()}}};
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(
        store_options, &server->table, [&](absl::Span<const EventRow> rows) { return server->table.Append(rows); });
    EXPECT_OK(store);
    if (!store.ok()) return nullptr;
    server->store = *std::move(store);
    return server;
  }

  std::string dir_;
};

TEST_F(DurableRejectedEventLogTest, HttpRejectsSurviveACrashThroughTheWal) {
  {
    auto server = Start();
    ASSERT_NE(server, nullptr);
    uint64_t seq = 0;
    {
      Store::ApplyScope scope = server->store->BeginApply();
      seq = server->log->Append(Events(0, 3), &scope);
    }
    ASSERT_GT(seq, 0u);
    ASSERT_OK(server->store->WaitDurable(seq));
    ASSERT_OK(server->store->Checkpoint());
    {
      Store::ApplyScope scope = server->store->BeginApply();
      seq = server->log->Append(Events(3, 5), &scope);
    }
    ASSERT_OK(server->store->WaitDurable(seq));
  }  // killed: the last two are in the WAL only
  std::vector<std::string> expected;
  {
    auto server = Start();
    ASSERT_NE(server, nullptr);
    EXPECT_EQ(server->store->recovery().attachment_records, 1u);
    EXPECT_EQ(server->log->Rows().size(), 5u);
    EXPECT_EQ(server->log->total(), 5);
    expected = Describe(server->log->Rows());
    ASSERT_OK(server->store->Checkpoint());
  }
  auto server = Start();
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->store->recovery().attachment_records, 0u);
  EXPECT_EQ(Describe(server->log->Rows()), expected);
}

TEST_F(DurableRejectedEventLogTest, KafkaRejectsAreHeldWithTheirOffsets) {
  {
    auto server = Start();
    ASSERT_NE(server, nullptr);
    {
      Store::ApplyScope scope = server->store->BeginApply();
      server->log->Append(Events(0, 4));
      scope.SetPosition("kafka/t/0", 4);
    }
    ASSERT_OK(server->store->Checkpoint());
    {  // after the checkpoint: neither the offset nor the rejects survive the crash
      Store::ApplyScope scope = server->store->BeginApply();
      server->log->Append(Events(4, 6));
      scope.SetPosition("kafka/t/0", 6);
    }
  }
  auto server = Start();
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->store->position("kafka/t/0"), 4);
  const std::vector<RejectedEvent> rows = server->log->Rows();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows.back().offset, 3);
}

TEST_F(DurableRejectedEventLogTest, BoundsEvictAndExpireAndTheCountsSurvive) {
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  RejectedEventLogOptions options{.max_rows = 3, .max_age = absl::Hours(24), .now = [&now] { return now; }};
  {
    auto server = Start(options);
    ASSERT_NE(server, nullptr);
    std::vector<RejectedEvent> events = Events(0, 5);
    for (int i = 0; i < 5; ++i) events[i].rejected_at = now - absl::Hours(10 - i);
    server->log->Append(events);
    EXPECT_EQ(server->log->evicted(), 2);
    ASSERT_OK(server->store->Checkpoint());
  }
  now += absl::Minutes(17 * 60 + 30);  // offsets 2 and 3 (8 and 7 h old) pass a day; 4 is 23.5 h old
  auto server = Start(options);
  ASSERT_NE(server, nullptr);
  const std::vector<RejectedEvent> rows = server->log->Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].offset, 4);
  EXPECT_EQ(server->log->total(), 5);
  EXPECT_EQ(server->log->evicted(), 2);
  EXPECT_EQ(server->log->expired(), 2);
  now += absl::Hours(4);
  server->store->ApplyRetention();
  EXPECT_THAT(server->log->Rows(), ::testing::IsEmpty());
  EXPECT_EQ(server->log->expired(), 3);
}

TEST_F(DurableRejectedEventLogTest, AnErasedUsersRejectsLeaveTheDisk) {
  {
    auto server = Start();
    ASSERT_NE(server, nullptr);
    std::vector<RejectedEvent> events = Events(0, 3);
    events[1].user_id = "mallory";
    {
      Store::ApplyScope scope = server->store->BeginApply();
      ASSERT_OK(server->store->WaitDurable(server->log->Append(events, &scope)));
    }
    ASSERT_OK(server->store->EraseUser("mallory"));
    EXPECT_EQ(server->log->EraseUser("mallory"), 1);
    ASSERT_OK(server->store->Checkpoint());
  }
  auto server = Start();
  ASSERT_NE(server, nullptr);
  ASSERT_EQ(server->log->Rows().size(), 2u);
  for (const RejectedEvent& row : server->log->Rows()) EXPECT_NE(row.user_id, "mallory");
  EXPECT_EQ(server->log->erased(), 1);
}

}  // namespace
}  // namespace mua
