#include "server/grafana_api.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "server/internal/grafana_filters.h"
#include "server/internal/grafana_frames.h"
#include "server/internal/grafana_metrics.h"
#include "server/internal/grafana_scope.h"
#include "server/internal/grafana_sql.h"
#include "server/internal/json_api.h"
#include "server/internal/json_params.h"
#include "server/query_runner.h"

namespace mua {
namespace {

using server_internal::GrafanaFrame;
using server_internal::JsonParams;
using server_internal::JsonWriter;
using server_internal::QueryScope;
using server_internal::TimeRange;
using server_internal::WriteString;

constexpr int kMaxVariableValues = 10'000;
constexpr int64_t kDefaultMaxDataPoints = 1'000;  // a panel's width in pixels, roughly
constexpr int kMaxTagValues = 1'000;
constexpr absl::string_view kDefaultAllowedHeaders = "accept, content-type, authorization";

// An endpoint writes its whole answer into `writer`; on error the partial text is dropped.
using Endpoint = absl::Status (*)(const rapidjson::Value& body, const QueryRunner& runner,
                                  JsonWriter* writer);

// ---- Small JSON readers ----

// The string member `name` of `object`, or nullopt when absent or not a string.
std::optional<std::string> StringMember(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject() || !object.HasMember(name) || !object[name].IsString())
    return std::nullopt;
  return std::string(object[name].GetString(), object[name].GetStringLength());
}

int64_t NumberMember(const rapidjson::Value& object, const char* name) {
  if (!object.HasMember(name) || !object[name].IsNumber()) return 0;
  const double value = object[name].GetDouble();
  return value > 0 && value < 1e15 ? static_cast<int64_t>(value) : 0;
}

// True for text that reads as a SELECT (SQL typed where a metric name is expected).
bool LooksLikeSelect(absl::string_view text) {
  text = absl::StripLeadingAsciiWhitespace(text);
  while (absl::ConsumePrefix(&text, "(")) text = absl::StripLeadingAsciiWhitespace(text);
  for (absl::string_view keyword : {"select", "with"}) {
    if (text.size() > keyword.size() && absl::StartsWithIgnoreCase(text, keyword) &&
        absl::ascii_isspace(static_cast<unsigned char>(text[keyword.size()]))) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<QueryScope> ParseQueryScope(const rapidjson::Value& body) {
  absl::StatusOr<TimeRange> range = server_internal::ParseRequiredRange(body);
  if (!range.ok()) return range.status();
  QueryScope scope;
  scope.range = *range;
  const int64_t max_data_points = NumberMember(body, "maxDataPoints");
  scope.bucket =
      server_internal::ChooseBucket(scope.range, NumberMember(body, "intervalMs"),
                                    max_data_points > 0 ? max_data_points : kDefaultMaxDataPoints);
  absl::StatusOr<std::string> filters = server_internal::AdhocFiltersToSql(body);
  if (!filters.ok()) return filters.status();
  scope.filter_sql = *std::move(filters);
  return scope;
}

absl::Status InTarget(const absl::Status& status, absl::string_view ref_id,
                      absl::string_view metric) {
  return absl::Status(status.code(),
                      absl::StrCat("target ", ref_id.empty() ? "" : absl::StrCat(ref_id, " "), "(",
                                   metric, "): ", status.message()));
}

// ---- Endpoints ----

absl::Status ServeMetrics(const rapidjson::Value&, const QueryRunner&, JsonWriter* writer) {
  writer->StartArray();
  for (const server_internal::MetricSpec& metric : server_internal::GrafanaMetrics()) {
    writer->StartObject();
    writer->Key("label");
    WriteString(metric.label, writer);
    writer->Key("value");
    WriteString(metric.value, writer);
    writer->Key("payloads");
    writer->StartArray();
    for (const server_internal::PayloadSpec& payload : metric.payloads) {
      writer->StartObject();
      for (const auto& [key, value] :
           {std::pair<const char*, const std::string&>{"name", payload.name},
            {"label", payload.label},
            {"type", payload.type},
            {"placeholder", payload.placeholder}}) {
        writer->Key(key);
        WriteString(value, writer);
      }
      // Without options a select asks /metric-payload-options when it opens.
      if (!payload.options.empty()) {
        writer->Key("options");
        writer->StartArray();
        for (const server_internal::PayloadOption& option : payload.options) {
          writer->StartObject();
          writer->Key("label");
          WriteString(option.label, writer);
          writer->Key("value");
          WriteString(option.value, writer);
          writer->EndObject();
        }
        writer->EndArray();
      }
      writer->EndObject();
    }
    writer->EndArray();
    writer->EndObject();
  }
  writer->EndArray();
  return absl::OkStatus();
}

absl::StatusOr<const server_internal::MetricSpec*> RequireMetric(absl::string_view name) {
  if (const server_internal::MetricSpec* metric = server_internal::FindMetric(name)) return metric;
  std::vector<std::string> names;
  for (const server_internal::MetricSpec& metric : server_internal::GrafanaMetrics())
    names.push_back(metric.value);
  return absl::InvalidArgumentError(
      absl::StrCat("unknown metric '", name, "'; MUA offers ", absl::StrJoin(names, ", ")));
}

absl::Status ServePayloadOptions(const rapidjson::Value& body, const QueryRunner& runner,
                                 JsonWriter* writer) {
  const std::optional<std::string> metric_name = StringMember(body, "metric");
  const std::optional<std::string> name = StringMember(body, "name");
  if (!metric_name || !name)
    return absl::InvalidArgumentError("the request needs string 'metric' and 'name'");
  absl::StatusOr<const server_internal::MetricSpec*> metric = RequireMetric(*metric_name);
  if (!metric.ok()) return metric.status();
  absl::StatusOr<std::vector<server_internal::PayloadOption>> options =
      server_internal::MetricPayloadOptions(**metric, *name, runner);
  if (!options.ok()) return options.status();
  writer->StartArray();
  for (const server_internal::PayloadOption& option : *options) {
    writer->StartObject();
    writer->Key("label");
    WriteString(option.label, writer);
    writer->Key("value");
    WriteString(option.value, writer);
    writer->EndObject();
  }
  writer->EndArray();
  return absl::OkStatus();
}

// The frames of one element of `targets`; an empty list for targets Grafana would not send.
absl::StatusOr<std::vector<GrafanaFrame>> RunTarget(const rapidjson::Value& target,
                                                    const QueryScope& scope,
                                                    const QueryRunner& runner, std::string* ref_id) {
  if (!target.IsObject())
    return absl::InvalidArgumentError("every element of targets must be an object");
  *ref_id = StringMember(target, "refId").value_or("");
  std::optional<std::string> name = StringMember(target, "target");
  const bool hidden =
      target.HasMember("hide") && target["hide"].IsBool() && target["hide"].GetBool();
  if (!name || name->empty() || hidden) return std::vector<GrafanaFrame>();
  const rapidjson::Value* payload_object = nullptr;
  if (target.HasMember("payload") && !target["payload"].IsNull()) {
    payload_object = &target["payload"];
    if (!payload_object->IsObject()) return absl::InvalidArgumentError("payload must be an object");
  }
  // SimpleJSON-style SQL in the target itself runs as the sql metric.
  rapidjson::Document sql_payload;
  if (server_internal::FindMetric(*name) == nullptr && LooksLikeSelect(*name)) {
    sql_payload.SetObject();
    sql_payload.AddMember("sql", rapidjson::Value(name->c_str(), sql_payload.GetAllocator()),
                          sql_payload.GetAllocator());
    payload_object = &sql_payload;
    *name = "sql";
  }
  absl::StatusOr<const server_internal::MetricSpec*> metric = RequireMetric(*name);
  if (!metric.ok()) return InTarget(metric.status(), *ref_id, *name);
  absl::StatusOr<std::vector<GrafanaFrame>> frames =
      server_internal::RunMetric(**metric, JsonParams(payload_object, "payload."), scope, runner);
  if (!frames.ok()) return InTarget(frames.status(), *ref_id, (*metric)->value);
  return frames;
}

constexpr rapidjson::SizeType kMaxTargets = 100;

absl::Status ServeQuery(const rapidjson::Value& body, const QueryRunner& runner, JsonWriter* writer) {
  absl::StatusOr<QueryScope> scope = ParseQueryScope(body);
  if (!scope.ok()) return scope.status();
  if (body.HasMember("targets") && !body["targets"].IsArray()) {
    return absl::InvalidArgumentError("targets must be an array");
  }
  // A panel has a few queries (A, B, ...); thousands in one small request would each
  // run and multiply the answer.
  if (body.HasMember("targets") && body["targets"].Size() > kMaxTargets) {
    return absl::InvalidArgumentError(
        absl::StrCat("a request may hold at most ", kMaxTargets, " targets, not ", body["targets"].Size()));
  }
  writer->StartArray();
  if (body.HasMember("targets")) {
    for (const rapidjson::Value& target : body["targets"].GetArray()) {
      std::string ref_id;
      absl::StatusOr<std::vector<GrafanaFrame>> frames = RunTarget(target, *scope, runner, &ref_id);
      if (!frames.ok()) return frames.status();
      for (const GrafanaFrame& frame : *frames) server_internal::WriteFrame(frame, ref_id, writer);
    }
  }
  writer->EndArray();
  return absl::OkStatus();
}

// Values of a variable query: an events column's values in the range, or a SELECT's
// (text, value) pairs from columns __text/__value or else its first column.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> VariableValues(
    absl::string_view query, const std::optional<TimeRange>& range, const QueryRunner& runner) {
  std::vector<std::pair<std::string, std::string>> values;
  const absl::string_view trimmed = absl::StripAsciiWhitespace(query);
  if (server_internal::IsFilterableColumn(trimmed)) {
    absl::StatusOr<std::vector<std::string>> column =
        server_internal::ColumnValues(runner, trimmed, range, "", kMaxVariableValues);
    if (!column.ok()) return column.status();
    for (std::string& value : *column) values.emplace_back(value, value);
    return values;
  }
  if (!LooksLikeSelect(trimmed)) {
    return absl::InvalidArgumentError(
        absl::StrCat("a variable query is an events column (",
                     absl::StrJoin(server_internal::FilterableColumns(), ", "),
                     ") or a SELECT, not '", query, "'"));
  }
  std::optional<QueryScope> scope;
  if (range) scope = QueryScope{*range, server_internal::ChooseBucket(*range, 0, 0), ""};
  absl::StatusOr<std::string> sql =
      server_internal::ExpandMacros(trimmed, scope ? &*scope : nullptr);
  if (!sql.ok()) return sql.status();
  absl::StatusOr<ResultSet> result = server_internal::RunSelect(runner, *sql, SqlOrigin::kUserReadOnly);
  if (!result.ok()) return result.status();
  if (result->columns.empty()) return values;
  const size_t text = server_internal::FindResultColumn(*result, "__text").value_or(0);
  const size_t value = server_internal::FindResultColumn(*result, "__value").value_or(text);
  for (size_t row = 0; row < result->row_count; ++row) {
    values.emplace_back(server_internal::CellText(result->columns[text], row),
                        server_internal::CellText(result->columns[value], row));
  }
  return values;
}

absl::Status ServeVariable(const rapidjson::Value& body, const QueryRunner& runner,
                           JsonWriter* writer) {
  std::optional<std::string> query;
  if (body.HasMember("payload")) query = StringMember(body["payload"], "target");
  if (!query) query = StringMember(body, "target");
  if (!query)
    return absl::InvalidArgumentError(
        "the request needs payload.target: a column name or a SELECT");
  absl::StatusOr<std::optional<TimeRange>> range = server_internal::ParseOptionalRange(body);
  if (!range.ok()) return range.status();
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> values =
      VariableValues(*query, *range, runner);
  if (!values.ok()) return values.status();
  writer->StartArray();
  for (const auto& [text, value] : *values) {
    // __text/__value, not text/value: the plugin splits {text, value} into two options.
    writer->StartObject();
    writer->Key("__text");
    WriteString(text, writer);
    writer->Key("__value");
    WriteString(value, writer);
    writer->EndObject();
  }
  writer->EndArray();
  return absl::OkStatus();
}

absl::Status ServeTagKeys(const rapidjson::Value&, const QueryRunner&, JsonWriter* writer) {
  writer->StartArray();
  for (absl::string_view column : server_internal::FilterableColumns()) {
    writer->StartObject();
    writer->Key("type");
    writer->String("string");
    writer->Key("text");
    WriteString(column, writer);
    writer->EndObject();
  }
  writer->EndArray();
  return absl::OkStatus();
}

absl::Status ServeTagValues(const rapidjson::Value& body, const QueryRunner& runner,
                            JsonWriter* writer) {
  const std::optional<std::string> key = StringMember(body, "key");
  if (!key) return absl::InvalidArgumentError("the request needs a string 'key'");
  if (!server_internal::IsFilterableColumn(*key)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown key '", *key,
                     "'; tag keys: ", absl::StrJoin(server_internal::FilterableColumns(), ", ")));
  }
  absl::StatusOr<std::optional<TimeRange>> range = server_internal::ParseOptionalRange(body);
  if (!range.ok()) return range.status();
  absl::StatusOr<std::string> filters = server_internal::AdhocFiltersToSql(body, *key);
  if (!filters.ok()) return filters.status();
  absl::StatusOr<std::vector<std::string>> values =
      server_internal::ColumnValues(runner, *key, *range, *filters, kMaxTagValues);
  if (!values.ok()) return values.status();
  writer->StartArray();
  for (const std::string& value : *values) {
    writer->StartObject();
    writer->Key("text");
    WriteString(value, writer);
    writer->EndObject();
  }
  writer->EndArray();
  return absl::OkStatus();
}

