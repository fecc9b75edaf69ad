// mua-gen: writes deterministic, realistic mobile-app events as JSON lines (SPEC §2), or the
// same events as ClickHouse TabSeparated rows (tools/gen/tsv_writer.h).
//
//   mua-gen --users 100000 --days 30 --out events.jsonl   # ~10 M events
//   mua-gen --users 100000 --days 30 --format clickhouse-tsv --out events.tsv
//   mua-gen --kafka-brokers 127.0.0.1:9092 --kafka-topic mobile_app_events --rate 100000
//   mua-gen --experiment new_checkout:control,treatment:purchase*1.1@14 --out ab.jsonl
//   mua-gen --users 30000 --days 70 --app-age-days 3650 --weekend-factor 0.7
//           --anomaly events:1500:6:1.5 --anomaly bot:5:1400:48:20 --out incidents.jsonl
#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/base/command_line.h"
#include "storage/base/time_util.h"
#include "tools/gen/event_generator.h"
#include "tools/gen/json_writer.h"
#include "tools/gen/kafka_sink.h"
#include "tools/gen/tsv_writer.h"

ABSL_FLAG(int64_t, users, 10'000, "users who sign up over the period (about 100 events each)");
ABSL_FLAG(int32_t, days, 30, "simulated days");
ABSL_FLAG(std::string, start, "2026-10-01", "first simulated day, YYYY-MM-DD (UTC)");
ABSL_FLAG(uint64_t, seed, 42, "random seed; equal flags give byte-identical output");
ABSL_FLAG(double, duplicate_share, 0.0,
          "share of events that are SDK re-sends of an earlier event (same event_id), [0, 1)");
ABSL_FLAG(double, invalid_share, 0.0, "share of lines that are invalid events, [0, 1)");
ABSL_FLAG(double, seed003_share, 0.0,
          "share of events carrying seed 003's fields outside the mapped columns (page/UTM, user "
          "segment, device id, browser, time zone, A/B variants, transaction...), [0, 1]");
ABSL_FLAG(std::string, experiment, "",
          "an A/B test, repeatable: NAME:VARIANT[=WEIGHT],VARIANT[=WEIGHT][,...]"
          "[:EVENT*FACTOR][@DAY]. Each user gets one variant (by the weights, default equal; "
          "deterministic per --seed); from exposure on, their JSON lines carry "
          "\"ab_test_variants\":{\"NAME\":\"VARIANT\"} (TSV rows have no attributes). "
          "EVENT*FACTOR multiplies the probability of that event type for exposed users of the "
          "variants after the first (none: an A/A test). @DAY: exposure at the user's first "
          "session from 00:00 UTC of day DAY (0 = --start) on; without it, from their first "
          "session. See docs/INGEST.md");
ABSL_FLAG(std::string, anomaly, "",
          "an injected incident, repeatable: KIND:START:HOURS:FACTOR. KIND: events (session "
          "starts x FACTOR: extra sessions of the same users in the same hours, or sessions "
          "removed), users (distinct active users x FACTOR: other users' sessions beside theirs, "
          "or whole users removed), crash or crash=VERSION (app_crash probability of that "
          "app_version's sessions x FACTOR; default the newest released at START) or bot:N (N "
          "scripted users active every hour of the window, each sending FACTOR x a median "
          "user's events per active hour, 11: taps and screen views). START: YYYY-MM-DDTHH (UTC) "
          "or an hour offset from --start; HOURS >= 1; 0 < FACTOR <= 100. See docs/INGEST.md");
ABSL_FLAG(int32_t, app_age_days, 0,
          "steady traffic: the app launched this many days before --start and users sign up at "
          "one constant rate since (most of --users before the period), apps update themselves; "
          "0: the app launches on --start (a launch campaign, then a trend)");
ABSL_FLAG(double, weekend_factor, 1.0,
          "weekly cycle: returning users' chance to be active on their local Saturday and Sunday "
          "is a weekday's times this, (0, 2]; 1: none");
ABSL_FLAG(std::string, event_ids, "counter",
          "counter (per-user sequence number, like Amplitude), uuid (UUID v4) or hex32 (32 random "
          "hex digits)");
ABSL_FLAG(std::string, out, "-", "output file; - for stdout");
ABSL_FLAG(std::string, format, "jsonl",
          "--out format: jsonl (JSON lines, docs/INGEST.md) or clickhouse-tsv (TabSeparated rows "
          "as tests/differential/jsonl_to_tsv.py makes of the JSON lines; needs "
          "--invalid-share 0)");
ABSL_FLAG(std::string, kafka_brokers, "",
          "produce to Kafka instead of --out: bootstrap list HOST:PORT[,...]");
ABSL_FLAG(std::string, kafka_topic, "mobile_app_events", "Kafka topic (with --kafka-brokers)");
ABSL_FLAG(double, rate, 0, "Kafka: messages per second; 0 for as fast as possible");
ABSL_FLAG(int, kafka_linger_ms, 20,
          "Kafka: how long a producer batch may wait to fill (bigger batches)");

namespace {

constexpr char kUsage[] =
    "Usage: mua-gen [--users N] [--days N] [--start YYYY-MM-DD] [--seed N]\n"
    "               [--duplicate-share F] [--invalid-share F]\n"
    "               [--experiment NAME:VARIANTS[:EVENT*FACTOR][@DAY] ...]\n"
    "               [--app-age-days N] [--weekend-factor F]\n"
    "               [--anomaly KIND:START:HOURS:FACTOR ...]\n"
    "               (--out FILE [--format F] | --kafka-brokers LIST --kafka-topic T [--rate R])\n"
    "Writes synthetic mobile-app events (docs/INGEST.md) as JSON lines, deterministically\n"
    "(or, with --format clickhouse-tsv, as ClickHouse TabSeparated rows).\n"
    "Volume: about 100 events per user per month; --users 100000 --days 30 gives ~10.8 M\n"
    "events (~4.1 GB of JSON) in ~11 s of CPU.\n";

[[noreturn]] void UsageError(const std::string& message) {
  std::fprintf(stderr, "mua-gen: %s (see --help)\n", message.c_str());
  std::exit(2);
}

// Writes chunks to a file on its own thread, so that the kernel's copy into the page cache
// (as slow as generating, ~300 MB/s here) overlaps generation. Buffers are recycled.
class BackgroundWriter {
 public:
  BackgroundWriter(std::FILE* file, std::string name)
      : file_(file), name_(std::move(name)), thread_([this] { Run(); }) {}
  ~BackgroundWriter() { (void)Close(); }
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;

  // Queues the contents of `chunk` and leaves it an empty (recycled) buffer.
  absl::Status Write(std::string& chunk) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return full_.size() < kMaxQueued || !error_.ok(); });
    if (!error_.ok()) return error_;
    full_.push_back(std::move(chunk));
    chunk.clear();
    if (!free_.empty()) {
      chunk.swap(free_.back());
      free_.pop_back();
    }
    cv_.notify_all();
    return absl::OkStatus();
  }

  // Waits until everything queued is written; returns the first write error.
  absl::Status Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closing_ = true;
      cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    return error_;
  }

 private:
  static constexpr size_t kMaxQueued = 3;

  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return !full_.empty() || closing_; });
      if (full_.empty()) return;
      std::string buffer = std::move(full_.front());
      full_.pop_front();
      lock.unlock();
      const bool ok = std::fwrite(buffer.data(), 1, buffer.size(), file_) == buffer.size();
      const int error = errno;
      lock.lock();
      if (!ok && error_.ok()) {
        error_ =
            absl::UnavailableError(absl::StrCat("writing ", name_, ": ", std::strerror(error)));
      }
      buffer.clear();
      free_.push_back(std::move(buffer));
      cv_.notify_all();
    }
  }

  std::FILE* const file_;
  const std::string name_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> full_;   // guarded by mu_
  std::vector<std::string> free_;  // guarded by mu_
  bool closing_ = false;           // guarded by mu_
  absl::Status error_;             // guarded by mu_; read after join
  std::thread thread_;             // last: starts after the members above exist
};

