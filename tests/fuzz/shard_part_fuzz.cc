// Fuzzes what one node of a cluster reads from another (query/distributed.h): a
// coordinator reading a shard's answer (the encoded partial aggregate, collected rows or
// table-function rows), and a shard reading the GLOBAL values a coordinator sends with
// its request. Arbitrary bytes, or a real part damaged at places the input picks, must end
// in an error or an answer, never a crash, an out-of-bounds read or an unbounded allocation.
//
// Input: byte 0 picks the statement (a partial aggregate over keys, user counts, states
// of avg, quantiles, arrays and strings, with the shards' own totals; collected rows with Nullable, arrays and tuples;
// a table function's rows, funnel's with its samples; GLOBAL subqueries). Byte 1: bit 6
// makes the rest the GLOBAL values of a shard's request; else bit 7 says whether the rest
// is the part itself (0) or edits of the real part (1): triples of (2-byte position, byte
// to xor), and the low 4 bits cut that many sixteenths off its end.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"
#include "tests/testutil/fixed_fanout.h"
#include "tools/gen/event_generator.h"

namespace {

using mua::ExecuteOptions;
using mua::ShardFanout;
using mua::ShardStage;
using mua::test::FixedFanout;

constexpr const char* kStatements[] = {
    "SELECT toDate(event_time) AS day, uniqExact(user_id), count(), avg(length(properties)), "
    "quantileExact(0.5)(length(event_id)), arraySort(groupUniqArray(platform)), min(country), "
    "uniqExact(session_id) FROM events GROUP BY day ORDER BY day",
    "SELECT platform, country, sumIf(1, event_type = 'purchase'), uniqExactIf(user_id, event_type = 'purchase') "
    "FROM events GROUP BY platform, country",
    "SELECT count(), uniq(user_id) FROM events",
    "SELECT user_id, event_type, nullIf(country, 'US') AS c, [length(event_id)] AS a, "
    "tuple(platform, 1) AS t FROM events ORDER BY event_time, event_id LIMIT 50",
    "SELECT user_id, count() AS n, groupArray(event_type) FROM events GROUP BY user_id ORDER BY n DESC, user_id LIMIT 20",
    "SELECT * FROM funnel(steps => ['app_open', 'view_item', 'purchase'], breakdown => platform)",
    "SELECT * FROM retention_matrix(period => 'day') ORDER BY cohort, k",
    "SELECT count() FROM events WHERE country IN (SELECT country FROM events WHERE event_type = 'purchase') "
    "AND length(event_id) > (SELECT min(length(event_id)) FROM events)",
    "SELECT toDate(event_time) AS day, uniqExact(user_id), count() FROM events GROUP BY day WITH TOTALS",
};
constexpr size_t kStatementCount = sizeof(kStatements) / sizeof(kStatements[0]);

struct World {
  mua::Table table{mua::TableOptions{.segment_rows = 400}};
  mua::Catalog catalog{&table};
  mua::SqlEngine engine{&table, &catalog};
  std::vector<std::string> real_parts;  // per statement: this table's own part
};

World* TheWorld() {
  static World* world = [] {
    auto* w = new World;
    mua::gen::EventGenerator generator({.users = 40, .days = 3, .seed = 5});
    std::vector<mua::gen::GeneratedEvent> day;
    while (generator.NextDay(&day)) {
      std::vector<mua::EventRow> rows;
      for (const auto& e : day) {
        if (!e.duplicate) rows.push_back(mua::gen::ToEventRow(e));
      }
      (void)w->table.Append(rows);
      w->table.SealAll();
    }
    for (const char* sql : kStatements) {
      std::string part;
      for (ShardStage stage : {ShardStage::kPartialAggregate, ShardStage::kCollect, ShardStage::kSourceRows}) {
        ExecuteOptions options;
        options.shard_stage = stage;
        absl::StatusOr<mua::StatementOutput> output = w->engine.Execute(sql, options);
        if (output.ok()) part = output->shard_part;
      }
      w->real_parts.push_back(part);
    }
    return w;
  }();
  return world;
}

}  // namespace

int MuaShardPartFuzz(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  World& world = *TheWorld();
  const size_t statement = data[0] % kStatementCount;
  if ((data[1] & 0x40) != 0) {
    // A shard given GLOBAL values (cluster_inputs) that are the rest of the input.
    ExecuteOptions shard;
    shard.shard_stage = ShardStage::kPartialAggregate;
    shard.shard_inputs.assign(reinterpret_cast<const char*>(data + 2), size - 2);
    (void)world.engine.Execute(kStatements[statement], shard);
    return 0;
  }
  std::string part;
  if ((data[1] & 0x80) == 0) {
    part.assign(reinterpret_cast<const char*>(data + 2), size - 2);
  } else {
    part = world.real_parts[statement];
    for (size_t i = 2; i + 2 < size && !part.empty(); i += 3) {
      const size_t at = (data[i] | (size_t{data[i + 1]} << 8)) % part.size();
      part[at] = static_cast<char>(part[at] ^ data[i + 2]);
    }
    part.resize(part.size() - part.size() * (data[1] & 0x0f) / 16);
  }
  FixedFanout fanout(std::move(part));
  ExecuteOptions options;
  options.fanout = &fanout;
  options.max_result_rows = 100000;
  (void)world.engine.Execute(kStatements[statement], options);
  return 0;
}

#ifndef MUA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return MuaShardPartFuzz(data, size); }
#endif
