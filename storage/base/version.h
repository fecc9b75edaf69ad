// MUA's version, as version() returns it and the HTTP error text and headers name it.
#pragma once

#include "absl/strings/string_view.h"

namespace mua {

inline constexpr absl::string_view kMuaVersion = "0.1";

}  // namespace mua
