#include "storage/store.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "storage/base/coding.h"
#include "storage/base/time_util.h"
#include "storage/internal/file_format.h"
#include "storage/internal/wal_file.h"
#include "storage/string_dictionary.h"
#include "storage/table.h"
#include "storage/table_snapshot.h"
#include "tests/testutil/event_builder.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

namespace fs = std::filesystem;
using test::EventBuilder;
using test::MillisAt;
using test::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const TableOptions kTableOptions{.segment_rows = 1000};

// --- Rows with owned values, and an order-independent checksum over them.

struct Row {
  int64_t time = 0;
  std::array<std::string, kNumColumns> values;  // by ColumnIndex; the time slot stays empty
  bool operator==(const Row&) const = default;
};

void PrintTo(const Row& row, std::ostream* os) {
  *os << row.time << " [" << absl::StrJoin(row.values, "|") << "]";
}

Row RowOf(const EventRow& event) {
  Row row;
  row.time = event.event_time_ms;
  for (ColumnId id : kAllColumns) {
    if (id != ColumnId::kEventTime)
      row.values[ColumnIndex(id)] = std::string(event.StringValue(id));
  }
  return row;
}

std::vector<Row> RowsOf(absl::Span<const EventRow> events) {
  std::vector<Row> rows;
  rows.reserve(events.size());
  for (const EventRow& event : events) rows.push_back(RowOf(event));
  return rows;
}

// Every row of the table: all blocks, all columns, codes decoded through the dictionaries.
std::vector<Row> ScanRows(const Table& table) {
  const TableSnapshot snapshot = table.Snapshot();
  std::vector<Row> rows;
  ScanBuffers buffers;
  for (const BlockRef& ref : snapshot.ListBlocks(ScanOptions{.columns = ColumnSet::All()}).blocks) {
    ScanBlock block;
    const absl::Status status = snapshot.ReadBlock(ref, ColumnSet::All(), &buffers, &block);
    EXPECT_OK(status);
    if (!status.ok()) continue;
    for (uint32_t r = 0; r < block.row_count; ++r) {
      Row& row = rows.emplace_back();
      row.time = block.event_time[r];
      EXPECT_EQ(DayOfMillis(row.time), block.day);
      for (ColumnId id : kAllColumns) {
        const int index = ColumnIndex(id);
        switch (KindOf(id)) {
          case ColumnKind::kTime:
            break;
          case ColumnKind::kUser:
            row.values[index] = std::string(snapshot.user_index().Get(block.users[r]));
            break;
          case ColumnKind::kLowCardinality:
            row.values[index] = std::string(snapshot.dictionary(id).Get(block.codes[index][r]));
            break;
          case ColumnKind::kString:
            row.values[index] = std::string(block.strings[index][r]);
            break;
        }
      }
    }
  }
  return rows;
}

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t HashBytes(absl::string_view bytes) {  // FNV-1a
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return hash;
}

uint64_t RowHash(const Row& row) {
  uint64_t hash = Mix(static_cast<uint64_t>(row.time));
  for (ColumnId id : kAllColumns) {
    if (id == ColumnId::kEventTime) continue;
    const std::string& value = row.values[ColumnIndex(id)];
    hash =
        Mix(hash ^ HashBytes(value) ^ (value.size() << 8) ^ static_cast<uint64_t>(ColumnIndex(id)));
  }
  return hash;
}

struct Digest {
  uint64_t rows = 0;
  uint64_t sum = 0;
  bool operator==(const Digest&) const = default;
};

void PrintTo(const Digest& digest, std::ostream* os) {
  *os << "{rows=" << digest.rows << ", sum=" << digest.sum << "}";
}

// Sum of row hashes (order-independent); rows of `skip_user` left out.
Digest DigestOf(const std::vector<Row>& rows, absl::string_view skip_user = {}) {
  Digest digest;
  for (const Row& row : rows) {
    if (!skip_user.empty() && row.values[ColumnIndex(ColumnId::kUserId)] == skip_user) continue;
    ++digest.rows;
    digest.sum += RowHash(row);
  }
  return digest;
}

Digest DigestOf(const Table& table, absl::string_view skip_user = {}) {
  return DigestOf(ScanRows(table), skip_user);
}

std::map<int32_t, uint64_t> RowsPerDay(const Table& table) {
  const TableSnapshot snapshot = table.Snapshot();
  std::map<int32_t, uint64_t> rows;
  for (size_t p = 0; p < snapshot.partition_count(); ++p)
    rows[snapshot.day(p)] = snapshot.row_count(p);
  return rows;
}

std::map<int32_t, uint64_t> RowsPerDay(const std::vector<Row>& rows) {
  std::map<int32_t, uint64_t> counts;
  for (const Row& row : rows) ++counts[DayOfMillis(row.time)];
  return counts;
}

// Users per day (all events, per event type, per segment column value, and
// those with several values of a segment column), by user id.
struct Users {
  std::map<int32_t, std::set<std::string>> all;
  std::map<std::pair<int32_t, std::string>, std::set<std::string>> by_type;
  std::map<std::tuple<int32_t, ColumnId, std::string>, std::set<std::string>> by_value;
  std::map<std::pair<int32_t, ColumnId>, std::set<std::string>> multi_valued;
  bool operator==(const Users&) const = default;
};

void PrintTo(const Users& users, std::ostream* os) {
  for (const auto& [day, ids] : users.all)
    *os << FormatDay(day) << ": " << ids.size() << " users; ";
}

// From the table's bitmaps.
Users UsersOf(const Table& table) {
  const TableSnapshot snapshot = table.Snapshot();
  const StringDictionary& types = snapshot.dictionary(ColumnId::kEventType);
  Users users;
  for (size_t p = 0; p < snapshot.partition_count(); ++p) {
    const int32_t day = snapshot.day(p);
    std::set<std::string>& all = users.all[day];
    for (uint32_t user : snapshot.users(p))
      all.insert(std::string(snapshot.user_index().Get(user)));
    EXPECT_EQ(snapshot.users(p).cardinality(), all.size());
    for (uint32_t type = 0; type < types.size(); ++type) {
      const UserBitmap& bitmap = snapshot.users_with_event_type(p, type);
      if (bitmap.isEmpty()) continue;
      std::set<std::string>& ids = users.by_type[{day, std::string(types.Get(type))}];
      for (uint32_t user : bitmap) ids.insert(std::string(snapshot.user_index().Get(user)));
    }
    EXPECT_TRUE(snapshot.has_segment_bitmaps(p));
    for (ColumnId column : kSegmentColumns) {
      const StringDictionary& values = snapshot.dictionary(column);
      for (uint32_t code = 0; code < values.size(); ++code) {
        const UserBitmap& bitmap = snapshot.users_with_value(p, column, code);
        if (bitmap.isEmpty()) continue;
        std::set<std::string>& ids = users.by_value[{day, column, std::string(values.Get(code))}];
        for (uint32_t user : bitmap) ids.insert(std::string(snapshot.user_index().Get(user)));
      }
      for (uint32_t user : snapshot.multi_valued_users(p, column)) {
        users.multi_valued[{day, column}].insert(std::string(snapshot.user_index().Get(user)));
      }
    }
  }
  return users;
}

// The truth, from rows.
Users UsersOf(const std::vector<Row>& rows) {
  Users users;
  for (const Row& row : rows) {
    const int32_t day = DayOfMillis(row.time);
    const std::string& user = row.values[ColumnIndex(ColumnId::kUserId)];
    users.all[day].insert(user);
    users.by_type[{day, row.values[ColumnIndex(ColumnId::kEventType)]}].insert(user);
    for (ColumnId column : kSegmentColumns) {
      users.by_value[{day, column, row.values[ColumnIndex(column)]}].insert(user);
    }
  }
  // Several values of a column on one day.
  for (ColumnId column : kSegmentColumns) {
    std::map<std::pair<int32_t, std::string>, std::set<std::string>> values_of_user;
    for (const Row& row : rows) {
      values_of_user[{DayOfMillis(row.time), row.values[ColumnIndex(ColumnId::kUserId)]}].insert(
          row.values[ColumnIndex(column)]);
    }
    for (const auto& [day_user, values] : values_of_user) {
      if (values.size() > 1) users.multi_valued[{day_user.first, column}].insert(day_user.second);
    }
  }
  return users;
}

std::vector<Row> Without(std::vector<Row> rows, const std::function<bool(const Row&)>& drop) {
  std::erase_if(rows, drop);
  return rows;
}

