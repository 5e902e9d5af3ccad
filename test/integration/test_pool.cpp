// The connection pool: reuse, bounded size with FIFO waiters, idle timeout, stale connections,
// and several threads on one io_context.

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "support/attempt_log.hpp"
#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/h2_run.hpp"
#include "support/tokens.hpp"

namespace asio = boost::asio;
using namespace stytch;
using namespace stytch::test;

BOOST_AUTO_TEST_SUITE(pool)

BOOST_AUTO_TEST_CASE(sequential_calls_reuse_one_connection) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    auto n = f.run([&]() -> asio::awaitable<int> {
        int ok = 0;
        // A named request, not a temporary inside co_await: g++ 12 destroys such temporaries
        // twice in a loop (a compiler bug, see README).
        const b2b::delete_external_id_request request{first_org};
        for (int i = 0; i < 20; ++i) {
            auto r = co_await c.organizations().async_delete_external_id(
                request, {}, stytch::test::awaitable_result);
            ok += r.has_value();
        }
        co_return ok;
    }());
    BOOST_TEST(n == 20);
    BOOST_TEST(f.server.connections_accepted() == 1u);
    BOOST_TEST(f.server.requests().size() == 20u);
}

BOOST_AUTO_TEST_CASE(many_concurrent_callers_share_a_small_pool) {
    client_fixture f;
    auto& c = f.make_client(f.config(), [](client_config& cfg) { cfg.max_connections = 4; });
    constexpr std::size_t callers = 1000;
    BOOST_TEST(f.run_calls(c, callers) == callers);  // each completed once, with first_org
    BOOST_TEST(f.server.connections_accepted() <= 4u);
}

BOOST_AUTO_TEST_CASE(trimmed_idle_connections_are_reused) {
    // A large idle pool gives most connections' TLS buffers back; those connections must still
    // carry the next calls, not be replaced.
    client_fixture f;
    auto& c = f.make_client(f.config(), [](client_config& cfg) {
        cfg.max_connections = 24;
        cfg.max_streams_per_connection = 1;  // over HTTP/2 too: one call per connection
    });
    BOOST_TEST(f.run_calls(c, 24) == 24u);
    const auto opened = f.server.connections_accepted();
    BOOST_TEST(opened > 8u);  // more than the warm ones, so some were trimmed
    BOOST_TEST(f.run_calls(c, 24) == 24u);
    BOOST_TEST(f.run_calls(c, 24) == 24u);
    BOOST_TEST(f.server.connections_accepted() == opened);
    BOOST_TEST(f.server.requests().size() == 72u);
}

