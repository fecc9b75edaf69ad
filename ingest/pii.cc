#include "ingest/pii.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "ingest/internal/siphash.h"
#include "rapidjson/reader.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace mua {
namespace {

// Key for deriving the hashing key from a salt of any length ("mua-pii-salt-key").
constexpr uint64_t kDeriveK0 = 0x6c61732d6969702dULL;
constexpr uint64_t kDeriveK1 = 0x79656b2d746c6173ULL;

// Deeper payloads are kept as unparsable (the decoder refuses them far sooner).
constexpr int kMaxRejectedDepth = 256;
// The decoder quotes at most this many bytes of a value in its messages.
constexpr size_t kDecoderQuotedBytes = 80;
// More distinct ids than this in one payload (hostile: each costs a pass over the text)
// and it is kept as unparsable, its message withheld.
constexpr size_t kMaxIds = 8;
// Iterative: a hostile depth costs heap (bounded by kMaxRejectedDepth), never stack.
constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;

// Where the SAX walk is, enough to tell the positions that hold a user id.
class PathTracker {
 public:
  // Whether the scalar about to be seen is at `user_id` / `user.user_id` (id) or `user`.
  bool AtUserId() const {
    return (depth_ == 1 && key_ == "user_id") || (depth_ == 2 && in_user_ && key_ == "user_id");
  }
  bool AtUser() const { return depth_ == 1 && key_ == "user"; }

  void Key(absl::string_view key) {
    if (depth_ <= 2) key_.assign(key.data(), key.size());
  }
  bool Start(bool object) {
    if (depth_ >= kMaxRejectedDepth) return false;
    if (depth_ == 0) root_is_object_ = object;
    if (depth_ == 1 && object && root_is_object_ && key_ == "user") in_user_ = true;
    ++depth_;
    key_.clear();
    return true;
  }
  void End() {
    --depth_;
    if (depth_ <= 1) in_user_ = false;
    key_.clear();
  }
  bool in_root_object() const { return root_is_object_; }

 private:
  int depth_ = 0;
  bool root_is_object_ = false;
  bool in_user_ = false;  // inside the top-level `user` object
  std::string key_;       // the last key at depth 1 or 2
};

// First pass: the user ids a payload holds (SAX; stops at a parse error, keeping what it read).
class UserIdReader : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, UserIdReader> {
 public:
  bool Null() { return true; }
  bool Bool(bool) { return true; }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    return Scalar(absl::string_view(s, n));
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return Scalar(absl::string_view(s, n));
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    path_.Key(absl::string_view(s, n));
    return true;
  }
  bool StartObject() { return path_.Start(true); }
  bool EndObject(rapidjson::SizeType) {
    path_.End();
    return true;
  }
  bool StartArray() { return path_.Start(false); }
  bool EndArray(rapidjson::SizeType) {
    path_.End();
    return true;
  }

  // Every id read, distinct, at most kMaxIds.
  const std::vector<std::string>& ids() const { return ids_; }
  bool too_many_ids() const { return too_many_ids_; }
  // The id recorded: the last `user_id`, else the last scalar `user`.
  const std::string& primary() const { return user_id_.empty() ? user_ : user_id_; }

 private:
  bool Scalar(absl::string_view text) {
    if (text.empty() || !path_.in_root_object()) return true;
    const bool at_user_id = path_.AtUserId();
    if (!at_user_id && !path_.AtUser()) return true;
    if (std::find(ids_.begin(), ids_.end(), text) == ids_.end()) {
      if (ids_.size() == kMaxIds) {
        too_many_ids_ = true;
        return false;
      }
      ids_.emplace_back(text);
    }
    (at_user_id ? user_id_ : user_).assign(text.data(), text.size());
    return true;
  }

  PathTracker path_;
  std::vector<std::string> ids_;
  std::string user_id_;
  std::string user_;
  bool too_many_ids_ = false;
};

// Replaces every occurrence of the ids by their hashes, in one pass (a hash already
// written is never searched again; where two ids match at one place the longer wins).
class Redactor {
 public:
  Redactor(const UserIdHasher& hasher, const std::vector<std::string>& ids) {
    for (const std::string& id : ids) {
      const std::string hash = hasher.Hash(id);
      pairs_.emplace_back(id, hash);
      // Also as the decoder's messages quote a value: C-escaped, cut after 80 bytes.
      message_pairs_.emplace_back(id, hash);
      const std::string escaped = absl::CHexEscape(id);
      if (escaped != id) message_pairs_.emplace_back(escaped, hash);
      if (id.size() > kDecoderQuotedBytes) {
        message_pairs_.emplace_back(absl::CHexEscape(id.substr(0, kDecoderQuotedBytes)), hash);
      }
    }
  }

  std::string Text(absl::string_view text) const { return absl::StrReplaceAll(text, pairs_); }
  std::string Message(absl::string_view text) const {
    return absl::StrReplaceAll(text, message_pairs_);
  }
  // The hash when `text` is exactly an id, else null.
  const std::string* HashOf(absl::string_view text) const {
    for (const auto& [id, hash] : pairs_) {
      if (id == text) return &hash;
    }
    return nullptr;
  }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
  std::vector<std::pair<std::string, std::string>> message_pairs_;
};

