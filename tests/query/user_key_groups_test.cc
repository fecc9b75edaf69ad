#include "query/internal/user_key_groups.h"

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace mua::query_internal {
namespace {

// Every (user, key) lookup against a std::map oracle: the same group number for the same
// pair, a new one (numbered in order of creation) for each new pair.
void CheckAgainstOracle(const std::vector<std::pair<uint32_t, Fingerprint128>>& lookups, uint32_t users) {
  UserKeyGroups groups(users);
  std::map<std::pair<uint32_t, Fingerprint128>, uint32_t> oracle;
  for (const auto& [user, key] : lookups) {
    bool created = false;
    const uint32_t group = groups.Find(user, key, &created);
    auto [it, inserted] = oracle.try_emplace({user, key}, static_cast<uint32_t>(oracle.size()));
    ASSERT_EQ(created, inserted) << user;
    ASSERT_EQ(group, it->second) << user;
  }
  EXPECT_EQ(groups.size(), oracle.size());
}

TEST(UserKeyGroupsTest, RunsRevisitsAndInterleavedKeys) {
  std::mt19937 random(7);
  std::vector<std::pair<uint32_t, Fingerprint128>> lookups;
  // Day after day, users in order, each with runs of its sessions: some continue from the
  // day before, some interleave (two devices), some come back after days.
  std::vector<std::vector<Fingerprint128>> sessions(50);
  for (int day = 0; day < 30; ++day) {
    for (uint32_t user = 0; user < sessions.size(); ++user) {
      std::vector<Fingerprint128>& mine = sessions[user];
      const int runs = static_cast<int>(random() % 4);
      for (int r = 0; r < runs; ++r) {
        if (mine.empty() || random() % 3 == 0) {
          mine.push_back(Fingerprint(absl::StrCat("s-", user, "-", day, "-", r)));
        }
        lookups.emplace_back(user, mine[random() % mine.size()]);
        lookups.emplace_back(user, mine.back());
      }
    }
  }
  CheckAgainstOracle(lookups, static_cast<uint32_t>(sessions.size()));
}

TEST(UserKeyGroupsTest, HeavyUsersPastTheChainLimit) {
  // One user with 1000 keys (past the per-user chain), revisited in any order, next to
  // light users; and keys equal across users stay apart.
  std::mt19937 random(11);
  std::vector<std::pair<uint32_t, Fingerprint128>> lookups;
  for (int k = 0; k < 1000; ++k) {
    lookups.emplace_back(3, Fingerprint(absl::StrCat("k", k)));
    lookups.emplace_back(1, Fingerprint(absl::StrCat("k", k % 5)));
    if (k % 7 == 0) lookups.emplace_back(3, Fingerprint(absl::StrCat("k", random() % (k + 1))));
  }
  for (int k = 0; k < 3000; ++k) lookups.emplace_back(3, Fingerprint(absl::StrCat("k", random() % 1200)));
  CheckAgainstOracle(lookups, 4);
}

TEST(UserKeyGroupsTest, KeysThatShareBloomBits) {
  // Fingerprints equal in their low 16 bits (the Bloom bits) but different: found apart.
  std::vector<std::pair<uint32_t, Fingerprint128>> lookups;
  for (uint64_t k = 0; k < 200; ++k) {
    lookups.emplace_back(0, Fingerprint128{0x1234 | (k << 16), k});
    lookups.emplace_back(0, Fingerprint128{0x1234, k});
    lookups.emplace_back(0, Fingerprint128{0x1234 | (k << 16), k});
  }
  CheckAgainstOracle(lookups, 1);
}

TEST(SameStringTest, EqualsStringEquality) {
  std::mt19937 random(3);
  for (int i = 0; i < 20000; ++i) {
    std::string a(random() % 70, 'x');
    for (char& c : a) c = static_cast<char>('a' + random() % 3);
    std::string b = a;
    if (random() % 2 == 0 && !b.empty()) b[random() % b.size()] ^= 1;
    if (random() % 8 == 0) b.push_back('a');
    ASSERT_EQ(SameString(a, b), a == b) << a << " / " << b;
  }
}

}  // namespace
}  // namespace mua::query_internal
