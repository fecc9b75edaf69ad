// Helpers of the Store tests (store_*_test.cc): rows with owned values and an
// order-independent digest over them, the users a table's bitmaps hold, generated days of
// events, file edits, a reader of the MANIFEST, and the StoreTest fixture (a fresh data
// directory per test).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "gtest/gtest.h"
#include "storage/base/time_util.h"
#include "storage/event_row.h"
#include "storage/schema.h"
#include "storage/store.h"
#include "storage/table.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua::store_test {

inline const TableOptions kTableOptions{.segment_rows = 1000};

// --- Rows with owned values, and an order-independent checksum over them.

struct Row {
  int64_t time = 0;
  std::array<std::string, kNumColumns> values;  // by ColumnIndex; the time slot stays empty
  bool operator==(const Row&) const = default;
};

void PrintTo(const Row& row, std::ostream* os);
Row RowOf(const EventRow& event);
std::vector<Row> RowsOf(absl::Span<const EventRow> events);

// Every row of the table: all blocks, all columns, codes decoded through the dictionaries.
std::vector<Row> ScanRows(const Table& table);

struct Digest {
  uint64_t rows = 0;
  uint64_t sum = 0;
  bool operator==(const Digest&) const = default;
};

void PrintTo(const Digest& digest, std::ostream* os);

// Sum of row hashes (order-independent); rows of `skip_user` left out.
Digest DigestOf(const std::vector<Row>& rows, absl::string_view skip_user = {});
Digest DigestOf(const Table& table, absl::string_view skip_user = {});

std::map<int32_t, uint64_t> RowsPerDay(const Table& table);
std::map<int32_t, uint64_t> RowsPerDay(const std::vector<Row>& rows);

// Users per day (all events, per event type, per segment column value, and
// those with several values of a segment column), by user id.
struct Users {
  std::map<int32_t, std::set<std::string>> all;
  std::map<std::pair<int32_t, std::string>, std::set<std::string>> by_type;
  std::map<std::tuple<int32_t, ColumnId, std::string>, std::set<std::string>> by_value;
  std::map<std::pair<int32_t, ColumnId>, std::set<std::string>> multi_valued;
  bool operator==(const Users&) const = default;
};

void PrintTo(const Users& users, std::ostream* os);

// From the table's bitmaps.
Users UsersOf(const Table& table);
// The truth, from rows.
Users UsersOf(const std::vector<Row>& rows);

std::vector<Row> Without(std::vector<Row> rows, const std::function<bool(const Row&)>& drop);
std::vector<Row> Concat(std::vector<Row> a, const std::vector<Row>& b);

// Checks that `table` holds exactly `expected`: rows, days, bitmaps and contents.
void ExpectTableHolds(const Table& table, const std::vector<Row>& expected);

// --- Generated events.

inline const int32_t kFirstDay = DayOfMillis(test::MillisAt("2026-10-01T00:00:00"));

// Rows per day (offset from 2026-10-01) with segment_rows = 1000: sealed segments
// with heads of many sizes, one head exactly full, one day holding a few rows only.
inline const std::map<int, int> kRowsPerDay = {{0, 1460}, {1, 1200}, {2, 2300},
                                               {3, 1000}, {4, 999},  {9, 7}};

// `count` events on day `day_offset` for users "<prefix>0".."<prefix><users-1>".
void AddDay(test::EventBuilder* events, int day_offset, int count, int users,
            std::mt19937* random, const std::string& prefix = "u");
void AddStandardDays(test::EventBuilder* events, uint32_t seed = 1);

// Rows in an order that mixes the days, so every batch touches several partitions.
std::vector<EventRow> Shuffled(absl::Span<const EventRow> rows, uint32_t seed = 7);

// --- Files.

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& bytes);
// Flips the bits of the byte `from_end` bytes before the end of the file.
void FlipByte(const std::string& path, size_t from_end = 1);
std::set<std::string> ListDir(const std::string& dir);