std::vector<Row> Concat(std::vector<Row> a, const std::vector<Row>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// --- Generated events.

const int32_t kFirstDay = DayOfMillis(MillisAt("2026-10-01T00:00:00"));

// Rows per day (offset from 2026-10-01) with segment_rows = 1000: sealed segments
// with heads of many sizes, one head exactly full, one day holding a few rows only.
const std::map<int, int> kRowsPerDay = {{0, 1460}, {1, 1200}, {2, 2300},
                                        {3, 1000}, {4, 999},  {9, 7}};

template <size_t N>
absl::string_view Pick(std::mt19937* random, const char* const (&values)[N]) {
  return values[(*random)() % N];
}

// `count` events on day `day_offset` for users "<prefix>0".."<prefix><users-1>".
void AddDay(EventBuilder* events, int day_offset, int count, int users, std::mt19937* random,
            const std::string& prefix = "u") {
  static const char* const kTypes[] = {"app_open", "screen_view", "click", "purchase", "app_crash"};
  static const char* const kPlatforms[] = {"ios", "android", "web"};
  static const char* const kOs[] = {"17.1", "14", "10.15", ""};
  static const char* const kApps[] = {"1.0.0", "1.1.0", "2.0.0"};
  static const char* const kModels[] = {"iPhone15,2", "Pixel 8", "SM-S911B"};
  static const char* const kDevices[] = {"phone", "tablet", "desktop"};
  static const char* const kCountries[] = {"US", "DE", "FR", "JP"};
  static const char* const kRegions[] = {"CA", "BY", "IDF", "Tokyo"};
  static const char* const kCities[] = {"San Jose", "München", "Paris", "東京"};
  const int64_t start = MillisAt("2026-10-01T00:00:00") + day_offset * kMillisPerDay;
  for (int i = 0; i < count; ++i) {
    const int64_t time = start + static_cast<int64_t>((*random)() % kMillisPerDay);
    EventRow& row = events->Add(time, absl::StrCat(prefix, (*random)() % users),
                                std::string(Pick(random, kTypes)));
    row.event_id = events->Keep(absl::StrCat("e", day_offset, "-", i, "-", (*random)()));
    row.session_id = events->Keep(absl::StrCat("s", (*random)() % 500));
    row.platform = Pick(random, kPlatforms);
    row.os_version = Pick(random, kOs);
    row.app_version = Pick(random, kApps);
    row.device_model = Pick(random, kModels);
    row.device_type = Pick(random, kDevices);
    row.country = Pick(random, kCountries);
    row.region = Pick(random, kRegions);
    row.city = Pick(random, kCities);
    row.properties = (*random)() % 4 == 0
                         ? absl::string_view()
                         : events->Keep(absl::StrCat("{\"n\":", (*random)() % 50, "}"));
  }
}

void AddStandardDays(EventBuilder* events, uint32_t seed = 1) {
  std::mt19937 random(seed);
  for (const auto& [day, count] : kRowsPerDay) AddDay(events, day, count, 400, &random);
}

// Rows in an order that mixes the days, so every batch touches several partitions.
std::vector<EventRow> Shuffled(absl::Span<const EventRow> rows, uint32_t seed = 7) {
  std::vector<EventRow> out(rows.begin(), rows.end());
  std::shuffle(out.begin(), out.end(), std::mt19937(seed));
  return out;
}

// --- Files.

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Flips the bits of the byte `from_end` bytes before the end of the file.
void FlipByte(const std::string& path, size_t from_end = 1) {
  std::string bytes = ReadFile(path);
  ASSERT_GT(bytes.size(), from_end) << path;
  bytes[bytes.size() - from_end] ^= 0xff;
  WriteFile(path, bytes);
}

std::set<std::string> ListDir(const std::string& dir) {
  std::set<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error))
    names.insert(entry.path().filename().string());
  return names;
}

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

ManifestView ReadManifest(const std::string& dir) {
  ManifestView view;
  const std::string bytes = ReadFile(dir + "/MANIFEST");
  if (bytes.size() < 24) {
    ADD_FAILURE() << "no MANIFEST in " << dir;
    return view;
  }
  rapidjson::Document document;
  document.Parse(bytes.data() + 24, bytes.size() - 24);
  if (document.HasParseError() || !document.IsObject()) {
    ADD_FAILURE() << "MANIFEST is not JSON";
    return view;
  }
  auto add = [&](const rapidjson::Value& file, const std::string& kind, int32_t day) {
    const std::string name = file["name"].GetString();
    uint64_t rows = 0;
    if (file.HasMember("rows")) rows = file["rows"].GetUint64();
    if (file.HasMember("count")) rows = file["count"].GetUint64();
    view.files[name] = {kind, day, rows};
    return name;
  };
  view.format = document["format"].GetInt();
  for (const auto& member : document["positions"].GetObject()) {
    view.positions[member.name.GetString()] = member.value.GetInt64();
  }
  for (const auto& member : document["dictionaries"].GetObject()) {
    for (const auto& file : member.value.GetArray()) {
      view.dictionaries[member.name.GetString()].push_back(add(file, "dict", 0));
    }
  }
  for (const auto& partition : document["partitions"].GetArray()) {
    const int32_t day = partition["day"].GetInt();
    for (const auto& file : partition["segments"].GetArray()) {
      view.segments[day].push_back(add(file, "seg", day));
    }
    for (const auto& file : partition["head"].GetArray())
      view.heads[day].push_back(add(file, "head", day));
    if (partition.HasMember("sealing")) {
      for (const auto& chunks : partition["sealing"].GetArray()) {
        std::vector<std::string>& names = view.sealing[day].emplace_back();
        for (const auto& file : chunks.GetArray()) names.push_back(add(file, "head", day));
      }
    }
    view.bitmaps[day] = add(partition["bitmaps"], "bitmaps", day);
  }
  return view;
}

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
    fs::remove_all(root_, error);
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
    EventBuilder events;
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

// Checks that `table` holds exactly `expected`: rows, days, bitmaps and contents.
void ExpectTableHolds(const Table& table, const std::vector<Row>& expected) {
  EXPECT_EQ(table.row_count(), expected.size());
  EXPECT_EQ(RowsPerDay(table), RowsPerDay(expected));
  EXPECT_EQ(UsersOf(table), UsersOf(expected));
  EXPECT_EQ(DigestOf(table), DigestOf(expected));
}

// --- 1. Round trips.

TEST_F(StoreTest, CheckpointRoundTripsEveryRow) {
  EventBuilder events;
  AddStandardDays(&events);
  const std::vector<Row> expected = RowsOf(events.rows());
  Users users_before;
  Digest digest_before;
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_FALSE(store->recovery().degraded);
    EXPECT_EQ(store->recovery().rows, 0u);
    AppendInBatches(store.get(), &table, Shuffled(events.rows()));
    ASSERT_OK(store->Checkpoint());
    users_before = UsersOf(table);
    digest_before = DigestOf(table);
    EXPECT_EQ(digest_before, DigestOf(expected));
    EXPECT_EQ(store->stats().persisted_rows, expected.size());
    EXPECT_EQ(store->stats().checkpoints, 1);
  }
  // Both kinds of partition content were persisted: sealed segments and heads.
  const ManifestView manifest = ReadManifest(dir_);
  EXPECT_EQ(manifest.segments.at(kFirstDay + 2).size(), 2u);
  EXPECT_EQ(manifest.heads.at(kFirstDay + 2).size(), 1u);
  EXPECT_EQ(manifest.files.at(manifest.heads.at(kFirstDay + 2)[0]).rows, 300u);
  EXPECT_EQ(manifest.segments.count(kFirstDay + 9), 0u);
  EXPECT_EQ(manifest.files.at(manifest.heads.at(kFirstDay + 9)[0]).rows, 7u);
  EXPECT_EQ(manifest.files.at(manifest.heads.at(kFirstDay + 3)[0]).rows, 1000u);  // full, unsealed
  ExpectFilesMatchManifest();

  Table restored(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&restored));
  EXPECT_FALSE(store->recovery().degraded);
  EXPECT_EQ(store->recovery().rows, expected.size());
  EXPECT_EQ(store->recovery().partitions, static_cast<int>(kRowsPerDay.size()));
  EXPECT_EQ(store->recovery().wal_records, 0u);
  EXPECT_THAT(replayed_, IsEmpty());
  ExpectTableHolds(restored, expected);
  EXPECT_EQ(UsersOf(restored), users_before);
  EXPECT_EQ(DigestOf(restored), digest_before);
  std::map<int32_t, uint64_t> expected_days;
  for (const auto& [day, count] : kRowsPerDay) expected_days[kFirstDay + day] = count;
  EXPECT_EQ(RowsPerDay(restored), expected_days);
}

