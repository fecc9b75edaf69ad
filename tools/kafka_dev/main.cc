// mua-kafka-dev: a local Kafka broker for development and tests, built on librdkafka's mock
// cluster (rdkafka_mock.h). It speaks the real wire protocol on 127.0.0.1, creates the
// topics asked for, prints `bootstrap: HOST:PORT` on stdout and runs until SIGINT/SIGTERM.
// Retention is librdkafka's: the newest ~5 MB or 100 k messages per partition (SPEC §7).
//
//   mua-kafka-dev --port 9092 --topic mobile_app_events --partitions 32
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "librdkafka/rdkafka.h"
#include "librdkafka/rdkafka_mock.h"
#include "storage/base/command_line.h"

ABSL_FLAG(int, port, 0, "first broker's port; broker i listens on P+i (0: an ephemeral port)");
ABSL_FLAG(int, brokers, 1, "number of brokers, 1..16");
ABSL_FLAG(std::vector<std::string>, topic, {"mobile_app_events"},
          "a topic to create; repeatable (or comma-separated)");
ABSL_FLAG(int, partitions, 32,
          "partitions of the preceding --topic (of mobile_app_events when none precedes), "
          "1..10000");

namespace {

// librdkafka 2.0.2's mock brokers always bind 127.0.0.1:0 (an ephemeral port) and offer no
// setting for it. To give them fixed ports, this binary interposes bind(): while
// g_next_port is non-zero, a bind of AF_INET 127.0.0.1:0 gets that port instead (and the
// next broker the port after). The mock then advertises the real port in its metadata.
std::atomic<int> g_next_port{0};
std::atomic<int> g_bind_errno{0};

using BindFn = int (*)(int, const struct sockaddr*, socklen_t);

BindFn RealBind() {
  static const BindFn real = reinterpret_cast<BindFn>(dlsym(RTLD_NEXT, "bind"));
  return real;
}

}  // namespace

extern "C" int bind(int fd, const struct sockaddr* addr, socklen_t len) noexcept {
  const int port = g_next_port.load();
  if (port == 0 || addr == nullptr || addr->sa_family != AF_INET || len < sizeof(sockaddr_in)) {
    return RealBind()(fd, addr, len);
  }
  sockaddr_in fixed;
  std::memcpy(&fixed, addr, sizeof(fixed));
  if (fixed.sin_port != 0 || fixed.sin_addr.s_addr != htonl(INADDR_LOOPBACK)) {
    return RealBind()(fd, addr, len);
  }
  fixed.sin_port = htons(static_cast<uint16_t>(port));
  g_next_port.store(port + 1);
  const int result = RealBind()(fd, reinterpret_cast<const sockaddr*>(&fixed), sizeof(fixed));
  if (result != 0) g_bind_errno.store(errno);
  return result;
}

