// Which words the SQL dialect treats specially, shared by the parser and the
// printer so that ToSql quotes exactly the names the parser would misread.
//
// Reserved words cannot be bare column, table or alias names (`SELECT from`
// is an error; `` SELECT `from` `` is fine). Before '(' most reserved words
// keep their keyword meaning (`CAST(`, `NOT(`, `FROM (`), so a function with
// such a name is quoted; a few are ordinary functions there (`left(s, 2)`).
//
//   IsReservedWord("From") == true;  IsFunctionKeyword("cast") == true
//   IsPlainWord("user_id") == true;  IsPlainWord("2x") == false
#pragma once

#include "absl/strings/string_view.h"

namespace mua::sql_internal {

// [A-Za-z_][A-Za-z0-9_]*: lexes as one bare word.
bool IsPlainWord(absl::string_view text);

// Case-insensitive; see the header comment.
bool IsReservedWord(absl::string_view word);

// Case-insensitive: a reserved word that is not a function name before '('
// (all but AND OR IN LIKE ILIKE LEFT RIGHT ARRAY).
bool IsFunctionKeyword(absl::string_view word);

}  // namespace mua::sql_internal
