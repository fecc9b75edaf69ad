#include "query/operators/values.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace mua {
namespace {

class ValuesOperator : public Operator {
 public:
  ValuesOperator(ResultSet rows, std::string name) : rows_(std::move(rows)), name_(std::move(name)) {}

  absl::StatusOr<ResultSet> Execute(const ExecutionContext& context) const override {
    absl::Status status = CheckInterrupted(context);
    if (!status.ok()) return status;
    return rows_;
  }

  void Explain(int indent, std::vector<std::string>* lines) const override {
    lines->push_back(absl::StrCat(std::string(indent, ' '), name_, " (", rows_.row_count, " rows)"));
  }

 private:
  const ResultSet rows_;
  const std::string name_;
};

}  // namespace

OperatorPtr MakeValues(ResultSet rows, std::string name) {
  return std::make_shared<ValuesOperator>(std::move(rows), std::move(name));
}

}  // namespace mua
