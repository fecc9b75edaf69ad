// Table statements: CREATE TABLE, DROP TABLE, TRUNCATE, EXISTS. The parser
// keeps what was written (engine, types as text); the executor judges it.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sql/internal/keywords.h"
#include "sql/internal/parser_impl.h"
#include "storage/base/status_macros.h"

namespace mua::sql_internal {
namespace {

bool IsWord(const Token& token, absl::string_view keyword) {
  return token.kind == TokenKind::kWord && absl::EqualsIgnoreCase(token.text, keyword);
}

}  // namespace

// CREATE TABLE [IF NOT EXISTS] [db.]name (column, ...) [storage clauses] [COMMENT 's']
absl::Status Parser::ParseCreate(Statement* statement) {
  tokens_.Take();
  statement->kind = StatementKind::kCreateTable;
  if (!PeekWord("TABLE")) {
    if (PeekWord("OR") || PeekWord("TEMPORARY") || PeekWord("VIEW") || PeekWord("DATABASE") ||
        PeekWord("MATERIALIZED") || PeekWord("DICTIONARY") || PeekWord("USER") ||
        PeekWord("ROLE") || PeekWord("FUNCTION")) {
      return ErrorAt(tokens_.Peek(),
                     absl::StrCat("CREATE ", absl::AsciiStrToUpper(tokens_.Peek().text),
                                  " is not supported (CREATE TABLE is)"));
    }
    return Expected("TABLE");
  }
  tokens_.Take();
  auto create = std::make_unique<CreateTable>();
  if (PeekWord("IF")) {
    tokens_.Take();
    MUA_RETURN_IF_ERROR(ExpectWord("NOT"));
    MUA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
    create->if_not_exists = true;
  }
  MUA_ASSIGN_OR_RETURN(statement->table, ParseTableName("table name"));
  if (PeekWord("ON") && PeekWord("CLUSTER", 1)) {
    return ErrorAt(tokens_.Peek(), "ON CLUSTER is not supported");
  }
  if (PeekWord("AS")) {
    return ErrorAt(tokens_.Peek(),
                   "CREATE TABLE ... AS is not supported: list the columns, then INSERT ... SELECT");
  }
  if (tokens_.Peek().kind != TokenKind::kLParen) return Expected("'(' and the columns");
  tokens_.Take();
  while (true) {
    MUA_RETURN_IF_ERROR(ParseColumnDefinition(create.get()));
    TokenKind kind = tokens_.Peek().kind;
    if (kind != TokenKind::kComma && kind != TokenKind::kRParen) return Expected("',' or ')'");
    tokens_.Take();
    if (kind == TokenKind::kRParen) break;
  }
  if (create->columns.empty()) return Expected("a column");
  MUA_RETURN_IF_ERROR(ParseStorageClauses(create.get()));
  if (PeekWord("AS")) {
    return ErrorAt(tokens_.Peek(), "CREATE TABLE ... AS SELECT is not supported: create the "
                                   "table, then INSERT ... SELECT");
  }
  statement->create = std::move(create);
  return absl::OkStatus();
}

// name [Type] [NULL | NOT NULL] [DEFAULT|MATERIALIZED|ALIAS expr] [COMMENT 's'],
// or PRIMARY KEY expr among the columns.
absl::Status Parser::ParseColumnDefinition(CreateTable* create) {
  if (PeekWord("PRIMARY") && PeekWord("KEY", 1)) {
    tokens_.Take();
    tokens_.Take();
    if (create->primary_key != nullptr) return ErrorAt(tokens_.previous(), "PRIMARY KEY given twice");
    MUA_ASSIGN_OR_RETURN(create->primary_key, ParseExpr());
    return absl::OkStatus();
  }
  // `INDEX i expr TYPE ...` versus a column named index: `index String DEFAULT ''`.
  const Token& third = tokens_.Peek(2);
  bool clause = (TokenIsName(third) && !IsWord(third, "DEFAULT") &&
                 !IsWord(third, "MATERIALIZED") && !IsWord(third, "ALIAS") &&
                 !IsWord(third, "COMMENT") && !IsWord(third, "NULL") && !IsWord(third, "NOT")) ||
                (third.kind == TokenKind::kLParen && PeekWord("SELECT", 3));
  for (absl::string_view word : {"INDEX", "CONSTRAINT", "PROJECTION"}) {
    if (PeekWord(word) && TokenIsName(tokens_.Peek(1)) && clause) {
      return ErrorAt(tokens_.Peek(), absl::StrCat(absl::AsciiStrToUpper(word),
                                                  " in CREATE TABLE is not supported"));
    }
  }
  ColumnDefinition column;
  column.pos = tokens_.Peek().pos;
  MUA_ASSIGN_OR_RETURN(column.name, ParseName("column name"));
  column.type_pos = tokens_.Peek().pos;
  static constexpr absl::string_view kDefaultWords[] = {"DEFAULT", "MATERIALIZED", "ALIAS"};
  bool type_given = TokenIsName(tokens_.Peek());
  for (absl::string_view word : kDefaultWords) type_given = type_given && !PeekWord(word);
  if (type_given) MUA_RETURN_IF_ERROR(ParseType(&column.type));
  if (PeekWord("NOT") && PeekWord("NULL", 1)) {
    tokens_.Take();
    tokens_.Take();
  } else if (PeekWord("NULL")) {
    tokens_.Take();
    if (column.type.empty()) return Expected("a type before NULL");
    column.type = absl::StrCat("Nullable(", column.type, ")");
  }
  for (size_t i = 0; i < 3; ++i) {
    if (!PeekWord(kDefaultWords[i])) continue;
    tokens_.Take();
    column.default_kind = static_cast<ColumnDefaultKind>(i + 1);
    MUA_ASSIGN_OR_RETURN(column.default_expr, ParseExpr());
    break;
  }
  if (column.type.empty() && column.default_kind == ColumnDefaultKind::kNone) {
    return Expected("column type");
  }
  if (PeekWord("EPHEMERAL") || PeekWord("CODEC") || PeekWord("TTL") || PeekWord("SETTINGS")) {
    return ErrorAt(tokens_.Peek(),
                   absl::StrCat(absl::AsciiStrToUpper(tokens_.Peek().text),
                                " on a column is not supported"));
  }
  if (TakeWord("COMMENT")) {
    if (tokens_.Peek().kind != TokenKind::kString) return Expected("comment string");
    column.comment = tokens_.Take().value;
  }
  create->columns.push_back(std::move(column));
  return absl::OkStatus();
}

// ENGINE = Name[(args)], PARTITION BY, ORDER BY, PRIMARY KEY, SETTINGS, COMMENT:
// in any order, each at most once.
absl::Status Parser::ParseStorageClauses(CreateTable* create) {
  while (true) {
    const Token& token = tokens_.Peek();
    auto once = [this, &token](bool given) -> absl::Status {
      if (!given) return absl::OkStatus();
      return ErrorAt(token, absl::StrCat(absl::AsciiStrToUpper(token.text), " given twice"));
    };
    if (PeekWord("ENGINE")) {
      MUA_RETURN_IF_ERROR(once(!create->engine.empty()));
      tokens_.Take();
      if (tokens_.Peek().kind == TokenKind::kEquals) tokens_.Take();
      create->engine_pos = tokens_.Peek().pos;
      if (!TokenIsName(tokens_.Peek())) return Expected("engine name");
      create->engine = tokens_.Take().value;
      if (tokens_.Peek().kind == TokenKind::kLParen) {
        bool distinct = false;
        MUA_RETURN_IF_ERROR(ParseArguments(&create->engine_args, &distinct));
        if (distinct) return ErrorAt(tokens_.previous(), "DISTINCT in engine arguments");
      }
    } else if (PeekWord("PARTITION") || PeekWord("ORDER") || PeekWord("PRIMARY")) {
      ExprPtr* target = PeekWord("PARTITION") ? &create->partition_by
                        : PeekWord("ORDER")   ? &create->order_by
                                              : &create->primary_key;
      MUA_RETURN_IF_ERROR(once(*target != nullptr));
      tokens_.Take();
      MUA_RETURN_IF_ERROR(ExpectWord(target == &create->primary_key ? "KEY" : "BY"));
      MUA_ASSIGN_OR_RETURN(*target, ParseExpr());
    } else if (PeekWord("SETTINGS")) {
      MUA_RETURN_IF_ERROR(once(!create->settings.empty()));
      tokens_.Take();
      MUA_RETURN_IF_ERROR(ParseSettings(&create->settings));
    } else if (PeekWord("COMMENT")) {
      MUA_RETURN_IF_ERROR(once(!create->comment.empty()));
      tokens_.Take();
      if (tokens_.Peek().kind != TokenKind::kString) return Expected("comment string");
      create->comment = tokens_.Take().value;
    } else if (PeekWord("SAMPLE") || PeekWord("TTL")) {
      return ErrorAt(token, absl::StrCat(absl::AsciiStrToUpper(token.text),
                                         " in CREATE TABLE is not supported"));
    } else {
      return absl::OkStatus();
    }
  }
}

// DROP TABLE [IF EXISTS] [db.]name [SYNC]
absl::Status Parser::ParseDrop(Statement* statement) {
  tokens_.Take();
  statement->kind = StatementKind::kDropTable;
  if (!TakeWord("TABLE")) {
    if (TokenIsName(tokens_.Peek()) && !PeekWord("IF")) {
      return ErrorAt(tokens_.Peek(),
                     absl::StrCat("DROP ", absl::AsciiStrToUpper(tokens_.Peek().text),
                                  " is not supported (DROP TABLE is)"));
    }
    return Expected("TABLE");
  }
  if (PeekWord("IF")) {
    tokens_.Take();
    MUA_RETURN_IF_ERROR(ExpectWord("EXISTS"));
    statement->if_exists = true;
  }
  MUA_ASSIGN_OR_RETURN(statement->table, ParseTableName("table name"));
  TakeWord("SYNC");
  return absl::OkStatus();
}

// TRUNCATE [TABLE] [IF EXISTS] [db.]name
absl::Status Parser::ParseTruncate(Statement* statement) {
  tokens_.Take();
  statement->kind = StatementKind::kTruncate;
  TakeWord("TABLE");
  if (PeekWord("IF") && PeekWord("EXISTS", 1)) {
    tokens_.Take();
    tokens_.Take();
    statement->if_exists = true;
  }
  MUA_ASSIGN_OR_RETURN(statement->table, ParseTableName("table name"));
  TakeWord("SYNC");
  return absl::OkStatus();
}

// EXISTS [TABLE] [db.]name
absl::Status Parser::ParseExists(Statement* statement) {
  tokens_.Take();
  statement->kind = StatementKind::kExistsTable;
  if (PeekWord("DATABASE") || PeekWord("VIEW") || PeekWord("DICTIONARY")) {
    return ErrorAt(tokens_.Peek(), absl::StrCat("EXISTS ", absl::AsciiStrToUpper(tokens_.Peek().text),
                                                " is not supported (EXISTS TABLE is)"));
  }
  if (PeekWord("TEMPORARY")) tokens_.Take();
  // `EXISTS table` names a table called "table" only when nothing follows it.
  if (PeekWord("TABLE") && TokenIsName(tokens_.Peek(1))) tokens_.Take();
  MUA_ASSIGN_OR_RETURN(statement->table, ParseTableName("table name"));
  return absl::OkStatus();
}

}  // namespace mua::sql_internal