// The MANIFEST's file entries (it is a framed JSON document: a 24-byte header, then JSON).
struct ManifestView {
  struct File {
    std::string kind;  // seg, head, bitmaps, dict
    int32_t day = 0;
    uint64_t rows = 0;
  };
  std::map<std::string, File> files;                     // by name
  std::map<int32_t, std::vector<std::string>> segments;  // by day, in order
  std::map<int32_t, std::vector<std::string>> heads;
  std::map<int32_t, std::vector<std::vector<std::string>>> sealing;  // heads waiting to be sealed
  std::map<int32_t, std::string> bitmaps;
  std::map<std::string, std::vector<std::string>> dictionaries;  // by column
  std::map<std::string, int64_t> positions;
  int format = 0;

  std::set<std::string> names() const {
    std::set<std::string> out;
    for (const auto& [name, file] : files) out.insert(name);
    return out;
  }
  std::vector<std::string> OfKind(const std::string& kind) const {
    std::vector<std::string> out;
    for (const auto& [name, file] : files) {
      if (file.kind == kind) out.push_back(name);
    }
    return out;
  }
};

ManifestView ReadManifest(const std::string& dir);

// --- The fixture: a fresh directory per test.

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir();
    if (pattern.empty() || pattern.back() != '/') pattern += '/';
    pattern += "store_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ + "/data";
  }

  void TearDown() override {
    std::error_code error;
    std::filesystem::remove_all(root_, error);
  }

  StoreOptions Options(OnCorruption on_corruption = OnCorruption::kStop) {
    StoreOptions options;
    options.dir = dir_;
    options.retention_days = 0;
    options.on_corruption = on_corruption;
    options.load_threads = 2;
    options.log = [log = log_](const std::string& message) { log->push_back(message); };
    return options;
  }

  // Opens a store on `table`; the WAL's rows are recorded in replayed_ and appended to `table`.
  absl::StatusOr<std::unique_ptr<Store>> Open(Table* table, const StoreOptions& options) {
    replayed_.clear();
    return Store::Open(options, table, [this, table](absl::Span<const EventRow> rows) {
      replayed_.push_back(RowsOf(rows));
      return table->Append(rows);
    });
  }
  absl::StatusOr<std::unique_ptr<Store>> Open(Table* table) { return Open(table, Options()); }

  // Appends `rows` in batches, each under an ApplyScope, as ingestion does.
  static void AppendInBatches(Store* store, Table* table, absl::Span<const EventRow> rows,
                              size_t batch = 700) {
    for (size_t begin = 0; begin < rows.size(); begin += batch) {
      Store::ApplyScope scope = store->BeginApply();
      ASSERT_OK(table->Append(rows.subspan(begin, batch)));
    }
  }

  // Appends and logs `rows` as one WAL record, and waits until it is durable.
  static void LogAndAppend(Store* store, Table* table, absl::Span<const EventRow> rows) {
    uint64_t seq = 0;
    {
      Store::ApplyScope scope = store->BeginApply();
      seq = scope.LogRows(rows);
      ASSERT_OK(table->Append(rows));
    }
    ASSERT_OK(store->WaitDurable(seq));
  }

  // The standard days appended and checkpointed into dir_; returns their rows.
  std::vector<Row> CheckpointStandardDays() {
    test::EventBuilder events;
    AddStandardDays(&events);
    Table table(kTableOptions);
    auto store = Open(&table);
    EXPECT_OK(store);
    if (!store.ok()) return {};
    AppendInBatches(store->get(), &table, Shuffled(events.rows()));
    EXPECT_OK((*store)->Checkpoint());
    return RowsOf(events.rows());
  }

  // Every file in files/ is named by the MANIFEST, and every file it names is there.
  void ExpectFilesMatchManifest() {
    EXPECT_EQ(ListDir(dir_ + "/files"), ReadManifest(dir_).names());
  }

  std::vector<std::string> WalFiles() {
    std::vector<std::string> files;
    for (const std::string& name : ListDir(dir_ + "/wal")) {
      if (absl::EndsWith(name, ".log")) files.push_back(dir_ + "/wal/" + name);
    }
    return files;  // sorted: names are zero-padded sequence numbers
  }

  std::string root_;
  std::string dir_;
  std::shared_ptr<std::vector<std::string>> log_ = std::make_shared<std::vector<std::string>>();
  std::vector<std::vector<Row>> replayed_;
};

}  // namespace mua::store_test