// SimpleJSON's /search: metric names (filtered by the typed text), or a variable's values.
absl::Status ServeSearch(const rapidjson::Value& body, const QueryRunner& runner,
                         JsonWriter* writer) {
  const std::string query = StringMember(body, "target").value_or("");
  const absl::string_view trimmed = absl::StripAsciiWhitespace(query);
  std::vector<std::string> names;
  if (server_internal::IsFilterableColumn(trimmed) || LooksLikeSelect(trimmed)) {
    absl::StatusOr<std::optional<TimeRange>> range = server_internal::ParseOptionalRange(body);
    if (!range.ok()) return range.status();
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> values =
        VariableValues(trimmed, *range, runner);
    if (!values.ok()) return values.status();
    for (auto& [text, value] : *values) names.push_back(std::move(value));
  } else {
    const std::string wanted = absl::AsciiStrToLower(trimmed);
    for (const server_internal::MetricSpec& metric : server_internal::GrafanaMetrics()) {
      if (absl::StrContains(metric.value, wanted)) names.push_back(metric.value);
    }
  }
  writer->StartArray();
  for (const std::string& name : names) WriteString(name, writer);
  writer->EndArray();
  return absl::OkStatus();
}

// One annotation per row of a table with a time column and optional timeEnd, title,
// text and tags (comma-separated or an array); the request's annotation is echoed.
void WriteAnnotations(const ResultSet& table, const rapidjson::Value* annotation,
                      JsonWriter* writer) {
  const std::optional<size_t> time = server_internal::FirstTimeColumn(table);
  if (!time) return;
  const std::optional<size_t> time_end = server_internal::FindResultColumn(table, "timeEnd");
  const std::optional<size_t> title = server_internal::FindResultColumn(table, "title");
  std::optional<size_t> text = server_internal::FindResultColumn(table, "text");
  const std::optional<size_t> tags = server_internal::FindResultColumn(table, "tags");
  for (size_t i = 0; i < table.columns.size() && !text; ++i) {
    if (table.columns[i].type.is_string() && i != title && i != tags) text = i;
  }
  for (size_t row = 0; row < table.row_count; ++row) {
    const std::optional<int64_t> start = server_internal::TimeCellMillis(table.columns[*time], row);
    if (!start) continue;
    writer->StartObject();
    if (annotation != nullptr) {
      writer->Key("annotation");
      annotation->Accept(*writer);  // recursive; the body was parsed at most kMaxJsonDepth deep
    }
    writer->Key("time");
    writer->Int64(*start);
    if (time_end && table.columns[*time_end].type.is_time()) {
      if (std::optional<int64_t> end =
              server_internal::TimeCellMillis(table.columns[*time_end], row)) {
        writer->Key("timeEnd");
        writer->Int64(*end);
        writer->Key("isRegion");
        writer->Bool(*end != *start);
      }
    }
    writer->Key("title");
    WriteString(title ? server_internal::CellText(table.columns[*title], row) : "", writer);
    writer->Key("text");
    WriteString(text ? server_internal::CellText(table.columns[*text], row) : "", writer);
    writer->Key("tags");
    writer->StartArray();
    if (tags) {
      std::string joined = server_internal::CellText(table.columns[*tags], row);
      if (table.columns[*tags].type.id == TypeId::kArray)
        joined = joined.substr(1, joined.size() - 2);
      for (absl::string_view tag : absl::StrSplit(joined, ',', absl::SkipWhitespace()))
        WriteString(tag, writer);
    }
    writer->EndArray();
    writer->EndObject();
  }
}

