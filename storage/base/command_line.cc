#include "storage/base/command_line.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace mua {
namespace {

constexpr size_t kHelpWidth = 100;
constexpr size_t kMaxNameColumn = 30;

std::string Dashed(absl::string_view name) { return absl::StrReplaceAll(name, {{"_", "-"}}); }

// Abseil's own flags (--flagfile, --undefok, --helpfull, ...) are not part of a binary's
// command line: this parser does not implement them, so it neither accepts nor lists them.
bool IsProgramFlag(const absl::CommandLineFlag& flag) {
  return !flag.IsRetired() && !absl::StrContains(flag.Filename(), "absl/");
}

absl::CommandLineFlag* FindProgramFlag(absl::string_view canonical_name) {
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag(canonical_name);
  return flag != nullptr && IsProgramFlag(*flag) ? flag : nullptr;
}

bool IsHelp(absl::string_view arg) {
  return arg == "--help" || arg == "-help" || arg == "-h" || arg == "--helpfull" ||
         arg == "-helpfull";
}

// The flag `name` (a dashed or underscored long name, or a one-letter alias) stands for, and
// the value a bare `--name` gives it ("" when it needs one); nullptr when unknown.
absl::CommandLineFlag* Resolve(const CommandLineSpec& spec, absl::string_view name,
                               bool single_dash, std::string* bare_value) {
  if (single_dash && name.size() == 1) {
    for (const auto& [letter, long_name] : spec.short_flags) {
      if (letter == name[0]) return Resolve(spec, long_name, false, bare_value);
    }
    return nullptr;
  }
  const std::string canonical = absl::StrReplaceAll(name, {{"-", "_"}});
  if (absl::CommandLineFlag* flag = FindProgramFlag(canonical); flag != nullptr) {
    *bare_value = flag->IsOfType<bool>() ? "true" : "";
    return flag;
  }
  // --no-verbose / --noverbose / --no_verbose clear a bool flag.
  if (absl::StartsWith(canonical, "no")) {
    absl::string_view rest = absl::string_view(canonical).substr(2);
    if (absl::StartsWith(rest, "_")) rest.remove_prefix(1);
    absl::CommandLineFlag* flag = FindProgramFlag(rest);
    if (flag != nullptr && flag->IsOfType<bool>()) {
      *bare_value = "false";
      return flag;
    }
  }
  return nullptr;
}

// Rewrites "--some_flag" mentions in help text to "--some-flag", the spelling --help shows.
std::string DashedMentions(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_flag_name = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '-' && i + 2 < text.size() && text[i + 1] == '-' &&
        absl::ascii_isalnum(static_cast<unsigned char>(text[i + 2])) &&
        (i == 0 || !absl::ascii_isalnum(static_cast<unsigned char>(text[i - 1])))) {
      in_flag_name = true;
      out += "--";
      ++i;
      continue;
    }
    if (in_flag_name &&
        !(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
      in_flag_name = false;
    }
    out += in_flag_name && c == '_' ? '-' : c;
  }
  return out;
}

// Appends `text` word-wrapped to kHelpWidth, every line indented by `indent` columns; the
// first line continues `*out`'s current line, which is `column` wide.
void AppendWrapped(absl::string_view text, size_t indent, size_t column, std::string* out) {
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (column > indent && column + 1 + word.size() > kHelpWidth) {
      absl::StrAppend(out, "\n", std::string(indent, ' '));
      column = indent;
    } else if (column > indent) {
      out->push_back(' ');
      ++column;
    }
    absl::StrAppend(out, word);
    column += word.size();
  }
  out->push_back('\n');
}

std::string DefaultUsage(const CommandLineSpec& spec) {
  std::string usage = absl::StrCat("Usage: ", spec.program, " [flags]\n");
  const absl::string_view message = absl::ProgramUsageMessage();
  // Abseil returns a warning, not "", when SetProgramUsageMessage was never called.
  if (!message.empty() && !absl::StartsWith(message, "Warning: SetProgramUsageMessage")) {
    absl::StrAppend(&usage, message, "\n");
  }
  return usage;
}

}  // namespace