TEST_F(StoreTest, SecondCheckpointWritesOnlyNewData) {
  EventBuilder events;
  AddStandardDays(&events);
  // New rows copy an existing row's values (no new dictionary entries) except
  // for the user of the new day, which is new to the user index.
  EventBuilder more;
  const EventRow model = events.rows()[0];  // day 0, whose head holds 460 rows
  ASSERT_EQ(DayOfMillis(model.event_time_ms), kFirstDay);
  std::vector<EventRow> day0_rows, new_day_rows;
  for (int i = 0; i < 20; ++i) {
    EventRow row = model;
    row.event_time_ms = model.event_time_ms + i;
    row.event_id = more.Keep(absl::StrCat("more-", i));
    day0_rows.push_back(row);
  }
  for (int i = 0; i < 5; ++i) {
    EventRow row = model;
    row.event_time_ms = MillisAt("2026-10-13T08:00:00") + i;
    row.user_id = "brand-new-user";
    row.event_id = more.Keep(absl::StrCat("new-", i));
    new_day_rows.push_back(row);
  }
  const int32_t new_day = DayOfMillis(MillisAt("2026-10-13T08:00:00"));

  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  AppendInBatches(store.get(), &table, Shuffled(events.rows()));
  ASSERT_OK(store->Checkpoint());
  const ManifestView first = ReadManifest(dir_);
  ExpectFilesMatchManifest();

  // A checkpoint with nothing new writes nothing.
  ASSERT_OK(store->Checkpoint());
  EXPECT_EQ(ReadManifest(dir_).names(), first.names());

  AppendInBatches(store.get(), &table, day0_rows);
  AppendInBatches(store.get(), &table, new_day_rows);
  ASSERT_OK(store->Checkpoint());
  const ManifestView second = ReadManifest(dir_);
  ExpectFilesMatchManifest();

  std::set<std::string> added, removed;
  const std::set<std::string> first_names = first.names(), second_names = second.names();
  std::set_difference(second_names.begin(), second_names.end(), first_names.begin(),
                      first_names.end(), std::inserter(added, added.end()));
  std::set_difference(first_names.begin(), first_names.end(), second_names.begin(),
                      second_names.end(), std::inserter(removed, removed.end()));
  // New: day 0's new head chunk and bitmaps, the new day's head and bitmaps, a user-index chunk.
  EXPECT_EQ(added.size(), 5u) << absl::StrJoin(added, " ");
  // Gone: only day 0's old bitmaps.
  EXPECT_EQ(removed, std::set<std::string>{first.bitmaps.at(kFirstDay)});
  EXPECT_EQ(second.segments, first.segments);  // no segment rewritten
  ASSERT_EQ(second.heads.at(kFirstDay).size(), 2u);
  EXPECT_EQ(second.heads.at(kFirstDay)[0], first.heads.at(kFirstDay)[0]);
  EXPECT_EQ(second.files.at(second.heads.at(kFirstDay)[1]).rows, 20u);
  ASSERT_EQ(second.heads.at(new_day).size(), 1u);
  EXPECT_EQ(second.files.at(second.heads.at(new_day)[0]).rows, 5u);
  for (const auto& [day, name] : first.bitmaps) {
    if (day != kFirstDay) {
      EXPECT_EQ(second.bitmaps.at(day), name) << FormatDay(day);
    }
  }
  EXPECT_EQ(second.dictionaries.at("user_id").size(), first.dictionaries.at("user_id").size() + 1);
  EXPECT_EQ(second.dictionaries.at("event_type"), first.dictionaries.at("event_type"));
  EXPECT_EQ(store->stats().persisted_rows, table.row_count());

  const std::vector<Row> expected =
      Concat(Concat(RowsOf(events.rows()), RowsOf(day0_rows)), RowsOf(new_day_rows));
  store.reset();
  Table restored(kTableOptions);
  ASSERT_OK_AND_ASSIGN(store, Open(&restored));
  ExpectTableHolds(restored, expected);
}

TEST_F(StoreTest, RestoredHeadsKeepGrowing) {
  std::vector<Row> expected = CheckpointStandardDays();
  ManifestView previous = ReadManifest(dir_);
  std::mt19937 random(99);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ExpectTableHolds(table, expected);

    // Day 1's head (200 rows at first) grows without sealing; day 0's and day 4's seal.
    EventBuilder more;
    AddDay(&more, 1, 30, 400, &random);
    AddDay(&more, 0, round == 0 ? 600 : 10, 400, &random);
    AddDay(&more, 4, round == 0 ? 100 : 10, 400, &random);
    AppendInBatches(store.get(), &table, Shuffled(more.rows(), round));
    ASSERT_OK(store->Checkpoint());
    ExpectFilesMatchManifest();
    const ManifestView current = ReadManifest(dir_);
    // What was restored is not written again: its segments and head chunks keep their files.
    for (const auto& [day, names] : previous.segments) {
      for (const std::string& name : names) EXPECT_TRUE(current.files.contains(name)) << name;
    }
    const std::vector<std::string>& old_head = previous.heads.at(kFirstDay + 1);
    const std::vector<std::string>& new_head = current.heads.at(kFirstDay + 1);
    ASSERT_EQ(new_head.size(), old_head.size() + 1);
    EXPECT_TRUE(std::equal(old_head.begin(), old_head.end(), new_head.begin()));
    EXPECT_EQ(current.files.at(new_head.back()).rows, 30u);
    EXPECT_EQ(
        current.segments.at(kFirstDay + 4).size(),
        previous.segments.count(kFirstDay + 4) ? previous.segments.at(kFirstDay + 4).size() : 1u);
    expected = Concat(std::move(expected), RowsOf(more.rows()));
    ExpectTableHolds(table, expected);
    previous = current;
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, expected);
  std::map<int32_t, uint64_t> days = RowsPerDay(table);
  EXPECT_EQ(days[kFirstDay + 1], 1200u + 3 * 30);
  EXPECT_EQ(days[kFirstDay + 0], 1460u + 600 + 2 * 10);
}

TEST_F(StoreTest, ManySmallCheckpointsCompactChunksAndStayExact) {
  std::vector<Row> expected;
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    for (int i = 0; i < 25; ++i) {
      EventBuilder events;
      // A new user and a new event type every time: every checkpoint adds dictionary entries.
      events
          .Add(MillisAt("2026-10-05T10:00:00") + i, absl::StrCat("user-", i),
               absl::StrCat("type-", i))
          .platform = "ios";
      events.Add(MillisAt("2026-10-05T11:00:00") + i, "user-0", "type-0").country = "DE";
      AppendInBatches(store.get(), &table, events.rows());
      ASSERT_OK(store->Checkpoint());
      expected = Concat(std::move(expected), RowsOf(events.rows()));
      const ManifestView manifest = ReadManifest(dir_);
      EXPECT_LE(manifest.dictionaries.at("user_id").size(), 8u);
      EXPECT_LE(manifest.heads.at(DayOfMillis(MillisAt("2026-10-05T10:00:00"))).size(), 16u);
      ExpectFilesMatchManifest();
    }
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, expected);
  EXPECT_EQ(table.user_index().size(), 25u);
  EXPECT_EQ(table.dictionary(ColumnId::kEventType).size(), 25u);
}

TEST_F(StoreTest, SealedHeadsReplaceTheirChunks) {
  const std::vector<Row> rows = CheckpointStandardDays();
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    table.SealAll();
    ASSERT_OK(store->Checkpoint());
    const ManifestView manifest = ReadManifest(dir_);
    EXPECT_THAT(manifest.OfKind("head"), IsEmpty());
    EXPECT_EQ(manifest.segments.at(kFirstDay + 9).size(), 1u);
    ExpectFilesMatchManifest();
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, rows);
}

const TableOptions kBackgroundSealing{.segment_rows = 1000, .background_sealing = true};

// Polls until no head of `table` waits to be sealed; false after a minute.
bool WaitUntilSealed(const Table& table) {
  const auto deadline = absl::Now() + absl::Minutes(1);
  for (;;) {
    const TableSnapshot snapshot = table.Snapshot();
    const BlockList list = snapshot.ListBlocks(ScanOptions{.columns = ColumnSet::All()});
    if (std::none_of(list.blocks.begin(), list.blocks.end(),
                     [](const BlockRef& ref) { return ref.segment <= SealingHeadRef(0); })) {
      return true;
    }
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
}

TEST_F(StoreTest, HeadsWaitingToBeSealedAreCheckpointedAndRestored) {
  EventBuilder events;
  AddStandardDays(&events);
  const std::vector<Row> expected = RowsOf(events.rows());
  ManifestView first;
  {
    Table table(kBackgroundSealing);
    table.TEST_PauseSealing(true);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    AppendInBatches(store.get(), &table, Shuffled(events.rows()));
    ASSERT_OK(store->Checkpoint());
    first = ReadManifest(dir_);
    ExpectFilesMatchManifest();
  }
  // Full heads wait (2300 rows: two of them, and 300 rows in the head); nothing is sealed.
  EXPECT_EQ(first.format, 2);
  EXPECT_THAT(first.OfKind("seg"), IsEmpty());
  ASSERT_EQ(first.sealing.at(kFirstDay + 2).size(), 2u);
  for (const auto& chunks : first.sealing.at(kFirstDay + 2)) {
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_EQ(first.files.at(chunks[0]).rows, 1000u);
  }
  EXPECT_EQ(first.files.at(first.heads.at(kFirstDay + 2)[0]).rows, 300u);
  EXPECT_EQ(first.sealing.at(kFirstDay + 3).size(), 1u);  // exactly full: retired at once
  EXPECT_EQ(first.heads.count(kFirstDay + 3), 0u);
  EXPECT_EQ(first.sealing.count(kFirstDay + 4), 0u);  // 999 rows: still the head

  ManifestView second;
  {
    Table table(kBackgroundSealing);
    table.TEST_PauseSealing(true);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_EQ(store->recovery().rows, expected.size());
    ExpectTableHolds(table, expected);
    // Restored just as persisted: a checkpoint has nothing to write.
    ASSERT_OK(store->Checkpoint());
    EXPECT_EQ(ReadManifest(dir_).names(), first.names());

    // Once sealed, the next checkpoint writes segments and drops the waiting heads' chunks.
    table.TEST_PauseSealing(false);
    ASSERT_TRUE(WaitUntilSealed(table));
    ASSERT_OK(store->Checkpoint());
    second = ReadManifest(dir_);
    ExpectFilesMatchManifest();
    ExpectTableHolds(table, expected);
  }
  EXPECT_EQ(second.format, 1);
  EXPECT_THAT(second.sealing, IsEmpty());
  EXPECT_EQ(second.segments.at(kFirstDay + 2).size(), 2u);
  EXPECT_EQ(second.heads.at(kFirstDay + 2), first.heads.at(kFirstDay + 2));  // not rewritten
  for (const auto& [day, heads] : first.sealing) {
    for (const auto& chunks : heads) {
      for (const std::string& name : chunks) EXPECT_FALSE(second.files.contains(name)) << name;
    }
  }
  // Readable with inline sealing too.
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, expected);
}

