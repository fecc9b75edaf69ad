#include "ingest/internal/kafka_conf.h"

#include "absl/strings/str_cat.h"
#include "librdkafka/rdkafka.h"

namespace mua::ingest_internal {

absl::StatusOr<rd_kafka_conf_t*> NewKafkaConf(std::map<std::string, std::string> defaults,
                                              const std::map<std::string, std::string>& overrides) {
  for (const auto& [name, value] : overrides) defaults[name] = value;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [name, value] : defaults) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat(name, ": ", error));
    }
  }
  return conf;
}

}  // namespace mua::ingest_internal
