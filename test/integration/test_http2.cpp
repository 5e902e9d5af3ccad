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
#include "support/client_fixture.hpp"
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

// HTTP/2 and at most `max_connections` connections.
client_fixture::tweak h2(std::size_t max_connections) {
    return [max_connections](client_config& cfg) {
        cfg.http_version = http_version::http2;
        cfg.max_connections = max_connections;
    };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http2)

BOOST_AUTO_TEST_CASE(automatic_offers_h2_first_and_speaks_it) {
    client_fixture f(h2_server());
    f.make_client([](client_config& cfg) { cfg.http_version = http_version::automatic; });
    BOOST_TEST(f.run_call().has_value());
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
    client_fixture f(so);
    auto& c = f.make_client(h2(1));
    call_batch calls;
    calls.start(c, 50);
    f.run_until_server([&] { return f.server.requests_received() == 50; });
    BOOST_TEST(f.server.requests_received() == 50u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
    const auto s = c.stats();
    BOOST_TEST(s.connections_open == 1u);
    BOOST_TEST(s.calls_in_flight == 50u);
    BOOST_TEST(s.calls_waiting == 0u);
    c.close();  // ends every stream
    f.run_until([&] { return calls.all_done(); });
    for (const auto& d : calls.done) {
        BOOST_TEST((d.ec == error::client_closed), d.ec.message());
    }
}

BOOST_AUTO_TEST_CASE(max_streams_per_connection_caps_each_connection) {
    auto so = h2_server();
    so.answer_delay = std::chrono::minutes(1);  // the server allows 100 streams
    client_fixture f(so);
    auto& c = f.make_client([](client_config& cfg) {
        h2(2)(cfg);
        cfg.max_streams_per_connection = 10;
    });
    call_batch calls;
    calls.start(c, 50);
    f.run_until_server([&] { return f.server.requests_received() == 20; });
    const auto s = c.stats();
    BOOST_TEST(f.server.requests_received() == 20u);  // 2 connections x 10 streams
    BOOST_TEST(s.connections_open == 2u);
    BOOST_TEST(s.calls_waiting == 30u);  // the rest wait in the queue, not on a connection
    c.close();
    f.run_until([&] { return calls.all_done(); });
}

BOOST_AUTO_TEST_CASE(many_calls_succeed_on_at_most_max_connections) {
    auto so = h2_server();
    so.answer_delay = milliseconds(20);
    client_fixture f(so);
    auto& c = f.make_client(h2(2));
    BOOST_TEST(f.run_calls(c, 300) == 300u);
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
    client_fixture f(so);
    auto& c = f.make_client([](client_config& cfg) {
        h2(1)(cfg);
        cfg.retry.max_attempts = 1;  // a refusal is no attempt: the one attempt remains
    });
    auto r = f.run_call();
    BOOST_TEST(r.has_value(), code_of(r).message());
    BOOST_TEST(f.log.size() == 1u);
    BOOST_TEST(c.stats().retries.not_processed == 1u);
    BOOST_TEST(f.server.connections_accepted() == 1u);  // the connection lives on
}

BOOST_AUTO_TEST_CASE(a_server_that_allows_no_stream_ends_in_a_clear_error) {
    auto so = h2_server();
    so.h2_max_concurrent_streams = 0;  // SETTINGS_MAX_CONCURRENT_STREAMS 0: every stream refused
    client_fixture f(so);
    auto& c = f.make_client([](client_config& cfg) {
        h2(2)(cfg);
        cfg.retry.max_attempts = 2;
    });
    auto r = f.run_call();
    BOOST_TEST((code_of(r) == error::http2_stream_refused), code_of(r).message());
    BOOST_TEST(f.server.requests_received() == 0u);
    // Sent again at once at most max_connections times per attempt, then by the policy.
    BOOST_TEST(c.stats().retries.not_processed <= 2u * c.config().max_connections);
    BOOST_TEST(f.server.connections_accepted() <= 2u * (c.config().max_connections + 1));
    f.ioc.restart();
    f.ioc.poll();
    BOOST_TEST(c.stats().connections_open == 0u);  // no connection that takes no call is kept
}

BOOST_AUTO_TEST_CASE(a_server_allowing_one_stream_gets_one_at_a_time) {
    auto so = h2_server();
    so.h2_max_concurrent_streams = 1;  // SETTINGS_MAX_CONCURRENT_STREAMS 1
    so.answer_delay = milliseconds(5);
    client_fixture f(so);
    auto& c = f.make_client(h2(1));
    call_batch calls;
    calls.start(c, 10);
    f.run_until([&] { return calls.all_done(); });
    // Streams sent before the server's SETTINGS arrived may be refused, and go again.
    BOOST_TEST(calls.succeeded() == 10u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
    BOOST_TEST(f.server.requests_received() == 10u);
}

BOOST_AUTO_TEST_CASE(streams_above_a_goaway_go_to_a_new_connection) {
    auto so = h2_server();
    so.h2_goaway_after = 2;  // GOAWAY at the 2nd request: later streams are not processed
    so.answer_delay = milliseconds(50);
    client_fixture f(so);
    auto& c = f.make_client(h2(1));
    BOOST_TEST(f.run_calls(c, 6) == 6u);
    BOOST_TEST(f.server.connections_accepted() >= 2u);
    BOOST_TEST(c.stats().retries.not_processed >= 1u);
    BOOST_TEST(c.stats().attempts == 6u);  // a request the server did not take up is no attempt
    // Each connection that got a GOAWAY went with its last stream, counted once.
    BOOST_TEST(c.stats().connections_discarded.not_reusable ==
               f.server.connections_accepted() - c.stats().connections_open);
}

BOOST_AUTO_TEST_CASE(a_reset_stream_fails_its_call_only) {
    client_fixture f(h2_server());
    auto& c = f.make_client(h2(1));
    // Over h2: RST_STREAM INTERNAL_ERROR.
    inject(f.server, {.action = mock::reply::kind::reset_mid_answer}, 1);
    call_batch calls;
    calls.start(c, 5);
    f.run_until([&] { return calls.all_done(); });
    std::size_t reset = 0;
    for (const auto& d : calls.done) {
        reset += d.ec == error::http2_stream_reset ? 1 : 0;
        BOOST_TEST((!d.ec || d.ec == error::http2_stream_reset), d.ec.message());
    }
    BOOST_TEST(reset == 1u);  // not retried: the server may have acted
    BOOST_TEST(f.server.connections_accepted() == 1u);
    BOOST_TEST(f.run_call().has_value());  // and the connection still serves
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(a_deadline_ends_its_stream_not_the_connection) {
    client_fixture f(h2_server());
    auto& c = f.make_client(h2(1));
    inject(f.server, {.action = mock::reply::kind::stall}, 1);
    call_batch slow;
    b2b::delete_external_id_options short_deadline;
    short_deadline.timeout = milliseconds(200);
    slow.start(c, 1, first_org, short_deadline);
    f.run_until_server([&] { return f.server.requests_received() == 1; });
    call_batch others;
    others.start(c, 3);
    f.run_until([&] { return slow.all_done() && others.all_done(); });
    BOOST_TEST((slow.done[0].ec == boost::asio::error::timed_out), slow.done[0].ec.message());
    BOOST_TEST(others.succeeded() == 3u);
    BOOST_TEST(f.run_call().has_value());
    BOOST_TEST(f.server.connections_accepted() == 1u);
    f.ioc.restart();  // the reset stream leaves no read pending behind
    f.ioc.run_for(std::chrono::seconds(5));
    BOOST_TEST(f.ioc.stopped());
}

BOOST_AUTO_TEST_CASE(a_cancelled_call_resets_its_stream_only) {
    client_fixture f(h2_server());
    auto& c = f.make_client(h2(1));
    inject(f.server, {.action = mock::reply::kind::stall}, 1);
    boost::asio::cancellation_signal signal;
    completion cancelled;
    start_cancellable(c, signal, cancelled);
    f.run_until_server([&] { return f.server.requests_received() == 1; });
    signal.emit(boost::asio::cancellation_type::terminal);
    f.run_until([&] { return cancelled.count == 1; });
    BOOST_TEST((cancelled.ec == boost::asio::error::operation_aborted), cancelled.ec.message());
    // Its stream was the last one waiting: no read is left pending on the idle connection.
    f.ioc.restart();
    f.ioc.run_for(std::chrono::seconds(2));
    BOOST_TEST(f.ioc.stopped());
    BOOST_TEST(f.run_call().has_value());
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(a_shared_connection_closed_while_idle_is_replaced_transparently) {
    auto so = h2_server();
    so.keep_alive_timeout = milliseconds(100);
    client_fixture f(so);
    f.make_client([](client_config& cfg) {
        h2(1)(cfg);
        cfg.retry.max_attempts = 1;
    });
    BOOST_TEST(f.run_call().has_value());
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0; }));
    auto r = f.run_call();
    BOOST_TEST(r.has_value(), code_of(r).message());
    BOOST_TEST(f.server.connections_accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(a_quiet_connection_that_answers_a_ping_is_reused) {
    client_fixture f(h2_server());
    auto& c = f.make_client([](client_config& cfg) {
        h2(1)(cfg);
        cfg.h2_ping_after_idle = milliseconds(1);
    });
    BOOST_TEST(f.run_call().has_value());
    std::this_thread::sleep_for(milliseconds(5));  // makes the connection quiet: not a race
    auto r = f.run_call();
    BOOST_TEST(r.has_value(), code_of(r).message());
    BOOST_TEST(f.server.connections_accepted() == 1u);
    BOOST_TEST(c.stats().retries.not_processed == 0u);
}

BOOST_AUTO_TEST_CASE(a_quiet_connection_without_an_answer_to_a_ping_is_replaced) {
    auto so = h2_server();
    so.h2_ignore_ping = true;  // a server (or a path) gone silent
    client_fixture f(so);
    auto& c = f.make_client([](client_config& cfg) {
        h2(1)(cfg);
        cfg.h2_ping_after_idle = milliseconds(1);
        cfg.connect_timeout = milliseconds(300);  // how long a PING may take
        cfg.retry.max_attempts = 1;
    });
    BOOST_TEST(f.run_call().has_value());
    std::this_thread::sleep_for(milliseconds(5));
    auto r = f.run_call();  // the PING gets no answer: the call goes to a new connection
    BOOST_TEST(r.has_value(), code_of(r).message());
    BOOST_TEST(f.log.size() == 2u);  // one per call: the failed PING is no attempt
    BOOST_TEST(f.server.connections_accepted() == 2u);
    BOOST_TEST(f.server.requests_received() == 2u);  // nothing was sent on the silent one
    BOOST_TEST(c.stats().retries.stale_connection == 1u);
    BOOST_TEST(c.stats().connections_discarded.stale == 1u);
}

BOOST_AUTO_TEST_CASE(a_deadline_during_a_ping_ends_the_call_not_the_connection) {
    auto so = h2_server();
    so.h2_ignore_ping = true;
    client_fixture f(so);
    auto& c = f.make_client([](client_config& cfg) {
        h2(1)(cfg);
        cfg.h2_ping_after_idle = milliseconds(1);
        cfg.connect_timeout = std::chrono::seconds(30);  // the PING would wait that long
    });
    BOOST_TEST(f.run_call().has_value());
    std::this_thread::sleep_for(milliseconds(5));
    b2b::delete_external_id_options short_deadline;
    short_deadline.timeout = milliseconds(200);
    auto r = f.run_call(first_org, short_deadline);
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
    client_fixture f(so);
    f.make_client(h2(1));
    auto r = f.run_call();
    BOOST_TEST((code_of(r) == boost::beast::http::error::header_limit), code_of(r).message());
    auto again = f.run_call();
    BOOST_TEST(again.has_value(), code_of(again).message());
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(endless_continuation_frames_end_the_connection_with_a_clear_error) {
    auto so = h2_server();
    so.h2_endless_continuation = 1;
    client_fixture f(so);
    f.make_client([](client_config& cfg) {
        h2(1)(cfg);
        cfg.retry.max_attempts = 3;  // a protocol error is not retried
    });
    auto r = f.run_call();
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
    client_fixture f(so);
    auto& c = f.make_client(h2(1));
    BOOST_TEST(f.run_calls(c, 20) == 20u);
}

BOOST_AUTO_TEST_SUITE_END()