TEST_F(StoreTest, WaitingHeadsSealInlineWhenRestoredWithoutBackgroundSealing) {
  EventBuilder events;
  AddStandardDays(&events);
  const std::vector<Row> expected = RowsOf(events.rows());
  {
    Table table(kBackgroundSealing);
    table.TEST_PauseSealing(true);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    AppendInBatches(store.get(), &table, Shuffled(events.rows()));
    ASSERT_OK(store->Checkpoint());
  }
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ExpectTableHolds(table, expected);
    ASSERT_OK(store->Checkpoint());
    const ManifestView manifest = ReadManifest(dir_);
    EXPECT_THAT(manifest.sealing, IsEmpty());
    EXPECT_EQ(manifest.segments.at(kFirstDay + 2).size(), 2u);
    ExpectFilesMatchManifest();
  }
  Table table(kBackgroundSealing);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, expected);
}

TEST_F(StoreTest, CheckpointsRacingTheSealerStayExact) {
  EventBuilder events;
  std::mt19937 random(5);
  for (int day = 0; day < 3; ++day) AddDay(&events, day, 6000, 500, &random);
  const std::vector<EventRow> rows = Shuffled(events.rows());
  {
    Table table(kBackgroundSealing);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    std::atomic<bool> done{false};
    std::thread checkpointer([&] {
      while (!done.load()) EXPECT_OK(store->Checkpoint());
    });
    AppendInBatches(store.get(), &table, rows, 300);
    done.store(true);
    checkpointer.join();
    ASSERT_OK(store->Checkpoint());
    ExpectFilesMatchManifest();
  }
  Table table(kBackgroundSealing);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, RowsOf(events.rows()));
  ASSERT_TRUE(WaitUntilSealed(table));
  ASSERT_OK(store->Checkpoint());
  ExpectFilesMatchManifest();
  EXPECT_THAT(ReadManifest(dir_).sealing, IsEmpty());
  ExpectTableHolds(table, RowsOf(events.rows()));
}

// Checkpoints taken while a writer ingests hold whole batches, exactly those
// before the position they store; the WAL holds the rest; together every row, once.
TEST_F(StoreTest, CheckpointsDuringIngestAndWalTogetherHoldEveryBatchOnce) {
  constexpr int kBatches = 120;
  std::vector<EventBuilder> batches(kBatches);
  std::mt19937 random(11);
  for (int b = 0; b < kBatches; ++b) AddDay(&batches[b], b % 4, 40, 30, &random);
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    absl::Notification halfway;
    std::atomic<bool> done{false};
    std::thread checkpointer([&] {
      halfway.WaitForNotification();
      do {
        EXPECT_OK(store->Checkpoint());
      } while (!done.load());
    });
    for (int b = 0; b < kBatches; ++b) {
      uint64_t seq = 0;
      {
        Store::ApplyScope scope = store->BeginApply();
        seq = scope.LogRows(batches[b].rows());
        EXPECT_OK(table.Append(batches[b].rows()));
        scope.SetPosition("test/source", b + 1);
      }
      EXPECT_OK(store->WaitDurable(seq));
      if (b == kBatches / 2) halfway.Notify();
    }
    done.store(true);
    checkpointer.join();
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  const int64_t position = store->position("test/source");
  ASSERT_GT(position, kBatches / 2);
  ASSERT_LE(position, kBatches);
  EXPECT_EQ(store->recovery().rows, static_cast<uint64_t>(position) * 40);
  ASSERT_EQ(replayed_.size(), static_cast<size_t>(kBatches - position));
  std::vector<Row> expected;
  for (int b = 0; b < kBatches; ++b) {
    if (b >= position) {
      EXPECT_EQ(replayed_[b - position], RowsOf(batches[b].rows())) << "batch " << b;
    }
    expected = Concat(std::move(expected), RowsOf(batches[b].rows()));
  }
  ExpectTableHolds(table, expected);
}

// --- 2. Positions.

TEST_F(StoreTest, PositionsPersistThroughCheckpoint) {
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_EQ(store->position("kafka/t/0"), -1);
    {
      Store::ApplyScope scope = store->BeginApply();
      scope.SetPosition("kafka/t/0", 41);
      scope.SetPosition("kafka/t/0", 42);
      scope.SetPosition("kafka/t/1", 7);
    }
    ASSERT_OK(store->Checkpoint());
    {
      Store::ApplyScope scope = store->BeginApply();
      scope.SetPosition("kafka/t/0", 99);  // after the checkpoint: not persisted
      scope.SetPosition("kafka/t/2", 5);
    }
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_EQ(store->position("kafka/t/0"), 42);
  EXPECT_EQ(store->position("kafka/t/1"), 7);
  EXPECT_EQ(store->position("kafka/t/2"), -1);
  EXPECT_EQ(store->position("kafka/unknown/0"), -1);
  std::map<std::string, int64_t> kafka;
  for (const auto& [source, position] : store->positions()) {
    if (absl::StartsWith(source, "kafka/")) kafka[source] = position;
  }
  EXPECT_EQ(kafka, (std::map<std::string, int64_t>{{"kafka/t/0", 42}, {"kafka/t/1", 7}}));
}

// --- 3. The WAL.

TEST_F(StoreTest, WalReplaysRowsLoggedSinceTheCheckpoint) {
  std::vector<Row> expected = CheckpointStandardDays();
  EventBuilder batches[3];
  std::mt19937 random(5);
  for (int b = 0; b < 3; ++b) AddDay(&batches[b], 12 + b, 50 + b, 10, &random, "w");
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    for (const EventBuilder& batch : batches) LogAndAppend(store.get(), &table, batch.rows());
    EXPECT_GT(store->stats().wal_bytes_written, 0u);
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ASSERT_EQ(replayed_.size(), 3u);
  for (int b = 0; b < 3; ++b) EXPECT_EQ(replayed_[b], RowsOf(batches[b].rows())) << "batch " << b;
  EXPECT_EQ(store->recovery().wal_records, 3u);
  EXPECT_EQ(store->recovery().rows, expected.size());
  for (const EventBuilder& batch : batches)
    expected = Concat(std::move(expected), RowsOf(batch.rows()));
  ExpectTableHolds(table, expected);

  // Replayed rows are checkpointed like any others, and never replayed again.
  ASSERT_OK(store->Checkpoint());
  store.reset();
  Table again(kTableOptions);
  ASSERT_OK_AND_ASSIGN(store, Open(&again));
  EXPECT_THAT(replayed_, IsEmpty());
  ExpectTableHolds(again, expected);
}

TEST_F(StoreTest, CheckpointEndsReplayOfEarlierRecords) {
  EventBuilder before, after;
  std::mt19937 random(6);
  AddDay(&before, 3, 40, 10, &random, "b");
  AddDay(&after, 3, 30, 10, &random, "a");
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    LogAndAppend(store.get(), &table, before.rows());
    ASSERT_OK(store->Checkpoint());
    LogAndAppend(store.get(), &table, after.rows());
  }
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ASSERT_EQ(replayed_.size(), 1u);
    EXPECT_EQ(replayed_[0], RowsOf(after.rows()));
    ExpectTableHolds(table, Concat(RowsOf(before.rows()), RowsOf(after.rows())));
    ASSERT_OK(store->Checkpoint());
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_THAT(replayed_, IsEmpty());
  EXPECT_EQ(store->recovery().wal_records, 0u);
  ExpectTableHolds(table, Concat(RowsOf(before.rows()), RowsOf(after.rows())));
}

class StoreWalTailTest : public StoreTest {
 protected:
  // Logs three records, then lets `damage` edit the last WAL file.
  void LogThreeRecords(const std::function<void(const std::string&)>& damage) {
    std::mt19937 random(8);
    for (EventBuilder& batch : batches_) AddDay(&batch, 5, 25, 10, &random, "t");
    {
      Table table(kTableOptions);
      ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
      for (const EventBuilder& batch : batches_) LogAndAppend(store.get(), &table, batch.rows());
    }
    const std::vector<std::string> files = WalFiles();
    ASSERT_FALSE(files.empty());
    damage(files.back());
  }

  EventBuilder batches_[3];
};

