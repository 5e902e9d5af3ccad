#pragma once

// The mock Stytch server every suite calls: the sample organizations, its own run-time CA
// written to a file, an io_context to run calls on, and a client config that trusts the server.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <stytch/mock/server.hpp>
#include <stytch/stytch.hpp>

#include "support/printers.hpp"
#include "support/process.hpp"

namespace stytch::test {

/// Organizations of the sample seed (tools/stytch-mock/organizations.json).
inline constexpr const char* first_org = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931";
inline constexpr const char* second_org = "organization-test-2f1c9e44-5b7a-4d0e-8f63-9a1b2c3d4e5f";
inline constexpr const char* third_org = "organization-test-b3a9d2e1-7c64-4f58-a1e0-6d5c4b3a2f19";

/// Polls `done` until it holds or `limit` passes: for conditions only observable from outside
/// (the server's connection count). The assertion is on the condition, never on the time.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds limit = std::chrono::seconds(10));

/// Server options with a TLS identity made from `certificate` (its CA goes to the fixture's
/// `ca_file`, so `config()` trusts it).
mock::server_options serving(const mock::certificate_options& certificate);

/// Server options offering (ALPN) just the protocols in `alpn`, e.g. {"h2"}.
mock::server_options speaking(std::vector<std::string> alpn);

/// The next `times` requests are answered with `reply`, later ones normally (replaces any
/// override the server had).
void inject(mock::server& server, mock::reply reply, std::size_t times = SIZE_MAX);

/// The JSON body of a 200 for `organization_id` as stored in the mock.
std::string ok_body_for(const mock::server& server, const std::string& organization_id,
                        const std::string& request_id);

/// The in-process mock on 127.0.0.1 with the sample organizations and its CA in `ca_file`.
/// In the HTTP/2 run (support/h2_run.hpp) a server left at the default `alpn` offers h2.
struct server_fixture {
    explicit server_fixture(mock::server_options opts = {});
    ~server_fixture();
    server_fixture(const server_fixture&) = delete;
    server_fixture& operator=(const server_fixture&) = delete;

    /// A client config for this server: the mock's credentials, its URL, its CA; in the
    /// HTTP/2 run, `http_version = http2`.
    client_config config() const;

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

    /// Runs `body` here while `ioc` runs on a thread of its own (for the blocking forms, such
    /// as use_future), until `body` returned; what `body` makes is gone before `ioc` stops.
    void run_beside(const std::function<void()>& body);

    /// Runs `ioc` in 10 ms slices until `done()` holds or 10 s passed: for what only the
    /// server sees, while nothing completes client-side (run_one() would block).
    void run_until_server(const std::function<bool()>& done);

    std::string ca_file = temp_path("stytch-test-ca");
    mock::server server;
    boost::asio::io_context ioc;
};

}  // namespace stytch::test
