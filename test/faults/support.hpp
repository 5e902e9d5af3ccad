#pragma once

// Helpers shared by the fault, retry and security tests: a recorder for the per-attempt hook,
// one-call helpers, a shell runner, and process figures (resident memory, open sockets).

#include <boost/asio/ip/tcp.hpp>
#include <boost/json/serialize.hpp>

#include <sys/wait.h>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "integration/fixture.hpp"

namespace stytch::test {

using steady = std::chrono::steady_clock;

/// Records every `on_attempt` call with the time it was made.
struct attempt_log {
    struct entry {
        attempt_info info;
        steady::time_point at;  ///< end of the attempt (when the hook ran)
        steady::time_point started() const { return at - info.latency; }
    };

    void attach(client_config& cfg) {
        auto s = state;
        cfg.on_attempt = [s](const attempt_info& info) {
            std::lock_guard lock(s->mutex);
            s->entries.push_back({info, steady::now()});
        };
    }
    std::vector<entry> entries() const {
        std::lock_guard lock(state->mutex);
        return state->entries;
    }
    std::size_t size() const { return entries().size(); }
    void clear() {
        std::lock_guard lock(state->mutex);
        state->entries.clear();
    }

    struct shared {
        std::mutex mutex;
        std::vector<entry> entries;
    };
    std::shared_ptr<shared> state = std::make_shared<shared>();
};

/// A configuration for fault tests: quick retries, short deadline.
inline client_config fast_config(const server_fixture& f) {
    auto cfg = f.config();
    cfg.retry.base_delay = std::chrono::milliseconds(1);
    cfg.retry.max_delay = std::chrono::milliseconds(4);
    cfg.request_timeout = std::chrono::seconds(5);
    cfg.connect_timeout = std::chrono::seconds(2);
    return cfg;
}

/// One call on a client, run to completion on the fixture's io_context.
inline result<b2b::delete_external_id_response> call(server_fixture& f, client& c,
                                                     const std::string& id = first_org) {
    const b2b::delete_external_id_request request{id};
    return f.run(c.organizations().delete_external_id(request));
}

/// The error code of a failed result (or an empty code for a success).
template <class R>
boost::system::error_code code_of(const R& r) {
    return r.has_value() ? boost::system::error_code{} : r.error().code;
}

/// VmRSS of this process in KiB.
inline long resident_kib() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::stol(line.substr(6));
        }
    }
    return -1;
}

/// Open file descriptors of this process that are sockets.
inline std::size_t open_sockets() {
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

/// A 127.0.0.1 port nobody listens on (bound, then released).
inline std::uint16_t closed_port() {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    auto port = a.local_endpoint().port();
    a.close();
    return port;
}

struct process_output {
    int status = -1;
    std::string out;
    std::string err;  ///< with `separate_stderr` only; otherwise stderr is in `out`
};

/// Runs `command` through the shell and returns its exit status and stdout+stderr, or stdout
/// and stderr apart with `separate_stderr`.
inline process_output run_command(const std::string& command, bool separate_stderr = false) {
    process_output p;
    const std::string err_file = separate_stderr ? temp_path("stytch-stderr") : std::string();
    FILE* pipe =
        ::popen((command + (separate_stderr ? " 2>'" + err_file + "'" : " 2>&1")).c_str(), "r");
    BOOST_REQUIRE(pipe != nullptr);
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

/// A body in Stytch's error shape.
inline std::string error_body(int status, const std::string& type) {
    return "{\"status_code\":" + std::to_string(status) +
           ",\"request_id\":\"request-id-test-fault\",\"error_type\":\"" + type +
           "\",\"error_message\":\"injected\",\"error_url\":\"https://stytch.com/docs\"}";
}

/// Answers `status` (Stytch error shape, unknown type unless given) to the first `times`
/// requests, then normally.
inline void answer_status(server_fixture& f, int status, std::size_t times = SIZE_MAX,
                          std::vector<std::pair<std::string, std::string>> headers = {},
                          std::string type = "injected_failure") {
    auto left = std::make_shared<std::atomic<std::size_t>>(times);
    f.server.set_override([=](const mock::recorded_request&) -> std::optional<mock::reply> {
        if (left->fetch_sub(1) == 0) {
            left->store(0);
            return std::nullopt;
        }
        mock::reply r;
        r.status = status;
        r.body = error_body(status, type);
        r.headers = headers;
        return r;
    });
}

}  // namespace stytch::test