TEST_F(StoreWalTailTest, TruncatedLastRecordIsCut) {
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords(
      [](const std::string& path) { fs::resize_file(path, fs::file_size(path) - 5); }));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ASSERT_EQ(replayed_.size(), 2u);
  EXPECT_EQ(replayed_[0], RowsOf(batches_[0].rows()));
  EXPECT_EQ(replayed_[1], RowsOf(batches_[1].rows()));
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("torn tail")));
  EXPECT_FALSE(store->recovery().degraded);

  // The log goes on after the cut: a new record follows the two intact ones.
  EventBuilder next;
  std::mt19937 random(9);
  AddDay(&next, 5, 12, 10, &random, "n");
  LogAndAppend(store.get(), &table, next.rows());
  store.reset();
  Table again(kTableOptions);
  ASSERT_OK_AND_ASSIGN(store, Open(&again));
  ASSERT_EQ(replayed_.size(), 3u);
  EXPECT_EQ(replayed_[0], RowsOf(batches_[0].rows()));
  EXPECT_EQ(replayed_[1], RowsOf(batches_[1].rows()));
  EXPECT_EQ(replayed_[2], RowsOf(next.rows()));
  EXPECT_THAT(store->recovery().notes, Not(Contains(HasSubstr("torn tail"))));
}

TEST_F(StoreWalTailTest, GarbageAfterLastRecordIsCut) {
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords(
      [](const std::string& path) { WriteFile(path, ReadFile(path) + std::string(37, '\xab')); }));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ASSERT_EQ(replayed_.size(), 3u);
  for (int b = 0; b < 3; ++b) EXPECT_EQ(replayed_[b], RowsOf(batches_[b].rows()));
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("torn tail of 37 bytes")));
}

TEST_F(StoreWalTailTest, ZeroFilledTailIsCut) {
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords(
      [](const std::string& path) { WriteFile(path, ReadFile(path) + std::string(64, '\0')); }));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_EQ(replayed_.size(), 3u);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("torn tail of 64 bytes")));
}

// Where the records of a WAL file start ([length u32][checksum u64][type u8][seq u64][payload]
// after an 8-byte header), and their types (1 data, 2 commit marker).
struct WalRecordStart {
  size_t offset = 0;
  int type = 0;
};
std::vector<WalRecordStart> RecordStarts(const std::string& bytes) {
  std::vector<WalRecordStart> starts;
  for (size_t at = 8; at + 21 <= bytes.size(); at += 21 + LoadFixed32(bytes.data() + at)) {
    starts.push_back({at, static_cast<uint8_t>(bytes[at + 12])});
  }
  return starts;
}
std::vector<size_t> DataRecordStarts(const std::string& bytes) {
  std::vector<size_t> starts;
  for (const WalRecordStart& start : RecordStarts(bytes)) {
    if (start.type == 1) starts.push_back(start.offset);
  }
  return starts;
}

TEST_F(StoreWalTailTest, EachGroupEndsWithACommitMarker) {
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([](const std::string&) {}));
  const std::string bytes = ReadFile(WalFiles().back());
  EXPECT_EQ(bytes.substr(0, 4), "MUAW");
  std::vector<int> types;
  for (const WalRecordStart& start : RecordStarts(bytes)) types.push_back(start.type);
  EXPECT_EQ(types, (std::vector<int>{1, 2, 1, 2, 1, 2}));  // three synced groups of one record
}

TEST_F(StoreWalTailTest, WholeGroupWithoutItsMarkerIsATornTail) {
  // The last group's record is intact, but its marker never reached the disk:
  // the write was not acknowledged, so it is cut without any alarm.
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords(
      [](const std::string& path) { fs::resize_file(path, fs::file_size(path) - 21); }));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ASSERT_EQ(replayed_.size(), 2u);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("torn tail")));
  EXPECT_FALSE(store->recovery().degraded);
  EXPECT_EQ(store->recovery().wal_records_lost, 0u);
}

TEST_F(StoreWalTailTest, TornRecordHeaderWhereTheMarkerWouldBeIsATornTail) {
  // The crash cut the write after the third record and 21 bytes of the next one
  // (a marker's size): those bytes are no marker, so the tail is torn, not damaged.
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([](const std::string& path) {
    std::string bytes = ReadFile(path);
    bytes.resize(bytes.size() - 21);  // the third group's marker
    std::string next;
    storage_internal::EncodeWalRecord(storage_internal::WalRecordType::kData, 4,
                                      "the rows of a request the crash interrupted", &next);
    WriteFile(path, bytes + next.substr(0, 21));
  }));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_EQ(replayed_.size(), 2u);
  EXPECT_FALSE(store->recovery().degraded);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("torn tail of")));
}

// A flipped byte inside the second of three acknowledged groups.
void FlipSecondRecord(const std::string& path) {
  std::string bytes = ReadFile(path);
  const std::vector<size_t> starts = DataRecordStarts(bytes);
  ASSERT_EQ(starts.size(), 3u);
  bytes[starts[1] + 30] ^= 0x01;  // inside the second record's payload
  WriteFile(path, bytes);
}

TEST_F(StoreWalTailTest, DamagedRecordBeforeTheLastMarkerStopsNamingTheFile) {
  std::string damaged;
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([&](const std::string& path) {
    FlipSecondRecord(path);
    damaged = ReadFile(path);
  }));
  const std::string path = WalFiles().back();
  Table table(kTableOptions);
  const auto store = Open(&table);
  ASSERT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
  const std::string message(store.status().message());
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr(absl::StrCat("at byte ", DataRecordStarts(damaged)[1])));
  EXPECT_THAT(message, HasSubstr("1 acknowledged records are missing"));
  EXPECT_THAT(message, HasSubstr("--on_corruption=skip"));
  EXPECT_EQ(ReadFile(path), damaged);  // nothing was cut
  EXPECT_FALSE(fs::exists(dir_ + "/quarantine"));
}

TEST_F(StoreWalTailTest, DamagedRecordWithSkipKeepsEveryOtherRecordAndReportsDegraded) {
  std::string damaged;
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([&](const std::string& path) {
    FlipSecondRecord(path);
    damaged = ReadFile(path);
  }));
  const std::string path = WalFiles().back();
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kSkip)));
    ASSERT_EQ(replayed_.size(), 2u);
    EXPECT_EQ(replayed_[0], RowsOf(batches_[0].rows()));
    EXPECT_EQ(replayed_[1], RowsOf(batches_[2].rows()));
    EXPECT_TRUE(store->recovery().degraded);
    EXPECT_TRUE(store->stats().degraded);
    EXPECT_EQ(store->recovery().wal_records_lost, 1u);
    EXPECT_THAT(store->recovery().notes, Contains(AllOf(HasSubstr("WAL CORRUPTION"), HasSubstr(path),
                                                         HasSubstr("1 acknowledged records are missing"))));
    EXPECT_THAT(*log_, Contains(HasSubstr("WAL CORRUPTION")));
    // The original was copied aside before anything changed.
    const std::set<std::string> aside = ListDir(dir_ + "/quarantine");
    ASSERT_EQ(aside.size(), 1u);
    EXPECT_THAT(*aside.begin(), HasSubstr(".corrupt-"));
    EXPECT_EQ(ReadFile(dir_ + "/quarantine/" + *aside.begin()), damaged);
    ExpectTableHolds(table, Concat(RowsOf(batches_[0].rows()), RowsOf(batches_[2].rows())));
  }
  // The file was rewritten without the damage: the next start is clean.
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_FALSE(store->recovery().degraded);
  ASSERT_EQ(replayed_.size(), 2u);
  EXPECT_EQ(replayed_[1], RowsOf(batches_[2].rows()));
}

TEST_F(StoreWalTailTest, DamagedRecordWithDiscardReplaysUpToTheDamage) {
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords(FlipSecondRecord));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kDiscard)));
  ASSERT_EQ(replayed_.size(), 1u);
  EXPECT_EQ(replayed_[0], RowsOf(batches_[0].rows()));
  EXPECT_TRUE(store->stats().degraded);
  EXPECT_EQ(store->recovery().wal_records_lost, 2u);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("WAL CORRUPTION")));
}

TEST_F(StoreWalTailTest, DamagedMarkerAtTheEndIsNoTornTail) {
  // The last group's record is intact and its marker whole but changed: that
  // group was acknowledged, so this is damage, not a torn write.
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([](const std::string& path) { FlipByte(path, 3); }));
  {
    Table table(kTableOptions);
    EXPECT_THAT(Open(&table), StatusIs(absl::StatusCode::kDataLoss));
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kSkip)));
  EXPECT_EQ(replayed_.size(), 3u);
  EXPECT_EQ(store->recovery().wal_records_lost, 0u);
  EXPECT_TRUE(store->recovery().degraded);
}

TEST_F(StoreWalTailTest, DamagedRecordInAnEarlierFileIsDataLoss) {
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([](const std::string&) {}));
  {
    // Reopening starts a new WAL file; the first one stays until a checkpoint.
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EventBuilder next;
    std::mt19937 random(10);
    AddDay(&next, 5, 12, 10, &random, "n");
    LogAndAppend(store.get(), &table, next.rows());
  }
  const std::vector<std::string> files = WalFiles();
  ASSERT_EQ(files.size(), 2u);
  std::string bytes = ReadFile(files[0]);
  bytes[DataRecordStarts(bytes)[2] + 30] ^= 0x01;  // the file's last record: its end is no tail
  WriteFile(files[0], bytes);
  {
    Table table(kTableOptions);
    const auto store = Open(&table);
    EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(store.status().message()), HasSubstr(files[0]));
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kSkip)));
  EXPECT_EQ(replayed_.size(), 3u);  // two of the first file, the second file's one
  EXPECT_EQ(store->recovery().wal_records_lost, 1u);
}

