// Fuzzes every parser of a JSON body with the same random bytes: the bounded helper
// (storage/base/json_limits.h) and the server's ParseUntrustedJson, the body ingestor in
// all four formats, the Grafana endpoints, POST /api/v1/query, the REST `params`
// parameter and JSONExtract. Nothing may crash or recurse without bound; a document
// the helper accepts must write back and re-parse to the same text.
//
// Input layout: the last byte (FuzzedDataProvider's first integral) picks the parser,
// the byte before it the Grafana endpoint; the rest is the body.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <fuzzer/FuzzedDataProvider.h>

#include "ingest/body_ingestor.h"
#include "query/functions/json_extract.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "server/grafana_api.h"
#include "server/http_types.h"
#include "server/internal/json_api.h"
#include "server/internal/rest_request.h"
#include "server/query_runner.h"
#include "server/rest_api.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/base/json_limits.h"
#include "storage/table.h"

namespace mua {
namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

constexpr size_t kMaxRows = 20'000;  // the ingest table is rebuilt beyond this

constexpr char kEvents[] =
    R"({"event_id":"e1","user_id":"u1","session_id":"s1","event_type":"app_open","event_timestamp":"2026-10-05T08:00:00Z","platform":"ios","country":"US"}
{"event_id":"e2","user_id":"u1","session_id":"s1","event_type":"purchase","event_timestamp":"2026-10-05T08:10:00Z","platform":"ios","properties":{"price":9.99}}
{"event_id":"e3","user_id":"u2","session_id":"s2","event_type":"app_open","event_timestamp":"2026-10-06T09:30:00Z","platform":"android","country":"DE"}
)";

enum class Target {
  kBounded,
  kUntrusted,
  kEventLines,
  kEventArray,
  kJsonEachRow,
  kJsonCompactEachRow,
  kGrafana,
  kRestQuery,
  kRestParams,
  kJsonExtract,
  kCount
};

const std::vector<std::string> kGrafanaEndpoints = {
    "/query",    "/search",   "/annotations", "/variable", "/metrics", "/metric-payload-options",
    "/tag-keys", "/tag-values"};

// The queried table (fixed) and an ingest table (rebuilt when it grows too much).
struct Fixture {
  Fixture() : catalog(&table), engine(&table, &catalog), runner(&engine, {"fuzz", Role::kViewer}) {
    IngestOptions options;
    options.decoder.retention_days = 0;
    options.threads = 1;
    BodyIngestor loader(&table, options);
    Check(loader.Ingest(kEvents, BodyFormat::kEventLines, "seed").ok());
    ResetIngest();
  }
  void ResetIngest() {
    ingestor.reset();
    ingest_table = std::make_unique<Table>(TableOptions{});
    IngestOptions options;
    options.decoder.retention_days = 0;
    options.threads = 1;
    ingestor = std::make_unique<BodyIngestor>(ingest_table.get(), options);
  }

  Table table;
  Catalog catalog;
  SqlEngine engine;
  EngineQueryRunner runner;
  std::unique_ptr<Table> ingest_table;
  std::unique_ptr<BodyIngestor> ingestor;
  query_internal::JsonExtractor extractor;
};

std::string Write(const rapidjson::Document& document) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);  // bounded: the document passed the depth limit
  return std::string(buffer.GetString(), buffer.GetSize());
}

// A parsed document writes back to text that parses to the same text again.
void CheckRoundTrip(const rapidjson::Document& document) {
  const std::string text = Write(document);
  rapidjson::Document again;
  Check(ParseJsonBounded<rapidjson::kParseFullPrecisionFlag>(text, &again).ok());
  Check(Write(again) == text);
}

void FuzzBounded(absl::string_view body) {
  rapidjson::Document document;
  const absl::Status parsed = ParseJsonBounded(body, &document);
  Check(parsed.ok() == CheckJsonBounded(body).ok());
  if (parsed.ok()) {
    CheckRoundTrip(document);
  } else {
    Check(parsed.code() == absl::StatusCode::kInvalidArgument && document.IsNull());
  }
}

