// One test per injected server fault: the exact error code, the number of attempts, and
// whether the connection was reused or discarded afterwards.

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include "support/attempt_log.hpp"
#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/h2_run.hpp"
#include "support/process.hpp"

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace stytch;
using namespace stytch::test;
using std::chrono::milliseconds;

namespace {

mock::reply fault_of(mock::reply::kind k) {
    mock::reply r;
    r.action = k;
    return r;
}

// A fault over the bytes of a 200 for first_org (the answer it cuts short or stalls).
mock::reply fault_of_an_answer(mock::reply::kind k, const server_fixture& f) {
    auto r = fault_of(k);
    r.body = ok_body_for(f.server, first_org, "request-id-test-ok");
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(close_before_answering_is_retried_then_fails) {
    client_fixture f;
    inject(f.server, fault_of(mock::reply::kind::close_without_answer));
    f.make_client();
    auto r = f.run_call();
    require_error(r, asio::ssl::error::stream_truncated);
    BOOST_TEST(f.log.size() == 3u);  // the default policy: 3 attempts
    for (const auto& e : f.log.entries()) {
        BOOST_TEST(!e.info.reused_connection);
        BOOST_TEST(e.info.http_status == 0);
    }
    BOOST_TEST(f.server.requests_received() == 3u);
    BOOST_TEST(f.server.connections_accepted() == 3u);  // each dropped connection discarded
}

BOOST_AUTO_TEST_CASE(close_before_answering_once_then_success) {
    client_fixture f;
    inject(f.server, fault_of(mock::reply::kind::close_without_answer), 1);
    f.make_client();
    auto r = f.run_call();
    BOOST_TEST(r.has_value());
    BOOST_TEST(f.log.size() == 2u);
    BOOST_TEST(f.server.connections_accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(reset_mid_answer_is_not_retried,
                     *http1_only("a reset inside the HTTP/1.1 header bytes; over h2 the mock "
                                 "resets the stream (http2/a_reset_stream_fails_its_call_only)")) {
    client_fixture f;
    auto fault = fault_of_an_answer(mock::reply::kind::reset_mid_answer, f);
    fault.partial_bytes = 40;  // inside the header section: part of an answer arrived
    inject(f.server, fault);
    f.make_client();
    auto r = f.run_call();
    require_error(r, asio::error::connection_reset);
    BOOST_TEST(f.log.size() == 1u);  // an answer had begun: the request may have been executed
    BOOST_TEST(f.server.requests_received() == 1u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(headers_then_stall_ends_at_the_deadline_and_discards,
                     *http1_only("an HTTP/1.1 byte-level fault (RST_STREAM over h2), and over h2 a "
                                 "deadline keeps the connection")) {
    client_fixture f;
    auto fault = fault_of_an_answer(mock::reply::kind::headers_then_stall, f);
    inject(f.server, fault, 1);
    f.make_client([](client_config& cfg) { cfg.request_timeout = milliseconds(300); });
    auto started = steady::now();
    auto r = f.run_call();
    auto took = steady::now() - started;
    require_error(r, asio::error::timed_out);
    BOOST_TEST(f.log.size() == 1u);
    BOOST_TEST((took < milliseconds(300 + 100)));
    BOOST_TEST((took >= milliseconds(300)));
    // The stalled connection was closed, not pooled: the next call opens a new one.
    auto again = f.run_call();
    BOOST_TEST(again.has_value());
    BOOST_TEST(f.server.connections_accepted() == 2u);
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 1u; }));
}

BOOST_AUTO_TEST_CASE(stall_before_headers_ends_at_the_deadline_and_discards,
                     *http1_only("over h2 a deadline resets the stream and keeps the connection "
                                 "(http2/a_deadline_ends_its_stream_not_the_connection)")) {
    client_fixture f;
    inject(f.server, fault_of(mock::reply::kind::stall), 1);
    f.make_client([](client_config& cfg) { cfg.request_timeout = milliseconds(300); });
    auto r = f.run_call();
    require_error(r, asio::error::timed_out);
    BOOST_TEST_REQUIRE(f.log.size() == 1u);
    BOOST_TEST((f.log.entries()[0].info.phase == attempt_phase::exchanging));
    auto again = f.run_call();
    BOOST_TEST(again.has_value());
    BOOST_TEST(f.server.connections_accepted() == 2u);
    BOOST_TEST_REQUIRE(f.log.size() == 2u);
    BOOST_TEST((f.log.entries()[1].info.phase == attempt_phase::exchanging));
}

BOOST_AUTO_TEST_CASE(
    truncated_body_is_a_partial_message_not_retried,
    *http1_only("a body shorter than its Content-Length, an HTTP/1.1 byte-level fault")) {
    client_fixture f;
    auto fault = fault_of_an_answer(mock::reply::kind::truncated_body, f);
    fault.partial_bytes = 10;
    inject(f.server, fault);
    f.make_client();
    auto r = f.run_call();
    require_error(r, http::error::partial_message);
    BOOST_TEST(f.log.size() == 1u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_http_is_not_retried_and_the_connection_is_discarded,
                     *http1_only("raw HTTP/1.1 bytes")) {
    client_fixture f;
    auto fault = fault_of(mock::reply::kind::raw);
    fault.raw = "HTTP/9.Z 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    fault.close_after = false;  // the server would serve the next request on it
    inject(f.server, fault, 1);
    f.make_client();
    auto r = f.run_call();
    require_error(r, http::error::bad_version);
    BOOST_TEST(f.log.size() == 1u);
    auto again = f.run_call();
    BOOST_TEST(again.has_value());
    BOOST_TEST(f.server.connections_accepted() == 2u);  // the client did not reuse it
}

BOOST_AUTO_TEST_CASE(garbage_status_line_is_not_retried, *http1_only("raw HTTP/1.1 bytes")) {
    client_fixture f;
    auto fault = fault_of(mock::reply::kind::raw);
    fault.raw = "garbage garbage\r\n\r\n";
    fault.close_after = true;
    inject(f.server, fault);
    f.make_client();
    auto r = f.run_call();
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(
        (r.error().code.category() == http::make_error_code(http::error::bad_version).category()),
        r.error().code.message());
    BOOST_TEST(f.log.size() == 1u);
    BOOST_TEST(f.server.requests_received() == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_json_in_a_200_is_a_decode_error_and_the_connection_is_reused) {
    client_fixture f;
    mock::reply fault;
    fault.status = 200;
    fault.body = "{\"organization\": [1, 2";
    inject(f.server, fault, 1);
    f.make_client();
    auto r = f.run_call();
    require_error(r, error::malformed_json);
    BOOST_TEST(r.error().code == condition::decode_error);
    BOOST_TEST(f.log.size() == 1u);
    auto again = f.run_call();
    BOOST_TEST(again.has_value());
    BOOST_TEST(f.server.connections_accepted() == 1u);  // HTTP was fine: kept
    BOOST_TEST(f.log.entries().back().info.reused_connection);
}

BOOST_AUTO_TEST_CASE(body_above_the_limit_fails_with_bounded_memory_and_discards,
                     *http1_only("the mock's stream_body is HTTP/1.1 only (RST_STREAM over h2)")) {
    struct oversized {
        const char* name;
        std::size_t body_size;
        std::size_t write_size;
        std::size_t limit;  ///< 0: the default (1 MiB)
    };
    // A flood far above the default limit, and a small body above a configured limit below the
    // default (the configured one is applied).
    for (const oversized& o :
         {oversized{"100 MiB, default limit", 100u * 1024 * 1024, 16 * 1024, 0},
          oversized{"64 KiB, 16 KiB limit", 64 * 1024, 64 * 1024, 16 * 1024}}) {
        BOOST_TEST_CONTEXT(o.name) {
            server_fixture f;
            auto fault = fault_of(mock::reply::kind::stream_body);
            fault.status = 200;
            fault.body = "{\"x\":\"";
            fault.stream_size = o.body_size;
            fault.chunk_size = o.write_size;
            inject(f.server, fault);
            auto cfg = fast_config(f);
            if (o.limit != 0) {
                cfg.max_response_body = o.limit;
            }
            attempt_log log;
            log.attach(cfg);
            client c(f.ioc.get_executor(), cfg);
            const long before = resident_kib();
            auto r = call(f, c);
            const long grew = resident_kib() - before;
            require_error(r, http::error::body_limit);
            BOOST_TEST(log.size() == 1u);
            BOOST_TEST(grew < 16 * 1024, "RSS grew by " << grew << " KiB");
            BOOST_TEST(f.server.connections_accepted() == 1u);
            BOOST_TEST(eventually([&] { return f.server.connections_open() == 0u; }));  // discarded
        }
    }
}

BOOST_AUTO_TEST_CASE(too_many_requests_is_retried_on_the_same_connection) {
    client_fixture f;
    mock::reply fault;
    fault.status = 429;
    fault.body = error_body(429, "too_many_requests");
    fault.headers = {{"Retry-After", "0"}};
    inject(f.server, fault);
    f.make_client();
    auto r = f.run_call();
    require_error(r, error::too_many_requests);
    BOOST_TEST(r.error().details.status_code == 429);
    BOOST_TEST(f.log.size() == 3u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
    auto entries = f.log.entries();
    BOOST_TEST(!entries[0].info.reused_connection);
    BOOST_TEST(entries[1].info.reused_connection);
    BOOST_TEST(entries[2].info.reused_connection);
    BOOST_TEST(entries[2].info.http_status == 429);
}

BOOST_AUTO_TEST_CASE(internal_server_error_is_not_retried) {
    client_fixture f;
    mock::reply fault;
    fault.status = 500;
    fault.body = error_body(500, "internal_server_error");
    inject(f.server, fault);
    f.make_client();
    auto r = f.run_call();
    require_error(r, error::internal_server_error);
    BOOST_TEST(f.log.size() == 1u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(service_unavailable_is_retried_then_succeeds) {
    client_fixture f;
    mock::reply fault;
    fault.status = 503;
    fault.body = "<html>Service Unavailable</html>";
    fault.headers = {{"Content-Type", "text/html"}};
    inject(f.server, fault, 2);
    f.make_client();
    auto r = f.run_call();
    BOOST_TEST(r.has_value());
    BOOST_TEST(f.log.size() == 3u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(stalled_tls_handshake_hits_the_connect_timeout_and_is_retried) {
    mock::server_options o;
    o.stall_tls_handshake = true;
    client_fixture f(o);
    f.make_client([](client_config& cfg) {
        cfg.connect_timeout = milliseconds(100);
        cfg.request_timeout = milliseconds(3000);
    });
    const auto started = steady::now();
    auto r = f.run_call();
    const auto took = steady::now() - started;
    require_error(r, asio::error::timed_out);
    BOOST_TEST(f.log.size() == 3u);
    BOOST_TEST((took >= milliseconds(3 * 100)));  // each handshake waited its limit
    BOOST_TEST((took < milliseconds(3000)));      // three connect timeouts, not the 3 s deadline
    for (const auto& e : f.log.entries()) {
        BOOST_TEST((e.info.phase == attempt_phase::tls_handshake));
    }
    BOOST_TEST(eventually([&] { return f.server.connections_accepted() == 3u; }));
    BOOST_TEST(f.server.requests_received() == 0u);
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0u; }));  // all closed
}

BOOST_AUTO_TEST_CASE(stalled_tls_handshake_is_bounded_by_the_deadline) {
    mock::server_options o;
    o.stall_tls_handshake = true;
    client_fixture f(o);
    f.make_client([](client_config& cfg) {
        cfg.connect_timeout = milliseconds(10000);
        cfg.request_timeout = milliseconds(200);
    });
    auto started = steady::now();
    auto r = f.run_call();
    require_error(r, asio::error::timed_out);
    BOOST_TEST((steady::now() - started < milliseconds(300)));
    BOOST_TEST(f.log.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
