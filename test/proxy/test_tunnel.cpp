// Calls through a CONNECT proxy (the scripted one in scripted_proxy.hpp) to the mock: the
// tunnel, TLS verified against the API's name, pooling, proxy authentication, NO_PROXY, and
// every way a proxy can break the tunnel.

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <fstream>

#include "proxy/scripted_proxy.hpp"
#include "support/attempt_log.hpp"
#include "support/calls.hpp"
#include "support/h2_run.hpp"

#include "codec/request_encoder.hpp"

using namespace stytch;
using namespace stytch::test;
using behaviour = scripted_proxy::behaviour;
using std::chrono::milliseconds;

namespace {

// A mock whose certificate names only `api.stytch.test`: the client never resolves that
// name (the proxy does, here by sending everything to the mock), and TLS must verify it.
mock::server_options named_api() {
    mock::server_options so;
    mock::certificate_options co;
    co.dns_names = {"api.stytch.test"};
    co.ip_addresses = {};
    so.identity = mock::make_tls_identity(co);
    return so;
}

client_config through(const server_fixture& f, const scripted_proxy& p) {
    auto cfg = fast_config(f);
    cfg.base_url = "https://api.stytch.test:" + std::to_string(f.server.port());
    cfg.proxy = p.url();
    return cfg;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tunnel)

BOOST_AUTO_TEST_CASE(call_goes_through_connect_and_verifies_the_api_name) {
    server_fixture f(named_api());
    scripted_proxy p(f.server.port());
    client c(f.ioc.get_executor(), through(f, p));
    auto r = call(f, c);
    BOOST_TEST(r.has_value(), (r.has_value() ? "" : r.error().code.message()));
    const auto requests = p.connect_requests();
    BOOST_REQUIRE_EQUAL(requests.size(), 1u);
    const std::string target = "api.stytch.test:" + std::to_string(f.server.port());
    BOOST_TEST(requests[0] == "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
    BOOST_TEST(f.server.requests_received() == 1u);
    // ALPN ran inside the tunnel: the mock saw the client's offer. In the h2 run the request
    // came as an h2 stream (no content-length; over HTTP/1.1 a DELETE sends Content-Length: 0).
    BOOST_TEST(f.server.alpn_offers().size() == 1u);
    BOOST_TEST(f.server.requests().at(0).header("content-length").empty() == over_http2());
}

BOOST_AUTO_TEST_CASE(certificate_for_another_name_fails_inside_the_tunnel) {
    // The proxy is 127.0.0.1, and the certificate names 127.0.0.1 and localhost: still refused,
    // since the API's name is what counts.
    server_fixture f;
    scripted_proxy p(f.server.port());
    auto cfg = through(f, p);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(is_verification_failure(r.error().code), r.error().code.message());
    BOOST_TEST(f.server.requests_received() == 0u);
}

BOOST_AUTO_TEST_CASE(pooled_connections_through_the_proxy_are_reused) {
    server_fixture f(named_api());
    scripted_proxy p(f.server.port());
    attempt_log log;
    auto cfg = through(f, p);
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    for (int i = 0; i < 3; ++i) {
        BOOST_TEST(call(f, c).has_value());
    }
    BOOST_TEST(p.connect_requests().size() == 1u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
    const auto entries = log.entries();
    BOOST_REQUIRE_EQUAL(entries.size(), 3u);
    BOOST_TEST(!entries[0].info.reused_connection);
    BOOST_TEST(entries[2].info.reused_connection);
}

BOOST_AUTO_TEST_CASE(proxy_credentials_are_sent_as_basic) {
    server_fixture f(named_api());
    scripted_proxy p(f.server.port());
    p.require_authorization("Basic " + detail::base64_encode("alice@corp:s3cr3t pw"));
    auto cfg = through(f, p);
    cfg.proxy = "http://alice%40corp:s3cr3t%20pw@127.0.0.1:" + std::to_string(p.port());
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_TEST(r.has_value(), (r.has_value() ? "" : r.error().code.message()));
    BOOST_TEST(f.server.requests_received() == 1u);
}

BOOST_AUTO_TEST_CASE(wrong_credentials_give_proxy_refused_407_once_without_secrets) {
    server_fixture f(named_api());
    scripted_proxy p(f.server.port());
    p.require_authorization("Basic " + detail::base64_encode("alice:right"));
    auto cfg = through(f, p);
    const std::string password = "wrong-Pa55word";
    cfg.proxy = "http://alice:" + password + "@127.0.0.1:" + std::to_string(p.port());
    attempt_log log;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error().code == error::proxy_refused));
    BOOST_TEST((r.error().code == condition::proxy_error));
    BOOST_TEST(r.error().details.status_code == 407);
    // The proxy is named (a user with several proxies must know which one), not its password.
    BOOST_TEST(r.error().details.error_message ==
               "proxy 127.0.0.1:" + std::to_string(p.port()) + " answered 407 to CONNECT");
    BOOST_TEST(log.size() == 1u);  // never retried
    BOOST_TEST(log.entries()[0].info.http_status == 407);
    BOOST_TEST(p.connect_requests().size() == 1u);
    BOOST_TEST(f.server.connections_accepted() == 0u);
    // Nothing the caller sees carries the proxy's credentials.
    const std::string message = r.error().code.message() + r.error().code.to_string() +
                                log.entries()[0].info.result.message() +
                                boost::json::serialize(boost::json::value_from(r.error().details));
    BOOST_TEST(message.find(password) == std::string::npos);
    BOOST_TEST(message.find(detail::base64_encode("alice:" + password)) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(other_refusals_carry_their_status) {
    server_fixture f(named_api());
    scripted_proxy p(f.server.port());
    p.mode = behaviour::refuse;
    p.refuse_status = 502;
    attempt_log log;
    auto cfg = through(f, p);
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error().code == error::proxy_refused));
    BOOST_TEST(r.error().details.status_code == 502);
    BOOST_TEST(log.size() == 1u);  // a 502 from the API is retried; from the proxy it is not
}

BOOST_AUTO_TEST_CASE(no_proxy_naming_the_api_host_goes_direct) {
    server_fixture f;
    scripted_proxy p(f.server.port());
    auto cfg = fast_config(f);  // https://127.0.0.1:port
    cfg.proxy = p.url();
    cfg.no_proxy = "example.org, 127.0.0.0/8";
    client c(f.ioc.get_executor(), cfg);
    BOOST_TEST(call(f, c).has_value());
    BOOST_TEST(p.connections() == 0u);
    BOOST_TEST(f.server.requests_received() == 1u);
}

BOOST_AUTO_TEST_CASE(loopback_is_proxied_unless_no_proxy_names_it) {
    server_fixture f;
    scripted_proxy p(f.server.port());
    auto cfg = fast_config(f);  // https://127.0.0.1:port: the mock's certificate names it
    cfg.proxy = p.url();
    cfg.no_proxy = "localhost";  // a name never matches an address
    client c(f.ioc.get_executor(), cfg);
    BOOST_TEST(call(f, c).has_value());
    BOOST_TEST(p.connect_requests().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(https_proxy)

// Trusts the CA of `identity` too (the proxy's), besides the mock's.
void trust(const server_fixture& f, const mock::tls_identity& identity) {
    std::ofstream(f.ca_file, std::ios::app) << identity.ca_certificate_pem;
}

BOOST_AUTO_TEST_CASE(tls_to_the_proxy_then_tls_to_the_api_inside) {
    server_fixture f(named_api());
    const auto proxy_identity = mock::make_tls_identity();  // 127.0.0.1, another CA
    trust(f, proxy_identity);
    scripted_proxy p(f.server.port(), proxy_identity);
    p.require_authorization("Basic " + detail::base64_encode("alice:pw"));
    attempt_log log;
    auto cfg = through(f, p);
    cfg.proxy = "https://alice:pw@127.0.0.1:" + std::to_string(p.port());
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    for (int i = 0; i < 3; ++i) {
        auto r = call(f, c);
        BOOST_TEST(r.has_value(), (r.has_value() ? "" : r.error().code.message()));
    }
    BOOST_TEST(p.connect_requests().size() == 1u);  // pooled through the proxy too
    BOOST_TEST(f.server.requests_received() == 3u);
    // Inside the proxy's TLS session the proxy sees the CONNECT, then only TLS records.
    const std::string raw = p.raw_from_clients();
    BOOST_TEST(raw.starts_with("CONNECT api.stytch.test:"));
    BOOST_TEST(raw.find(cfg.secret) == std::string::npos);
    BOOST_TEST(raw.find("\r\nAuthorization:") == std::string::npos);  // Proxy-Authorization only
    BOOST_TEST(raw.find(detail::base64_encode(cfg.project_id + ":" + cfg.secret)) ==
               std::string::npos);
}

// A call through an https proxy presenting `identity` (its CA trusted or not) fails
// verification before anything reaches the proxy.
void expect_proxy_certificate_refused(const mock::tls_identity& identity, bool trusted) {
    server_fixture f(named_api());
    if (trusted) {
        trust(f, identity);
    }
    scripted_proxy p(f.server.port(), identity);
    auto cfg = through(f, p);
    cfg.retry.max_attempts = 1;
    client c(f.ioc.get_executor(), cfg);
    auto r = call(f, c);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(is_verification_failure(r.error().code), r.error().code.message());
    BOOST_TEST(p.connect_requests().empty());
}

BOOST_AUTO_TEST_CASE(an_untrusted_proxy_certificate_is_refused) {
    expect_proxy_certificate_refused(mock::make_tls_identity(), false);
}

BOOST_AUTO_TEST_CASE(the_proxy_certificate_must_name_the_proxy) {
    mock::certificate_options co;
    co.dns_names = {"api.stytch.test"};  // the API's name, not the proxy's (127.0.0.1)
    co.ip_addresses = {};
    expect_proxy_certificate_refused(mock::make_tls_identity(co), true);
}

BOOST_AUTO_TEST_CASE(refusals_and_a_close_after_two_hundred_inside_tls) {
    for (const auto mode : {behaviour::refuse, behaviour::close_after_200}) {
        server_fixture f(named_api());
        const auto proxy_identity = mock::make_tls_identity();
        trust(f, proxy_identity);
        scripted_proxy p(f.server.port(), proxy_identity);
        p.mode = mode;
        p.refuse_status = 407;
        auto cfg = through(f, p);
        client c(f.ioc.get_executor(), cfg);
        auto r = call(f, c);
        BOOST_REQUIRE(!r.has_value());
        if (mode == behaviour::refuse) {
            BOOST_TEST((r.error().code == error::proxy_refused));
            BOOST_TEST(r.error().details.status_code == 407);
        } else {
            BOOST_TEST((r.error().code == error::proxy_tunnel_failed), r.error().code.message());
        }
        BOOST_TEST(r.error().details.error_message.starts_with(
            "proxy 127.0.0.1:" + std::to_string(p.port()) +
            (mode == behaviour::refuse ? " " : ": ")));
        BOOST_TEST(f.server.requests_received() == 0u);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(broken_proxy)

struct broken_call {
    boost::system::error_code ec;
    milliseconds took;
    std::size_t endless_bytes;  // what the proxy sent in endless_header mode
};

// One call through a proxy in `mode`.
broken_call call_through(behaviour mode, milliseconds connect_timeout) {
    server_fixture f(named_api());
    scripted_proxy p(f.server.port());
    p.mode = mode;
    attempt_log log;
    auto cfg = through(f, p);
    cfg.connect_timeout = connect_timeout;
    cfg.retry.max_attempts = 1;
    log.attach(cfg);
    client c(f.ioc.get_executor(), cfg);
    const auto start = steady::now();
    auto r = call(f, c);
    const auto took = std::chrono::duration_cast<milliseconds>(steady::now() - start);
    BOOST_TEST(!r.has_value());
    BOOST_TEST(f.server.requests_received() == 0u);
    BOOST_TEST(eventually([&] { return p.connections_ended() == p.connections(); }));
    return {r.has_value() ? boost::system::error_code{} : r.error().code, took,
            p.endless_bytes_sent()};
}

BOOST_AUTO_TEST_CASE(two_hundred_then_close) {
    const auto ec = call_through(behaviour::close_after_200, std::chrono::seconds(2)).ec;
    BOOST_TEST((ec == error::proxy_tunnel_failed), ec.message());
    BOOST_TEST((ec == condition::proxy_error));
}

BOOST_AUTO_TEST_CASE(a_body_on_the_connect_answer) {
    const auto ec = call_through(behaviour::body_after_200, std::chrono::seconds(2)).ec;
    BOOST_TEST((ec == error::proxy_tunnel_failed), ec.message());
}

BOOST_AUTO_TEST_CASE(bytes_after_the_two_hundred) {
    const auto ec = call_through(behaviour::bytes_after_200, std::chrono::seconds(2)).ec;
    BOOST_TEST((ec == error::proxy_tunnel_failed), ec.message());
}

BOOST_AUTO_TEST_CASE(an_endless_header_stops_at_the_limit) {
    auto [ec, took, sent] = call_through(behaviour::endless_header, std::chrono::seconds(5));
    BOOST_TEST((ec == error::proxy_tunnel_failed), ec.message());
    BOOST_TEST(took < milliseconds(5000));  // the header limit, not the connect timeout
    // The client stopped reading at its limit: what the proxy got out is its socket buffers'
    // worth, far below the 64 MiB it would send to a client that reads on.
    BOOST_TEST(sent < 16u * 1024 * 1024);
}

BOOST_AUTO_TEST_CASE(a_stall_is_bounded_by_the_connect_timeout) {
    auto [ec, took, sent] = call_through(behaviour::stall, milliseconds(300));
    BOOST_TEST((ec == boost::asio::error::timed_out), ec.message());
    BOOST_TEST(took >= milliseconds(300));
    BOOST_TEST(took < milliseconds(3000));  // far below the 5 s request deadline
    BOOST_TEST(sent == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
