// The plan types moved to query/logical_plan.h (the logical plan: query
// blocks, sources, prepared subqueries, bitmap paths); this header stays for
// the code that includes it.
#pragma once

#include "query/logical_plan.h"
