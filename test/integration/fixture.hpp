#pragma once

// A mock Stytch server with the sample organizations, an io_context, and a client config
// trusting the server's run-time CA.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include <stytch/mock/server.hpp>
#include <stytch/stytch.hpp>

#include "support/printers.hpp"

namespace stytch::test {

inline constexpr const char* first_org = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931";

/// Polls `done` until it holds or `limit` passes: for conditions only observable from outside
/// (the server's connection count). The assertion is on the condition, never on the time.
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

inline std::string temp_path(const std::string& stem) {
    return (std::filesystem::temp_directory_path() /
            (stem + "-" + std::to_string(::getpid()) + "-" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".pem"))
        .string();
}

/// How a callback-form call completed, and how often.
struct completion {
    boost::system::error_code ec;
    int count = 0;
};

/// A handler that records into `c`.
inline auto record(completion& c) {
    return [&c](boost::system::error_code ec, b2b::delete_external_id_response) {
        c.ec = ec;
        ++c.count;
    };
}

struct server_fixture {
    explicit server_fixture(mock::server_options opts = {}) : server(std::move(opts)) {
        server.load_organizations(STYTCH_SAMPLE_ORGANIZATIONS);
        server.write_ca_file(ca_file);
    }
    ~server_fixture() { std::filesystem::remove(ca_file); }

    client_config config() const {
        client_config cfg;
        cfg.project_id = "project-test-11111111-2222-3333-4444-555555555555";
        cfg.secret = "secret-test-mock";
        cfg.base_url = server.base_url();
        cfg.ca_file = ca_file;
        return cfg;
    }

    /// Runs a coroutine to completion on `ioc` and returns its value.
    template <class T>
    T run(boost::asio::awaitable<T> coro) {
        std::optional<T> out;
        boost::asio::co_spawn(ioc, std::move(coro), [&](std::exception_ptr e, T v) {
            if (e) {
                std::rethrow_exception(e);
            }
            out = std::move(v);
        });
        run_until([&] { return out.has_value(); });
        BOOST_REQUIRE(out.has_value());
        return std::move(*out);
    }

    /// Runs `ioc` until `done()` holds (and no longer: a test may keep other work pending).
    template <class Predicate>
    void run_until(Predicate done) {
        ioc.restart();
        while (!done() && ioc.run_one() != 0) {
        }
    }

    std::string ca_file = temp_path("stytch-test-ca");
    mock::server server;
    boost::asio::io_context ioc;
};

}  // namespace stytch::test