namespace {

constexpr char kDefaultTopic[] = "mobile_app_events";

struct TopicSpec {
  std::string name;
  int partitions = 32;
};

struct Options {
  int port = 0;  // 0: an ephemeral port
  int brokers = 1;
  std::vector<TopicSpec> topics;
};

struct KafkaDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
struct MockClusterDeleter {
  void operator()(rd_kafka_mock_cluster_t* cluster) const {
    rd_kafka_mock_cluster_destroy(cluster);
  }
};

constexpr char kUsage[] =
    "Usage: mua-kafka-dev [--port P] [--brokers N] [--topic T [--partitions N]]...\n"
    "Runs a local Kafka broker (librdkafka's mock cluster) on 127.0.0.1 until SIGINT or\n"
    "SIGTERM, and prints one line `bootstrap: HOST:PORT[,HOST:PORT...]` on stdout.\n"
    "It keeps only the newest ~5 MB or 100 k messages per partition.\n";

[[noreturn]] void UsageError(const std::string& message) {
  std::fprintf(stderr, "mua-kafka-dev: %s (see --help)\n", message.c_str());
  std::exit(2);
}

void CheckRange(absl::string_view flag, int value, int min, int max) {
  if (value < min || value > max) {
    UsageError(
        absl::StrCat("--", flag, " must be an integer in [", min, ", ", max, "], not ", value));
  }
}

// --topic/--partitions pairs repeat, so topics come from the flags in command-line order;
// exits 2 on any error.
Options ParseArgs(int argc, char** argv) {
  const mua::ParsedCommandLine parsed =
      mua::ParseCommandLineOrExit({.program = "mua-kafka-dev", .usage = kUsage}, argc, argv);
  Options options;
  options.port = absl::GetFlag(FLAGS_port);
  CheckRange("port", options.port, 0, 65535);
  options.brokers = absl::GetFlag(FLAGS_brokers);
  CheckRange("brokers", options.brokers, 1, 16);
  for (const mua::FlagOccurrence& flag : parsed.flags) {
    if (flag.name == "topic") {
      for (absl::string_view topic : absl::StrSplit(flag.value, ',')) {
        if (topic.empty()) UsageError("--topic must not be empty");
        options.topics.push_back({.name = std::string(topic)});
      }
    } else if (flag.name == "partitions") {
      int partitions = 0;
      if (!absl::SimpleAtoi(flag.value, &partitions)) partitions = -1;
      CheckRange("partitions", partitions, 1, 10'000);
      if (options.topics.empty()) options.topics.push_back({.name = kDefaultTopic});
      options.topics.back().partitions = partitions;
    }
  }
  if (options.topics.empty()) options.topics.push_back({.name = kDefaultTopic});
  if (options.port != 0 && options.port + options.brokers - 1 > 65535) {
    UsageError("--port + --brokers - 1 must not exceed 65535");
  }
  return options;
}

// Fails with the OS error when 127.0.0.1:port cannot be bound (librdkafka 2.0.2 aborts in
// that case), so a busy port is a clear message.
std::string CheckPortFree(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::strerror(errno);
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = RealBind()(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  const int error = errno;
  close(fd);
  return ok ? "" : std::strerror(error);
}

void LogToStderr(const rd_kafka_t*, int level, const char* facility, const char* message) {
  std::fprintf(stderr, "mua-kafka-dev: rdkafka %d %s: %s\n", level, facility, message);
}

int Run(const Options& options) {
  // Block the signals before librdkafka starts threads, so that they inherit the mask and
  // only sigwait() below sees SIGINT/SIGTERM.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The mock cluster needs a client handle to live in; an idle producer with no brokers.
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  rd_kafka_conf_set_log_cb(conf, &LogToStderr);
  if (rd_kafka_conf_set(conf, "log_level", "3", error, sizeof(error)) != RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "mua-kafka-dev: %s\n", error);
    rd_kafka_conf_destroy(conf);
    return 1;
  }
  std::unique_ptr<rd_kafka_t, KafkaDeleter> handle(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error)));
  if (handle == nullptr) {  // conf is still ours on failure
    std::fprintf(stderr, "mua-kafka-dev: creating the client handle: %s\n", error);
    rd_kafka_conf_destroy(conf);
    return 1;
  }

  for (int port = options.port; options.port != 0 && port < options.port + options.brokers;
       ++port) {
    if (const std::string bind_error = CheckPortFree(port); !bind_error.empty()) {
      std::fprintf(stderr, "mua-kafka-dev: cannot listen on 127.0.0.1:%d: %s\n", port,
                   bind_error.c_str());
      return 1;
    }
  }
  g_next_port.store(options.port);
  std::unique_ptr<rd_kafka_mock_cluster_t, MockClusterDeleter> cluster(
      rd_kafka_mock_cluster_new(handle.get(), options.brokers));
  g_next_port.store(0);
  if (const int bind_errno = g_bind_errno.load(); bind_errno != 0 || cluster == nullptr) {
    std::fprintf(stderr, "mua-kafka-dev: cannot listen on 127.0.0.1:%d: %s\n", options.port,
                 bind_errno != 0 ? std::strerror(bind_errno) : "mock cluster creation failed");
    std::_Exit(1);  // a half-built mock cluster asserts when destroyed
  }
  for (const TopicSpec& topic : options.topics) {
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster.get(), topic.name.c_str(), topic.partitions,
                                   /*replication_factor=*/options.brokers);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "mua-kafka-dev: creating topic %s: %s\n", topic.name.c_str(),
                   rd_kafka_err2str(err));
      return 1;
    }
  }

  std::printf("bootstrap: %s\n", rd_kafka_mock_cluster_bootstraps(cluster.get()));
  std::fflush(stdout);
  for (const TopicSpec& topic : options.topics) {
    std::fprintf(stderr, "mua-kafka-dev: topic %s, %d partitions\n", topic.name.c_str(),
                 topic.partitions);
  }

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  std::fprintf(stderr, "mua-kafka-dev: %s, shutting down\n", strsignal(signal_number));
  cluster.reset();
  handle.reset();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(ParseArgs(argc, argv)); }
