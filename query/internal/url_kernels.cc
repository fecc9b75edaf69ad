// URL functions over String (clickstreams): the parts (protocol, domain,
// domainWithoutWWW, topLevelDomain, port, path, pathFull, queryString, fragment,
// queryStringAndFragment), query parameters (extractURLParameter[s|Names],
// cutURLParameter), the cut* functions and URL percent-encoding. ClickHouse's
// rules, which are lexical, not RFC 3986 validation: domain needs a dot,
// path needs "//host/", queryString starts at the first '?', a parameter value
// ends at '&' or '#'. Results are views of the argument where possible.
#include <string>

#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "storage/base/status_macros.h"

namespace mua::query_internal {
namespace {

using absl::string_view;

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || (c >= '0' && c <= '9'); }

// The scheme's length ("https" of "https://..."): a letter, then letters, digits, '+', '-', '.'.
size_t SchemeLength(string_view url) {
  if (url.empty() || !IsAlpha(url[0])) return 0;
  size_t i = 1;
  while (i < url.size() && (IsAlnum(url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.'))
    ++i;
  return i;
}

string_view Protocol(string_view url) {
  const size_t scheme = SchemeLength(url);
  if (scheme == 0 || url.size() - scheme < 4 || url[scheme] != ':') return {};
  return url.substr(0, scheme);
}

// Where the authority starts: after "//" or "scheme://", else at 0 (a URL without scheme).
size_t AuthorityStart(string_view url) {
  if (url.size() >= 2 && url[0] == '/' && url[1] == '/') return 2;
  const size_t scheme = SchemeLength(url);
  if (scheme > 0 && url.substr(scheme, 3) == "://") return scheme + 3;
  return 0;
}

// ClickHouse's getURLHost: the host between the scheme (or "//") and the port or path,
// after any "user:password@"; empty when it has no dot or holds characters a host cannot.
string_view Domain(string_view url) {
  const size_t start = AuthorityStart(url);
  size_t host = start;
  size_t dot = string_view::npos;
  size_t colon = string_view::npos;
  bool at = false;
  bool sub_delims = false;
  bool terminator_after_colon = false;
  size_t pos = start;
  for (; pos < url.size(); ++pos) {
    const char c = url[pos];
    if (c == '/' || c == '?' || c == '#') break;
    if (c == '.') {
      if (at || colon == string_view::npos) dot = pos;
    } else if (c == ':') {
      if (at) break;
      colon = pos;
    } else if (c == '@') {
      if (at) break;
      at = true;
      sub_delims = false;
      host = pos + 1;
    } else if (c == ';' || c == '=' || c == '&' || c == '~' || c == '%') {
      if (colon == string_view::npos) sub_delims = true;
    } else if (c == ' ' || c == '\t' || c == '<' || c == '>' || c == '{' || c == '}' || c == '|' ||
               c == '\\' || c == '^' || c == '[' || c == ']') {
      if (colon == string_view::npos) return {};
      terminator_after_colon = true;
    }
  }
  if (sub_delims) return {};
  if (!at) {
    if (terminator_after_colon) return {};
    if (colon != string_view::npos) pos = colon;
  }
  if (dot == string_view::npos || dot < host || host >= pos || pos - dot == 1) return {};
  return url.substr(host, pos - host);
}

string_view StripWww(string_view domain) {
  return domain.substr(0, 4) == "www." ? domain.substr(4) : domain;
}

string_view TopLevelDomain(string_view url) {
  const string_view domain = Domain(url);
  const size_t dot = domain.rfind('.');
  if (dot == string_view::npos) return {};
  return domain.substr(dot + 1);
}

// The port after the host, or `fallback` when there is none (or it is not a UInt16).
uint64_t Port(string_view url, uint64_t fallback) {
  const size_t start = AuthorityStart(url);
  size_t end = url.find_first_of("/?#", start);
  if (end == string_view::npos) end = url.size();
  string_view authority = url.substr(start, end - start);
  if (const size_t at = authority.rfind('@'); at != string_view::npos)
    authority.remove_prefix(at + 1);
  const size_t colon = authority.rfind(':');
  if (colon == string_view::npos || colon + 1 == authority.size()) return fallback;
  uint64_t port = 0;
  for (char c : authority.substr(colon + 1)) {
    if (c < '0' || c > '9') return fallback;
    port = port * 10 + static_cast<uint64_t>(c - '0');
    if (port > 65535) return fallback;
  }
  return port;
}

// The path with (full) or without the query string and fragment; needs "//host/".
string_view Path(string_view url, bool full) {
  size_t slash = url.find('/');
  if (slash == string_view::npos || slash + 1 >= url.size() || url[slash + 1] != '/') return {};
  slash = url.find('/', slash + 2);
  if (slash == string_view::npos) return {};
  if (full) return url.substr(slash);
  const size_t end = url.find_first_of("?#", slash);
  return url.substr(slash, end == string_view::npos ? string_view::npos : end - slash);
}

// [begin, end) of the query string with its '?' (npos when there is none).
std::pair<size_t, size_t> QueryRange(string_view url) {
  const size_t question = url.find('?');
  if (question == string_view::npos) return {string_view::npos, string_view::npos};
  const size_t hash = url.find('#', question);
  return {question, hash == string_view::npos ? url.size() : hash};
}

string_view QueryString(string_view url) {
  const auto [begin, end] = QueryRange(url);
  return begin == string_view::npos ? string_view() : url.substr(begin + 1, end - begin - 1);
}

string_view Fragment(string_view url) {
  const size_t hash = url.find('#');
  return hash == string_view::npos ? string_view() : url.substr(hash + 1);
}

string_view QueryStringAndFragment(string_view url) {
  if (const size_t question = url.find('?'); question != string_view::npos)
    return url.substr(question + 1);
  if (const size_t hash = url.find('#'); hash != string_view::npos) return url.substr(hash);
  return {};
}

// ClickHouse's tokens of the query string and fragment: after the first '?' or '#',
// "name=value" up to '&' or '#', or a bare name ended by '&' or '#' (a bare name at the
// very end is dropped); a '?' restarts the token.
std::vector<string_view> Parameters(string_view url) {
  std::vector<string_view> params;
  size_t pos = url.find_first_of("?#");
  if (pos == string_view::npos || pos + 1 >= url.size()) return params;
  ++pos;
  while (true) {
    size_t begin = pos;
    size_t stop = url.find_first_of("=&#?", pos);
    while (stop != string_view::npos && url[stop] == '?') {
      begin = pos = stop + 1;
      stop = url.find_first_of("=&#?", pos);
    }
    if (stop == string_view::npos) return params;
    size_t token_end = stop;
    if (url[stop] == '=') {
      const size_t next = url.find_first_of("&#", stop + 1);
      token_end = next == string_view::npos ? url.size() : next;
    }
    params.push_back(url.substr(begin, token_end - begin));
    pos = token_end + 1;
    if (pos > url.size()) return params;
  }
}

string_view ParameterName(string_view param) { return param.substr(0, param.find('=')); }

// The first value of parameter `name` (not decoded); empty when absent.
string_view ParameterValue(string_view url, string_view name) {
  for (string_view param : Parameters(url)) {
    const size_t eq = param.find('=');
    if (eq != string_view::npos && param.substr(0, eq) == name) return param.substr(eq + 1);
  }
  return {};
}

// url without every "name=value" parameter (and the '&' that joined it).
std::string CutParameter(string_view url, string_view name) {
  const size_t start = url.find_first_of("?#");
  if (start == string_view::npos) return std::string(url);
  std::string out(url.substr(0, start + 1));
  size_t pos = start + 1;
  bool first = true;  // no '&' before the first kept parameter of the section
  while (pos <= url.size()) {
    size_t end = url.find_first_of("&#", pos);
    if (end == string_view::npos) end = url.size();
    const string_view param = url.substr(pos, end - pos);
    const size_t eq = param.find('=');
    const bool drop = param.substr(0, eq) == name && eq != string_view::npos;
    if (!drop) {
      if (!first) out.push_back('&');
      out.append(param.data(), param.size());
      first = false;
    }
    if (end < url.size() && url[end] == '#') {
      out.push_back('#');
      first = true;
    }
    pos = end + 1;
  }
  return out;
}

std::string Cut(string_view url, size_t begin, size_t end) {
  std::string out(url.substr(0, begin));
  const string_view rest = url.substr(end);
  out.append(rest.data(), rest.size());
  return out;
}

std::string CutWww(string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == string_view::npos) return std::string(url);
  const size_t host = scheme_end + 3;
  if (url.substr(host, 4) != "www.") return std::string(url);
  return Cut(url, host, host + 4);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void Decode(string_view text, bool form, std::string* out) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
        HexDigit(text[i + 2]) >= 0) {
      out->push_back(static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2])));
      i += 2;
    } else if (form && c == '+') {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
}