// SimpleJSON's /annotations: annotation.query is empty or "releases", "alerts", or a SELECT.
absl::Status ServeAnnotations(const rapidjson::Value& body, const QueryRunner& runner,
                              JsonWriter* writer) {
  absl::StatusOr<QueryScope> scope = ParseQueryScope(body);
  if (!scope.ok()) return scope.status();
  const rapidjson::Value* annotation =
      body.HasMember("annotation") && body["annotation"].IsObject() ? &body["annotation"] : nullptr;
  const std::string query = annotation ? StringMember(*annotation, "query").value_or("") : "";
  const absl::string_view trimmed = absl::StripAsciiWhitespace(query);
  rapidjson::Document payload(rapidjson::kObjectType);
  const char* metric = "releases";
  if (LooksLikeSelect(trimmed)) {
    metric = "sql";
    payload.AddMember("sql", rapidjson::Value(query.c_str(), payload.GetAllocator()),
                      payload.GetAllocator());
    payload.AddMember("format", "table", payload.GetAllocator());
  } else if (trimmed == "alerts") {
    metric = "alerts";
  } else if (!trimmed.empty() && trimmed != "releases") {
    return absl::InvalidArgumentError(
        absl::StrCat("annotation.query must be empty, 'releases', 'alerts' or a SELECT, not '", query, "'"));
  }
  absl::StatusOr<std::vector<GrafanaFrame>> frames = server_internal::RunMetric(
      *server_internal::FindMetric(metric), JsonParams(&payload, "payload."), *scope, runner);
  if (!frames.ok()) return frames.status();
  writer->StartArray();
  for (const GrafanaFrame& frame : *frames) {
    if (const auto* table = std::get_if<ResultSet>(&frame.content))
      WriteAnnotations(*table, annotation, writer);
  }
  writer->EndArray();
  return absl::OkStatus();
}

