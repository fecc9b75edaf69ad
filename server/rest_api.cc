#include "server/rest_api.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "ingest/body_ingestor.h"
#include "query/output_format.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "server/internal/json_api.h"
#include "server/internal/json_params.h"
#include "server/internal/rest_analytics.h"
#include "server/internal/rest_request.h"
#include "server/internal/streamed_body.h"
#include "server/query_runner.h"
#include "sql/ast.h"
#include "sql/parser.h"
#include "sql/sql_error.h"
#include "storage/base/json_limits.h"

namespace mua {
namespace {

using server_internal::JsonParams;
using server_internal::JsonText;
using server_internal::JsonWriter;
using server_internal::WriteString;

// Deeper bodies are refused whole; shallower elements nested deeper than kMaxJsonDepth
// are rejected one by one by the ingestor (no recursion either way).
constexpr int kMaxEventBodyDepth = 1'000;
// The default answer of /query: meta, data, rows, statistics, written by RapidJSON.
constexpr absl::string_view kRestJsonFormat = "JSON";

enum class Endpoint {
  kUserSummary,
  kDailyMetrics,
  kRetention,
  kFunnel,
  kExperiments,
  kExperiment,
  kQuery,
  kEvents,
};

struct Route {
  absl::string_view path;  // below kRestPathPrefix
  absl::string_view method;
  Endpoint endpoint;
};
constexpr Route kRoutes[] = {
    {"users/{user_id}/summary", "GET", Endpoint::kUserSummary},
    {"metrics/daily", "GET", Endpoint::kDailyMetrics},
    {"retention", "GET", Endpoint::kRetention},
    {"funnel", "GET", Endpoint::kFunnel},
    {"experiments", "GET", Endpoint::kExperiments},
    {"experiments/{name}", "GET", Endpoint::kExperiment},
    {"query", "POST", Endpoint::kQuery},
    {"events", "POST", Endpoint::kEvents},
};

// ---- Responses ----

// {"error": message[, "line": L, "column": C]}.
HttpResponse JsonError(int status, absl::string_view message,
                       const std::optional<SqlError>& position = std::nullopt) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("error");
  WriteString(message, &writer);
  if (position) {
    writer.Key("line");
    writer.Uint(position->line);
    writer.Key("column");
    writer.Uint(position->column);
  }
  writer.EndObject();
  return HttpResponse::Json(status, JsonText(buffer));
}

HttpResponse StatusError(const absl::Status& status) {
  return JsonError(server_internal::HttpStatusOf(status), status.message());
}

// An error in SQL the client wrote: the message keeps its "line L, column C: " prefix
// and the position is also given as numbers.
HttpResponse SqlStatusError(const absl::Status& status) {
  return JsonError(server_internal::HttpStatusOf(status), status.message(),
                   GetSqlError(status));
}

HttpResponse Unavailable(absl::string_view what) {
  return JsonError(503, absl::StrCat(what, " is not available in this server"));
}

// ---- Request bodies ----

// True when the body's Content-Type is absent or one of `accepted` (parameters ignored).
bool ContentTypeIsOneOf(const HttpRequest& request,
                        std::initializer_list<absl::string_view> accepted) {
  absl::string_view type = request.Header("Content-Type");
  type = absl::StripAsciiWhitespace(type.substr(0, type.find(';')));
  if (type.empty()) return true;
  return std::any_of(accepted.begin(), accepted.end(),
                     [type](absl::string_view name) { return absl::EqualsIgnoreCase(type, name); });
}

HttpResponse UnsupportedMediaType(const HttpRequest& request, absl::string_view wanted) {
  return JsonError(415, absl::StrCat("the body must be ", wanted, ", not Content-Type ",
                                     request.Header("Content-Type")));
}

// OK when `body` is one JSON value the ingestor can parse without deep recursion.
absl::Status CheckEventArray(absl::string_view body) {
  const absl::Status status = CheckJsonBounded(body, kMaxEventBodyDepth);
  if (status.ok()) return status;
  if (IsJsonTooDeep(status)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the JSON array is nested deeper than ", kMaxEventBodyDepth, " levels"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("the body starts with '[' but is not a JSON array of events: ", status.message()));
}

// ---- POST /api/v1/events ----

HttpResponse ServeEvents(const HttpRequest& request, BodyIngestor* ingestor, size_t context_limit) {
  if (ingestor == nullptr) return Unavailable("HTTP ingest");
  if (!ContentTypeIsOneOf(request, {"application/json", "application/x-ndjson", "application/jsonl",
                                    "application/x-jsonlines", "application/jsonlines"})) {
    return UnsupportedMediaType(
        request, "JSON lines (application/x-ndjson) or a JSON array (application/json)");
  }
  // A streamed body (an admin's: Service::Admit): JSON lines are ingested as they arrive,
  // block by block, whatever their size; an array is read whole first, bounded.
  std::string head;
  if (request.body_stream != nullptr) {
    std::string chunk;
    while (absl::StripLeadingAsciiWhitespace(head).empty()) {
      absl::StatusOr<bool> more = request.body_stream->Next(&chunk);
      if (!more.ok()) return StatusError(more.status());
      if (!*more) break;
      head += chunk;
      if (head.size() > context_limit) return JsonError(413, "the body is only whitespace and too large");
    }
  }
  const absl::string_view body =
      absl::StripLeadingAsciiWhitespace(request.body_stream != nullptr ? head : request.body);
  if (absl::StripTrailingAsciiWhitespace(body).empty()) {
    return JsonError(400, "the body is empty: send events as JSON lines or as a JSON array");
  }
  const bool array = body.front() == '[';
  absl::StatusOr<BodyIngestStats> stats;
  if (request.body_stream != nullptr && !array) {
    bool head_sent = false;
    const BodyChunkSource next = [&](std::string* chunk) -> absl::StatusOr<bool> {
      if (!head_sent) {
        head_sent = true;
        chunk->swap(head);
        return true;
      }
      return request.body_stream->Next(chunk);
    };
    stats = ingestor->IngestStream(next, BodyFormat::kEventLines, "http", {});
  } else {
    if (request.body_stream != nullptr) {
      const absl::Status read = server_internal::ReadRestOfBody(*request.body_stream, context_limit, &head);
      if (absl::IsResourceExhausted(read)) {
        return JsonError(413, absl::StrCat("a JSON array of events is read whole: the limit is ", context_limit,
                                           " bytes; send JSON lines (application/x-ndjson) to stream"));
      }
      if (!read.ok()) return StatusError(read);
    }
    const absl::string_view whole = request.body_stream != nullptr ? absl::string_view(head) : request.body;
    if (array) {
      if (absl::Status status = CheckEventArray(absl::StripLeadingAsciiWhitespace(whole)); !status.ok()) {
        return StatusError(status);
      }
    }
    stats = ingestor->Ingest(whole, array ? BodyFormat::kEventArray : BodyFormat::kEventLines, "http", {});
  }
  if (!stats.ok()) return StatusError(stats.status());
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  for (const auto& [key, value] : {std::pair<const char*, int64_t>{"received", stats->events},
                                   {"accepted", stats->accepted},
                                   {"duplicates", stats->duplicates},
                                   {"rejected", stats->rejected}}) {
    writer.Key(key);
    writer.Int64(value);
  }
  writer.Key("errors");
  writer.StartArray();
  for (const RejectedEvent& rejected : stats->first_rejected) {
    writer.StartObject();
    writer.Key("line");
    writer.Int64(rejected.offset);
    writer.Key("reason");
    WriteString(RejectReasonName(rejected.reason), &writer);
    writer.Key("message");
    WriteString(rejected.message, &writer);
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return HttpResponse::Json(200, JsonText(buffer));
}

// ---- POST /api/v1/query ----

std::string NotReadOnlyMessage(StatementKind kind) {
  const absl::string_view why = kind == StatementKind::kInsert
                                    ? "INSERT adds data: send events to POST /api/v1/events"
                                : kind == StatementKind::kDelete
                                    ? "DELETE removes data: it runs through the SQL endpoint POST /"
                                    : "SYSTEM commands run through the SQL endpoint POST /";
  return absl::StrCat(
      "POST /api/v1/query runs read-only statements only (SELECT, WITH ... SELECT, EXPLAIN, "
      "SHOW, DESCRIBE); ",
      why);
}

// {"meta": [{name, type}], "data": [{column: value}], "rows": n, "statistics": {...}}.
std::string QueryJson(const ResultSet& result) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("meta");
  writer.StartArray();
  for (size_t i = 0; i < result.columns.size(); ++i) {
    writer.StartObject();
    writer.Key("name");
    WriteString(result.names[i], &writer);
    writer.Key("type");
    WriteString(result.columns[i].type.Name(), &writer);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("data");
  server_internal::WriteRowObjects(result, server_internal::JsonTimeStyle::kText, &writer);
  writer.Key("rows");
  writer.Uint64(result.row_count);
  writer.Key("statistics");
  writer.StartObject();
  writer.Key("elapsed");
  writer.Double(result.statistics.elapsed_seconds);
  writer.Key("rows_read");
  writer.Uint64(result.statistics.rows_read);
  writer.Key("bytes_read");
  writer.Uint64(result.statistics.bytes_read);
  writer.EndObject();
  writer.EndObject();
  return JsonText(buffer);
}

HttpResponse ServeQuery(const HttpRequest& request, const QueryRunner& runner) {
  if (!ContentTypeIsOneOf(request, {"application/json"})) {
    return UnsupportedMediaType(request, "JSON (Content-Type: application/json)");
  }
  rapidjson::Document body;
  if (absl::Status parsed = server_internal::ParseUntrustedJson(request.body, &body);
      !parsed.ok()) {
    return JsonError(400, absl::StrCat("the body is not valid JSON (", parsed.message(),
                                       "); send {\"sql\": \"SELECT ...\"}"));
  }
  if (!body.IsObject()) return JsonError(400, "the body must be a JSON object {\"sql\": ...}");
  const JsonParams fields(&body, "");
  static constexpr absl::string_view kKnown[] = {"sql", "format"};
  if (absl::Status status = fields.CheckKnown(kKnown); !status.ok()) return StatusError(status);
  const bool sql_is_string = body.HasMember("sql") && body["sql"].IsString();
  absl::StatusOr<std::string> sql = fields.String("sql", "");
  if (!sql_is_string || sql->empty()) {
    return JsonError(400, "the body needs \"sql\": a non-empty string holding one statement");
  }
  absl::StatusOr<std::string> format_name = fields.String("format", "");
  if (!format_name.ok()) return StatusError(format_name.status());
  absl::StatusOr<PreparedStatement> statement = SqlEngine::Prepare(*sql);
  if (!statement.ok()) return SqlStatusError(statement.status());
  if (statement->access != StatementAccess::kRead) return JsonError(400, NotReadOnlyMessage(statement->kind));
  // The statement's FORMAT clause wins over the body's, as over ClickHouse's default_format.
  const std::string wanted = !statement->statement->format.empty() ? statement->statement->format
                             : !format_name->empty()    ? *format_name
                                                        : std::string(kRestJsonFormat);
  std::optional<OutputFormat> format;
  if (wanted != kRestJsonFormat) {
    absl::StatusOr<OutputFormat> parsed = ParseOutputFormat(wanted);
    if (!parsed.ok()) return JsonError(400, parsed.status().message());
    format = *parsed;
  }
  absl::StatusOr<StatementOutput> output = runner.Run(*statement, SqlOrigin::kUserReadOnly);
  if (!output.ok()) return SqlStatusError(output.status());
  if (output->kind != StatementOutput::Kind::kRows) {
    return JsonError(400, NotReadOnlyMessage(StatementKind::kInsert));
  }
  if (!format) return HttpResponse::Json(200, QueryJson(output->result));
  HttpResponse response;
  response.content_type = std::string(ContentType(*format));
  WriteResult(output->result, *format, &response.body);
  return response;
}

// ---- GET endpoints ----

// `segment`: the raw (percent-encoded) user id or experiment name of the path.
HttpResponse ServeRead(const HttpRequest& request, Endpoint endpoint, absl::string_view segment,
                       const RestContext& context) {
  if (context.runner == nullptr) return Unavailable("the query runner");
  rapidjson::Document document;
  if (absl::Status status =
          server_internal::GatherParams(request, server_internal::RestListParams(), &document);
      !status.ok()) {
    return StatusError(status);
  }
  const JsonParams params(&document, "");
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  absl::Status status;
  switch (endpoint) {
    case Endpoint::kUserSummary: {
      status = params.CheckKnown({});
      absl::StatusOr<std::string> user_id = server_internal::DecodePathSegment(segment);
      if (status.ok() && !user_id.ok()) status = user_id.status();
      if (status.ok()) {
        status = server_internal::ServeUserSummary(*user_id, context.user_id_hasher,
                                                   *context.runner, &writer);
      }
      break;
    }
    case Endpoint::kDailyMetrics:
      status = server_internal::ServeDailyMetrics(params, *context.runner, &writer);
      break;
    case Endpoint::kRetention:
      status = server_internal::ServeRetention(params, *context.runner, &writer);
      break;
    case Endpoint::kFunnel:
      status = server_internal::ServeFunnel(params, *context.runner, &writer);
      break;
    case Endpoint::kExperiments:
      status = server_internal::ServeExperimentList(params, *context.runner, &writer);
      break;
    case Endpoint::kExperiment: {
      absl::StatusOr<std::string> name = server_internal::DecodePathSegment(segment);
      status = name.status();
      if (status.ok()) {
        status = server_internal::ServeExperiment(*name, params, *context.runner, &writer);
      }
      break;
    }
    case Endpoint::kQuery:
    case Endpoint::kEvents:
      status = absl::InternalError("not a GET endpoint");
      break;
  }
  if (!status.ok()) return StatusError(status);
  return HttpResponse::Json(200, JsonText(buffer));
}

// ---- Routing ----

const Route& RouteOfEndpoint(Endpoint endpoint) {
  for (const Route& route : kRoutes) {
    if (route.endpoint == endpoint) return route;
  }
  return kRoutes[0];  // unreachable: every endpoint has a route
}

// The route of `path` (below the prefix, without a trailing '/'); for a user summary or an
// experiment also the raw path segment naming it.
const Route* FindRoute(absl::string_view path, absl::string_view* segment) {
  absl::string_view user = path;
  if (absl::ConsumePrefix(&user, "users/") && absl::ConsumeSuffix(&user, "/summary") &&
      !user.empty() && user.find('/') == absl::string_view::npos) {
    *segment = user;
    return &RouteOfEndpoint(Endpoint::kUserSummary);
  }
  absl::string_view experiment = path;
  if (absl::ConsumePrefix(&experiment, "experiments/") && !experiment.empty() &&
      experiment.find('/') == absl::string_view::npos) {
    *segment = experiment;
    return &RouteOfEndpoint(Endpoint::kExperiment);
  }
  for (const Route& route : kRoutes) {
    if (route.endpoint != Endpoint::kUserSummary && route.endpoint != Endpoint::kExperiment &&
        route.path == path) {
      return &route;
    }
  }
  return nullptr;
}

HttpResponse NotFound(absl::string_view path) {
  std::vector<std::string> endpoints;
  for (const Route& route : kRoutes) {
    endpoints.push_back(absl::StrCat(route.method, " ", kRestPathPrefix, route.path));
  }
  return JsonError(
      404, absl::StrCat("no REST endpoint ", path, "; there are ", absl::StrJoin(endpoints, ", ")));
}

// The route of request.path (null when there is none) and, for a user summary or an
// experiment, the raw path segment naming it.
const Route* RouteOf(const HttpRequest& request, absl::string_view* segment) {
  absl::string_view path = request.path;
  if (!absl::ConsumePrefix(&path, kRestPathPrefix)) return nullptr;
  absl::ConsumeSuffix(&path, "/");
  return FindRoute(path, segment);
}

}  // namespace

Role RestRequiredRole(const HttpRequest& request) {
  absl::string_view segment;
  const Route* route = RouteOf(request, &segment);
  if (route == nullptr || request.method != route->method) return Role::kViewer;
  switch (route->endpoint) {
    case Endpoint::kEvents:
      return Role::kAdmin;
    case Endpoint::kQuery:
      return Role::kAnalyst;
    default:
      return Role::kViewer;
  }
}

HttpResponse HandleRest(const HttpRequest& request, const RestContext& context) {
  absl::string_view segment;
  const Route* route = RouteOf(request, &segment);
  if (route == nullptr) {
    if (absl::StartsWith(request.path, absl::StrCat(kRestPathPrefix, "users/"))) {
      return JsonError(404, absl::StrCat("no REST endpoint ", request.path, "; user summaries are ",
                                         kRestPathPrefix,
                                         "users/{user_id}/summary with the id "
                                         "percent-encoded"));
    }
    if (absl::StartsWith(request.path, absl::StrCat(kRestPathPrefix, "experiments/"))) {
      return JsonError(
          404, absl::StrCat("no REST endpoint ", request.path, "; an experiment is ",
                            kRestPathPrefix, "experiments/{name} with the name percent-encoded"));
    }
    return NotFound(request.path);
  }
  if (request.method == "OPTIONS" || request.method != route->method) {
    HttpResponse response =
        request.method == "OPTIONS"
            ? HttpResponse::Json(204, "")
            : JsonError(405, absl::StrCat("method ", request.method, " is not allowed on ",
                                          request.path, "; use ", route->method));
    response.headers.emplace_back("Allow", absl::StrCat(route->method, ", OPTIONS"));
    return response;
  }
  switch (route->endpoint) {
    case Endpoint::kQuery:
      if (context.runner == nullptr) return Unavailable("the query runner");
      return ServeQuery(request, *context.runner);
    case Endpoint::kEvents:
      return ServeEvents(request, context.ingestor, context.max_array_body_bytes);
    default:
      return ServeRead(request, route->endpoint, segment, context);
  }
}

}  // namespace mua
