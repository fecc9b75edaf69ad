#include "ingest/internal/attributes_builder.h"

#include "ingest/pii.h"

namespace mua::ingest_internal {

void AttributesBuilder::WriteMember(const Member& member, const UserIdHasher* hasher,
                                    uint8_t user_id_slot) {
  if (member.type == Type::kText) {
    out_.RawValue(containers_.text(member.begin, member.end));
    return;
  }
  out_.Key(member.key);
  if (member.kind != JsonKind::kString) {
    out_.RawValue(member.value);
  } else if (hasher != nullptr && member.slot == user_id_slot) {
    char hashed[UserIdHasher::kHashedLength];
    hasher->HashTo(member.value, hashed);
    out_.StringValue(absl::string_view(hashed, sizeof(hashed)));
  } else {
    out_.StringValue(member.value);
  }
}

absl::string_view AttributesBuilder::Build(const UserIdHasher* hasher, uint8_t user_id_slot) {
  out_.Clear();
  bool any = false;
  // The open group whose key is not written yet, and whether it had members.
  const Member* group = nullptr;
  bool group_written = false;
  bool group_had_members = false;
  for (const Member& member : members_) {
    switch (member.type) {
      case Type::kGroupOpen:
        group = &member;
        group_written = false;
        group_had_members = false;
        continue;
      case Type::kGroupClose:
        if (group_written) {
          out_.End('}');
        } else if (!group_had_members) {
          if (!any) out_.Start('{');
          any = true;
          out_.Key(group->key);
          out_.RawValue("{}");
        }
        group = nullptr;
        continue;
      case Type::kScalar:
      case Type::kText:
        break;
    }
    group_had_members = true;
    if (member.mapped) continue;
    if (!any) out_.Start('{');
    any = true;
    if (group != nullptr && !group_written) {
      out_.Key(group->key);
      out_.Start('{');
      group_written = true;
    }
    WriteMember(member, hasher, user_id_slot);
  }
  if (!any) return {};
  out_.End('}');
  return out_.text();
}

}  // namespace mua::ingest_internal
