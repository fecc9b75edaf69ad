#include "query/internal/group_table.h"

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/string_dictionary.h"

namespace mua::query_internal {
namespace {

// Rows of (user code, session string) keys drawn from a small universe, so keys repeat, in
// runs (as sealed blocks give them) and scattered.
struct Rows {
  Vector users;
  Vector sessions;
  std::vector<std::string> storage;
};

Rows MakeRows(const StringDictionary& users, size_t count, std::mt19937* random) {
  Rows rows;
  rows.users.type = DataType::Of(TypeId::kString);
  rows.users.dictionary = &users;
  rows.sessions.type = DataType::Of(TypeId::kString);
  rows.storage.reserve(count);
  while (rows.storage.size() < count) {
    const uint32_t user = (*random)() % users.size();
    const std::string session = absl::StrCat("session-", user % 7, "-", (*random)() % 3);
    const size_t run = 1 + (*random)() % 4;
    for (size_t i = 0; i < run && rows.storage.size() < count; ++i) {
      rows.users.codes.push_back(user);
      rows.storage.push_back(session);
    }
  }
  for (const std::string& s : rows.storage) rows.sessions.strings.push_back(s);
  rows.users.size = rows.sessions.size = count;
  return rows;
}

// Checks that `groups` numbers the distinct keys of `rows` one to one, and that the table's
// key vectors give each group's key back.
void ExpectExactGrouping(const Rows& rows, const std::vector<uint32_t>& groups, const GroupTable& table,
                         std::map<std::pair<uint32_t, std::string>, uint32_t>* seen) {
  for (size_t row = 0; row < groups.size(); ++row) {
    const std::pair<uint32_t, std::string> key{rows.users.codes[row], rows.storage[row]};
    auto [it, inserted] = seen->try_emplace(key, groups[row]);
    EXPECT_EQ(it->second, groups[row]) << "row " << row;
  }
  EXPECT_EQ(table.size(), seen->size());
  const std::vector<Vector> keys = table.KeyVectors();
  ASSERT_EQ(keys.size(), 2u);
  for (const auto& [key, group] : *seen) {
    EXPECT_EQ(keys[0].codes[group], key.first);
    EXPECT_EQ(keys[1].strings[group], key.second);
  }
}

TEST(GroupTableTest, UserAndStringKeysAcrossShardsAndTables) {
  StringDictionary users;
  for (int i = 0; i < 5000; ++i) users.GetOrAdd(absl::StrCat("user-", i));  // several shards
  std::mt19937 random(7);
  const Rows first = MakeRows(users, 20000, &random);
  const Rows second = MakeRows(users, 20000, &random);

  GroupTable table;
  std::vector<uint32_t> groups;
  std::map<std::pair<uint32_t, std::string>, uint32_t> seen;
  table.Map({first.users, first.sessions}, 20000, &groups);
  ExpectExactGrouping(first, groups, table, &seen);

  // A second worker's table, merged as the executor does.
  GroupTable other;
  std::vector<uint32_t> other_groups;
  other.Map({second.users, second.sessions}, 20000, &other_groups);
  const std::vector<uint32_t> targets = table.Absorb(other);
  ASSERT_EQ(targets.size(), other.size());
  std::vector<uint32_t> merged(other_groups.size());
  for (size_t row = 0; row < other_groups.size(); ++row) merged[row] = targets[other_groups[row]];
  ExpectExactGrouping(second, merged, table, &seen);
}

TEST(GroupTableTest, OneStringKeyAndTwoIntegerKeys) {
  GroupTable strings;
  Vector names;
  names.type = DataType::Of(TypeId::kString);
  const std::vector<std::string> values = {"a", "b", "a", "", "b", "b", ""};
  for (const std::string& v : values) names.strings.push_back(v);
  names.size = values.size();
  std::vector<uint32_t> groups;
  strings.Map({names}, values.size(), &groups);
  EXPECT_EQ(groups, (std::vector<uint32_t>{0, 1, 0, 2, 1, 1, 2}));

  GroupTable ints;
  Vector a = Vector::ConstantInt(DataType::Of(TypeId::kInt64), 0, 4);
  a.constant = false;
  a.ints = {1, 1, 2, 1};
  Vector b = Vector::ConstantInt(DataType::Of(TypeId::kInt64), 0, 4);
  b.constant = false;
  b.ints = {5, 6, 5, 5};
  ints.Map({a, b}, 4, &groups);
  EXPECT_EQ(groups, (std::vector<uint32_t>{0, 1, 2, 0}));
}

}  // namespace
}  // namespace mua::query_internal
