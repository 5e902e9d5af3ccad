// client::stats() and client_config::on_call against what the mock saw: calls, attempts,
// retries, connections opened and reused, discards by reason, gauges and histograms.

#include <thread>

#include "support/attempt_log.hpp"
#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/h2_run.hpp"
#include "support/process.hpp"

namespace asio = boost::asio;
using namespace stytch;
using namespace stytch::test;
using std::chrono::milliseconds;

namespace {

/// Records every `on_call` call.
struct call_log {
    void attach(client_config& cfg) {
        auto s = state;
        cfg.on_call = [s](const call_info& info) {
            std::lock_guard lock(s->mutex);
            s->entries.push_back(info);
        };
    }
    std::vector<call_info> entries() const {
        std::lock_guard lock(state->mutex);
        return state->entries;
    }

    struct shared {
        std::mutex mutex;
        std::vector<call_info> entries;
    };
    std::shared_ptr<shared> state = std::make_shared<shared>();
};

/// The gauges of a client with nothing to do and `idle` connections in its pool.
void check_at_rest(const client_stats& s, std::size_t idle) {
    BOOST_TEST(s.calls_in_flight == 0u);
    BOOST_TEST(s.calls_waiting == 0u);
    BOOST_TEST(s.connections_busy == 0u);
    BOOST_TEST(s.connections_idle == idle);
    BOOST_TEST(s.connections_open == idle);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stats)

BOOST_AUTO_TEST_CASE(calls_attempts_retries_and_connections_match_what_the_mock_saw) {
    server_fixture f;
    // Four 503s: the first call fails after its three attempts, the second succeeds at its
    // second attempt, the other eight at once.
    answer_status(f, 503, 4);
    auto cfg = fast_config(f);
    call_log calls;
    calls.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    constexpr std::size_t n = 10;
    for (std::size_t i = 0; i < n; ++i) {
        auto r = call(f, c);
        BOOST_TEST(r.has_value() == (i != 0));
    }
    const auto s = c.stats();
    BOOST_TEST(f.server.requests_received() == n + 3);
    BOOST_TEST(s.calls_started == n);
    BOOST_TEST(s.calls_succeeded == n - 1);
    BOOST_TEST(s.calls_failed.api_error == 1u);
    BOOST_TEST(s.calls_failed.total() == 1u);
    BOOST_TEST(s.attempts == f.server.requests_received());
    BOOST_TEST(s.retries.status == 3u);
    BOOST_TEST(s.retries.transport == 0u);
    BOOST_TEST(s.retries.stale_connection == 0u);
    BOOST_TEST(s.connections_opened == f.server.connections_accepted());
    BOOST_TEST(s.connections_opened == 1u);
    BOOST_TEST(s.connections_reused == s.attempts - s.connections_opened);
    BOOST_TEST(s.connections_discarded.total() == 0u);
    check_at_rest(s, 1);
    BOOST_TEST(s.call_latency.count() == n);
    BOOST_TEST(s.connection_wait.count() == n);
    BOOST_TEST(s.call_latency.percentile(0.5) > milliseconds(0));

    // The hook saw every call, before the call's handler ran (the loop above waited for it).
    auto e = calls.entries();
    BOOST_REQUIRE(e.size() == n);
    BOOST_TEST(e[0].result == error::server_error);
    BOOST_TEST(e[0].attempts == 3u);
    BOOST_TEST(!e[1].result.failed());
    BOOST_TEST(e[1].attempts == 2u);
    for (std::size_t i = 2; i < n; ++i) {
        BOOST_TEST(e[i].attempts == 1u);
        BOOST_TEST((e[i].connection_wait <= e[i].latency));
    }
}

BOOST_AUTO_TEST_CASE(calls_beyond_the_pool_wait_and_the_gauges_show_it) {
    client_fixture f;
    auto& c = f.make_client([](client_config& cfg) {
        cfg.max_connections = 2;
        cfg.max_streams_per_connection = 1;  // over HTTP/2 too: one call per connection
    });
    // A first call tells the pool the protocol: a cold burst would open one connection and
    // wait for its handshake.
    BOOST_TEST_REQUIRE(f.run_call().has_value());
    constexpr int n = 8;
    int done = 0;
    const b2b::delete_external_id_request request{first_org};
    for (int i = 0; i < n; ++i) {
        c.organizations().async_delete_external_id(
            request, {}, [&](boost::system::error_code ec, b2b::delete_external_id_response) {
                BOOST_TEST(!ec.failed());
                ++done;
            });
    }
    // Admissions were posted before any I/O could complete: right after the last one, two
    // calls hold the two connections (the idle one and a new one) and six wait.
    f.run_until([&] { return c.stats().calls_started == n + 1; });
    auto s = c.stats();
    BOOST_TEST(s.calls_in_flight == std::size_t(n));
    BOOST_TEST(s.calls_waiting == 6u);
    BOOST_TEST(s.connections_open == 2u);
    BOOST_TEST(s.connections_busy == 2u);
    f.run_until([&] { return done == n; });
    s = c.stats();
    check_at_rest(s, 2);
    BOOST_TEST(s.calls_succeeded == std::uint64_t(n + 1));
    BOOST_TEST(s.connections_opened == f.server.connections_accepted());
    BOOST_TEST(s.connections_opened == 2u);
    BOOST_TEST(s.connections_reused == std::uint64_t(n - 1));
    BOOST_TEST(s.connection_wait.count() == std::uint64_t(n + 1));
}

BOOST_AUTO_TEST_CASE(a_connection_the_server_closed_is_counted_as_replaced_not_as_an_attempt) {
    mock::server_options o;
    o.keep_alive_timeout = milliseconds(100);
    server_fixture f(o);
    client c(f.ioc.get_executor(), fast_config(f));
    BOOST_REQUIRE(call(f, c).has_value());
    BOOST_REQUIRE(eventually([&] { return f.server.connections_open() == 0u; }));
    BOOST_REQUIRE(call(f, c).has_value());
    const auto s = c.stats();
    BOOST_TEST(s.attempts == 2u);  // the close is found before writing, over both versions
    BOOST_TEST(s.retries.stale_connection == 1u);
    BOOST_TEST(s.connections_reused == 1u);  // taken from the pool, then found closed
    BOOST_TEST(s.connections_discarded.stale == 1u);
    BOOST_TEST(s.connections_opened == f.server.connections_accepted());
    BOOST_TEST(s.connections_opened == 2u);
    check_at_rest(s, 1);
}

BOOST_AUTO_TEST_CASE(discards_are_counted_by_reason,
                     *http1_only("Connection: close on an answer")) {
    client_fixture f;
    auto& c = f.make_client([](client_config& cfg) {
        cfg.idle_timeout = milliseconds(1);
        cfg.retry.max_attempts = 1;
    });
    BOOST_REQUIRE(f.run_call().has_value());
    // The idle timeout must pass: the pool expires connections lazily, at the next call.
    std::this_thread::sleep_for(milliseconds(5));
    BOOST_REQUIRE(f.run_call().has_value());
    auto s = c.stats();
    BOOST_TEST(s.connections_discarded.idle_timeout == 1u);

    // `Connection: close` on the answer: not reusable.
    mock::reply last;
    last.status = 503;
    last.body = error_body(503, "injected_failure");
    last.close_after = true;
    f.server.set_override(
        [&](const mock::recorded_request&) -> std::optional<mock::reply> { return last; });
    BOOST_TEST(!f.run_call().has_value());
    s = c.stats();
    BOOST_TEST(s.connections_discarded.not_reusable == 1u);
    BOOST_TEST(s.calls_failed.api_error == 1u);
    f.server.set_override(nullptr);

    BOOST_REQUIRE(f.run_call().has_value());
    c.close();
    s = c.stats();
    BOOST_TEST(s.connections_discarded.client_closed == 1u);
    BOOST_TEST(s.connections_opened == f.server.connections_accepted());
    BOOST_TEST(s.connections_opened == 3u);
    BOOST_TEST(s.connections_discarded.total() == 3u);
    check_at_rest(s, 0);
}

BOOST_AUTO_TEST_CASE(failed_opens_and_connect_retries_are_counted) {
    client_fixture f;
    auto& c = f.make_client([](client_config& cfg) {
        cfg.base_url = "https://127.0.0.1:" + std::to_string(closed_port());
    });
    BOOST_TEST(!f.run_call().has_value());
    const auto s = c.stats();
    BOOST_TEST(s.attempts == 3u);
    BOOST_TEST(s.retries.transport == 2u);
    BOOST_TEST(s.connections_opened == 0u);
    BOOST_TEST(s.connections_discarded.open_failed == 3u);
    BOOST_TEST(s.calls_failed.transport == 1u);
    check_at_rest(s, 0);
}

BOOST_AUTO_TEST_CASE(refused_and_cancelled_calls_are_counted_and_timed) {
    server_fixture f;
    call_log calls;
    auto cfg = fast_config(f);
    calls.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    BOOST_TEST(!call(f, c, "").has_value());
    c.close();
    BOOST_TEST(!call(f, c).has_value());
    const auto s = c.stats();
    BOOST_TEST(s.calls_started == 2u);
    BOOST_TEST(s.calls_failed.invalid_request == 1u);
    BOOST_TEST(s.calls_failed.client_closed == 1u);
    BOOST_TEST(s.attempts == 0u);
    BOOST_TEST(s.call_latency.count() == 2u);
    check_at_rest(s, 0);
    auto e = calls.entries();
    BOOST_REQUIRE(e.size() == 2u);
    BOOST_TEST(e[0].result == error::empty_organization_id);
    BOOST_TEST(e[0].attempts == 0u);
}

BOOST_AUTO_TEST_CASE(a_moved_from_client_reports_zeros) {
    server_fixture f;
    client c(f.ioc.get_executor(), fast_config(f));
    BOOST_REQUIRE(call(f, c).has_value());
    client other(std::move(c));
    BOOST_TEST(other.stats().calls_started == 1u);
    BOOST_TEST(c.stats().calls_started == 0u);  // NOLINT(bugprone-use-after-move): documented
}

BOOST_AUTO_TEST_SUITE_END()