TEST_F(StoreWalTailTest, DamageTheCheckpointCoversIsIgnored) {
  // A crash between the MANIFEST's rename and the WAL's cleanup leaves files
  // whose records the checkpoint holds: damage there loses nothing.
  ASSERT_NO_FATAL_FAILURE(LogThreeRecords([](const std::string&) {}));
  const std::string first = WalFiles().front();
  const std::string saved = ReadFile(first);
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ASSERT_OK(store->Checkpoint());  // holds all three records; deletes the first file
  }
  ASSERT_FALSE(fs::exists(first));
  WriteFile(first, saved);
  ASSERT_NO_FATAL_FAILURE(FlipSecondRecord(first));
  {
    // An older file the checkpoint holds whole is not even read.
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_THAT(replayed_, IsEmpty());
    EXPECT_FALSE(store->recovery().degraded);
  }
  // As the newest file it is read; its damaged record is one the checkpoint has.
  for (const std::string& file : WalFiles()) {
    if (file != first) fs::remove(file);
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_THAT(replayed_, IsEmpty());
  EXPECT_FALSE(store->recovery().degraded);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("the checkpoint already has")));
}

// Files written before commit markers existed (no header, no types, no markers)
// are still replayed, and a torn tail is cut there as before.
TEST_F(StoreWalTailTest, VersionOneFilesAreReplayed) {
  std::mt19937 random(12);
  for (EventBuilder& batch : batches_) AddDay(&batch, 5, 25, 10, &random, "v");
  std::string bytes;
  uint64_t seq = 0;
  for (const EventBuilder& batch : batches_) {
    std::string payload;
    PutVarint64(&payload, batch.rows().size());
    for (const EventRow& row : batch.rows()) {
      PutVarint64(&payload, ZigZagEncode(row.event_time_ms));
      for (ColumnId id : kAllColumns) {
        if (id == ColumnId::kEventTime) continue;
        const absl::string_view value = row.StringValue(id);
        PutVarint64(&payload, value.size());
        payload.append(value.data(), value.size());
      }
    }
    ++seq;
    std::string seq_and_payload;
    PutFixed64(&seq_and_payload, seq);
    seq_and_payload += payload;
    PutFixed32(&bytes, static_cast<uint32_t>(payload.size()));
    PutFixed64(&bytes, storage_internal::Checksum(seq_and_payload));
    bytes += seq_and_payload;
  }
  fs::create_directories(dir_ + "/wal");
  const std::string path = dir_ + "/wal/00000000000000000001.log";
  WriteFile(path, bytes + std::string(9, '\x5a'));
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ASSERT_EQ(replayed_.size(), 3u);
    for (int b = 0; b < 3; ++b) EXPECT_EQ(replayed_[b], RowsOf(batches_[b].rows()));
    EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("torn tail of 9 bytes")));
    EXPECT_FALSE(store->recovery().degraded);
    EventBuilder next;
    AddDay(&next, 5, 12, 10, &random, "n");
    LogAndAppend(store.get(), &table, next.rows());
  }
  EXPECT_EQ(ReadFile(path), bytes);
  const std::vector<std::string> files = WalFiles();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(ReadFile(files[1]).substr(0, 4), "MUAW");  // new files are of the current version
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_EQ(replayed_.size(), 4u);
}

// --- 4. Damaged files.

class StoreCorruptionTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    expected_ = CheckpointStandardDays();
    manifest_ = ReadManifest(dir_);
  }
  std::string FilePath(const std::string& name) const { return dir_ + "/files/" + name; }

  std::vector<Row> expected_;
  ManifestView manifest_;
};

TEST_F(StoreCorruptionTest, FlippedSegmentByteStopsOpen) {
  const std::string name = manifest_.segments.at(kFirstDay + 2)[0];
  FlipByte(FilePath(name));
  Table table(kTableOptions);
  const auto store = Open(&table);
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(name));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("checksum"));
  EXPECT_TRUE(fs::exists(FilePath(name)));  // nothing moved
}

TEST_F(StoreCorruptionTest, FlippedSegmentByteIsQuarantinedWithSkip) {
  const std::string name = manifest_.segments.at(kFirstDay + 2)[0];
  const uint64_t segment_rows = manifest_.files.at(name).rows;
  ASSERT_EQ(segment_rows, 1000u);
  FlipByte(FilePath(name), 100);
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kSkip)));
    EXPECT_TRUE(store->recovery().degraded);
    EXPECT_TRUE(store->stats().degraded);
    EXPECT_THAT(store->recovery().notes, Contains(HasSubstr(name)));
    EXPECT_TRUE(fs::exists(dir_ + "/quarantine/" + name));
    EXPECT_FALSE(fs::exists(FilePath(name)));
    EXPECT_EQ(table.row_count(), expected_.size() - segment_rows);
    std::map<int32_t, uint64_t> days = RowsPerDay(expected_);
    days[kFirstDay + 2] -= segment_rows;
    EXPECT_EQ(RowsPerDay(table), days);
    // The partition's bitmaps were rebuilt from the rows that are left.
    const std::vector<Row> rows = ScanRows(table);
    EXPECT_EQ(UsersOf(table), UsersOf(rows));
    // Every other day is intact.
    auto on_day_2 = [](const Row& row) { return DayOfMillis(row.time) == kFirstDay + 2; };
    EXPECT_EQ(DigestOf(Without(rows, on_day_2)), DigestOf(Without(expected_, on_day_2)));
    // The next checkpoint no longer names the file, so a strict open succeeds.
    ASSERT_OK(store->Checkpoint());
    ExpectFilesMatchManifest();
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_FALSE(store->recovery().degraded);
  EXPECT_EQ(table.row_count(), expected_.size() - segment_rows);
}

TEST_F(StoreCorruptionTest, FlippedSegmentByteStartsEmptyWithDiscard) {
  const std::string name = manifest_.segments.at(kFirstDay + 0)[0];
  FlipByte(FilePath(name));
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kDiscard)));
  EXPECT_TRUE(store->recovery().degraded);
  EXPECT_EQ(table.row_count(), 0u);
  EXPECT_EQ(store->recovery().rows, 0u);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr(name)));
  bool set_aside = false;
  for (const std::string& entry : ListDir(dir_)) {
    if (absl::StartsWith(entry, "discarded-"))
      set_aside = fs::exists(dir_ + "/" + entry + "/files/" + name);
  }
  EXPECT_TRUE(set_aside);
  EXPECT_THAT(ListDir(dir_ + "/files"), IsEmpty());
}

TEST_F(StoreCorruptionTest, DamagedBitmapsAreRebuiltWithSkip) {
  const std::string name = manifest_.bitmaps.at(kFirstDay + 1);
  FlipByte(FilePath(name));
  Table table(kTableOptions);
  EXPECT_THAT(Open(&table), StatusIs(absl::StatusCode::kDataLoss));
  Table skipping(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&skipping, Options(OnCorruption::kSkip)));
  EXPECT_TRUE(store->recovery().degraded);
  ExpectTableHolds(skipping, expected_);  // no row lost, bitmaps equal the truth
}

TEST_F(StoreCorruptionTest, DamagedDictionaryStopsEvenWithSkip) {
  const std::string name = manifest_.dictionaries.at("event_type")[0];
  FlipByte(FilePath(name));
  Table table(kTableOptions);
  const auto store = Open(&table, Options(OnCorruption::kSkip));
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(name));
  Table discarding(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto discarded, Open(&discarding, Options(OnCorruption::kDiscard)));
  EXPECT_TRUE(discarded->recovery().degraded);
  EXPECT_EQ(discarding.row_count(), 0u);
}

TEST_F(StoreCorruptionTest, TruncatedSegmentIsDetected) {
  const std::string name = manifest_.segments.at(kFirstDay + 1)[0];
  fs::resize_file(FilePath(name), fs::file_size(FilePath(name)) / 2);
  {
    Table table(kTableOptions);
    const auto store = Open(&table);
    EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(store.status().message()), HasSubstr(name));
    EXPECT_THAT(std::string(store.status().message()), HasSubstr("torn"));
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kSkip)));
  EXPECT_EQ(table.row_count(), expected_.size() - 1000);
}

TEST_F(StoreCorruptionTest, TruncatedHeadChunkIsDetected) {
  const std::string name = manifest_.heads.at(kFirstDay + 0)[0];
  const uint64_t rows = manifest_.files.at(name).rows;
  ASSERT_EQ(rows, 460u);
  fs::resize_file(FilePath(name), 10);  // shorter than a header
  {
    Table table(kTableOptions);
    const auto store = Open(&table);
    EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(store.status().message()), HasSubstr(name));
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kSkip)));
  EXPECT_TRUE(store->recovery().degraded);
  EXPECT_EQ(RowsPerDay(table)[kFirstDay], 1000u);
  EXPECT_EQ(table.row_count(), expected_.size() - rows);
  EXPECT_EQ(UsersOf(table), UsersOf(ScanRows(table)));
}

