// One test per injected server fault: the exact error code, the number of attempts, and
// whether the connection was reused or discarded afterwards.

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include "support/attempt_log.hpp"
#include "support/calls.hpp"
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

}  // namespace

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(close_before_answering_is_retried_then_fails) {
    server_fixture f;
    inject(f.server, fault_of(mock::reply::kind::close_without_answer));
    auto cfg = fast_config(f);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == asio::ssl::error::stream_truncated, r.error().code.message());
    BOOST_TEST(log.size() == 3u);  // the default policy: 3 attempts
    for (const auto& e : log.entries()) {
        BOOST_TEST(!e.info.reused_connection);
        BOOST_TEST(e.info.http_status == 0);
    }
    BOOST_TEST(f.server.requests_received() == 3u);
    BOOST_TEST(f.server.connections_accepted() == 3u);  // each dropped connection discarded
}

BOOST_AUTO_TEST_CASE(close_before_answering_once_then_success) {
    server_fixture f;
    inject(f.server, fault_of(mock::reply::kind::close_without_answer), 1);
    auto cfg = fast_config(f);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_TEST(r.has_value());
    BOOST_TEST(log.size() == 2u);
    BOOST_TEST(f.server.connections_accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(reset_mid_answer_is_not_retried,
                     *http1_only("a reset inside the HTTP/1.1 header bytes; over h2 the mock "
                                 "resets the stream (http2/a_reset_stream_fails_its_call_only)")) {
    server_fixture f;
    auto fault = fault_of(mock::reply::kind::reset_mid_answer);
    fault.body = ok_body_for(f.server, first_org, "request-id-test-ok");
    fault.partial_bytes = 40;  // inside the header section: part of an answer arrived
    inject(f.server, fault);
    auto cfg = fast_config(f);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == asio::error::connection_reset, r.error().code.message());
    BOOST_TEST(log.size() == 1u);  // an answer had begun: the request may have been executed
    BOOST_TEST(f.server.requests_received() == 1u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(headers_then_stall_ends_at_the_deadline_and_discards,
                     *http1_only("an HTTP/1.1 byte-level fault (RST_STREAM over h2), and over h2 a "
                                 "deadline keeps the connection")) {
    server_fixture f;
    auto fault = fault_of(mock::reply::kind::headers_then_stall);
    fault.body = ok_body_for(f.server, first_org, "request-id-test-ok");
    inject(f.server, fault, 1);
    auto cfg = fast_config(f);
    cfg.request_timeout = milliseconds(300);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto started = steady::now();
    auto r = call(f, c);
    auto took = steady::now() - started;
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == asio::error::timed_out, r.error().code.message());
    BOOST_TEST(log.size() == 1u);
    BOOST_TEST((took < milliseconds(300 + 100)));
    BOOST_TEST((took >= milliseconds(300)));
    // The stalled connection was closed, not pooled: the next call opens a new one.
    auto again = call(f, c);
    BOOST_TEST(again.has_value());
    BOOST_TEST(f.server.connections_accepted() == 2u);
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 1u; }));
}

BOOST_AUTO_TEST_CASE(stall_before_headers_ends_at_the_deadline_and_discards,
                     *http1_only("over h2 a deadline resets the stream and keeps the connection "
                                 "(http2/a_deadline_ends_its_stream_not_the_connection)")) {
    server_fixture f;
    inject(f.server, fault_of(mock::reply::kind::stall), 1);
    auto cfg = fast_config(f);
    cfg.request_timeout = milliseconds(300);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == asio::error::timed_out, r.error().code.message());
    BOOST_TEST_REQUIRE(log.size() == 1u);
    BOOST_TEST((log.entries()[0].info.phase == attempt_phase::exchanging));
    auto again = call(f, c);
    BOOST_TEST(again.has_value());
    BOOST_TEST(f.server.connections_accepted() == 2u);
    BOOST_TEST_REQUIRE(log.size() == 2u);
    BOOST_TEST((log.entries()[1].info.phase == attempt_phase::exchanging));
}

BOOST_AUTO_TEST_CASE(
    truncated_body_is_a_partial_message_not_retried,
    *http1_only("a body shorter than its Content-Length, an HTTP/1.1 byte-level fault")) {
    server_fixture f;
    auto fault = fault_of(mock::reply::kind::truncated_body);
    fault.body = ok_body_for(f.server, first_org, "request-id-test-ok");
    fault.partial_bytes = 10;
    inject(f.server, fault);
    auto cfg = fast_config(f);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == http::error::partial_message, r.error().code.message());
    BOOST_TEST(log.size() == 1u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_http_is_not_retried_and_the_connection_is_discarded,
                     *http1_only("raw HTTP/1.1 bytes")) {
    server_fixture f;
    auto fault = fault_of(mock::reply::kind::raw);
    fault.raw = "HTTP/9.Z 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    fault.close_after = false;  // the server would serve the next request on it
    inject(f.server, fault, 1);
    auto cfg = fast_config(f);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == http::error::bad_version, r.error().code.message());
    BOOST_TEST(log.size() == 1u);
    auto again = call(f, c);
    BOOST_TEST(again.has_value());
    BOOST_TEST(f.server.connections_accepted() == 2u);  // the client did not reuse it
}

