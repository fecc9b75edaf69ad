// Whole small files, written as storage writes its own: private modes, fsynced, replaced
// atomically (a crash leaves the old text or the new, never a mix). For the modules above
// storage that keep a file beside the data (a cluster's control-topic offset, a sibling's
// snapshot copied into a data directory).
//
//   MUA_RETURN_IF_ERROR(ReplaceFileDurably(dir + "/control_offset", "next 42\n"));
//   MUA_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(dir + "/control_offset"));
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mua {

// Errors: NotFound when there is no such file; Internal with the errno text.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);
// Creates or truncates `path`, writes `bytes` and fsyncs the file (not its directory).
absl::Status WriteFileSynced(const std::string& path, absl::string_view bytes);
// `path` holds `bytes` afterwards, or its old text after a crash: a temporary beside it is
// written and synced, renamed over it, and the directory synced.
absl::Status ReplaceFileDurably(const std::string& path, absl::string_view bytes);
absl::Status SyncDirectory(const std::string& dir);
// `dir` and its missing parents, private to this user.
absl::Status MakePrivateDirectories(const std::string& dir);

}  // namespace mua
