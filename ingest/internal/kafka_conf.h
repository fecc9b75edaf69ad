// librdkafka's configuration from MUA's defaults for a client and the user's overrides
// (--kafka_property), one place for every Kafka client of MUA.
//
//   MUA_ASSIGN_OR_RETURN(rd_kafka_conf_t* conf, NewKafkaConf({{"acks", "all"}}, options.config));
//   rd_kafka_t* kafka = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof(error));  // takes conf
//   if (kafka == nullptr) rd_kafka_conf_destroy(conf);
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"

struct rd_kafka_conf_s;

namespace mua::ingest_internal {

// `defaults` with `overrides` set over them. The caller owns the result (rd_kafka_new takes
// it). Errors: InvalidArgument "NAME: <librdkafka's reason>" (callers say which client).
absl::StatusOr<rd_kafka_conf_s*> NewKafkaConf(std::map<std::string, std::string> defaults,
                                              const std::map<std::string, std::string>& overrides);

}  // namespace mua::ingest_internal