// Every --experiment given, in order (the flag itself keeps only the last).
std::vector<mua::gen::ExperimentSpec> ExperimentsFromCommandLine(
    const mua::ParsedCommandLine& command_line, const mua::gen::GeneratorOptions& options) {
  std::vector<mua::gen::ExperimentSpec> experiments;
  for (const mua::FlagOccurrence& flag : command_line.flags) {
    if (flag.name != "experiment") continue;
    auto spec = mua::gen::ParseExperimentSpec(flag.value);
    if (!spec.ok()) UsageError(absl::StrCat("--experiment: ", spec.status().message()));
    experiments.push_back(*std::move(spec));
  }
  const absl::Status valid =
      mua::gen::ValidateExperiments(experiments, options.days, options.seed003_share);
  if (!valid.ok()) UsageError(absl::StrCat("--experiment: ", valid.message()));
  return experiments;
}

// Every --anomaly given, in order.
std::vector<mua::gen::AnomalySpec> AnomaliesFromCommandLine(
    const mua::ParsedCommandLine& command_line, const mua::gen::GeneratorOptions& options) {
  std::vector<mua::gen::AnomalySpec> anomalies;
  for (const mua::FlagOccurrence& flag : command_line.flags) {
    if (flag.name != "anomaly") continue;
    auto spec = mua::gen::ParseAnomalySpec(flag.value);
    if (!spec.ok()) UsageError(absl::StrCat("--anomaly: ", spec.status().message()));
    anomalies.push_back(*std::move(spec));
  }
  const absl::Status valid =
      mua::gen::ValidateAnomalies(anomalies, options.start_day, options.days);
  if (!valid.ok()) UsageError(absl::StrCat("--anomaly: ", valid.message()));
  return anomalies;
}

