// Array functions over Array(T) of a scalar T (offsets + elements in one Vector).
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"

namespace mua::query_internal {

void RegisterArray(FunctionRegistry*) {}

}  // namespace mua::query_internal
