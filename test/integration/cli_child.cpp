#include "cli_child.hpp"

#include <fcntl.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/process.hpp"

extern char** environ;

namespace stytch::test {
namespace {

std::string contents(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

cli_child::cli_child(const std::string& program, const std::vector<std::string>& arguments,
                     const std::vector<std::pair<std::string, std::string>>& environment,
                     const std::string& stdin_path, bool stderr_terminal)
    : out_path_(temp_path("stytch-cli-out")), err_path_(temp_path("stytch-cli-err")) {
    // The test's variables replace the inherited ones of the same name.
    std::vector<std::string> env_strings;
    for (const auto& [name, value] : environment) {
        env_strings.push_back(name + "=" + value);
    }
    for (char** e = environ; *e; ++e) {
        const std::string inherited = *e;
        const std::string name = inherited.substr(0, inherited.find('='));
        bool replaced = false;
        for (const auto& given : environment) {
            replaced = replaced || given.first == name;
        }
        if (!replaced) {
            env_strings.push_back(inherited);
        }
    }
    std::vector<char*> envp;
    for (auto& e : env_strings) {
        envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    std::vector<std::string> args_strings{program};
    args_strings.insert(args_strings.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& a : args_strings) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    int terminal_side = -1;
    if (stderr_terminal) {
        if (::openpty(&terminal_, &terminal_side, nullptr, nullptr, nullptr) != 0) {
            throw std::runtime_error("openpty failed");
        }
        posix_spawn_file_actions_adddup2(&actions, terminal_side, 2);
        posix_spawn_file_actions_addclose(&actions, terminal_);
    } else {
        posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
    }
    const int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (terminal_side >= 0) {
        ::close(terminal_side);  // the master then reads EIO once the child is gone
    }
    if (rc != 0) {
        throw std::runtime_error("posix_spawn " + program + ": error " + std::to_string(rc));
    }
}

cli_child::~cli_child() {
    if (status_ < 0 && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait();
    }
    if (terminal_ >= 0) {
        ::close(terminal_);
    }
    std::remove(out_path_.c_str());
    std::remove(err_path_.c_str());
}

void cli_child::signal(int signal) const {
    ::kill(pid_, signal);
}

int cli_child::wait() {
    if (status_ >= 0) {
        return status_;
    }
    int raw = 0;
    while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
    }
    status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    return status_;
}

std::string cli_child::out() const {
    return contents(out_path_);
}

std::string cli_child::err() {
    if (terminal_ < 0) {
        return contents(err_path_);
    }
    wait();
    char buffer[4096];
    for (ssize_t n; (n = ::read(terminal_, buffer, sizeof buffer)) > 0;) {
        terminal_text_.append(buffer, static_cast<std::size_t>(n));
    }
    return terminal_text_;
}

}  // namespace stytch::test
