// The engine over HTTP/2, end to end against the mock's h2 (real TLS, ALPN, nghttp2 on both
// sides): many calls on one connection, and the failures RFC 9113 gives their own meaning —
// a refused stream, a GOAWAY, a reset stream, a deadline that ends one stream only, a shared
// connection the server closed while idle.

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/beast/http/error.hpp>

#include <functional>
#include <thread>
#include <vector>

#include "support/calls.hpp"
#include "support/tokens.hpp"

using namespace stytch;
using namespace stytch::test;
using std::chrono::milliseconds;

namespace {

mock::server_options h2_server() {
    mock::server_options so;
    so.alpn = {"h2", "http/1.1"};
    return so;
}

client_config h2_config(const server_fixture& f, std::size_t max_connections) {
    auto cfg = fast_config(f);
    cfg.http_version = http_version::http2;
    cfg.max_connections = max_connections;
    return cfg;
}

// Starts `n` calls for the first organization; each records into its completion.
void start_calls(client& c, std::vector<completion>& done, std::size_t n,
                 b2b::delete_external_id_options options = {}) {
    done.resize(done.size() + n);
    for (std::size_t i = done.size() - n; i < done.size(); ++i) {
        c.organizations().async_delete_external_id({first_org}, options, record(done[i]));
    }
}

// Runs the client until the server sees `done()` hold: in slices, since nothing completes
// client-side meanwhile (run_one() would block).
void run_until_server(server_fixture& f, const std::function<bool()>& done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < give_up) {
        f.ioc.restart();
        f.ioc.run_for(milliseconds(10));
    }
}

bool all_done(const std::vector<completion>& done) {
    for (const auto& d : done) {
        if (d.count == 0) {
            return false;
        }
    }
    return true;
}

std::size_t succeeded(const std::vector<completion>& done) {
    std::size_t n = 0;
    for (const auto& d : done) {
        n += d.count == 1 && !d.ec ? 1 : 0;
    }
    return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http2)

