// Ctrl-C as a flag: the SIGINT handler only records the interrupt, and the
// shell looks at the flag where it can act (at the prompt, while a query
// waits). The handler is installed without SA_RESTART, so a blocking read of
// the terminal returns EINTR and the line editor gives up the current line.
//
//   InstallInterruptHandler();
//   ...
//   if (TakeInterrupt()) CancelQuery();
#pragma once

namespace mua::shell {

// Installs the SIGINT handler. Call once, before reading input.
void InstallInterruptHandler();

// True when Ctrl-C was pressed since the last TakeInterrupt; clears the flag.
bool TakeInterrupt();

// True when Ctrl-C was pressed since the last TakeInterrupt; leaves the flag set.
bool InterruptPending();

}  // namespace mua::shell
