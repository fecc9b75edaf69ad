// Percent-encoding of URL query parameters (RFC 3986), for the HTTP clients MUA is
// itself: mua-shell and a cluster coordinator calling its shards.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace mua {

// `text` with everything but RFC 3986 unreserved characters percent-encoded.
std::string UrlEncode(absl::string_view text);

}  // namespace mua
