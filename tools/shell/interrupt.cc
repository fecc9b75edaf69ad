#include "tools/shell/interrupt.h"

#include <atomic>
#include <csignal>

namespace mua::shell {
namespace {

std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the SIGINT handler needs a lock-free flag");

void OnInterrupt(int) { interrupted.store(true); }

}  // namespace

void InstallInterruptHandler() {
  struct sigaction action = {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: the terminal read must see EINTR
  sigaction(SIGINT, &action, nullptr);
}

bool TakeInterrupt() { return interrupted.exchange(false); }

bool InterruptPending() { return interrupted.load(); }

}  // namespace mua::shell