void FuzzIngest(Fixture& fixture, absl::string_view body, BodyFormat format) {
  if (fixture.ingest_table->Snapshot().row_count() > kMaxRows) fixture.ResetIngest();
  const std::vector<std::string> columns = {"event_time", "user_id", "event_id", "event_type",
                                            "properties"};
  const absl::StatusOr<BodyIngestStats> stats = fixture.ingestor->Ingest(
      body, format, "fuzz", format == BodyFormat::kJsonCompactEachRow ? columns : std::vector<std::string>{});
  if (!stats.ok()) {
    Check(stats.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  Check(stats->accepted >= 0 && stats->rejected >= 0 && stats->duplicates >= 0);
  Check(stats->accepted + stats->rejected + stats->duplicates <= stats->events);
  if (format == BodyFormat::kEventArray) return;
  // The same body streamed in small chunks (rows cut anywhere) has the same rows; each
  // is a duplicate now, or rejected again.
  const size_t chunk = 1 + body.size() % 61;
  size_t at = 0;
  const BodyChunkSource next = [&](std::string* out) -> absl::StatusOr<bool> {
    if (at >= body.size()) return false;
    *out = std::string(body.substr(at, chunk));
    at += chunk;
    return true;
  };
  const absl::StatusOr<BodyIngestStats> streamed = fixture.ingestor->IngestStream(
      next, format, "fuzz", format == BodyFormat::kJsonCompactEachRow ? columns : std::vector<std::string>{});
  Check(streamed.ok() && streamed->events == stats->events && streamed->accepted == 0);
  // And the body as TabSeparated and CSV rows of the same columns.
  if (format != BodyFormat::kJsonCompactEachRow) return;
  for (const BodyFormat text_format : {BodyFormat::kTabSeparated, BodyFormat::kCsv}) {
    const absl::StatusOr<BodyIngestStats> rows = fixture.ingestor->Ingest(body, text_format, "fuzz", columns);
    Check(rows.ok() && rows->accepted + rows->rejected + rows->duplicates <= rows->events);
  }
}

void CheckResponse(const HttpResponse& response) {
  if (std::getenv("MUA_FUZZ_VERBOSE") != nullptr) {  // to check what a seed reaches
    std::fprintf(stderr, "-> %d %.160s\n", response.status, response.body.c_str());
  }
  Check(response.status >= 100 && response.status <= 599);
}

}  // namespace
}  // namespace mua

// The fuzz entry without libFuzzer's main (tests/fuzz/fuzz_replay_test.cc replays with it).
int MuaJsonBodyFuzz(const uint8_t* data, size_t size) {
  using namespace mua;  // NOLINT: the harness's own names
  static Fixture* fixture = new Fixture();
  FuzzedDataProvider in(data, size);
  const auto target = static_cast<Target>(
      in.ConsumeIntegralInRange<int>(0, static_cast<int>(Target::kCount) - 1));
  const size_t endpoint = in.ConsumeIntegralInRange<size_t>(0, kGrafanaEndpoints.size() - 1);
  const std::string body = in.ConsumeRemainingBytesAsString();
  switch (target) {
    case Target::kBounded:
      FuzzBounded(body);
      break;
    case Target::kUntrusted: {
      rapidjson::Document document;
      if (server_internal::ParseUntrustedJson(body, &document).ok()) CheckRoundTrip(document);
      break;
    }
    case Target::kEventLines:
      FuzzIngest(*fixture, body, BodyFormat::kEventLines);
      break;
    case Target::kEventArray:
      FuzzIngest(*fixture, body, BodyFormat::kEventArray);
      break;
    case Target::kJsonEachRow:
      FuzzIngest(*fixture, body, BodyFormat::kJsonEachRow);
      break;
    case Target::kJsonCompactEachRow:
      FuzzIngest(*fixture, body, BodyFormat::kJsonCompactEachRow);
      break;
    case Target::kGrafana: {
      HttpRequest request;
      request.method = "POST";
      request.path = "/grafana" + kGrafanaEndpoints[endpoint];
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = body;
      CheckResponse(HandleGrafana(request, fixture->runner));
      break;
    }
    case Target::kRestQuery: {
      HttpRequest request;
      request.method = "POST";
      request.path = "/api/v1/query";
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = body;
      // A viewer: the body is parsed, the SQL refused where it would run.
      CheckResponse(HandleRest(request, RestContext{&fixture->runner, nullptr}));
      break;
    }
    case Target::kRestParams: {
      HttpRequest request;
      request.method = "GET";
      request.path = "/api/v1/metrics/daily";
      request.params.emplace_back("params", body);
      rapidjson::Document params;
      (void)server_internal::GatherParams(request, {"steps"}, &params);
      CheckResponse(HandleRest(request, RestContext{&fixture->runner, nullptr}));
      break;
    }
    case Target::kJsonExtract: {
      using query_internal::JsonPathStep;
      for (const std::vector<JsonPathStep>& path :
           {std::vector<JsonPathStep>{}, {JsonPathStep::Key("a")}, {JsonPathStep::Index(1)},
            {JsonPathStep::Index(-1)}, {JsonPathStep::Key("a"), JsonPathStep::Index(-1)}}) {
        std::string text;
        fixture->extractor.Has(body, path);
        fixture->extractor.ExtractString(body, path, &text);
        fixture->extractor.ExtractInt(body, path);
        fixture->extractor.ExtractFloat(body, path);
      }
      break;
    }
    case Target::kCount:
      break;
  }
  return 0;
}

#ifndef MUA_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return MuaJsonBodyFuzz(data, size);
}
#endif
