#include "tools/shell/line_editor.h"

#include <histedit.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "tools/shell/completer.h"
#include "tools/shell/interrupt.h"
#include "tools/shell/table_renderer.h"

namespace mua::shell {

struct LineEditor::Impl {
  EditLine* editor = nullptr;
  History* history = nullptr;
  std::string history_path;
  const Completer* completer = nullptr;
  std::string prompt;

  static Impl* Of(EditLine* editor);
  static char* Prompt(EditLine* editor);
  static unsigned char Complete(EditLine* editor, int key);
  void ListCandidates(const std::vector<std::string>& candidates) const;
};

namespace {

constexpr int kHistorySize = 2000;  // entries kept in the history file

size_t TerminalWidth() {
  winsize size = {};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

}  // namespace

LineEditor::Impl* LineEditor::Impl::Of(EditLine* editor) {
  void* data = nullptr;
  el_get(editor, EL_CLIENTDATA, &data);
  return static_cast<Impl*>(data);
}

char* LineEditor::Impl::Prompt(EditLine* editor) { return Of(editor)->prompt.data(); }

unsigned char LineEditor::Impl::Complete(EditLine* editor, int /*key*/) {
  const Impl* impl = Of(editor);
  const LineInfo* line = el_line(editor);
  const absl::string_view before(line->buffer, static_cast<size_t>(line->cursor - line->buffer));
  const Completion completion = impl->completer->Complete(before);
  const CompletionEdit edit = PlanCompletion(completion);
  if (!edit.replacement.empty()) {
    el_deletestr(editor, static_cast<int>(completion.word.size()));
    el_insertstr(editor, edit.replacement.c_str());
    return CC_REFRESH;
  }
  if (edit.list_candidates) {
    impl->ListCandidates(completion.candidates);
    return CC_REDISPLAY;
  }
  return CC_ERROR;  // nothing matches: beep
}

// Prints the candidates in columns below the line, like readline does.
void LineEditor::Impl::ListCandidates(const std::vector<std::string>& candidates) const {
  size_t widest = 0;
  for (const std::string& candidate : candidates) {
    widest = std::max(widest, DisplayWidth(candidate));
  }
  const size_t column_width = widest + 2;
  const size_t per_line = std::max<size_t>(1, TerminalWidth() / column_width);
  std::string text = "\n";
  for (size_t i = 0; i < candidates.size(); ++i) {
    const bool last_in_line = (i + 1) % per_line == 0 || i + 1 == candidates.size();
    absl::StrAppend(
        &text, candidates[i],
        last_in_line ? "\n" : std::string(column_width - DisplayWidth(candidates[i]), ' '));
  }
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

LineEditor::LineEditor(std::string history_path, const Completer* completer)
    : impl_(std::make_unique<Impl>()) {
  impl_->history_path = std::move(history_path);
  impl_->completer = completer;
  impl_->history = history_init();
  HistEvent event;
  history(impl_->history, &event, H_SETSIZE, kHistorySize);
  history(impl_->history, &event, H_SETUNIQUE, 1);
  if (!impl_->history_path.empty()) {
    history(impl_->history, &event, H_LOAD, impl_->history_path.c_str());
  }

  impl_->editor = el_init("mua-shell", stdin, stdout, stderr);
  el_set(impl_->editor, EL_CLIENTDATA, impl_.get());
  el_set(impl_->editor, EL_EDITOR, "emacs");
  // Our SIGINT handler, not libedit's: Ctrl-C must interrupt el_gets with EINTR.
  el_set(impl_->editor, EL_SIGNAL, 0);
  el_set(impl_->editor, EL_PROMPT, &Impl::Prompt);
  el_set(impl_->editor, EL_HIST, history, impl_->history);
  // The wide call: the narrow EL_ADDFN copies its strings and never frees them.
  el_wset(impl_->editor, EL_ADDFN, L"mua-complete", L"complete SQL words", &Impl::Complete);
  el_set(impl_->editor, EL_BIND, "^I", "mua-complete", nullptr);
  el_source(impl_->editor, nullptr);  // the user's ~/.editrc, when there is one
}

LineEditor::~LineEditor() {
  el_end(impl_->editor);
  history_end(impl_->history);
}

LineEditor::Read LineEditor::ReadLine(absl::string_view prompt, std::string* line) {
  impl_->prompt = std::string(prompt);
  (void)TakeInterrupt();  // a Ctrl-C from before the prompt is not meant for this line
  int count = 0;
  const char* text = el_gets(impl_->editor, &count);
  if (TakeInterrupt()) {
    std::fputs("^C\n", stdout);
    std::fflush(stdout);
    return Read::kInterrupted;
  }
  if (text == nullptr || count <= 0) return Read::kEnd;
  absl::string_view read(text, static_cast<size_t>(count));
  while (!read.empty() && (read.back() == '\n' || read.back() == '\r')) read.remove_suffix(1);
  *line = std::string(read);
  return Read::kLine;
}

void LineEditor::AddHistory(absl::string_view entry) {
  if (entry.empty()) return;
  HistEvent event;
  history(impl_->history, &event, H_ENTER, std::string(entry).c_str());
  if (!impl_->history_path.empty()) {
    history(impl_->history, &event, H_SAVE, impl_->history_path.c_str());
  }
}

}  // namespace mua::shell
