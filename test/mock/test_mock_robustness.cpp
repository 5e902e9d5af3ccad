// Malformed input: bytes that are not TLS or not HTTP, oversized headers and bodies, and
// clients that vanish mid-request.

#include <boost/test/unit_test.hpp>

#include <stytch/mock/server.hpp>

#include "mock/raw_tls_client.hpp"
#include "mock/support.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <string>

#include "support/server.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;
using boost::system::error_code;
using namespace stytch::mock;
using namespace stytch::mock::testing;
using stytch::test::eventually;

BOOST_AUTO_TEST_SUITE(robustness)

BOOST_AUTO_TEST_CASE(garbage_instead_of_tls) {
    auto srv = seeded_server();
    tls_client raw(*srv);
    BOOST_TEST_REQUIRE(!raw.connect_tcp_only());
    BOOST_TEST(!raw.write_plain("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    const error_code ec = raw.read_plain_until_error(5s);
    BOOST_TEST((ec != beast::error::timeout), ec.message());
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
    BOOST_TEST(srv->requests().empty());
}

BOOST_AUTO_TEST_CASE(garbage_http_gets_400_and_close) {
    auto srv = seeded_server();
    connected_client client(*srv);
    BOOST_TEST(!client.write_raw("THIS IS NOT HTTP\r\n\r\n"));
    response_type res;
    BOOST_TEST_REQUIRE(!client.read(res));
    check_stytch_error(res, 400, "bad_request");
    BOOST_TEST(!res.keep_alive());
    BOOST_TEST((client.read(res, 5s) == http::error::end_of_stream));
    BOOST_TEST(srv->requests().empty());
}

BOOST_AUTO_TEST_CASE(header_limit) {
    auto srv = seeded_server();
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    req.set("X-Big", std::string(9000, 'a'));
    response_type res;
    (void)client.write(req);  // the server may answer and close before all is written
    BOOST_TEST_REQUIRE(!client.read(res));
    check_stytch_error(res, 431, "request_header_too_large");
    BOOST_TEST(!res.keep_alive());

    // Just under the limit is fine.
    connected_client ok(*srv);
    req.set("X-Big", std::string(7000, 'a'));
    BOOST_TEST(ok.exchange(req).result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(body_limit) {
    auto srv = seeded_server();
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    req.body() = std::string(64 * 1024 + 1, 'x');
    req.prepare_payload();
    response_type res;
    (void)client.write(req);
    BOOST_TEST_REQUIRE(!client.read(res));
    check_stytch_error(res, 413, "request_too_large");

    connected_client ok(*srv);
    req.body() = std::string(64 * 1024, 'x');
    req.prepare_payload();
    BOOST_TEST(ok.exchange(req).result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(abrupt_close_mid_request) {
    auto srv = seeded_server();
    {
        connected_client client(*srv);
        BOOST_TEST(!client.write_raw("DELETE /v1/b2b/organizations/x/external_id HTTP/1.1\r\nHo"));
        client.close();
    }
    {
        connected_client client(*srv);
        BOOST_TEST(!client.write_plain(std::string(100, '\x17')));  // broken TLS records
        (void)client.read_plain_until_error(5s);
    }
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
    BOOST_TEST(srv->requests().empty());

    connected_client client(*srv);
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
}

BOOST_AUTO_TEST_SUITE_END()
