#pragma once

// stytch-b2b as a child process of a test: started with its own environment and files for
// stdin, stdout and stderr, so that the test can signal it while it runs.

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace stytch::test {

class cli_child {
  public:
    /// Starts `program` with `arguments`, this process's environment plus `environment`,
    /// stdin from `stdin_path` (or /dev/null), stdout and stderr into fresh temporary files;
    /// with `stderr_terminal`, stderr is a pseudo-terminal instead, read by err() once the
    /// child ended (keep that output short: the terminal buffers it until then).
    cli_child(const std::string& program, const std::vector<std::string>& arguments,
              const std::vector<std::pair<std::string, std::string>>& environment,
              const std::string& stdin_path = "/dev/null", bool stderr_terminal = false);
    ~cli_child();
    cli_child(const cli_child&) = delete;
    cli_child& operator=(const cli_child&) = delete;

    /// Sends `signal` to the child.
    void signal(int signal) const;

    /// Waits for the child to end; returns its exit status (128 + the signal when killed).
    int wait();

    /// What the child wrote so far.
    std::string out() const;
    std::string err();

  private:
    pid_t pid_ = -1;
    int status_ = -1;
    std::string out_path_;
    std::string err_path_;
    int terminal_ = -1;  // the pseudo-terminal's master side, with stderr_terminal
    std::string terminal_text_;
};

}  // namespace stytch::test
