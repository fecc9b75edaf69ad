// The fixed world the generator samples from: platforms, devices, OS versions, countries
// with regions/cities/UTC offsets, app releases, screens, items and event types.
// All tables are immutable static data; safe to read from any thread.
#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "tools/gen/internal/rng.h"

namespace mua::gen_internal {

enum class Platform : uint8_t { kAndroid, kIos, kWeb };
inline constexpr int kPlatformCount = 3;

enum class EventType : uint8_t {
  kAppOpen,
  kNotificationOpen,
  kSignUp,
  kLogin,
  kScreenView,
  kClick,
  kSearch,
  kViewItem,
  kAddToCart,
  kBeginCheckout,
  kPurchase,
  kShare,
  kAppCrash,
  kAppBackground,
};
inline constexpr int kEventTypeCount = 14;

struct Named {
  const char* name;
  double weight;
};
struct DeviceModel {
  const char* name;
  const char* type;  // phone, tablet or desktop
  double weight;
};
struct City {
  const char* region;
  const char* name;
  int utc_offset_minutes;  // October (daylight saving where it applies)
  double weight;
};
struct Country {
  const char* code;  // ISO 3166-1 alpha-2
  double weight;
  absl::Span<const City> cities;
};
struct AppRelease {
  const char* version;
  double release_fraction;  // release day = floor(fraction * days); < 0: before the period
  double crash_multiplier;
};

const char* PlatformName(Platform platform);
const char* EventTypeName(EventType type);
absl::Span<const Named> PlatformShares();  // indexed by Platform
absl::Span<const DeviceModel> DeviceModels(Platform platform);
absl::Span<const Named> OsVersions(Platform platform);
absl::Span<const Country> Countries();
absl::Span<const AppRelease> AppReleases();
// Period-relative day a release comes out in a period of `days` days (may be < 0).
int ReleaseDay(const AppRelease& release, int days);
// Per-event crash probability on a release with crash_multiplier 1.
double BaseCrashRate(Platform platform);
absl::Span<const Named> CrashExceptions(Platform platform);
// UTC offset of a catalog city, or 0 if unknown.
int UtcOffsetMinutes(absl::string_view country, absl::string_view city);

// Small vocabularies for properties; weights give their popularity.
absl::Span<const Named> Screens();
absl::Span<const Named> Buttons();
absl::Span<const Named> SearchQueries();
absl::Span<const Named> OpenSources();
absl::Span<const Named> Campaigns();
absl::Span<const Named> AuthMethods(Platform platform);
absl::Span<const Named> ShareChannels();
absl::Span<const Named> ItemCategories();

// Items are "sku_<n>" for n in [1, kItemCount]; price and category are functions of n.
inline constexpr int kItemCount = 5000;
int ItemPriceCents(uint32_t item);
absl::string_view ItemCategory(uint32_t item);

// Index into items sampled by their weight field.
template <typename T>
int SampleByWeight(absl::Span<const T> items, Rng& rng) {
  double total = 0;
  for (const T& item : items) total += item.weight;
  double point = rng.Uniform() * total;
  for (size_t i = 0; i < items.size(); ++i) {
    point -= items[i].weight;
    if (point < 0) return static_cast<int>(i);
  }
  return static_cast<int>(items.size()) - 1;
}

}  // namespace mua::gen_internal
