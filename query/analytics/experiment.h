// Experiments (SPEC §5b): who was assigned which variant, and how each variant's users
// did on a metric afterwards, with the statistics that say whether a difference is real.
//
// Assignments come from the events themselves: an `ab_test_variants` object
// ({"checkout_v2": "treatment", ...}) sent at the top level or under `user` (kept in the
// `attributes` column), and exposure events (event_type = the exposure event name,
// properties `experiment` and `variant`). A user's exposure is their first event that
// carries an assignment for the experiment; a user seen in two variants of one
// experiment is excluded (and counted). Because assignments are read from the stored
// rows, they are exact across restarts, erasure (DELETE) and retention by construction.
//
//   ExperimentOptions options{.name = "checkout_v2", .metric = ExperimentMetric::kConversion,
//                             .event = "purchase", .window_ms = 7 * 86400000};
//   MUA_ASSIGN_OR_RETURN(ResultSet rows, Experiment(snapshot, scope, options));
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "query/analytics.h"

namespace mua {

// The event_type of exposure events unless the server is told otherwise (--exposure_event).
inline constexpr char kDefaultExposureEvent[] = "experiment_exposure";

// The exposure event name experiment() and system.experiments use unless told otherwise;
// the server sets it once from --exposure_event. Thread-safe.
void SetDefaultExposureEvent(std::string event_type);
std::string DefaultExposureEvent();

enum class ExperimentMetric { kConversion, kCount, kSum, kRetention };

struct ExperimentOptions {
  std::string name;  // the experiment
  ExperimentMetric metric = ExperimentMetric::kConversion;
  // The metric's event type; empty: any event (count and retention only).
  std::string event;
  // Each user's metric counts their events in [exposure, exposure + window), bounded by the
  // scope's `to`; 0: up to `to`.
  int64_t window_ms = 0;
  std::string control = "control";  // empty: "control" if present, else the first variant by name
  std::string value_property;       // kSum: the numeric property summed (JSONExtractFloat)
  int retention_day = 7;            // kRetention: active on local day k after the exposure day
  double alpha = 0.05;
  // Expected shares of the variants in row order (control first, then by name); empty: equal.
  std::vector<double> weights;
  bool cuped = false;  // not with kRetention
  std::string exposure_event = kDefaultExposureEvent;
};

// Rows, control first then the other variants by name (per breakdown value when the scope
// has one, the breakdown value being the column's on the user's exposure event):
//   variant, [breakdown,] users, value, mean, stddev, lift, lift_ci_low, lift_ci_high,
//   p_value, chance_to_beat_control, significant, srm_p_value, excluded_users, note
// Population: users whose exposure lies in [from, to) (with `where`: their first exposure
// among the events that pass it; the metric reads only such events too).
// With `with_parts` (a cluster's shard), each row ends with a column `parts`
// Array(Float64): its arm's mergeable moments, which ExperimentRowsMerge adds up over the
// shards before computing the statistics once more (users live on one shard each).
absl::StatusOr<ResultSet> Experiment(const TableSnapshot& snapshot, const AnalyticsScope& scope,
                                     const ExperimentOptions& options, bool with_parts = false);

// How a cluster's coordinator merges the shards' experiment rows.
std::shared_ptr<const RowsMerge> ExperimentRowsMerge(const ExperimentOptions& options, bool breakdown);

// The background half of reading assignments: computes and keeps (storage/derived_block.h)
// the assignments of up to `max_blocks` sealed blocks that have none yet, so the first
// experiment() after a load or a restart need not parse every block's `attributes`.
// Returns the blocks computed: 0 when every sealed block has them, or when the kept values'
// budget is spent (nothing computed would be kept, so the caller should stop asking).
size_t KeepExperimentAssignments(const TableSnapshot& snapshot, size_t max_blocks);

// One experiment seen in the stored events (system.experiments).
struct ExperimentSummary {
  std::string name;
  std::vector<std::string> variants;      // by name
  std::vector<uint64_t> users_per_variant;  // users assigned only that variant
  int64_t first_exposure_ms = 0;
  int64_t last_exposure_ms = 0;  // the latest first exposure
  uint64_t excluded_users = 0;   // users seen in two or more variants
};

// Every experiment with at least one assignment, by name.
absl::StatusOr<std::vector<ExperimentSummary>> ExperimentSummaries(
    const TableSnapshot& snapshot, const std::string& exposure_event = kDefaultExposureEvent,
    const ExecutionContext* execution = nullptr);

}  // namespace mua
