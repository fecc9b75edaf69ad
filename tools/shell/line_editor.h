// LineEditor: the interactive prompt on libedit — emacs keys, history kept in
// a file across sessions, and Tab completion from a Completer. Ctrl-C at the
// prompt discards the line (needs InstallInterruptHandler); Ctrl-D on an empty
// line ends input. Owns the terminal while reading; one per process.
//
//   LineEditor editor("/home/me/.mua_history", &completer);
//   std::string line;
//   while (editor.ReadLine("mua> ", &line) != LineEditor::Read::kEnd) { ... }
#pragma once

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace mua::shell {

class Completer;

class LineEditor {
 public:
  enum class Read { kLine, kInterrupted, kEnd };

  // Loads the history from `history_path` when it exists ("" keeps no history).
  // `completer` must outlive the editor.
  LineEditor(std::string history_path, const Completer* completer);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // Shows `prompt` and reads one line (without its newline) into *line.
  Read ReadLine(absl::string_view prompt, std::string* line);

  // Appends `entry` to the history and saves the history file.
  void AddHistory(absl::string_view entry);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mua::shell
