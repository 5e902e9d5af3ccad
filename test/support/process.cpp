#include "support/process.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace stytch::test {

std::string temp_path(const std::string& stem) {
    return (std::filesystem::temp_directory_path() /
            (stem + "-" + std::to_string(::getpid()) + "-" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".pem"))
        .string();
}

long status_kib(const std::string& field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field, 0) == 0) {
            return std::stol(line.substr(field.size()));
        }
    }
    return -1;
}

void reset_peak_resident() {
    std::ofstream("/proc/self/clear_refs") << "5";
}

std::size_t open_sockets() {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
        std::error_code lec;
        auto target = std::filesystem::read_symlink(e.path(), lec);
        if (!lec && target.string().rfind("socket:", 0) == 0) {
            ++n;
        }
    }
    return n;
}

std::uint16_t closed_port() {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    auto port = a.local_endpoint().port();
    a.close();
    return port;
}

process_output run_command(const std::string& command, bool separate_stderr) {
    process_output p;
    const std::string err_file = separate_stderr ? temp_path("stytch-stderr") : std::string();
    FILE* pipe =
        ::popen((command + (separate_stderr ? " 2>'" + err_file + "'" : " 2>&1")).c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("popen failed: " + command);
    }
    std::array<char, 4096> buffer;
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        p.out.append(buffer.data(), n);
    }
    int raw = ::pclose(pipe);
    p.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    if (separate_stderr) {
        std::ifstream in(err_file);
        p.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        std::filesystem::remove(err_file);
    }
    return p;
}

}  // namespace stytch::test