// Second pass: the payload re-serialized through a Redactor; an id's position holds its hash.
class RedactingWriter : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, RedactingWriter> {
 public:
  explicit RedactingWriter(const Redactor& redactor) : redactor_(redactor), writer_(buffer_) {}

  bool Null() { return writer_.Null(); }
  bool Bool(bool b) { return writer_.Bool(b); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    const absl::string_view text(s, n);
    if (const std::string* hash = redactor_.HashOf(text)) return Write(*hash);
    return writer_.RawValue(s, n, rapidjson::kNumberType);
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return Write(redactor_.Text(absl::string_view(s, n)));
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    const std::string key = redactor_.Text(absl::string_view(s, n));
    return writer_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()), true);
  }
  bool StartObject() { return writer_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) { return writer_.EndObject(n); }
  bool StartArray() { return writer_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return writer_.EndArray(n); }

  absl::string_view text() const {
    return absl::string_view(buffer_.GetString(), buffer_.GetSize());
  }

 private:
  bool Write(const std::string& text) {
    return writer_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()), true);
  }

  const Redactor& redactor_;
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace

absl::StatusOr<UserIdHasher> UserIdHasher::FromSaltFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const int error = errno;
    const std::string what =
        absl::StrCat("--hash-user-ids: cannot open salt file '", path, "': ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(what);
    if (error == EACCES) return absl::PermissionDeniedError(what);
    return absl::InternalError(what);
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) {
    return absl::InternalError(absl::StrCat("--hash-user-ids: cannot read salt file '", path, "'"));
  }
  const std::string salt = contents.str();
  if (absl::StripAsciiWhitespace(salt).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--hash-user-ids: salt file '", path, "' is empty"));
  }
  return FromSalt(absl::StripAsciiWhitespace(salt));
}

absl::StatusOr<UserIdHasher> UserIdHasher::FromSalt(absl::string_view salt) {
  if (salt.empty()) return absl::InvalidArgumentError("--hash-user-ids: the salt is empty");
  const ingest_internal::Hash128 key = ingest_internal::SipHash128Of(kDeriveK0, kDeriveK1, salt);
  return UserIdHasher(key.low, key.high);
}

std::string UserIdHasher::Hash(absl::string_view user_id) const {
  std::string out(kHashedLength, '\0');
  HashTo(user_id, out.data());
  return out;
}

void UserIdHasher::HashTo(absl::string_view user_id, char* out) const {
  ingest_internal::HexEncode(ingest_internal::SipHash128Of(k0_, k1_, user_id), out);
}

KeptPayload KeepRejectedPayload(absl::string_view payload, const UserIdHasher* hasher,
                                size_t max_raw_bytes, std::string* message) {
  // A NUL-terminated copy: a NUL inside the payload then ends the parse early (unparsable).
  const std::string text(payload);
  UserIdReader reader_handler;
  bool parsed = false;
  {
    rapidjson::Reader reader;
    rapidjson::StringStream stream(text.c_str());
    const rapidjson::ParseResult result = reader.Parse<kParseFlags>(stream, reader_handler);
    parsed = !result.IsError() && stream.Tell() == text.size();
  }
  KeptPayload kept;
  if (hasher == nullptr) {
    kept.raw = std::string(payload.substr(0, max_raw_bytes));
    kept.user_id = reader_handler.primary();
    return kept;
  }
  if (!parsed) {
    kept.raw = absl::StrCat("unparsable: ", payload.size(), " bytes, hash ", hasher->Hash(payload));
  }
  const std::vector<std::string>& ids = reader_handler.ids();
  if (ids.empty()) {
    // No id to hide: a JSON payload is kept as received.
    if (parsed) kept.raw = std::string(payload.substr(0, max_raw_bytes));
    return kept;
  }
  kept.user_id = hasher->Hash(reader_handler.primary());
  const Redactor redactor(*hasher, ids);
  if (message != nullptr) {
    // The decoder may quote an id past the ones read: say nothing of such a payload.
    *message = reader_handler.too_many_ids()
                   ? absl::StrCat("(withheld: the payload names more than ", kMaxIds, " user ids)")
                   : redactor.Message(*message);
  }
  if (!parsed) return kept;
  RedactingWriter writer(redactor);
  rapidjson::Reader reader;
  rapidjson::StringStream stream(text.c_str());
  if (reader.Parse<kParseFlags>(stream, writer).IsError()) {
    // Parsed once already; only a writer refusal (e.g. invalid UTF-8) lands here.
    kept.raw = absl::StrCat("unparsable: ", payload.size(), " bytes, hash ", hasher->Hash(payload));
    return kept;
  }
  kept.raw = std::string(writer.text().substr(0, max_raw_bytes));
  return kept;
}

}  // namespace mua
