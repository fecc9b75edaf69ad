#include "query/aggregates/tdigest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace mua::query_internal {
namespace {

constexpr double kEpsilon = 0.01;
constexpr size_t kMaxCentroids = 2048;
constexpr size_t kMaxUnmerged = 2048;
// A deserialized digest of more centroids than any writer keeps is corrupt.
constexpr size_t kMaxCentroidsRead = 65536;

bool CanMerge(double left_mean, float right_mean) {
  return left_mean == right_mean || (!std::isinf(left_mean) && !std::isinf(right_mean));
}

}  // namespace

void TDigest::Add(double value) {
  const float v = static_cast<float>(value);
  if (std::isnan(v)) return;
  AddCentroid({v, 1});
}

void TDigest::AddCentroid(Centroid c) {
  centroids_.push_back(c);
  count_ += c.count;
  if (++unmerged_ > kMaxUnmerged) Compress();
}

void TDigest::Merge(const TDigest& other) {
  for (const Centroid& c : other.centroids_) AddCentroid(c);
}

// Neighbouring centroids merge while their joint weight stays under
// 4 * epsilon * n * q * (1 - q) at the quantile q where they sit: small at the
// tails, largest at the median (the bound of the t-digest paper).
void TDigest::Compress() {
  if (unmerged_ > 0 || centroids_.size() > kMaxCentroids) {
    std::stable_sort(centroids_.begin(), centroids_.end(),
                     [](const Centroid& a, const Centroid& b) { return a.mean < b.mean; });
    const double count_epsilon_4 = count_ * kEpsilon * 4;
    double sum = 0;
    size_t left = 0;
    double left_mean = centroids_[0].mean;
    double left_count = centroids_[0].count;
    for (size_t right = 1; right < centroids_.size(); ++right) {
      const Centroid r = centroids_[right];
      const double q_left = (sum + left_count * 0.5) / count_;
      const double q_right = (sum + left_count + r.count * 0.5) / count_;
      const double bound = count_epsilon_4 * std::min(q_left * (1 - q_left), q_right * (1 - q_right));
      if (left_count + r.count <= bound && CanMerge(left_mean, r.mean)) {
        left_count += r.count;
        if (r.mean != left_mean) left_mean += r.count * (r.mean - left_mean) / left_count;
        centroids_[left] = {static_cast<float>(left_mean), static_cast<float>(left_count)};
      } else {
        sum += centroids_[left].count;
        ++left;
        centroids_[left] = r;
        left_mean = r.mean;
        left_count = r.count;
      }
    }
    count_ = sum + left_count;
    centroids_.resize(left + 1);
    unmerged_ = 0;
  }
  CompressBrute();
}

// Guarantees the size bound whatever the rounding above did: merges runs of
// neighbours into one.
void TDigest::CompressBrute() {
  if (centroids_.size() <= kMaxCentroids) return;
  const size_t batch = (centroids_.size() + kMaxCentroids - 1) / kMaxCentroids;
  std::vector<Centroid> merged;
  merged.reserve(kMaxCentroids);
  double total = 0;
  for (size_t begin = 0; begin < centroids_.size(); begin += batch) {
    const size_t end = std::min(centroids_.size(), begin + batch);
    double mean = centroids_[begin].mean;
    double count = centroids_[begin].count;
    for (size_t i = begin + 1; i < end; ++i) {
      count += centroids_[i].count;
      if (centroids_[i].mean != mean) mean += centroids_[i].count * (centroids_[i].mean - mean) / count;
    }
    if (std::isnan(mean)) continue;
    merged.push_back({static_cast<float>(mean), static_cast<float>(count)});
    total += count;
  }
  centroids_ = std::move(merged);
  count_ = total;
}

double TDigest::Quantile(double level) {
  if (centroids_.empty()) return std::numeric_limits<double>::quiet_NaN();
  Compress();
  if (centroids_.size() == 1) return centroids_[0].mean;
  const double x = level * count_;
  double prev_x = 0;
  float sum = 0;
  float prev_mean = centroids_[0].mean;
  float prev_count = centroids_[0].count;
  for (const Centroid& c : centroids_) {
    const double current_x = sum + c.count * 0.5;
    if (current_x >= x) {
      // A singleton stands for one exact point, not a spread of half-weights.
      const double left = prev_x + 0.5 * (prev_count == 1);
      const double right = current_x - 0.5 * (c.count == 1);
      if (x <= left) return prev_mean;
      if (x >= right) return c.mean;
      // In Float32 as ClickHouse interpolates.
      const float xf = static_cast<float>(x), lf = static_cast<float>(left);
      const float rf = static_cast<float>(right);
      const double k = (xf - lf) / (rf - lf);
      return static_cast<float>((1 - k) * prev_mean + k * c.mean);
    }
    sum += c.count;
    prev_mean = c.mean;
    prev_count = c.count;
    prev_x = current_x;
  }
  return centroids_.back().mean;
}

void TDigest::Write(StateWriter& out) {
  if (!centroids_.empty()) Compress();
  out.UInt(centroids_.size());
  for (const Centroid& c : centroids_) out.Bytes(&c.mean, 4).Bytes(&c.count, 4);
}

void TDigest::ReadInto(StateReader& in) {
  const uint64_t size = in.Count(8);
  if (size > kMaxCentroidsRead) {
    in.Invalidate();
    return;
  }
  std::vector<Centroid> read(size);
  for (Centroid& c : read) {
    const absl::string_view bytes = in.Bytes(8);
    if (!in.ok()) return;
    std::memcpy(&c.mean, bytes.data(), 4);
    std::memcpy(&c.count, bytes.data() + 4, 4);
    if (!(c.count > 0) || std::isnan(c.mean)) {
      in.Invalidate();
      return;
    }
  }
  for (const Centroid& c : read) AddCentroid(c);
}

}  // namespace mua::query_internal
