// What nodes of a cluster tell each other outside SQL, as bytes: a statement on the control
// topic (server/cluster_control.h) and a sibling's snapshot listing (server/cluster_snapshot.h).
// Both arrive from elsewhere, so their decoders take any bytes (fuzzed: mua_cluster_messages_fuzz).
//
//   std::string message = EncodeControlStatement({.id = 7, .origin = "h:1", .sql = "DROP TABLE t"});
//   MUA_ASSIGN_OR_RETURN(ControlStatement statement, DecodeControlStatement(message));
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mua::server_internal {

// {"v":1,"id":..,"origin":"HOST:PORT","sql":"...","params":{"name":"value"}}
struct ControlStatement {
  uint64_t id = 0;     // the sender's, to find its own result
  std::string origin;  // the node that sent it
  std::string sql;     // the whole statement, an INSERT's rows included
  std::map<std::string, std::string, std::less<>> params;  // query parameters
  bool operator==(const ControlStatement&) const = default;
};

std::string EncodeControlStatement(const ControlStatement& statement);
// Errors: InvalidArgument for anything but a version 1 statement (bounded JSON).
absl::StatusOr<ControlStatement> DecodeControlStatement(absl::string_view message);

// {"id":"<16 hex>","files":[{"path":"MANIFEST","bytes":N},{"path":"files/NAME","bytes":N},...]}
struct SnapshotListing {
  std::string id;
  std::vector<std::pair<std::string, uint64_t>> files;  // path, bytes
  bool operator==(const SnapshotListing&) const = default;
};

// A snapshot id as a node makes them: 16 hex digits.
bool ValidSnapshotId(absl::string_view id);
// The files a sibling may fetch: MANIFEST and files/NAME (no other directory, no "..").
bool ValidSnapshotFile(absl::string_view path);

std::string EncodeSnapshotListing(const SnapshotListing& listing);
// Errors: DataLoss for a listing that is not a node's: a bad id, a path ValidSnapshotFile
// refuses, a file over `max_file_bytes`, no MANIFEST.
absl::StatusOr<SnapshotListing> DecodeSnapshotListing(absl::string_view json, uint64_t max_file_bytes);

}  // namespace mua::server_internal
