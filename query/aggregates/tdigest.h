// TDigest: the t-digest of quantileTDigest as ClickHouse keeps it (Float32
// centroids, compression epsilon 0.01, at most 2048 centroids, compressing
// every 2048 unmerged points), so results agree with ClickHouse's within
// float rounding. Exact while every centroid holds one point: small inputs
// give the same answers as interpolating between the sorted values.
//
//   TDigest digest;
//   for (double x : values) digest.Add(x);
//   double median = digest.Quantile(0.5);
#pragma once

#include <cstddef>
#include <vector>

#include "query/aggregates/state_io.h"

namespace mua::query_internal {

class TDigest {
 public:
  // NaN values are not samples (ClickHouse skips them).
  void Add(double value);
  void Merge(const TDigest& other);
  // NaN when empty. Compresses first (hence non-const).
  double Quantile(double level);

  void Write(StateWriter& out);
  // Merges a digest written by Write; invalidates `in` when malformed.
  void ReadInto(StateReader& in);

  size_t centroid_count() const { return centroids_.size(); }

 private:
  struct Centroid {
    float mean;
    float count;
  };
  void AddCentroid(Centroid c);
  void Compress();
  void CompressBrute();

  std::vector<Centroid> centroids_;
  double count_ = 0;
  size_t unmerged_ = 0;
};

}  // namespace mua::query_internal
