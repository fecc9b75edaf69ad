// What MUA's JSON-over-HTTP APIs (the Grafana datasource, the REST API) share: the
// RapidJSON writer they answer with, how query cells become JSON values, the parse
// flags for untrusted bodies, and the HTTP status of an absl::Status. Stateless;
// thread-safe.
//
//   rapidjson::StringBuffer buffer;
//   JsonWriter writer(buffer);
//   writer.StartArray();
//   WriteCell(result.columns[0], /*row=*/0, JsonTimeStyle::kText, &writer);  // "2026-10-05"
//   writer.EndArray();
//   return HttpResponse::Json(200, JsonText(buffer));
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "query/result_set.h"
#include "rapidjson/fwd.h"
#include "rapidjson/reader.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace mua::server_internal {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// For untrusted input: no recursion (deep nesting cannot overflow the stack), valid
// UTF-8 only, numbers kept exactly.
inline constexpr unsigned kUntrustedJsonFlags = rapidjson::kParseIterativeFlag |
                                                rapidjson::kParseValidateEncodingFlag |
                                                rapidjson::kParseFullPrecisionFlag;

// Parses a request body or JSON parameter into `*document` with kUntrustedJsonFlags and
// at most kMaxJsonDepth (64) levels of nesting (storage/base/json_limits.h), so writing
// the document back (Accept into a JsonWriter) or deep-copying it recurses at most that
// deep. Errors: InvalidArgument "JSON nested deeper than 64 levels at offset K" or
// "malformed JSON at offset K: <reason>"; `*document` is then null.
absl::Status ParseUntrustedJson(absl::string_view text, rapidjson::Document* document);

// How Date, DateTime and DateTime64 cells are written.
enum class JsonTimeStyle {
  kEpochMillis,  // numbers: epoch milliseconds (Grafana)
  kText,         // ClickHouse's text: "2026-10-05", "2026-10-05 08:00:00", "... 08:00:00.000"
};

// `text` as a JSON string; bytes that are not valid UTF-8 (stored events are not
// validated, rejected payloads are truncated) become U+FFFD, so the output is valid JSON.
void WriteString(absl::string_view text, JsonWriter* writer);
// A number, as an integer when it is one (counts print as 3, not 3.0); null for
// nullopt, NaN and infinities (JSON has no spelling for them).
void WriteNumber(std::optional<double> value, JsonWriter* writer);
// One cell: integers (UInt64 unsigned), floats as WriteNumber, strings, times in
// `style`, arrays of those, null for NULL.
void WriteCell(const Column& column, size_t row, JsonTimeStyle style, JsonWriter* writer);

// `result`'s rows as an array of objects keyed by column name.
void WriteRowObjects(const ResultSet& result, JsonTimeStyle style, JsonWriter* writer);

// The text written into `buffer`.
std::string JsonText(const rapidjson::StringBuffer& buffer);

// The HTTP status of an error: 400 InvalidArgument, FailedPrecondition, OutOfRange;
// 404 NotFound; 403 PermissionDenied; 429 ResourceExhausted; 501 Unimplemented;
// 503 Unavailable; 504 DeadlineExceeded; 500 otherwise.
int HttpStatusOf(absl::StatusCode code);
// The same for a whole status: a limit (ResourceExhausted) is the request's fault, 400,
// except a statement out of memory, 500 as on ClickHouse's endpoint.
int HttpStatusOf(const absl::Status& status);

}  // namespace mua::server_internal
