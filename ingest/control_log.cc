#include "ingest/control_log.h"

#include <atomic>
#include <iostream>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ingest/internal/kafka_conf.h"
#include "ingest/kafka_producer.h"
#include "librdkafka/rdkafka.h"
#include "storage/base/status_macros.h"
#include "storage/durable_file.h"

namespace mua {

struct ControlLog::Handles {
  struct KafkaDeleter {
    void operator()(rd_kafka_t* handle) const {
      rd_kafka_consumer_close(handle);
      rd_kafka_destroy(handle);
    }
  };
  std::unique_ptr<rd_kafka_t, KafkaDeleter> consumer;
  std::atomic<bool> stop{false};
  std::thread thread;
};

ControlLog::ControlLog(ControlLogOptions options)
    : options_(std::move(options)), handles_(std::make_unique<Handles>()) {}

absl::StatusOr<std::unique_ptr<ControlLog>> ControlLog::Open(ControlLogOptions options) {
  std::unique_ptr<ControlLog> log(new ControlLog(std::move(options)));
  const ControlLogOptions& o = log->options_;
  MUA_RETURN_IF_ERROR(log->LoadState());
  KafkaProducerOptions producer{.brokers = o.brokers, .topic = o.topic, .partition = 0, .config = o.config};
  MUA_ASSIGN_OR_RETURN(log->producer_, KafkaEventProducer::Open(producer));

  absl::StatusOr<rd_kafka_conf_t*> made = ingest_internal::NewKafkaConf(
      {
          {"bootstrap.servers", o.brokers},
          // Assigned, never subscribed: the group only names the client; offsets live in the
          // state file.
          {"group.id", "mua-control"},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"auto.offset.reset", "earliest"},
      },
      o.config);
  if (!made.ok()) return absl::InvalidArgumentError(absl::StrCat("control topic consumer: ", made.status().message()));
  rd_kafka_conf_t* conf = *made;
  char error[512];
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
  if (consumer == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("cannot create the control log's consumer: ", error));
  }
  log->handles_->consumer.reset(consumer);
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(1);
  const int64_t next = log->next_offset();
  rd_kafka_topic_partition_list_add(assignment, o.topic.c_str(), 0)->offset =
      next > 0 ? next : RD_KAFKA_OFFSET_BEGINNING;
  const rd_kafka_resp_err_t assigned = rd_kafka_assign(consumer, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("cannot assign the control topic ", o.topic, ": ", rd_kafka_err2str(assigned)));
  }
  log->handles_->thread = std::thread([raw = log.get()] { raw->Run(); });
  return log;
}

ControlLog::~ControlLog() {
  handles_->stop = true;
  if (handles_->thread.joinable()) handles_->thread.join();
  handles_->consumer.reset();
  producer_.reset();
}

// "next N", or "pending N NOTE" while the message at N is being applied.
absl::Status ControlLog::LoadState() {
  if (options_.state_file.empty()) return absl::OkStatus();
  absl::StatusOr<std::string> text = ReadWholeFile(options_.state_file);
  if (absl::IsNotFound(text.status())) return absl::OkStatus();
  if (!text.ok()) return text.status();
  absl::string_view line = absl::StripSuffix(*text, "\n");
  const std::vector<absl::string_view> words = absl::StrSplit(line, absl::MaxSplits(' ', 2));
  int64_t offset = -1;
  if (words.size() < 2 || !absl::SimpleAtoi(words[1], &offset) || offset < 0 ||
      (words[0] != "next" && words[0] != "pending")) {
    return absl::DataLossError(absl::StrCat("the control log's state file ", options_.state_file,
                                            " is damaged: '", line.substr(0, 80), "'"));
  }
  absl::MutexLock lock(&mu_);
  next_offset_ = offset;
  if (words[0] == "pending") {
    pending_offset_ = offset;
    pending_note_ = words.size() > 2 ? std::string(words[2]) : "";
  }
  return absl::OkStatus();
}

absl::Status ControlLog::SaveState(int64_t next, absl::string_view note, bool pending) const {
  if (options_.state_file.empty()) return absl::OkStatus();
  return ReplaceFileDurably(options_.state_file, pending ? absl::StrCat("pending ", next, " ", note, "\n")
                                                          : absl::StrCat("next ", next, "\n"));
}

void ControlLog::Run() {
  auto warn = [this](const std::string& text) {
    if (options_.log) {
      options_.log(text);
    } else {
      std::cerr << "mua: " << text << "\n";
    }
  };
  auto failed_save = [&](const absl::Status& status) {
    {
      absl::MutexLock lock(&mu_);
      ++errors_;
    }
    warn(absl::StrCat("control topic ", options_.topic, ": ", status.message()));
  };
  while (!handles_->stop.load()) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(handles_->consumer.get(), 200);
    if (message == nullptr) continue;
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned(message, rd_kafka_message_destroy);
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      {
        absl::MutexLock lock(&mu_);
        ++errors_;
      }
      warn(absl::StrCat("control topic ", options_.topic, ": ", rd_kafka_message_errstr(message)));
      continue;
    }
    const int64_t offset = message->offset;
    const absl::string_view payload(static_cast<const char*>(message->payload), message->len);
    const int64_t next = next_offset();
    if (offset < next) continue;  // applied before
    if (offset > next) {
      // Changes every node needed are gone: the topic must keep them forever.
      absl::MutexLock lock(&mu_);
      ++errors_;
      warn(absl::StrCat("control topic ", options_.topic, ": offsets ", next, "..", offset - 1,
                        " are gone (retention?); their changes are not applied here"));
    }
    bool apply = true;
    if (offset == pending_offset_ && options_.took_effect) {
      apply = !options_.took_effect(payload, pending_note_);
    }
    pending_offset_ = -1;
    if (apply) {
      if (options_.prepare) {
        const std::string note = options_.prepare(payload);
        if (const absl::Status saved = SaveState(offset, note, true); !saved.ok()) failed_save(saved);
      }
      options_.apply(offset, payload);
    }
    // Unsaved, a restart applies the message again: counted, as a gap is.
    if (const absl::Status saved = SaveState(offset + 1, "", false); !saved.ok()) failed_save(saved);
    absl::MutexLock lock(&mu_);
    next_offset_ = offset + 1;
  }
}

absl::StatusOr<int64_t> ControlLog::Append(absl::string_view message) {
  KafkaEventProducer::Delivery delivery(producer_.get());
  MUA_RETURN_IF_ERROR(delivery.Send("control", message, /*table_row=*/false));
  MUA_RETURN_IF_ERROR(delivery.Wait());
  return delivery.last_offset();
}

absl::Status ControlLog::WaitApplied(int64_t offset, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto applied = [this, offset]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return next_offset_ > offset; };
  if (!mu_.AwaitWithDeadline(absl::Condition(&applied), deadline)) {
    return absl::DeadlineExceededError(absl::StrCat("the change (control topic offset ", offset,
                                                    ") is in Kafka but not yet applied on this node"));
  }
  return absl::OkStatus();
}

int64_t ControlLog::next_offset() const {
  absl::MutexLock lock(&mu_);
  return next_offset_;
}

int64_t ControlLog::errors() const {
  absl::MutexLock lock(&mu_);
  return errors_;
}

}  // namespace mua
