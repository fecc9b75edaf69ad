// UserBitmap: a compressed set of dense user numbers (CRoaring). Debian 12's
// CRoaring 0.2 declares its C++ class in the global namespace (newer releases
// move it to `roaring::`); code names it only through this alias.
#pragma once

#include "roaring/roaring.hh"

namespace mua {

using UserBitmap = ::Roaring;

}  // namespace mua
