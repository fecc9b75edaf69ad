// EventRows for tests, with owned strings.
//
//   EventBuilder events;
//   events.Add(MillisAt("2026-10-05T10:00:00"), "alice", "app_open").platform = "ios";
//   ASSERT_OK(table.Append(events.rows()));
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storage/event_row.h"

namespace mua::test {

// Milliseconds since the epoch of a UTC "YYYY-MM-DDTHH:MM:SS" (aborts when unparsable).
inline int64_t MillisAt(const std::string& text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%dT%H:%M:%S", text, absl::UTCTimeZone(), &time, &error)) {
    std::abort();
  }
  return absl::ToUnixMillis(time);
}

class EventBuilder {
 public:
  // Appends an event; the returned row may be edited until the next Add.
  // String fields set on it must be views of strings that outlive the builder,
  // or of Keep(...).
  EventRow& Add(int64_t time_ms, const std::string& user, const std::string& event_type) {
    EventRow& row = rows_.emplace_back();
    row.event_time_ms = time_ms;
    row.user_id = Keep(user);
    row.event_type = Keep(event_type);
    row.event_id = Keep(std::to_string(rows_.size()));
    return row;
  }

  absl::string_view Keep(std::string value) { return strings_.emplace_back(std::move(value)); }

  absl::Span<const EventRow> rows() const { return rows_; }
  void clear() { rows_.clear(); }

 private:
  std::deque<std::string> strings_;
  std::vector<EventRow> rows_;
};

}  // namespace mua::test