// ---- HTTP ----

struct Route {
  absl::string_view path;
  Endpoint endpoint;
};
constexpr Route kRoutes[] = {
    {"/metrics", ServeMetrics},  {"/metric-payload-options", ServePayloadOptions},
    {"/query", ServeQuery},      {"/variable", ServeVariable},
    {"/tag-keys", ServeTagKeys}, {"/tag-values", ServeTagValues},
    {"/search", ServeSearch},    {"/annotations", ServeAnnotations},
};

// "/grafana//query/" -> "/query"; "/grafana" -> "/".
std::string EndpointPath(absl::string_view path) {
  absl::ConsumePrefix(&path, kGrafanaPathPrefix);
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  return absl::StrCat("/", absl::StrJoin(parts, "/"));
}

// A 404 would tell Grafana the endpoint is missing: unknown tables and columns are 400s.
int GrafanaStatusOf(const absl::Status& status) {
  return status.code() == absl::StatusCode::kNotFound ? 400 : server_internal::HttpStatusOf(status);
}

// {"error": message, "message": message}: Grafana shows `message` in the panel.
HttpResponse JsonError(int status, absl::string_view message) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  for (const char* key : {"error", "message"}) {
    writer.Key(key);
    WriteString(message, &writer);
  }
  writer.EndObject();
  return HttpResponse::Json(status, server_internal::JsonText(buffer));
}

