// AttributesBuilder: collects the members of one event's envelope as the decoder meets
// them, then writes `attributes` (SPEC §2): a compact JSON object of every member that
// was not mapped to a column, in the order sent, nested groups (device{...}) holding only
// their unmapped members. Scalars are kept as views and serialized only if they end up
// in attributes; containers are serialized as they arrive (into a reusable buffer).
//
//   builder.Clear();
//   builder.OpenGroup("device");
//   uint32_t os = builder.AddScalar("os", JsonKind::kString, "ios", /*slot=*/6);
//   uint32_t id = builder.AddScalar("device_id", JsonKind::kString, "x", kNoSlot);
//   builder.CloseGroup();
//   builder.SetMapped(os);
//   builder.Build(nullptr, 0);  // {"device":{"device_id":"x"}}
//
// Thread safety: none. No allocation once warm.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "ingest/internal/json_text_writer.h"

namespace mua {
class UserIdHasher;
}  // namespace mua

namespace mua::ingest_internal {

// The JSON kinds of scalar values.
enum class JsonKind : uint8_t { kString, kNumber, kBool, kNull };

class AttributesBuilder {
 public:
  // The slot of a member that maps to no column.
  static constexpr uint8_t kNoSlot = 0xff;

  void Clear() {
    members_.clear();
    containers_.Clear();
  }

  // A member `key: value` with a scalar value; `slot` names the column it may map to.
  // The views must stay valid until Build. Returns the member's index.
  uint32_t AddScalar(absl::string_view key, JsonKind kind, absl::string_view value,
                     uint8_t slot) {
    members_.push_back(Member{Type::kScalar, kind, slot, false, key, value, 0, 0, 0});
    return static_cast<uint32_t>(members_.size() - 1);
  }

  // A member whose value is a container: BeginContainer writes `"key":`, the caller then
  // writes the value into the returned writer, and EndContainer records the member.
  JsonTextWriter* BeginContainer(absl::string_view key) {
    pending_begin_ = containers_.size();
    containers_.Key(key);
    pending_value_ = containers_.size();
    return &containers_;
  }
  uint32_t EndContainer(uint8_t slot) {
    members_.push_back(Member{Type::kText, JsonKind::kNull, slot, false, {}, {},
                              pending_begin_, pending_value_, containers_.size()});
    return static_cast<uint32_t>(members_.size() - 1);
  }
  // The value text of a container member (valid until the next Begin/Clear).
  absl::string_view ContainerValue(uint32_t member) const {
    return containers_.text(members_[member].value_begin, members_[member].end);
  }

  // A nested group (an object whose members may map to columns).
  void OpenGroup(absl::string_view key) {
    members_.push_back(Member{Type::kGroupOpen, JsonKind::kNull, kNoSlot, false, key, {}, 0, 0, 0});
  }
  void CloseGroup() {
    members_.push_back(Member{Type::kGroupClose, JsonKind::kNull, kNoSlot, false, {}, {}, 0, 0, 0});
  }

  // Marks a member as stored in its column: it stays out of attributes.
  void SetMapped(uint32_t member) { members_[member].mapped = true; }

  // Writes attributes; "" when nothing is left. A group is kept when a member of it is
  // left, or when it was sent empty. String values of members in `user_id_slot` are
  // replaced by their hash when `hasher` is set (the clear id must not reach storage).
  // The text is valid until the next Build or Clear.
  absl::string_view Build(const UserIdHasher* hasher, uint8_t user_id_slot);

 private:
  enum class Type : uint8_t { kScalar, kText, kGroupOpen, kGroupClose };
  struct Member {
    Type type;
    JsonKind kind;
    uint8_t slot;
    bool mapped;
    absl::string_view key;    // kScalar, kGroupOpen
    absl::string_view value;  // kScalar
    size_t begin;             // kText: `"key":value` in containers_
    size_t value_begin;
    size_t end;
  };

  void WriteMember(const Member& member, const UserIdHasher* hasher, uint8_t user_id_slot);

  std::vector<Member> members_;
  JsonTextWriter containers_;
  JsonTextWriter out_;
  size_t pending_begin_ = 0;
  size_t pending_value_ = 0;
};

}  // namespace mua::ingest_internal
