// A coordinator's ShardFanout whose one other shard answers with fixed bytes: what the
// tests and the fuzz harness feed a coordinator as a shard's part (query/distributed.h).
//
//   FixedFanout fanout(bytes);
//   ExecuteOptions options;
//   options.fanout = &fanout;
#pragma once

#include <atomic>
#include <string>
#include <utility>

#include "sql/sql_engine.h"

namespace mua::test {

class FixedFanout final : public ShardFanout {
 public:
  explicit FixedFanout(std::string part) : part_(std::move(part)) {}
  absl::StatusOr<Answers> Run(ShardStage, absl::string_view, absl::string_view, bool, absl::Time,
                              const std::atomic<bool>*) const override {
    Answers answers;
    answers.parts.push_back(part_);
    return answers;
  }

 private:
  std::string part_;
};

}  // namespace mua::test
