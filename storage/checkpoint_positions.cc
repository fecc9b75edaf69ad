#include "storage/checkpoint_positions.h"

#include "absl/strings/str_cat.h"
#include "storage/base/status_macros.h"
#include "storage/internal/file_format.h"
#include "storage/internal/manifest.h"

namespace mua {

absl::StatusOr<std::map<std::string, int64_t>> ReadCheckpointPositions(const std::string& dir) {
  const std::string path = dir + "/MANIFEST";
  MUA_ASSIGN_OR_RETURN(const std::string bytes,
                       storage_internal::ReadFramedFile(path, storage_internal::FileKind::kManifest));
  absl::StatusOr<storage_internal::Manifest> manifest = storage_internal::ParseManifest(bytes);
  if (!manifest.ok()) return absl::DataLossError(absl::StrCat(path, ": ", manifest.status().message()));
  return std::move(manifest->positions);
}

}  // namespace mua
