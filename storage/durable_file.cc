#include "storage/durable_file.h"

#include "absl/strings/str_cat.h"
#include "storage/base/status_macros.h"
#include "storage/internal/file_format.h"

namespace mua {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) { return storage_internal::ReadWholeFile(path); }

absl::Status WriteFileSynced(const std::string& path, absl::string_view bytes) {
  return storage_internal::WriteFileAndSync(path, bytes);
}

absl::Status ReplaceFileDurably(const std::string& path, absl::string_view bytes) {
  const std::string temporary = absl::StrCat(path, ".tmp");
  MUA_RETURN_IF_ERROR(storage_internal::WriteFileAndSync(temporary, bytes));
  const size_t slash = path.rfind('/');
  return storage_internal::RenameDurably(temporary, path, slash == std::string::npos ? "." : path.substr(0, slash));
}

absl::Status SyncDirectory(const std::string& dir) { return storage_internal::SyncDirectory(dir); }

absl::Status MakePrivateDirectories(const std::string& dir) { return storage_internal::MakePrivateDirectories(dir); }

}  // namespace mua