BOOST_AUTO_TEST_CASE(automatic_offers_h2_first_and_speaks_it) {
    server_fixture f(h2_server());
    auto cfg = fast_config(f);
    cfg.http_version = http_version::automatic;
    client c(f.ioc.get_executor(), cfg);
    BOOST_TEST(call(f, c).has_value());
    BOOST_TEST(
        (f.server.alpn_offers() == std::vector<std::vector<std::string>>{{"h2", "http/1.1"}}));
    // Recorded as the mock's h2 side received it: no content-length, names lower-case.
    const auto requests = f.server.requests();
    BOOST_TEST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].method == "DELETE");
    BOOST_TEST(requests[0].header("content-length").empty());
    for (const auto& [name, value] : requests[0].headers) {
        BOOST_TEST(name.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(fifty_calls_in_flight_share_one_connection) {
    auto so = h2_server();
    so.answer_delay = std::chrono::minutes(1);  // HTTP/1.1 would receive one request only
    server_fixture f(so);
    client c(f.ioc.get_executor(), h2_config(f, 1));
    std::vector<completion> done;
    start_calls(c, done, 50);
    run_until_server(f, [&] { return f.server.requests_received() == 50; });
    BOOST_TEST(f.server.requests_received() == 50u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
    const auto s = c.stats();
    BOOST_TEST(s.connections_open == 1u);
    BOOST_TEST(s.calls_in_flight == 50u);
    BOOST_TEST(s.calls_waiting == 0u);
    c.close();  // ends every stream
    f.run_until([&] { return all_done(done); });
    for (const auto& d : done) {
        BOOST_TEST((d.ec == error::client_closed), d.ec.message());
    }
}

BOOST_AUTO_TEST_CASE(max_streams_per_connection_caps_each_connection) {
    auto so = h2_server();
    so.answer_delay = std::chrono::minutes(1);  // the server allows 100 streams
    server_fixture f(so);
    auto cfg = h2_config(f, 2);
    cfg.max_streams_per_connection = 10;
    client c(f.ioc.get_executor(), cfg);
    std::vector<completion> done;
    start_calls(c, done, 50);
    run_until_server(f, [&] { return f.server.requests_received() == 20; });
    const auto s = c.stats();
    BOOST_TEST(f.server.requests_received() == 20u);  // 2 connections x 10 streams
    BOOST_TEST(s.connections_open == 2u);
    BOOST_TEST(s.calls_waiting == 30u);  // the rest wait in the queue, not on a connection
    c.close();
    f.run_until([&] { return all_done(done); });
}

BOOST_AUTO_TEST_CASE(many_calls_succeed_on_at_most_max_connections) {
    auto so = h2_server();
    so.answer_delay = milliseconds(20);
    server_fixture f(so);
    client c(f.ioc.get_executor(), h2_config(f, 2));
    std::vector<completion> done;
    start_calls(c, done, 300);
    f.run_until([&] { return all_done(done); });
    BOOST_TEST(succeeded(done) == 300u);
    BOOST_TEST(f.server.connections_accepted() <= 2u);
    BOOST_TEST(f.server.requests_received() == 300u);
    // The idle pool holds no pending operation: the io_context runs out of work.
    f.ioc.restart();
    f.ioc.run_for(std::chrono::seconds(5));
    BOOST_TEST(f.ioc.stopped());
}

BOOST_AUTO_TEST_CASE(a_refused_stream_is_sent_again_without_counting_an_attempt) {
    auto so = h2_server();
    so.h2_refuse_stream = 1;
    server_fixture f(so);
    auto cfg = h2_config(f, 1);
    cfg.retry.max_attempts = 1;  // a refusal is no attempt: the one attempt remains
    std::size_t attempts = 0;
    cfg.on_attempt = [&](const attempt_info&) { ++attempts; };
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_TEST(r.has_value(), code_of(r).message());
    BOOST_TEST(attempts == 1u);
    BOOST_TEST(c.stats().retries.not_processed == 1u);
    BOOST_TEST(f.server.connections_accepted() == 1u);  // the connection lives on
}

BOOST_AUTO_TEST_CASE(a_server_that_allows_no_stream_ends_in_a_clear_error) {
    auto so = h2_server();
    so.h2_max_concurrent_streams = 0;  // SETTINGS_MAX_CONCURRENT_STREAMS 0: every stream refused
    server_fixture f(so);
    auto cfg = h2_config(f, 2);
    cfg.retry.max_attempts = 2;
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_TEST((code_of(r) == error::http2_stream_refused), code_of(r).message());
    BOOST_TEST(f.server.requests_received() == 0u);
    // Sent again at once at most max_connections times per attempt, then by the policy.
    BOOST_TEST(c.stats().retries.not_processed <= 2u * cfg.max_connections);
    BOOST_TEST(f.server.connections_accepted() <= 2u * (cfg.max_connections + 1));
    f.ioc.restart();
    f.ioc.poll();
    BOOST_TEST(c.stats().connections_open == 0u);  // no connection that takes no call is kept
}

BOOST_AUTO_TEST_CASE(a_server_allowing_one_stream_gets_one_at_a_time) {
    auto so = h2_server();
    so.h2_max_concurrent_streams = 1;  // SETTINGS_MAX_CONCURRENT_STREAMS 1
    so.answer_delay = milliseconds(5);
    server_fixture f(so);
    client c(f.ioc.get_executor(), h2_config(f, 1));
    std::vector<completion> done;
    start_calls(c, done, 10);
    f.run_until([&] { return all_done(done); });
    // Streams sent before the server's SETTINGS arrived may be refused, and go again.
    BOOST_TEST(succeeded(done) == 10u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
    BOOST_TEST(f.server.requests_received() == 10u);
}

BOOST_AUTO_TEST_CASE(streams_above_a_goaway_go_to_a_new_connection) {
    auto so = h2_server();
    so.h2_goaway_after = 2;  // GOAWAY at the 2nd request: later streams are not processed
    so.answer_delay = milliseconds(50);
    server_fixture f(so);
    client c(f.ioc.get_executor(), h2_config(f, 1));
    std::vector<completion> done;
    start_calls(c, done, 6);
    f.run_until([&] { return all_done(done); });
    BOOST_TEST(succeeded(done) == 6u);
    BOOST_TEST(f.server.connections_accepted() >= 2u);
    BOOST_TEST(c.stats().retries.not_processed >= 1u);
    BOOST_TEST(c.stats().attempts == 6u);  // a request the server did not take up is no attempt
    // Each connection that got a GOAWAY went with its last stream, counted once.
    BOOST_TEST(c.stats().connections_discarded.not_reusable ==
               f.server.connections_accepted() - c.stats().connections_open);
}

BOOST_AUTO_TEST_CASE(a_reset_stream_fails_its_call_only) {
    server_fixture f(h2_server());
    client c(f.ioc.get_executor(), h2_config(f, 1));
    mock::reply fault;
    fault.action = mock::reply::kind::reset_mid_answer;  // over h2: RST_STREAM INTERNAL_ERROR
    inject(f.server, fault, 1);
    std::vector<completion> done;
    start_calls(c, done, 5);
    f.run_until([&] { return all_done(done); });
    std::size_t reset = 0;
    for (const auto& d : done) {
        reset += d.ec == error::http2_stream_reset ? 1 : 0;
        BOOST_TEST((!d.ec || d.ec == error::http2_stream_reset), d.ec.message());
    }
    BOOST_TEST(reset == 1u);  // not retried: the server may have acted
    BOOST_TEST(f.server.connections_accepted() == 1u);
    BOOST_TEST(call(f, c).has_value());  // and the connection still serves
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(a_deadline_ends_its_stream_not_the_connection) {
    server_fixture f(h2_server());
    client c(f.ioc.get_executor(), h2_config(f, 1));
    mock::reply stall;
    stall.action = mock::reply::kind::stall;
    inject(f.server, stall, 1);
    std::vector<completion> slow;
    b2b::delete_external_id_options short_deadline;
    short_deadline.timeout = milliseconds(200);
    start_calls(c, slow, 1, short_deadline);
    run_until_server(f, [&] { return f.server.requests_received() == 1; });
    std::vector<completion> others;
    start_calls(c, others, 3);
    f.run_until([&] { return all_done(slow) && all_done(others); });
    BOOST_TEST((slow[0].ec == boost::asio::error::timed_out), slow[0].ec.message());
    BOOST_TEST(succeeded(others) == 3u);
    BOOST_TEST(call(f, c).has_value());
    BOOST_TEST(f.server.connections_accepted() == 1u);
    f.ioc.restart();  // the reset stream leaves no read pending behind
    f.ioc.run_for(std::chrono::seconds(5));
    BOOST_TEST(f.ioc.stopped());
}

BOOST_AUTO_TEST_CASE(a_cancelled_call_resets_its_stream_only) {
    server_fixture f(h2_server());
    client c(f.ioc.get_executor(), h2_config(f, 1));
    mock::reply stall;
    stall.action = mock::reply::kind::stall;
    inject(f.server, stall, 1);
    boost::asio::cancellation_signal signal;
    completion cancelled;
    c.organizations().async_delete_external_id(
        {first_org}, {}, boost::asio::bind_cancellation_slot(signal.slot(), record(cancelled)));
    run_until_server(f, [&] { return f.server.requests_received() == 1; });
    signal.emit(boost::asio::cancellation_type::terminal);
    f.run_until([&] { return cancelled.count == 1; });
    BOOST_TEST((cancelled.ec == boost::asio::error::operation_aborted), cancelled.ec.message());
    // Its stream was the last one waiting: no read is left pending on the idle connection.
    f.ioc.restart();
    f.ioc.run_for(std::chrono::seconds(2));
    BOOST_TEST(f.ioc.stopped());
    BOOST_TEST(call(f, c).has_value());
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(a_shared_connection_closed_while_idle_is_replaced_transparently) {
    auto so = h2_server();
    so.keep_alive_timeout = milliseconds(100);
    server_fixture f(so);
    auto cfg = h2_config(f, 1);
    cfg.retry.max_attempts = 1;
    client c(f.ioc.get_executor(), cfg);
    BOOST_TEST(call(f, c).has_value());
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0; }));
    auto r = call(f, c);
    BOOST_TEST(r.has_value(), code_of(r).message());
    BOOST_TEST(f.server.connections_accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(a_quiet_connection_that_answers_a_ping_is_reused) {
    server_fixture f(h2_server());
    auto cfg = h2_config(f, 1);
    cfg.h2_ping_after_idle = milliseconds(1);
    client c(f.ioc.get_executor(), cfg);
    BOOST_TEST(call(f, c).has_value());
    std::this_thread::sleep_for(milliseconds(5));  // makes the connection quiet: not a race
    auto r = call(f, c);
    BOOST_TEST(r.has_value(), code_of(r).message());
    BOOST_TEST(f.server.connections_accepted() == 1u);
    BOOST_TEST(c.stats().retries.not_processed == 0u);
}

BOOST_AUTO_TEST_CASE(a_quiet_connection_without_an_answer_to_a_ping_is_replaced) {
    auto so = h2_server();
    so.h2_ignore_ping = true;  // a server (or a path) gone silent
    server_fixture f(so);
    auto cfg = h2_config(f, 1);
    cfg.h2_ping_after_idle = milliseconds(1);
    cfg.connect_timeout = milliseconds(300);  // how long a PING may take
    cfg.retry.max_attempts = 1;
    std::size_t attempts = 0;
    cfg.on_attempt = [&](const attempt_info&) { ++attempts; };
    client c(f.ioc.get_executor(), cfg);
    BOOST_TEST(call(f, c).has_value());
    std::this_thread::sleep_for(milliseconds(5));
    auto r = call(f, c);  // the PING gets no answer: the call goes to a new connection
    BOOST_TEST(r.has_value(), code_of(r).message());
    BOOST_TEST(attempts == 2u);  // one per call: the failed PING is no attempt
    BOOST_TEST(f.server.connections_accepted() == 2u);
    BOOST_TEST(f.server.requests_received() == 2u);  // nothing was sent on the silent one
    BOOST_TEST(c.stats().retries.stale_connection == 1u);
    BOOST_TEST(c.stats().connections_discarded.stale == 1u);
}

BOOST_AUTO_TEST_CASE(a_deadline_during_a_ping_ends_the_call_not_the_connection) {
    auto so = h2_server();
    so.h2_ignore_ping = true;
    server_fixture f(so);
    auto cfg = h2_config(f, 1);
    cfg.h2_ping_after_idle = milliseconds(1);
    cfg.connect_timeout = std::chrono::seconds(30);  // the PING would wait that long
    client c(f.ioc.get_executor(), cfg);
    BOOST_TEST(call(f, c).has_value());
    std::this_thread::sleep_for(milliseconds(5));
    b2b::delete_external_id_options short_deadline;
    short_deadline.timeout = milliseconds(200);
    auto r = f.run(c.organizations().async_delete_external_id({first_org}, short_deadline,
                                                              test::awaitable_result));
    BOOST_TEST((code_of(r) == boost::asio::error::timed_out), code_of(r).message());
    BOOST_TEST(c.stats().connections_open == 1u);  // the call's end is not the connection's
    BOOST_TEST(f.server.requests_received() == 1u);
    f.ioc.restart();  // and no PING timer is left to hold the io_context
    f.ioc.run_for(std::chrono::seconds(2));
    BOOST_TEST(f.ioc.stopped());
}

BOOST_AUTO_TEST_CASE(an_hpack_bomb_fails_its_call_only) {
    auto so = h2_server();
    so.h2_hpack_bomb = 1;  // ~20 KB of HPACK that decodes to ~64 MB, on the first stream
    server_fixture f(so);
    client c(f.ioc.get_executor(), h2_config(f, 1));
    auto r = call(f, c);
    BOOST_TEST((code_of(r) == boost::beast::http::error::header_limit), code_of(r).message());
    auto again = call(f, c);
    BOOST_TEST(again.has_value(), code_of(again).message());
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(endless_continuation_frames_end_the_connection_with_a_clear_error) {
    auto so = h2_server();
    so.h2_endless_continuation = 1;
    server_fixture f(so);
    auto cfg = h2_config(f, 1);
    cfg.retry.max_attempts = 3;  // a protocol error is not retried
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_TEST((code_of(r) == error::http2_protocol_error), code_of(r).message());
    BOOST_TEST((code_of(r) == condition::protocol_error));
    BOOST_TEST(f.server.requests_received() == 1u);
    f.ioc.restart();
    f.ioc.poll();  // the close posted to the connection's strand
    BOOST_TEST(
        eventually([&] { return f.server.connections_open() == 0; }));  // closed by the client
}

BOOST_AUTO_TEST_CASE(a_server_that_never_sends_window_update_still_serves) {
    auto so = h2_server();
    so.h2_no_window_update = true;  // the client's requests carry no body: nothing to wait for
    server_fixture f(so);
    client c(f.ioc.get_executor(), h2_config(f, 1));
    std::vector<completion> done;
    start_calls(c, done, 20);
    f.run_until([&] { return all_done(done); });
    BOOST_TEST(succeeded(done) == 20u);
}

BOOST_AUTO_TEST_SUITE_END()