BOOST_AUTO_TEST_CASE(garbage_status_line_is_not_retried, *http1_only("raw HTTP/1.1 bytes")) {
    server_fixture f;
    auto fault = fault_of(mock::reply::kind::raw);
    fault.raw = "garbage garbage\r\n\r\n";
    fault.close_after = true;
    inject(f.server, fault);
    auto cfg = fast_config(f);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(
        (r.error().code.category() == http::make_error_code(http::error::bad_version).category()),
        r.error().code.message());
    BOOST_TEST(log.size() == 1u);
    BOOST_TEST(f.server.requests_received() == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_json_in_a_200_is_a_decode_error_and_the_connection_is_reused) {
    server_fixture f;
    mock::reply fault;
    fault.status = 200;
    fault.body = "{\"organization\": [1, 2";
    inject(f.server, fault, 1);
    auto cfg = fast_config(f);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == error::malformed_json, r.error().code.message());
    BOOST_TEST(r.error().code == condition::decode_error);
    BOOST_TEST(log.size() == 1u);
    auto again = call(f, c);
    BOOST_TEST(again.has_value());
    BOOST_TEST(f.server.connections_accepted() == 1u);  // HTTP was fine: kept
    BOOST_TEST(log.entries().back().info.reused_connection);
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
            BOOST_REQUIRE(!r.has_value());
            BOOST_TEST(r.error().code == http::error::body_limit, r.error().code.message());
            BOOST_TEST(log.size() == 1u);
            BOOST_TEST(grew < 16 * 1024, "RSS grew by " << grew << " KiB");
            BOOST_TEST(f.server.connections_accepted() == 1u);
            BOOST_TEST(eventually([&] { return f.server.connections_open() == 0u; }));  // discarded
        }
    }
}

BOOST_AUTO_TEST_CASE(too_many_requests_is_retried_on_the_same_connection) {
    server_fixture f;
    mock::reply fault;
    fault.status = 429;
    fault.body = error_body(429, "too_many_requests");
    fault.headers = {{"Retry-After", "0"}};
    inject(f.server, fault);
    auto cfg = fast_config(f);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == error::too_many_requests, r.error().code.message());
    BOOST_TEST(r.error().details.status_code == 429);
    BOOST_TEST(log.size() == 3u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
    auto entries = log.entries();
    BOOST_TEST(!entries[0].info.reused_connection);
    BOOST_TEST(entries[1].info.reused_connection);
    BOOST_TEST(entries[2].info.reused_connection);
    BOOST_TEST(entries[2].info.http_status == 429);
}

BOOST_AUTO_TEST_CASE(internal_server_error_is_not_retried) {
    server_fixture f;
    mock::reply fault;
    fault.status = 500;
    fault.body = error_body(500, "internal_server_error");
    inject(f.server, fault);
    auto cfg = fast_config(f);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == error::internal_server_error, r.error().code.message());
    BOOST_TEST(log.size() == 1u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(service_unavailable_is_retried_then_succeeds) {
    server_fixture f;
    mock::reply fault;
    fault.status = 503;
    fault.body = "<html>Service Unavailable</html>";
    fault.headers = {{"Content-Type", "text/html"}};
    inject(f.server, fault, 2);
    auto cfg = fast_config(f);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_TEST(r.has_value());
    BOOST_TEST(log.size() == 3u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(stalled_tls_handshake_hits_the_connect_timeout_and_is_retried) {
    mock::server_options o;
    o.stall_tls_handshake = true;
    server_fixture f(o);
    auto cfg = fast_config(f);
    cfg.connect_timeout = milliseconds(100);
    cfg.request_timeout = milliseconds(3000);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    const auto started = steady::now();
    auto r = call(f, c);
    const auto took = steady::now() - started;
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == asio::error::timed_out, r.error().code.message());
    BOOST_TEST(log.size() == 3u);
    BOOST_TEST((took >= milliseconds(3 * 100)));  // each handshake waited its limit
    BOOST_TEST((took < milliseconds(3000)));      // three connect timeouts, not the 3 s deadline
    for (const auto& e : log.entries()) {
        BOOST_TEST((e.info.phase == attempt_phase::tls_handshake));
    }
    BOOST_TEST(eventually([&] { return f.server.connections_accepted() == 3u; }));
    BOOST_TEST(f.server.requests_received() == 0u);
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0u; }));  // all closed
}

BOOST_AUTO_TEST_CASE(stalled_tls_handshake_is_bounded_by_the_deadline) {
    mock::server_options o;
    o.stall_tls_handshake = true;
    server_fixture f(o);
    auto cfg = fast_config(f);
    cfg.connect_timeout = milliseconds(10000);
    cfg.request_timeout = milliseconds(200);
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto started = steady::now();
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == asio::error::timed_out, r.error().code.message());
    BOOST_TEST((steady::now() - started < milliseconds(300)));
    BOOST_TEST(log.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