void Encode(string_view text, bool form, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : text) {
    if (IsAlnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out->push_back(c);
    } else if (form && c == ' ') {
      out->push_back('+');
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out->push_back('%');
      out->push_back(kHex[byte >> 4]);
      out->push_back(kHex[byte & 15]);
    }
  }
}

absl::Status RequireStrings(absl::string_view name, absl::Span<const ScalarArg> args, size_t min,
                            size_t max) {
  if (args.size() < min || args.size() > max) {
    return ArityError(name, args.size(),
                      min == max ? absl::StrCat(min) : absl::StrCat(min, " or ", max));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].type.is_string()) return IllegalType(name, args[i].type, static_cast<int>(i + 1));
  }
  return absl::OkStatus();
}

// A function returning a part of its URL argument, a view into it.
ScalarBinder ViewFunction(string_view (*part)(string_view)) {
  return [part](absl::string_view name,
                absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    MUA_RETURN_IF_ERROR(RequireStrings(name, args, 1, 1));
    return ScalarBinding{DataType::Of(TypeId::kString),
                         [part](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                           ResizeStrings(out, rows);
                           for (size_t row = 0; row < rows; ++row)
                             out->strings[row] = part(v[0].string_at(row));
                           return absl::OkStatus();
                         }};
  };
}