bool IsHeaderListSafe(absl::string_view list) {
  for (char c : list) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != ',' &&
        c != ' ') {
      return false;
    }
  }
  return !list.empty();
}

// An Origin on the allowlist is echoed with credentials allowed (Grafana's "With
// credentials" needs both; '*' is refused then); any other origin gets no CORS grant,
// so a foreign page cannot read answers with the user's cookies or tokens. Without an
// Origin (not a cross-site browser request) '*' is harmless.
void AddCorsHeaders(const HttpRequest& request, const std::vector<std::string>& allowed_origins,
                    HttpResponse* response) {
  const absl::string_view origin = request.Header("Origin");
  if (origin.empty()) {
    response->headers.emplace_back("Access-Control-Allow-Origin", "*");
    return;
  }
  response->headers.emplace_back("Vary", "Origin");
  if (!OriginAllowed(origin, allowed_origins)) return;
  response->headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  response->headers.emplace_back("Access-Control-Allow-Credentials", "true");
}

HttpResponse Preflight(const HttpRequest& request) {
  HttpResponse response;
  response.status = 204;
  const absl::string_view requested = request.Header("Access-Control-Request-Headers");
  response.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  response.headers.emplace_back(
      "Access-Control-Allow-Headers",
      std::string(IsHeaderListSafe(requested) ? requested : kDefaultAllowedHeaders));
  response.headers.emplace_back("Access-Control-Max-Age", "86400");
  return response;
}

