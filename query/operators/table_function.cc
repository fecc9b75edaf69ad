#include "query/operators/table_function.h"

#include "storage/base/status_macros.h"

namespace mua {

absl::StatusOr<std::shared_ptr<const ResultSet>> ProduceDeferredRows(const SourcePlan& source,
                                                                     const ExecutionContext& context) {
  MUA_RETURN_IF_ERROR(CheckInterrupted(context));
  return source.deferred.produce(context, source.deferred.columns_read);
}

}  // namespace mua