mua::gen::GeneratorOptions OptionsFromFlags(const mua::ParsedCommandLine& command_line) {
  mua::gen::GeneratorOptions options;
  options.users = absl::GetFlag(FLAGS_users);
  if (options.users < 1 || options.users > 1'000'000'000) {
    UsageError("--users must be between 1 and 1000000000");
  }
  options.days = absl::GetFlag(FLAGS_days);
  if (options.days < 1 || options.days > 3660) UsageError("--days must be between 1 and 3660");
  const auto start = mua::ParseDay(absl::GetFlag(FLAGS_start));
  if (!start.ok()) UsageError(absl::StrCat("--start: ", start.status().message()));
  options.start_day = *start;
  options.seed = absl::GetFlag(FLAGS_seed);
  options.duplicate_share = absl::GetFlag(FLAGS_duplicate_share);
  if (!(options.duplicate_share >= 0 && options.duplicate_share < 1)) {
    UsageError("--duplicate-share must be in [0, 1)");
  }
  options.invalid_share = absl::GetFlag(FLAGS_invalid_share);
  if (!(options.invalid_share >= 0 && options.invalid_share < 1)) {
    UsageError("--invalid-share must be in [0, 1)");
  }
  const std::string ids = absl::GetFlag(FLAGS_event_ids);
  if (ids == "counter") {
    options.event_ids = mua::gen::EventIdStyle::kCounter;
  } else if (ids == "uuid") {
    options.event_ids = mua::gen::EventIdStyle::kUuid;
  } else if (ids == "hex32") {
    options.event_ids = mua::gen::EventIdStyle::kHex32;
  } else {
    UsageError(absl::StrCat("--event-ids must be counter, uuid or hex32, not '", ids, "'"));
  }
  options.seed003_share = absl::GetFlag(FLAGS_seed003_share);
  if (!(options.seed003_share >= 0 && options.seed003_share <= 1)) {
    UsageError("--seed003-share must be in [0, 1]");
  }
  options.experiments = ExperimentsFromCommandLine(command_line, options);
  options.app_age_days = absl::GetFlag(FLAGS_app_age_days);
  if (options.app_age_days < 0 || options.app_age_days > 36600) {
    UsageError("--app-age-days must be between 0 and 36600");
  }
  options.weekend_factor = absl::GetFlag(FLAGS_weekend_factor);
  if (!(options.weekend_factor > 0 && options.weekend_factor <= 2)) {
    UsageError("--weekend-factor must be in (0, 2]");
  }
  options.anomalies = AnomaliesFromCommandLine(command_line, options);
  return options;
}

void PrintSummary(const mua::gen::JsonLinesStats& stats, const mua::gen::GeneratorOptions& options,
                  double seconds) {
  std::fprintf(stderr,
               "mua-gen: %lld events (%lld duplicates), %lld invalid lines, %lld users, "
               "%d days from %s, %.2f s, %.0f events/s\n",
               static_cast<long long>(stats.events), static_cast<long long>(stats.duplicates),
               static_cast<long long>(stats.invalid), static_cast<long long>(stats.users),
               options.days, mua::FormatDay(options.start_day).c_str(), seconds,
               static_cast<double>(stats.events) / std::max(seconds, 1e-9));
}

