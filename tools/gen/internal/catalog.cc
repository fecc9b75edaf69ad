#include "tools/gen/internal/catalog.h"

#include <cmath>
#include <iterator>

namespace mua::gen_internal {
namespace {

constexpr Named kPlatformShares[] = {{"android", 55}, {"ios", 40}, {"web", 5}};

constexpr DeviceModel kAndroidDevices[] = {
    {"Samsung Galaxy S23", "phone", 9},
    {"Samsung Galaxy A54", "phone", 12},
    {"Samsung Galaxy A14", "phone", 10},
    {"Google Pixel 8", "phone", 5},
    {"Google Pixel 7a", "phone", 4},
    {"Xiaomi Redmi Note 12", "phone", 11},
    {"Xiaomi 13T", "phone", 3},
    {"OnePlus 11", "phone", 3},
    {"Motorola Moto G84", "phone", 5},
    {"OPPO A78", "phone", 4},
    {"vivo Y36", "phone", 4},
    {"Samsung Galaxy Tab S9", "tablet", 2},
    {"Lenovo Tab P11", "tablet", 1.5},
    {"Samsung Galaxy Tab A8", "tablet", 2},
};
constexpr DeviceModel kIosDevices[] = {
    {"iPhone 15 Pro", "phone", 10},      {"iPhone 15", "phone", 9},
    {"iPhone 14", "phone", 12},          {"iPhone 14 Pro Max", "phone", 6},
    {"iPhone 13", "phone", 13},          {"iPhone 12", "phone", 9},
    {"iPhone SE (3rd gen)", "phone", 4}, {"iPhone 11", "phone", 7},
    {"iPad (10th gen)", "tablet", 4},    {"iPad Air (5th gen)", "tablet", 2.5},
    {"iPad Pro 11-inch", "tablet", 1.5},
};
constexpr DeviceModel kWebDevices[] = {
    {"Windows PC", "desktop", 55},
    {"Mac", "desktop", 30},
    {"Chromebook", "desktop", 8},
    {"Linux PC", "desktop", 4},
};

constexpr Named kAndroidOs[] = {{"14", 38}, {"13", 30}, {"12", 15}, {"11", 9}, {"10", 5}, {"9", 3}};
constexpr Named kIosOs[] = {{"17.1", 30}, {"17.0.3", 22}, {"16.7", 18}, {"16.6.1", 12},
                            {"15.8", 8},  {"17.2", 6},    {"14.8.1", 4}};
constexpr Named kWebOs[] = {{"Windows 11", 35}, {"Windows 10", 30},  {"macOS 14", 17},
                            {"macOS 13", 8},    {"ChromeOS 118", 7}, {"Linux", 3}};

constexpr City kUs[] = {
    {"California", "Los Angeles", -420, 9},  {"California", "San Francisco", -420, 5},
    {"New York", "New York City", -240, 12}, {"Texas", "Houston", -300, 7},
    {"Illinois", "Chicago", -300, 6},        {"Washington", "Seattle", -420, 4},
    {"Florida", "Miami", -240, 5},           {"Georgia", "Atlanta", -240, 4}};
constexpr City kIn[] = {{"Maharashtra", "Mumbai", 330, 10},
                        {"Delhi", "New Delhi", 330, 9},
                        {"Karnataka", "Bengaluru", 330, 8},
                        {"Tamil Nadu", "Chennai", 330, 5},
                        {"Telangana", "Hyderabad", 330, 5}};
constexpr City kBr[] = {{"São Paulo", "São Paulo", -180, 10},
                        {"Rio de Janeiro", "Rio de Janeiro", -180, 6},
                        {"Minas Gerais", "Belo Horizonte", -180, 3}};
constexpr City kDe[] = {{"Berlin", "Berlin", 120, 5},
                        {"Bavaria", "Munich", 120, 4},
                        {"Hamburg", "Hamburg", 120, 3},
                        {"North Rhine-Westphalia", "Cologne", 120, 3}};
constexpr City kGb[] = {{"England", "London", 60, 10},
                        {"England", "Manchester", 60, 3},
                        {"Scotland", "Edinburgh", 60, 2}};
constexpr City kFr[] = {{"Île-de-France", "Paris", 120, 8},
                        {"Auvergne-Rhône-Alpes", "Lyon", 120, 3},
                        {"Provence-Alpes-Côte d'Azur", "Marseille", 120, 2}};
constexpr City kId[] = {{"Jakarta", "Jakarta", 420, 8}, {"East Java", "Surabaya", 420, 3}};
constexpr City kMx[] = {{"Mexico City", "Mexico City", -360, 8},
                        {"Jalisco", "Guadalajara", -360, 3},
                        {"Nuevo León", "Monterrey", -360, 2}};
constexpr City kJp[] = {{"Tokyo", "Tokyo", 540, 10}, {"Osaka", "Osaka", 540, 4}};
constexpr City kTr[] = {{"Istanbul", "Istanbul", 180, 8}, {"Ankara", "Ankara", 180, 3}};
constexpr City kCa[] = {{"Ontario", "Toronto", -240, 6},
                        {"British Columbia", "Vancouver", -420, 3},
                        {"Quebec", "Montreal", -240, 3}};
constexpr City kEs[] = {{"Madrid", "Madrid", 120, 5}, {"Catalonia", "Barcelona", 120, 4}};
constexpr City kIt[] = {{"Lazio", "Rome", 120, 4}, {"Lombardy", "Milan", 120, 4}};
constexpr City kKr[] = {{"Seoul", "Seoul", 540, 8}, {"Busan", "Busan", 540, 2}};
constexpr City kPh[] = {{"Metro Manila", "Manila", 480, 7}, {"Cebu", "Cebu City", 480, 2}};
constexpr City kVn[] = {{"Ho Chi Minh City", "Ho Chi Minh City", 420, 5},
                        {"Hanoi", "Hanoi", 420, 4}};
constexpr City kNg[] = {{"Lagos", "Lagos", 60, 6}, {"Federal Capital Territory", "Abuja", 60, 2}};
constexpr City kPl[] = {{"Masovia", "Warsaw", 120, 4}, {"Lesser Poland", "Kraków", 120, 2}};
constexpr City kAu[] = {{"New South Wales", "Sydney", 660, 5},
                        {"Victoria", "Melbourne", 660, 4},
                        {"Queensland", "Brisbane", 600, 2}};
constexpr City kNl[] = {{"North Holland", "Amsterdam", 120, 4},
                        {"South Holland", "Rotterdam", 120, 2}};
constexpr City kAr[] = {{"Buenos Aires", "Buenos Aires", -180, 6}, {"Córdoba", "Córdoba", -180, 2}};
constexpr City kCo[] = {{"Bogotá", "Bogotá", -300, 5}, {"Antioquia", "Medellín", -300, 3}};
constexpr City kEg[] = {{"Cairo", "Cairo", 180, 6}, {"Alexandria", "Alexandria", 180, 2}};
constexpr City kTh[] = {{"Bangkok", "Bangkok", 420, 7}, {"Chiang Mai", "Chiang Mai", 420, 1}};
constexpr City kSa[] = {{"Riyadh", "Riyadh", 180, 5}, {"Makkah", "Jeddah", 180, 3}};
constexpr City kZa[] = {{"Gauteng", "Johannesburg", 120, 5}, {"Western Cape", "Cape Town", 120, 3}};
constexpr City kSe[] = {{"Stockholm", "Stockholm", 120, 4},
                        {"Västra Götaland", "Gothenburg", 120, 2}};
constexpr City kPk[] = {{"Sindh", "Karachi", 300, 5}, {"Punjab", "Lahore", 300, 4}};
constexpr City kUa[] = {{"Kyiv", "Kyiv", 180, 4}, {"Lviv", "Lviv", 180, 2}};
constexpr City kCl[] = {{"Santiago Metropolitan", "Santiago", -180, 5},
                        {"Valparaíso", "Valparaíso", -180, 1}};

// Roughly Zipf-shaped shares of a global consumer app's audience.
const Country kCountries[] = {
    {"US", 22, kUs},  {"IN", 14, kIn},  {"BR", 9, kBr},   {"DE", 6, kDe},   {"GB", 5.5, kGb},
    {"FR", 4.5, kFr}, {"ID", 4.2, kId}, {"MX", 4, kMx},   {"JP", 3.8, kJp}, {"TR", 3.2, kTr},
    {"CA", 3, kCa},   {"ES", 2.8, kEs}, {"IT", 2.6, kIt}, {"KR", 2.4, kKr}, {"PH", 2.2, kPh},
    {"VN", 2, kVn},   {"NG", 1.8, kNg}, {"PL", 1.6, kPl}, {"AU", 1.5, kAu}, {"NL", 1.3, kNl},
    {"AR", 1.2, kAr}, {"CO", 1.1, kCo}, {"EG", 1, kEg},   {"TH", 1, kTh},   {"SA", 0.9, kSa},
    {"ZA", 0.8, kZa}, {"SE", 0.7, kSe}, {"PK", 0.7, kPk}, {"UA", 0.6, kUa}, {"CL", 0.6, kCl},
};

// 4.3.0 is a crash-prone build (5x the crash rate); 4.3.1 is its hotfix.
constexpr AppRelease kReleases[] = {
    {"4.2.0", -0.3, 1.0}, {"4.2.1", 0.2, 0.9},  {"4.3.0", 0.43, 5.0},
    {"4.3.1", 0.6, 1.0},  {"4.4.0", 0.85, 0.8},
};

constexpr Named kAndroidExceptions[] = {{"java.lang.NullPointerException", 40},
                                        {"java.lang.IllegalStateException", 25},
                                        {"java.lang.OutOfMemoryError", 12},
                                        {"android.os.DeadObjectException", 8},
                                        {"java.lang.IndexOutOfBoundsException", 15}};
constexpr Named kIosExceptions[] = {{"EXC_BAD_ACCESS", 45},
                                    {"SIGABRT", 25},
                                    {"NSInvalidArgumentException", 15},
                                    {"NSRangeException", 10},
                                    {"EXC_BREAKPOINT", 5}};
constexpr Named kWebExceptions[] = {
    {"TypeError", 55}, {"ReferenceError", 20}, {"RangeError", 10}, {"ChunkLoadError", 15}};

constexpr Named kScreens[] = {{"home", 30},        {"feed", 20},          {"catalog", 14},
                              {"item_detail", 12}, {"search_results", 8}, {"cart", 5},
                              {"profile", 4},      {"settings", 2},       {"notifications", 3},
                              {"wishlist", 2},     {"onboarding", 0}};
constexpr Named kButtons[] = {{"btn_like", 20},      {"btn_add_wishlist", 8}, {"btn_filter", 10},
                              {"btn_sort", 6},       {"tab_home", 15},        {"tab_feed", 12},
                              {"tab_profile", 6},    {"btn_banner", 9},       {"btn_see_all", 8},
                              {"btn_close_popup", 6}};
constexpr Named kQueries[] = {{"running shoes", 9}, {"headphones", 8},   {"iphone case", 7},
                              {"dress", 6},         {"backpack", 5},     {"smart watch", 5},
                              {"sneakers", 5},      {"coffee maker", 3}, {"yoga mat", 3},
                              {"sunglasses", 3},    {"gaming mouse", 3}, {"jacket", 4},
                              {"kids toys", 2},     {"lamp", 2},         {"perfume", 2}};
constexpr Named kOpenSources[] = {{"launcher", 78}, {"push", 14}, {"deeplink", 8}};
constexpr Named kCampaigns[] = {
    {"daily_digest", 40}, {"cart_reminder", 25}, {"winback_d7", 15}, {"price_drop", 20}};
constexpr Named kAndroidAuth[] = {{"google", 55}, {"email", 35}, {"facebook", 10}};
constexpr Named kIosAuth[] = {{"apple", 50}, {"email", 30}, {"google", 20}};
constexpr Named kWebAuth[] = {{"email", 50}, {"google", 45}, {"facebook", 5}};
constexpr Named kShareChannels[] = {{"whatsapp", 40},  {"instagram", 20}, {"copy_link", 20},
                                    {"messenger", 10}, {"email", 5},      {"sms", 5}};
constexpr Named kCategories[] = {{"shoes", 1}, {"electronics", 1}, {"apparel", 1},
                                 {"home", 1},  {"beauty", 1},      {"sports", 1},
                                 {"toys", 1},  {"accessories", 1}};
constexpr int kPriceTiers[] = {99,   299,  499,  799,  999,  1499, 1999,
                               2499, 2999, 3999, 4999, 7999, 9999, 14999};

}  // namespace

const char* PlatformName(Platform platform) {
  return kPlatformShares[static_cast<int>(platform)].name;
}

const char* EventTypeName(EventType type) {
  static constexpr const char* kNames[kEventTypeCount] = {
      "app_open",  "notification_open", "sign_up",     "login",          "screen_view", "click",
      "search",    "view_item",         "add_to_cart", "begin_checkout", "purchase",    "share",
      "app_crash", "app_background"};
  return kNames[static_cast<int>(type)];
}

absl::Span<const Named> PlatformShares() { return kPlatformShares; }

absl::Span<const DeviceModel> DeviceModels(Platform platform) {
  switch (platform) {
    case Platform::kAndroid:
      return kAndroidDevices;
    case Platform::kIos:
      return kIosDevices;
    case Platform::kWeb:
      break;
  }
  return kWebDevices;
}

absl::Span<const Named> OsVersions(Platform platform) {
  switch (platform) {
    case Platform::kAndroid:
      return kAndroidOs;
    case Platform::kIos:
      return kIosOs;
    case Platform::kWeb:
      break;
  }
  return kWebOs;
}

absl::Span<const Country> Countries() { return kCountries; }
absl::Span<const AppRelease> AppReleases() { return kReleases; }

int ReleaseDay(const AppRelease& release, int days) {
  return static_cast<int>(std::floor(release.release_fraction * days));
}

double BaseCrashRate(Platform platform) {
  switch (platform) {
    case Platform::kAndroid:
      return 0.0012;
    case Platform::kIos:
      return 0.0008;
    case Platform::kWeb:
      break;
  }
  return 0.0004;
}

absl::Span<const Named> CrashExceptions(Platform platform) {
  switch (platform) {
    case Platform::kAndroid:
      return kAndroidExceptions;
    case Platform::kIos:
      return kIosExceptions;
    case Platform::kWeb:
      break;
  }
  return kWebExceptions;
}

int UtcOffsetMinutes(absl::string_view country, absl::string_view city) {
  for (const Country& c : kCountries) {
    if (country != c.code) continue;
    for (const City& town : c.cities) {
      if (city == town.name) return town.utc_offset_minutes;
    }
  }
  return 0;
}

absl::Span<const Named> Screens() { return kScreens; }
absl::Span<const Named> Buttons() { return kButtons; }
absl::Span<const Named> SearchQueries() { return kQueries; }
absl::Span<const Named> OpenSources() { return kOpenSources; }
absl::Span<const Named> Campaigns() { return kCampaigns; }
absl::Span<const Named> AuthMethods(Platform platform) {
  switch (platform) {
    case Platform::kAndroid:
      return kAndroidAuth;
    case Platform::kIos:
      return kIosAuth;
    case Platform::kWeb:
      break;
  }
  return kWebAuth;
}
absl::Span<const Named> ShareChannels() { return kShareChannels; }
absl::Span<const Named> ItemCategories() { return kCategories; }

int ItemPriceCents(uint32_t item) {
  return kPriceTiers[Mix64(item * 0x51ULL) % std::size(kPriceTiers)];
}

absl::string_view ItemCategory(uint32_t item) {
  return kCategories[Mix64(item * 0x7fULL + 3) % std::size(kCategories)].name;
}

}  // namespace mua::gen_internal