BOOST_AUTO_TEST_CASE(waiters_are_served_in_fifo_order) {
    client_fixture f;
    auto& c = f.make_client(f.config(), one_call_at_a_time);
    std::vector<int> order;
    for (int i = 0; i < 10; ++i) {
        c.organizations().async_delete_external_id(
            {"org-" + std::to_string(i)}, {},
            [&, i](boost::system::error_code, b2b::delete_external_id_response) {
                order.push_back(i);
            });
    }
    f.run_until([&] { return order.size() == 10; });
    std::vector<int> expected{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    BOOST_TEST(order == expected, boost::test_tools::per_element());
    auto requests = f.server.requests();
    BOOST_REQUIRE_EQUAL(requests.size(), 10u);
    for (int i = 0; i < 10; ++i) {
        BOOST_TEST(requests[i].target ==
                   "/v1/b2b/organizations/org-" + std::to_string(i) + "/external_id");
    }
}

// An idle pool holds no pending operation (no sweep timer): run() returns as soon as the last
// call has completed, long before the idle timeout, and the connection stays pooled.
BOOST_AUTO_TEST_CASE(run_returns_once_the_last_call_completed) {
    client_fixture f;
    auto& c = f.make_client(f.config(),
                            [](client_config& cfg) { cfg.idle_timeout = std::chrono::hours(1); });
    int ok = 0;
    for (int i = 0; i < 20; ++i) {
        c.organizations().async_delete_external_id(
            {first_org}, {},
            [&](boost::system::error_code ec, b2b::delete_external_id_response) { ok += !ec; });
    }
    f.ioc.restart();
    f.ioc.run_for(std::chrono::seconds(5));
    BOOST_TEST(f.ioc.stopped());  // out of work, not out of time
    BOOST_TEST(ok == 20);
    BOOST_TEST(f.server.connections_open() >= 1u);  // still pooled for the next call
    const auto opened = f.server.connections_accepted();
    BOOST_TEST(f.run_call().has_value());
    BOOST_TEST(f.server.connections_accepted() == opened);
}

// Expiry is lazy: the next call closes the connections idle for longer than the timeout.
BOOST_AUTO_TEST_CASE(idle_connections_past_the_timeout_are_closed_at_the_next_call) {
    client_fixture f;
    f.make_client(f.config(),
                  [](client_config& cfg) { cfg.idle_timeout = std::chrono::milliseconds(50); });
    BOOST_TEST(f.run_call().has_value());
    BOOST_TEST(f.server.connections_open() == 1u);
    std::this_thread::sleep_for(std::chrono::milliseconds(120));  // let the connection expire
    BOOST_TEST(f.run_call().has_value());
    BOOST_TEST(f.server.connections_accepted() == 2u);
    BOOST_TEST(stytch::test::eventually([&] { return f.server.connections_open() == 1; }));
}

BOOST_AUTO_TEST_CASE(connection_closed_by_the_server_is_replaced_transparently) {
    mock::server_options o;
    o.keep_alive_timeout = std::chrono::milliseconds(100);
    client_fixture f(o);
    f.make_client();
    BOOST_REQUIRE(f.run_call().has_value());
    BOOST_REQUIRE(eventually([&] { return f.server.connections_open() == 0; }));
    f.log.clear();
    auto r = f.run_call();
    BOOST_TEST(r.has_value(), (r ? "" : r.error().code.message()));
    BOOST_TEST(f.server.connections_accepted() == 2u);
    // Found closed before it was handed out: no request was written on it, no attempt failed.
    const auto entries = f.log.entries();
    BOOST_REQUIRE(entries.size() == 1u);
    BOOST_TEST(entries[0].info.attempt == 1u);
    BOOST_TEST(!entries[0].info.reused_connection);
    BOOST_TEST(!entries[0].info.result.failed());
    BOOST_TEST(f.server.requests_received() == 2u);
}

BOOST_AUTO_TEST_CASE(connection_close_answer_is_not_pooled,
                     *http1_only("Connection: close on an answer")) {
    // A success, then an API error, each with `Connection: close`; then a normal answer.
    server_fixture f;
    std::vector<mock::reply> closing(2);
    closing[0].body = ok_body_for(f.server, first_org, "request-id-test-close");
    closing[1].status = 404;
    closing[1].body =
        R"({"status_code":404,"request_id":"r","error_type":"organization_not_found"})";
    for (auto& reply : closing) {
        reply.close_after = true;
    }
    std::atomic<std::size_t> n{0};
    f.server.set_override([&](const mock::recorded_request&) -> std::optional<mock::reply> {
        const std::size_t i = n++;
        return i < closing.size() ? std::optional(closing[i]) : std::nullopt;
    });
    auto cfg = f.config();
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto first = call(f, c);
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST(first->request_id == "request-id-test-close");
    BOOST_TEST(code_of(call(f, c)) == error::organization_not_found);
    BOOST_TEST(call(f, c).has_value());
    const auto entries = log.entries();
    BOOST_REQUIRE(entries.size() == 3u);
    for (const auto& e : entries) {
        BOOST_TEST(!e.info.reused_connection);
    }
    BOOST_TEST(f.server.connections_accepted() == 3u);
}

BOOST_AUTO_TEST_CASE(several_threads_run_one_io_context) {
    mock::server_options o;
    o.threads = 2;
    client_fixture f(o);
    auto& c = f.make_client(f.config(), [](client_config& cfg) { cfg.max_connections = 8; });
    constexpr int callers = 400;
    std::atomic<int> ok{0}, done{0};
    auto work = asio::make_work_guard(f.ioc);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] { f.ioc.run(); });
    }
    // Start calls from several foreign threads too.
    std::vector<std::thread> starters;
    for (int s = 0; s < 4; ++s) {
        starters.emplace_back([&] {
            for (int i = 0; i < callers / 4; ++i) {
                c.organizations().async_delete_external_id(
                    {first_org}, {},
                    [&](boost::system::error_code ec, b2b::delete_external_id_response r) {
                        ok += !ec && r.organization.organization_id == first_org;
                        ++done;
                    });
            }
        });
    }
    for (auto& t : starters) {
        t.join();
    }
    BOOST_TEST(eventually([&] { return done.load() == callers; }, std::chrono::seconds(60)));
    c.close();
    work.reset();
    for (auto& t : threads) {
        t.join();
    }
    BOOST_TEST(ok.load() == callers);
    BOOST_TEST(f.server.connections_accepted() <= 8u);
}

BOOST_AUTO_TEST_SUITE_END()