TEST_F(StoreCorruptionTest, MissingSegmentIsReported) {
  const std::string name = manifest_.segments.at(kFirstDay + 2)[1];
  fs::remove(FilePath(name));
  Table table(kTableOptions);
  const auto store = Open(&table);
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(name));
}

TEST_F(StoreCorruptionTest, FlippedManifestByteStopsUnlessDiscard) {
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    {
      Store::ApplyScope scope = store->BeginApply();
      scope.SetPosition("kafka/t/0", 10);
    }
    ASSERT_OK(store->Checkpoint());
    EXPECT_EQ(table.row_count(), expected_.size());
  }
  FlipByte(dir_ + "/MANIFEST", 3);
  for (OnCorruption mode : {OnCorruption::kStop, OnCorruption::kSkip}) {
    Table table(kTableOptions);
    const auto store = Open(&table, Options(mode));
    EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
    EXPECT_THAT(std::string(store.status().message()), HasSubstr("MANIFEST"));
    EXPECT_EQ(table.row_count(), 0u);
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kDiscard)));
  EXPECT_TRUE(store->recovery().degraded);
  EXPECT_EQ(table.row_count(), 0u);
  EXPECT_EQ(store->position("kafka/t/0"), -1);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("MANIFEST")));
}

TEST_F(StoreCorruptionTest, TruncatedManifestStops) {
  fs::resize_file(dir_ + "/MANIFEST", fs::file_size(dir_ + "/MANIFEST") - 10);
  Table table(kTableOptions);
  const auto store = Open(&table, Options(OnCorruption::kSkip));
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("MANIFEST"));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("torn"));
}

TEST_F(StoreTest, EachDiscardSetsItsCheckpointAside) {
  for (int round = 0; round < 2; ++round) {
    {
      Table table(kTableOptions);
      ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kDiscard)));
      EventBuilder events;
      events.Add(MillisAt("2026-10-01T10:00:00"), absl::StrCat("round-", round), "app_open");
      AppendInBatches(store.get(), &table, events.rows());
      ASSERT_OK(store->Checkpoint());
    }
    FlipByte(dir_ + "/MANIFEST", 3);
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kDiscard)));
    EXPECT_TRUE(store->recovery().degraded);
    EXPECT_EQ(table.row_count(), 0u);
  }
  // Both checkpoints were set aside whole, however quickly the second followed the first.
  int set_aside = 0;
  for (const std::string& entry : ListDir(dir_)) {
    if (!absl::StartsWith(entry, "discarded-")) continue;
    const std::string aside = dir_ + "/" + entry;
    EXPECT_TRUE(fs::exists(aside + "/MANIFEST")) << aside;
    EXPECT_THAT(ListDir(aside + "/files"), Not(IsEmpty())) << aside;
    ++set_aside;
  }
  EXPECT_EQ(set_aside, 2);
}

TEST_F(StoreCorruptionTest, DiscardKeepsErasuresWhenTheManifestIsIntact) {
  const std::string victim = expected_[0].values[ColumnIndex(ColumnId::kUserId)];
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ASSERT_OK(store->EraseUser(victim));
  }
  // Kafka is re-read after a discard: the erasure must survive it, or the user's events come back.
  FlipByte(dir_ + "/files/" + ReadManifest(dir_).segments.at(kFirstDay + 2)[0]);
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, Options(OnCorruption::kDiscard)));
    EXPECT_TRUE(store->recovery().degraded);
    EXPECT_EQ(table.row_count(), 0u);
    EXPECT_TRUE(store->IsErased(victim));
    ASSERT_OK(store->Checkpoint());
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_TRUE(store->IsErased(victim));
  EXPECT_FALSE(store->IsErased("someone-else"));
}

// --- 5. The lock.

TEST_F(StoreTest, SecondOpenOfADirectoryInUseFails) {
  Table first_table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto first, Open(&first_table));
  Table second_table(kTableOptions);
  const auto second = Open(&second_table);
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("LOCK"));
  first.reset();
  Table third_table(kTableOptions);
  const auto third = Open(&third_table);
  EXPECT_OK(third);
}

TEST_F(StoreTest, OpenRequiresAnEmptyTable) {
  Table table(kTableOptions);
  EventBuilder events;
  events.Add(MillisAt("2026-10-01T00:00:00"), "a", "app_open");
  ASSERT_OK(table.Append(events.rows()));
  EXPECT_THAT(Open(&table), StatusIs(absl::StatusCode::kFailedPrecondition));
}

// --- 6. Erasure.

TEST_F(StoreTest, EraseUserRemovesRowsDurably) {
  EventBuilder events;
  AddStandardDays(&events);
  const std::vector<Row> rows = RowsOf(events.rows());
  const std::string victim = rows[0].values[ColumnIndex(ColumnId::kUserId)];
  const std::string bystander = rows[1].values[ColumnIndex(ColumnId::kUserId)];
  ASSERT_NE(victim, bystander);
  // Also WAL-logged rows of the victim after the checkpoint: they must not come back.
  EventBuilder logged;
  logged.Add(MillisAt("2026-10-03T05:00:00"), victim, "purchase");
  logged.Add(MillisAt("2026-10-03T05:00:01"), "someone-else", "purchase");
  logged.Add(MillisAt("2026-10-20T05:00:00"), victim, "app_open");  // a day only the victim has
  const std::vector<Row> all = Concat(rows, RowsOf(logged.rows()));
  const auto is_victim = [&](const Row& row) {
    return row.values[ColumnIndex(ColumnId::kUserId)] == victim;
  };
  const std::vector<Row> kept = Without(all, is_victim);
  const uint64_t victim_rows = all.size() - kept.size();
  ASSERT_GT(victim_rows, 3u);

  auto check = [&](const Table& table, const Store& store) {
    EXPECT_EQ(table.row_count(), kept.size());
    const std::vector<Row> scanned = ScanRows(table);
    EXPECT_EQ(std::count_if(scanned.begin(), scanned.end(), is_victim), 0);
    EXPECT_EQ(DigestOf(scanned), DigestOf(kept));
    EXPECT_EQ(DigestOf(scanned, victim), DigestOf(all, victim));
    const std::optional<uint32_t> code = table.user_index().Find(victim);
    ASSERT_TRUE(code.has_value());
    const TableSnapshot snapshot = table.Snapshot();
    for (size_t p = 0; p < snapshot.partition_count(); ++p) {
      EXPECT_FALSE(snapshot.users(p).contains(*code)) << FormatDay(snapshot.day(p));
      for (uint32_t type = 0; type < table.dictionary(ColumnId::kEventType).size(); ++type) {
        EXPECT_FALSE(snapshot.users_with_event_type(p, type).contains(*code));
      }
    }
    Users users = UsersOf(table);
    std::erase_if(users.all, [](const auto& entry) { return entry.second.empty(); });
    EXPECT_EQ(users, UsersOf(kept));
    EXPECT_TRUE(store.IsErased(victim));
    EXPECT_FALSE(store.IsErased(bystander));
    EXPECT_FALSE(store.IsErased("never-seen"));
  };
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_FALSE(store->IsErased(victim));
    AppendInBatches(store.get(), &table, Shuffled(events.rows()));
    ASSERT_OK(store->Checkpoint());
    LogAndAppend(store.get(), &table, logged.rows());
    ASSERT_OK_AND_ASSIGN(const uint64_t erased, store->EraseUser(victim));
    EXPECT_EQ(erased, victim_rows);
    check(table, *store);
    EXPECT_EQ(store->stats().erased_users, 1);
    ExpectFilesMatchManifest();
    // Erasing again finds nothing.
    ASSERT_OK_AND_ASSIGN(const uint64_t again, store->EraseUser(victim));
    EXPECT_EQ(again, 0u);
  }
  // EraseUser made the erasure durable itself: no Checkpoint call here.
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_THAT(replayed_, IsEmpty());
  check(table, *store);
  EXPECT_EQ(store->stats().erased_users, 1);
}

TEST_F(StoreTest, ErasureOfAnUnknownUserIsRemembered) {
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ASSERT_OK_AND_ASSIGN(const uint64_t erased, store->EraseUser("ghost"));
    EXPECT_EQ(erased, 0u);
    EXPECT_TRUE(store->IsErased("ghost"));
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_TRUE(store->IsErased("ghost"));
  EXPECT_FALSE(store->IsErased("ghost2"));
}

// --- 7. Retention.

TEST_F(StoreTest, RetentionDropsOldPartitionsDurably) {
  EventBuilder events;
  AddStandardDays(&events);
  const std::vector<Row> rows = RowsOf(events.rows());
  const auto old = [](const Row& row) { return DayOfMillis(row.time) < kFirstDay + 2; };
  {
    StoreOptions options = Options();
    options.now = absl::FromUnixMillis(MillisAt("2026-10-12T12:00:00"));
    options.retention_days = 9;  // keeps 2026-10-03 onwards
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    AppendInBatches(store.get(), &table, Shuffled(events.rows()));
    ASSERT_OK(store->Checkpoint());
    EXPECT_EQ(store->ApplyRetention(), (std::vector<int32_t>{kFirstDay, kFirstDay + 1}));
    EXPECT_EQ(store->stats().partitions_dropped, 2);
    ExpectTableHolds(table, Without(rows, old));
    EXPECT_THAT(store->ApplyRetention(), IsEmpty());
    ASSERT_OK(store->Checkpoint());
    ExpectFilesMatchManifest();
  }
  EXPECT_EQ(ReadManifest(dir_).bitmaps.count(kFirstDay), 0u);
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));  // keeps everything: nothing old is left
  ExpectTableHolds(table, Without(rows, old));
}