// Produces every line (valid, duplicate or invalid) as one Kafka message; returns the exit
// code, 2 when the broker is unreachable or refuses messages.
int ProduceToKafka(const mua::gen::GeneratorOptions& options) {
  const double rate = absl::GetFlag(FLAGS_rate);
  if (!(rate >= 0)) UsageError("--rate must be >= 0");
  const mua::gen::KafkaSinkOptions sink_options = {
      .brokers = absl::GetFlag(FLAGS_kafka_brokers),
      .topic = absl::GetFlag(FLAGS_kafka_topic),
      .rate = rate,
      .linger_ms = absl::GetFlag(FLAGS_kafka_linger_ms)};
  auto sink = mua::gen::KafkaSink::Open(sink_options);
  if (!sink.ok()) {
    std::fprintf(stderr, "mua-gen: %s\n", std::string(sink.status().message()).c_str());
    return 2;
  }
  const absl::Time begin = absl::Now();
  auto stats = mua::gen::WriteJsonLines(
      options, [&](std::string& chunk) { return (*sink)->Write(chunk); }, size_t{1} << 20);
  const absl::Status closed = (*sink)->Close();
  if (stats.ok() && !closed.ok()) stats = closed;
  if (!stats.ok()) {
    std::fprintf(stderr, "mua-gen: %s\n", std::string(stats.status().message()).c_str());
    return 2;
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - begin);
  PrintSummary(*stats, options, seconds);
  std::fprintf(stderr, "mua-gen: produced %lld messages to %s at %s, %.0f messages/s\n",
               static_cast<long long>((*sink)->delivered()), sink_options.topic.c_str(),
               sink_options.brokers.c_str(),
               static_cast<double>((*sink)->delivered()) / std::max(seconds, 1e-9));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const mua::ParsedCommandLine command_line =
      mua::ParseCommandLineOrExit({.program = "mua-gen", .usage = kUsage}, argc, argv);
  const mua::gen::GeneratorOptions options = OptionsFromFlags(command_line);
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "jsonl" && format != "clickhouse-tsv") {
    UsageError(absl::StrCat("--format must be jsonl or clickhouse-tsv, not '", format, "'"));
  }
  const bool tsv = format == "clickhouse-tsv";
  if (tsv && options.invalid_share != 0) {
    UsageError("--format clickhouse-tsv writes valid events only: --invalid-share must be 0");
  }
  if (!absl::GetFlag(FLAGS_kafka_brokers).empty()) {
    if (tsv) UsageError("--kafka-brokers produces JSON lines: --format must be jsonl");
    return ProduceToKafka(options);
  }
  if (absl::GetFlag(FLAGS_rate) != 0) UsageError("--rate needs --kafka-brokers");
  const std::string path = absl::GetFlag(FLAGS_out);
  const bool to_stdout = path.empty() || path == "-";
  std::FILE* file = to_stdout ? stdout : std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    std::fprintf(stderr, "mua-gen: cannot open %s: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  const std::string target = to_stdout ? "stdout" : path;
  const absl::Time begin = absl::Now();
  BackgroundWriter writer(file, target);
  const auto write = [&](std::string& chunk) { return writer.Write(chunk); };
  auto stats =
      tsv ? mua::gen::WriteClickHouseTsv(options, write) : mua::gen::WriteJsonLines(options, write);
  const absl::Status written = writer.Close();
  if (stats.ok() && !written.ok()) stats = written;
  const bool closed = to_stdout ? std::fflush(file) == 0 : std::fclose(file) == 0;
  if (stats.ok() && !closed) {
    stats = absl::UnavailableError(absl::StrCat("closing ", target, ": ", std::strerror(errno)));
  }
  if (!stats.ok()) {
    std::fprintf(stderr, "mua-gen: %s\n", std::string(stats.status().message()).c_str());
    return 1;
  }
  PrintSummary(*stats, options, absl::ToDoubleSeconds(absl::Now() - begin));
  return 0;
}
