// system.query_log: ClickHouse's query log, built from the audit records of SQL
// requests (server/audit_log.h, a bounded ring): a finished statement shows as a
// 'QueryStart' and a 'QueryFinish' row, a failed one as 'ExceptionBeforeStart'
// (refused before running: syntax, names, roles, limits) or as 'QueryStart' and
// 'ExceptionWhileProcessing'. A non-admin sees only their own statements.
//
//   RegisterQueryLog(&catalog, audit.get());
#pragma once

namespace mua {

class AuditLog;
class Catalog;

// REQUIRES: `audit` (may be null: an empty table) outlives the catalog's use.
void RegisterQueryLog(Catalog* catalog, const AuditLog* audit);

}  // namespace mua
