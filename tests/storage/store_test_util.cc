#include "tests/storage/store_test_util.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "rapidjson/document.h"
#include "storage/scan_block.h"
#include "storage/string_dictionary.h"
#include "storage/table_snapshot.h"

namespace mua::store_test {

namespace fs = std::filesystem;
using test::EventBuilder;
using test::MillisAt;

// --- Rows with owned values, and an order-independent checksum over them.

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

namespace {

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

}  // namespace

void PrintTo(const Digest& digest, std::ostream* os) {
  *os << "{rows=" << digest.rows << ", sum=" << digest.sum << "}";
}

// Sum of row hashes (order-independent); rows of `skip_user` left out.
Digest DigestOf(const std::vector<Row>& rows, absl::string_view skip_user) {
  Digest digest;
  for (const Row& row : rows) {
    if (!skip_user.empty() && row.values[ColumnIndex(ColumnId::kUserId)] == skip_user) continue;
    ++digest.rows;
    digest.sum += RowHash(row);
  }
  return digest;
}

Digest DigestOf(const Table& table, absl::string_view skip_user) {
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

namespace {

template <size_t N>
absl::string_view Pick(std::mt19937* random, const char* const (&values)[N]) {
  return values[(*random)() % N];
}

}  // namespace

// `count` events on day `day_offset` for users "<prefix>0".."<prefix><users-1>".
void AddDay(EventBuilder* events, int day_offset, int count, int users, std::mt19937* random,
            const std::string& prefix) {
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

void AddStandardDays(EventBuilder* events, uint32_t seed) {
  std::mt19937 random(seed);
  for (const auto& [day, count] : kRowsPerDay) AddDay(events, day, count, 400, &random);
}

// Rows in an order that mixes the days, so every batch touches several partitions.
std::vector<EventRow> Shuffled(absl::Span<const EventRow> rows, uint32_t seed) {
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
void FlipByte(const std::string& path, size_t from_end) {
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

// Checks that `table` holds exactly `expected`: rows, days, bitmaps and contents.
void ExpectTableHolds(const Table& table, const std::vector<Row>& expected) {
  EXPECT_EQ(table.row_count(), expected.size());
  EXPECT_EQ(RowsPerDay(table), RowsPerDay(expected));
  EXPECT_EQ(UsersOf(table), UsersOf(expected));
  EXPECT_EQ(DigestOf(table), DigestOf(expected));
}

}  // namespace mua::store_test
