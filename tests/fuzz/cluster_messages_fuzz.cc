// Fuzzes what a node reads from another outside SQL (server/internal/cluster_messages.h): a
// statement on the control topic, and a sibling's snapshot listing. Any bytes end in an error
// or a value; a value decoded survives its encoding unchanged, and a listing only ever names
// MANIFEST and files/NAME (never a path out of the data directory).
//
// Input: byte 0 picks the decoder (even: control statement, odd: snapshot listing); the rest
// is the message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "server/internal/cluster_messages.h"

namespace {

using mua::server_internal::DecodeControlStatement;
using mua::server_internal::DecodeSnapshotListing;
using mua::server_internal::EncodeControlStatement;
using mua::server_internal::EncodeSnapshotListing;

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

int MuaClusterMessagesFuzz(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view message(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    const auto statement = DecodeControlStatement(message);
    if (statement.ok()) {
      const auto again = DecodeControlStatement(EncodeControlStatement(*statement));
      Check(again.ok() && *again == *statement);
    }
    return 0;
  }
  const auto listing = DecodeSnapshotListing(message, uint64_t{1} << 32);
  if (listing.ok()) {
    for (const auto& [path, bytes] : listing->files) {
      Check(path == "MANIFEST" || (path.rfind("files/", 0) == 0 && path.find("..") == std::string::npos &&
                                   path.find('/', 6) == std::string::npos));
      Check(bytes <= (uint64_t{1} << 32));
    }
    const auto again = DecodeSnapshotListing(EncodeSnapshotListing(*listing), uint64_t{1} << 32);
    Check(again.ok() && *again == *listing);
  }
  return 0;
}

#ifndef MUA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return MuaClusterMessagesFuzz(data, size); }
#endif