TEST_F(StoreTest, PartitionsPastRetentionAreNotLoaded) {
  const std::vector<Row> rows = CheckpointStandardDays();
  const auto old = [](const Row& row) { return DayOfMillis(row.time) < kFirstDay + 2; };
  StoreOptions options = Options();
  options.now = absl::FromUnixMillis(MillisAt("2026-10-12T12:00:00"));
  options.retention_days = 9;
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    ExpectTableHolds(table, Without(rows, old));
    EXPECT_EQ(store->recovery().partitions, 4);
  }
  {
    // Until a checkpoint drops them, the checkpoint on disk still holds them.
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    ExpectTableHolds(table, rows);
  }
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    ASSERT_OK(store->Checkpoint());
    ExpectFilesMatchManifest();
  }
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  ExpectTableHolds(table, Without(rows, old));
}

// --- 8. Backup.

TEST_F(StoreTest, BackupOpensWithEqualContent) {
  EventBuilder events, later;
  AddStandardDays(&events);
  std::mt19937 random(3);
  AddDay(&later, 6, 333, 50, &random);
  const std::string target = root_ + "/backup";
  Table table(kTableOptions);
  StoreOptions source_options = Options();
  source_options.backup_root = root_;  // the targets are siblings of the data directory
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table, source_options));
  AppendInBatches(store.get(), &table, Shuffled(events.rows()));
  ASSERT_OK(store->Checkpoint());
  {
    // Rows and positions since the last checkpoint are in the backup too.
    Store::ApplyScope scope = store->BeginApply();
    ASSERT_OK(table.Append(later.rows()));
    scope.SetPosition("kafka/t/0", 1234);
  }
  ASSERT_OK_AND_ASSIGN(const uint64_t bytes, store->Backup(target));
  EXPECT_GT(bytes, 0u);
  const std::vector<Row> expected = Concat(RowsOf(events.rows()), RowsOf(later.rows()));
  {
    StoreOptions options = Options();
    options.dir = target;
    Table copy(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto copy_store, Open(&copy, options));
    EXPECT_FALSE(copy_store->recovery().degraded);
    ExpectTableHolds(copy, expected);
    EXPECT_EQ(DigestOf(copy), DigestOf(table));
    EXPECT_EQ(UsersOf(copy), UsersOf(table));
    EXPECT_EQ(copy_store->position("kafka/t/0"), 1234);
  }
  // The source goes on working, and a second backup needs an empty target.
  EXPECT_THAT(store->Backup(target), StatusIs(absl::StatusCode::kFailedPrecondition));
  fs::create_directories(root_ + "/other");
  WriteFile(root_ + "/other/stray", "x");
  EXPECT_THAT(store->Backup(root_ + "/other"), StatusIs(absl::StatusCode::kFailedPrecondition));
  fs::create_directories(root_ + "/empty");
  const absl::StatusOr<uint64_t> into_empty = store->Backup(root_ + "/empty");
  ASSERT_OK(into_empty);
  ASSERT_OK(store->Checkpoint());
  ExpectFilesMatchManifest();
}

TEST_F(StoreTest, BackupIsRefusedWithoutABackupRoot) {
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  const absl::StatusOr<uint64_t> backup = store->Backup(root_ + "/backup");
  EXPECT_THAT(backup, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(std::string(backup.status().message()), HasSubstr("--backup_root"));
  EXPECT_FALSE(fs::exists(root_ + "/backup"));
}

TEST_F(StoreTest, BackupTargetsStayUnderTheRootAndOutsideTheData) {
  const std::string backups = root_ + "/backups";
  const std::string outside = root_ + "/outside";
  fs::create_directories(backups);
  fs::create_directories(outside);
  fs::create_directory_symlink(outside, backups + "/to-outside");
  Table table(kTableOptions);
  StoreOptions options = Options();
  options.backup_root = backups;
  {
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    fs::create_directory_symlink(dir_, backups + "/to-data");
    ASSERT_OK(store->Backup(backups + "/one"));
    EXPECT_TRUE(fs::exists(backups + "/one/MANIFEST"));
    ASSERT_OK(store->Backup(backups + "/nested/./two/"));
    EXPECT_TRUE(fs::exists(backups + "/nested/two/MANIFEST"));
    auto refused = [&](const std::string& target, absl::StatusCode code) {
      const absl::StatusOr<uint64_t> backup = store->Backup(target);
      EXPECT_THAT(backup, StatusIs(code)) << target;
      if (code == absl::StatusCode::kPermissionDenied) {
        EXPECT_THAT(std::string(backup.status().message()), HasSubstr(target)) << target;
      }
    };
    refused("relative/path", absl::StatusCode::kInvalidArgument);
    refused("", absl::StatusCode::kInvalidArgument);
    refused(backups + "/../outside/x", absl::StatusCode::kInvalidArgument);
    refused(backups + "/one/../../outside/y", absl::StatusCode::kInvalidArgument);
    refused(outside + "/x", absl::StatusCode::kPermissionDenied);
    refused(backups, absl::StatusCode::kPermissionDenied);  // the root itself
    refused(backups + "/to-outside/x", absl::StatusCode::kPermissionDenied);  // a symlink out
    refused(backups + "/to-outside", absl::StatusCode::kPermissionDenied);
    refused(backups + "/to-data/x", absl::StatusCode::kPermissionDenied);  // into the data
    EXPECT_TRUE(fs::is_empty(outside));
    EXPECT_EQ(ListDir(dir_), (std::set<std::string>{"LOCK", "MANIFEST", "files", "wal"}));
  }
  {
    // A root that holds the data directory: targets inside it, equal to it or above it are refused.
    options.backup_root = "/";
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    for (const std::string& target : {dir_ + "/files/x", dir_ + "/x", dir_, root_, root_ + "/data/"}) {
      EXPECT_THAT(store->Backup(target), StatusIs(absl::StatusCode::kPermissionDenied)) << target;
    }
    EXPECT_EQ(ListDir(dir_), (std::set<std::string>{"LOCK", "MANIFEST", "files", "wal"}));
  }
  // A root inside the data directory is refused at start.
  fs::create_directories(dir_ + "/inside");
  options.backup_root = dir_ + "/inside";
  EXPECT_THAT(Open(&table, options), StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- Modes: whatever the umask, what the store creates is its user's only.

TEST_F(StoreTest, FilesAreCreated0600AndDirectories0700) {
  const mode_t saved_umask = ::umask(0);
  struct RestoreUmask {
    mode_t mask;
    ~RestoreUmask() { ::umask(mask); }
  } restore{saved_umask};
  EventBuilder events;
  AddStandardDays(&events);
  std::mt19937 random(13);
  EventBuilder logged;
  AddDay(&logged, 5, 20, 10, &random, "m");
  {
    Table table(kTableOptions);
    StoreOptions options = Options();
    options.backup_root = root_;
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table, options));
    AppendInBatches(store.get(), &table, events.rows());
    ASSERT_OK(store->Checkpoint());
    LogAndAppend(store.get(), &table, logged.rows());
    ASSERT_OK(store->Backup(root_ + "/backup"));
    LogAndAppend(store.get(), &table, logged.rows());
  }
  // A torn tail is kept in quarantine/ when it is cut.
  const std::string wal = WalFiles().back();
  WriteFile(wal, ReadFile(wal) + std::string(30, '\x33'));
  {
    Table table(kTableOptions);
    ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
    EXPECT_TRUE(fs::exists(dir_ + "/quarantine"));
  }
  int files = 0;
  for (const std::string& top : {dir_, root_ + "/backup"}) {
    EXPECT_EQ(fs::status(top).permissions() & fs::perms::mask, fs::perms(0700)) << top;
    for (const auto& entry : fs::recursive_directory_iterator(top)) {
      const fs::perms expected = entry.is_directory() ? fs::perms(0700) : fs::perms(0600);
      EXPECT_EQ(fs::status(entry.path()).permissions() & fs::perms::mask, expected) << entry.path();
      files += entry.is_regular_file();
    }
  }
  EXPECT_GT(files, 10);
}

// --- 9. Orphans.

TEST_F(StoreTest, FilesNoManifestNamesAreRemovedAtOpen) {
  const std::vector<Row> rows = CheckpointStandardDays();
  const std::set<std::string> named = ReadManifest(dir_).names();
  WriteFile(dir_ + "/files/99999999.seg", "left by a crash");
  WriteFile(dir_ + "/files/99999998.head", "");
  WriteFile(dir_ + "/files/stray.tmp", "junk");
  Table table(kTableOptions);
  ASSERT_OK_AND_ASSIGN(auto store, Open(&table));
  EXPECT_EQ(ListDir(dir_ + "/files"), named);
  EXPECT_THAT(store->recovery().notes, Contains(HasSubstr("removed 3 files")));
  EXPECT_FALSE(store->recovery().degraded);
  ExpectTableHolds(table, rows);
}

}  // namespace
}  // namespace mua