absl::StatusOr<ParsedCommandLine> ParseCommandLine(const CommandLineSpec& spec,
                                                   absl::Span<char* const> args) {
  ParsedCommandLine parsed;
  absl::flat_hash_set<const absl::CommandLineFlag*> seen;
  bool flags_ended = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const absl::string_view arg = args[i];
    if (flags_ended || !absl::StartsWith(arg, "-") || arg == "-") {
      if (!flags_ended && !spec.allow_positional) {
        return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg, "'"));
      }
      parsed.positional.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    if (IsHelp(arg)) {
      parsed.help = true;
      return parsed;
    }
    const bool single_dash = !absl::StartsWith(arg, "--");
    const absl::string_view body = arg.substr(single_dash ? 1 : 2);
    const size_t equals = body.find('=');
    const absl::string_view name = body.substr(0, equals);
    std::string bare_value;
    absl::CommandLineFlag* flag = Resolve(spec, name, single_dash, &bare_value);
    if (flag == nullptr || (bare_value == "false" && equals != absl::string_view::npos)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag '", arg, "'"));
    }
    const std::string shown = absl::StrCat("--", Dashed(flag->Name()));
    std::string value;
    if (equals != absl::string_view::npos) {
      value = std::string(body.substr(equals + 1));
    } else if (!bare_value.empty()) {
      value = bare_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat("flag '", shown, "' needs a value"));
    }
    // A repeated list flag accumulates, as its help texts promise ("comma-separated or
    // repeated"); Abseil's own parser would keep only the last occurrence.
    std::string to_set = value;
    const bool repeated = !seen.insert(flag).second;
    if (repeated && flag->IsOfType<std::vector<std::string>>()) {
      const std::string current = flag->CurrentValue();
      if (!current.empty()) to_set = absl::StrCat(current, ",", value);
    }
    std::string error;
    if (!flag->ParseFrom(to_set, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad value '", value, "' for ", shown, ": ", error));
    }
    parsed.flags.push_back({std::string(flag->Name()), std::move(value)});
  }
  return parsed;
}

std::string CommandLineHelp(const CommandLineSpec& spec) {
  std::string help = spec.usage.empty() ? DefaultUsage(spec) : spec.usage;
  if (!absl::EndsWith(help, "\n")) help.push_back('\n');
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (IsProgramFlag(*flag)) flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  size_t name_column = 0;
  for (const absl::CommandLineFlag* flag : flags) {
    name_column = std::max(name_column, flag->Name().size() + 6);  // "  --" + name + "  "
  }
  name_column = std::min(name_column, kMaxNameColumn);
  absl::StrAppend(&help, "\nFlags (--name VALUE or --name=VALUE; '_' may replace '-' in names",
                  spec.short_flags.empty() ? "" : "; short forms in brackets", "):\n");
  for (const absl::CommandLineFlag* flag : flags) {
    std::string line = absl::StrCat("  --", Dashed(flag->Name()));
    for (const auto& [letter, long_name] : spec.short_flags) {
      if (long_name == flag->Name()) absl::StrAppend(&line, " [-", std::string(1, letter), "]");
    }
    if (line.size() + 2 > name_column) {
      absl::StrAppend(&help, line, "\n");
      line.clear();
    }
    line.resize(name_column, ' ');
    help += line;
    const std::string default_value = flag->DefaultValue();
    AppendWrapped(absl::StrCat(DashedMentions(flag->Help()),
                               " (default: ", default_value.empty() ? "\"\"" : default_value, ")"),
                  name_column, name_column, &help);
  }
  return help;
}

ParsedCommandLine ParseCommandLineOrExit(const CommandLineSpec& spec, int argc, char** argv) {
  absl::StatusOr<ParsedCommandLine> parsed =
      ParseCommandLine(spec, absl::MakeConstSpan(argv, static_cast<size_t>(argc)));
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s: %s (see --help)\n", spec.program.c_str(),
                 std::string(parsed.status().message()).c_str());
    std::exit(2);
  }
  if (parsed->help) {
    const std::string help = CommandLineHelp(spec);
    std::fwrite(help.data(), 1, help.size(), stdout);
    std::exit(0);
  }
  return *std::move(parsed);
}

}  // namespace mua
