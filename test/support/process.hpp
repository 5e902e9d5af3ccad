#pragma once

// Figures of this process (memory, sockets), a closed port, and running a command.

#include <cstddef>
#include <cstdint>
#include <string>

namespace stytch::test {

/// A fresh path in the temporary directory: `<stem>-<pid>-<clock>.pem`.
std::string temp_path(const std::string& stem);

/// A value of /proc/self/status in KiB ("VmRSS:", "VmHWM:"), or -1.
long status_kib(const std::string& field);

/// VmRSS of this process in KiB.
inline long resident_kib() {
    return status_kib("VmRSS:");
}

/// Resets VmHWM to the current VmRSS (Linux: 5 > /proc/self/clear_refs).
void reset_peak_resident();

/// Open file descriptors of this process that are sockets.
std::size_t open_sockets();

/// A 127.0.0.1 port nobody listens on (bound, then released).
std::uint16_t closed_port();

struct process_output {
    int status = -1;
    std::string out;
    std::string err;  ///< with `separate_stderr` only; otherwise stderr is in `out`
};

/// Runs `command` through the shell and returns its exit status and stdout+stderr, or stdout
/// and stderr apart with `separate_stderr`.
process_output run_command(const std::string& command, bool separate_stderr = false);

}  // namespace stytch::test