HttpResponse MethodNotAllowed(absl::string_view method, absl::string_view path,
                              absl::string_view allow) {
  HttpResponse response = JsonError(
      405, absl::StrCat("method ", method, " is not allowed on /grafana", path, "; use ", allow));
  response.headers.emplace_back("Allow", absl::StrCat(allow, ", OPTIONS"));
  return response;
}

HttpResponse ServeJsonEndpoint(const HttpRequest& request, Endpoint endpoint,
                               const QueryRunner& runner) {
  const absl::string_view content_type = request.Header("Content-Type");
  if (!request.body.empty() && !content_type.empty() &&
      !absl::StartsWithIgnoreCase(absl::StripLeadingAsciiWhitespace(content_type),
                                  "application/json")) {
    return JsonError(
        415,
        absl::StrCat("the body must be JSON (Content-Type: application/json), not ", content_type));
  }
  rapidjson::Document body;
  const std::string text = absl::StripAsciiWhitespace(request.body).empty() ? "{}" : request.body;
  // Bounded depth: parts of the body are written back (the annotation) recursively.
  if (absl::Status parsed = server_internal::ParseUntrustedJson(text, &body); !parsed.ok()) {
    return JsonError(400, absl::StrCat("malformed JSON body (", parsed.message(), ")"));
  }
  if (!body.IsObject()) return JsonError(400, "the JSON body must be an object");
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  if (absl::Status status = endpoint(body, runner, &writer); !status.ok()) {
    return JsonError(GrafanaStatusOf(status), status.message());
  }
  return HttpResponse::Json(200, server_internal::JsonText(buffer));
}

HttpResponse Dispatch(const HttpRequest& request, const QueryRunner& runner) {
  const std::string path = EndpointPath(request.path);
  if (request.method == "OPTIONS") return Preflight(request);
  if (path == "/") {
    // Grafana's "Save & test" needs exactly 200 and a JSON body.
    if (request.method != "GET" && request.method != "HEAD")
      return MethodNotAllowed(request.method, path, "GET");
    return HttpResponse::Json(200, R"({"status":"ok"})");
  }
  for (const Route& route : kRoutes) {
    if (route.path != path) continue;
    if (request.method != "POST") return MethodNotAllowed(request.method, path, "POST");
    return ServeJsonEndpoint(request, route.endpoint, runner);
  }
  return JsonError(404, absl::StrCat("no Grafana endpoint /grafana", path));
}

}  // namespace

bool OriginAllowed(absl::string_view origin, const std::vector<std::string>& allowed_origins) {
  for (const std::string& allowed : allowed_origins) {
    if (absl::EqualsIgnoreCase(origin, allowed)) return true;
  }
  return false;
}

HttpResponse HandleGrafana(const HttpRequest& request, const QueryRunner& runner,
                           const std::vector<std::string>& cors_origins) {
  HttpResponse response;
  if (request.path != kGrafanaPathPrefix &&
      !absl::StartsWith(request.path, absl::StrCat(kGrafanaPathPrefix, "/"))) {
    response = JsonError(404, absl::StrCat("not a Grafana path: ", request.path));
  } else {
    response = Dispatch(request, runner);
  }
  AddCorsHeaders(request, cors_origins, &response);
  return response;
}

}  // namespace mua