// A function building a new string from its string arguments.
using BuildFn = std::function<void(absl::Span<Vector> args, size_t row, std::string* out)>;
ScalarBinder BuildFunction(size_t arity, BuildFn build) {
  return [arity, build](absl::string_view name,
                        absl::Span<const ScalarArg> args) -> absl::StatusOr<ScalarBinding> {
    MUA_RETURN_IF_ERROR(RequireStrings(name, args, arity, arity));
    return ScalarBinding{DataType::Of(TypeId::kString),
                         [build](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
                           ResizeStrings(out, rows);
                           std::string text;
                           for (size_t row = 0; row < rows; ++row) {
                             text.clear();
                             build(v, row, &text);
                             out->strings[row] = pool->Add(text);
                           }
                           return absl::OkStatus();
                         }};
  };
}

absl::StatusOr<ScalarBinding> BindPort(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.empty() || args.size() > 2) return ArityError(name, args.size(), "1 or 2");
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  if (args.size() == 2 && !args[1].type.is_integer()) return IllegalType(name, args[1].type, 2);
  return ScalarBinding{DataType::Of(TypeId::kUInt16),
                       [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeInts(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           const uint64_t fallback =
                               v.size() == 2 ? static_cast<uint64_t>(v[1].int_at(row)) & 0xffff : 0;
                           out->ints[row] =
                               static_cast<int64_t>(Port(v[0].string_at(row), fallback));
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindParameterList(bool names, absl::string_view name,
                                                absl::Span<const ScalarArg> args) {
  MUA_RETURN_IF_ERROR(RequireStrings(name, args, 1, 1));
  const DataType type = DataType::Array(TypeId::kString);
  return ScalarBinding{type,
                       [type, names](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         *out = Vector();
                         out->type = type;
                         out->size = rows;
                         out->offsets.assign(1, 0);
                         for (size_t row = 0; row < rows; ++row) {
                           for (string_view param : Parameters(v[0].string_at(row))) {
                             out->strings.push_back(names ? ParameterName(param) : param);
                           }
                           out->offsets.push_back(static_cast<uint32_t>(out->strings.size()));
                         }
                         return absl::OkStatus();
                       }};
}

absl::StatusOr<ScalarBinding> BindParameter(absl::string_view name,
                                            absl::Span<const ScalarArg> args) {
  MUA_RETURN_IF_ERROR(RequireStrings(name, args, 2, 2));
  return ScalarBinding{DataType::Of(TypeId::kString),
                       [](absl::Span<Vector> v, size_t rows, StringPool*, Vector* out) {
                         ResizeStrings(out, rows);
                         for (size_t row = 0; row < rows; ++row) {
                           out->strings[row] =
                               ParameterValue(v[0].string_at(row), v[1].string_at(row));
                         }
                         return absl::OkStatus();
                       }};
}

}  // namespace

void RegisterUrl(FunctionRegistry* registry) {
  registry->Add("protocol", ViewFunction(Protocol));
  registry->Add("domain", ViewFunction(Domain));
  registry->Add("domainWithoutWWW",
                ViewFunction([](string_view url) { return StripWww(Domain(url)); }));
  registry->Add("topLevelDomain", ViewFunction(TopLevelDomain));
  registry->Add("port", BindPort);
  registry->Add("path", ViewFunction([](string_view url) { return Path(url, false); }));
  registry->Add("pathFull", ViewFunction([](string_view url) { return Path(url, true); }));
  registry->Add("queryString", ViewFunction(QueryString));
  registry->Add("fragment", ViewFunction(Fragment));
  registry->Add("queryStringAndFragment", ViewFunction(QueryStringAndFragment));
  registry->Add("extractURLParameter", BindParameter);
  registry->Add("extractURLParameters", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindParameterList(false, n, a);
  });
  registry->Add("extractURLParameterNames", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindParameterList(true, n, a);
  });
  registry->Add("cutQueryString",
                BuildFunction(1, [](absl::Span<Vector> v, size_t row, std::string* out) {
                  const string_view url = v[0].string_at(row);
                  const auto [begin, end] = QueryRange(url);
                  *out = begin == string_view::npos ? std::string(url) : Cut(url, begin, end);
                }));
  registry->Add("cutFragment",
                BuildFunction(1, [](absl::Span<Vector> v, size_t row, std::string* out) {
                  const string_view url = v[0].string_at(row);
                  *out = std::string(url.substr(0, url.find('#')));
                }));
  registry->Add("cutQueryStringAndFragment",
                BuildFunction(1, [](absl::Span<Vector> v, size_t row, std::string* out) {
                  const string_view url = v[0].string_at(row);
                  *out = std::string(url.substr(0, url.find_first_of("?#")));
                }));
  registry->Add("cutWWW", BuildFunction(1, [](absl::Span<Vector> v, size_t row, std::string* out) {
                  *out = CutWww(v[0].string_at(row));
                }));
  registry->Add("cutURLParameter",
                BuildFunction(2, [](absl::Span<Vector> v, size_t row, std::string* out) {
                  *out = CutParameter(v[0].string_at(row), v[1].string_at(row));
                }));
  registry->Add("decodeURLComponent",
                BuildFunction(1, [](absl::Span<Vector> v, size_t row, std::string* out) {
                  Decode(v[0].string_at(row), false, out);
                }));
  registry->Add("decodeURLFormComponent",
                BuildFunction(1, [](absl::Span<Vector> v, size_t row, std::string* out) {
                  Decode(v[0].string_at(row), true, out);
                }));
  registry->Add("encodeURLComponent",
                BuildFunction(1, [](absl::Span<Vector> v, size_t row, std::string* out) {
                  Encode(v[0].string_at(row), false, out);
                }));
  registry->Add("encodeURLFormComponent",
                BuildFunction(1, [](absl::Span<Vector> v, size_t row, std::string* out) {
                  Encode(v[0].string_at(row), true, out);
                }));
}

}  // namespace mua::query_internal
