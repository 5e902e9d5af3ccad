// The override hook: custom answers, closing without one, stalling, and a hook that throws.

#include <boost/test/unit_test.hpp>

#include <stytch/mock/server.hpp>

#include "mock/raw_tls_client.hpp"
#include "mock/support.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <utility>

#include "support/server.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;
using boost::system::error_code;
using namespace stytch::mock;
using namespace stytch::mock::testing;
using stytch::test::eventually;

namespace {

/// `srv` answers the requests marked `X-Fault: yes` with `answer` (the others normally), and
/// `client` sends one.
void send_marked(server& srv, tls_client& client, reply answer) {
    srv.set_override([answer = std::move(answer)](
                         const stytch::mock::recorded_request& r) -> std::optional<reply> {
        if (r.header("X-Fault") == "yes") {
            return answer;
        }
        return std::nullopt;
    });
    auto req = delete_request({}, api_target(acme_id));
    req.set("X-Fault", "yes");
    BOOST_TEST_REQUIRE(!client.write(req));
}

/// The server goes on serving: a new connection's call succeeds.
void check_still_serving(server& srv) {
    connected_client next(srv);
    BOOST_TEST(next.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(overrides)

BOOST_AUTO_TEST_CASE(respond_with_custom_status_and_headers) {
    auto srv = seeded_server();
    std::atomic<int> calls{0};
    srv->set_override([&](const stytch::mock::recorded_request&) -> std::optional<reply> {
        if (calls++ == 0) {
            reply r;
            r.status = 429;
            r.body = R"({"status_code":429,"error_type":"too_many_requests"})";
            r.headers = {{"Retry-After", "2"}, {"X-Test", "a"}, {"X-Test", "b"}};
            return r;
        }
        return std::nullopt;
    });
    connected_client client(*srv);
    auto res = client.exchange(delete_request({}, api_target(acme_id)));
    BOOST_TEST(res.result_int() == 429u);
    BOOST_TEST(res[http::field::retry_after] == "2");
    BOOST_TEST(res.count("X-Test") == 2u);
    BOOST_TEST(res[http::field::content_type] == "application/json");
    BOOST_TEST(res.body() == R"({"status_code":429,"error_type":"too_many_requests"})");
    BOOST_TEST(res.keep_alive());
    // The hook saw the request; the organization was not touched.
    BOOST_TEST(srv->find_organization(acme_id)->at("organization_external_id").is_string());

    res = client.exchange(delete_request({}, api_target(acme_id)));
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(srv->connections_accepted() == 1u);
    BOOST_TEST(calls.load() == 2);

    // Removing the hook.
    srv->set_override(nullptr);
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
    BOOST_TEST(calls.load() == 2);
}

BOOST_AUTO_TEST_CASE(respond_non_json_and_close_after) {
    auto srv = seeded_server();
    srv->set_override([](const stytch::mock::recorded_request&) -> std::optional<reply> {
        reply r;
        r.status = 502;
        r.body = "<html>Bad Gateway</html>";
        r.headers = {{"Content-Type", "text/html"}};
        r.close_after = true;
        return r;
    });
    connected_client client(*srv);
    const auto res = client.exchange(delete_request({}, api_target(acme_id)));
    BOOST_TEST(res.result_int() == 502u);
    BOOST_TEST(res[http::field::content_type] == "text/html");
    BOOST_TEST(res.body() == "<html>Bad Gateway</html>");
    BOOST_TEST(!res.keep_alive());
    response_type next;
    BOOST_TEST((client.read(next, 5s) == http::error::end_of_stream));
    client.close();
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
}

BOOST_AUTO_TEST_CASE(close_without_answer) {
    auto srv = seeded_server();
    connected_client client(*srv);
    send_marked(*srv, client, reply{.action = reply::kind::close_without_answer});
    response_type res;
    const error_code ec = client.read(res, 5s);
    BOOST_TEST(ec.failed());
    BOOST_TEST((ec != beast::error::timeout), ec.message());
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
    BOOST_TEST(srv->find_organization(acme_id)->at("organization_external_id").is_string());
    check_still_serving(*srv);
}

BOOST_AUTO_TEST_CASE(stall_until_client_gives_up) {
    auto srv = seeded_server();
    connected_client client(*srv);
    send_marked(*srv, client, reply{.action = reply::kind::stall});
    response_type res;
    const auto start = std::chrono::steady_clock::now();
    const error_code ec = client.read(res, 300ms);
    BOOST_TEST((ec == beast::error::timeout), ec.message());
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 300ms));
    BOOST_TEST(srv->requests().size() == 1u);

    // beast::tcp_stream closed the client's socket on timeout: the server sees it and lets go.
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
    check_still_serving(*srv);
}

BOOST_AUTO_TEST_CASE(throwing_hook_answers_500) {
    auto srv = seeded_server();
    srv->set_override([](const stytch::mock::recorded_request&) -> std::optional<reply> {
        throw std::runtime_error("boom");
    });
    connected_client client(*srv);
    check_stytch_error(client.exchange(delete_request({}, api_target(acme_id))), 500,
                       "internal_server_error");
}

BOOST_AUTO_TEST_SUITE_END()
