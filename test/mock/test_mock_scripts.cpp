// Scripted answers (reply::kind::script): record boundaries, delays, unsolicited answers, a
// flood, the ways a script can end the connection, and stop() during a delay.

#include <boost/test/unit_test.hpp>

#include <stytch/mock/server.hpp>

#include "mock/raw_tls_client.hpp"
#include "mock/support.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "support/process.hpp"
#include "support/server.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using namespace std::chrono_literals;
using boost::system::error_code;
using namespace stytch::mock;
using namespace stytch::mock::testing;
using stytch::test::eventually;
using stytch::test::status_kib;

BOOST_AUTO_TEST_SUITE(scripts)

namespace {

/// A server whose first request is answered by `steps`, the others normally.
std::unique_ptr<server> scripted_server(std::vector<script_step> steps) {
    auto srv = seeded_server();
    auto first = std::make_shared<std::atomic<bool>>(true);
    srv->set_override(
        [steps, first](const stytch::mock::recorded_request&) -> std::optional<reply> {
            if (!first->exchange(false)) {
                return std::nullopt;
            }
            return reply{.action = reply::kind::script, .script = steps};
        });
    return srv;
}

/// Reads single TLS records until `total` bytes came; returns each read's size.
std::vector<std::size_t> record_sizes(tls_client& client, std::size_t total, std::string& all) {
    std::vector<std::size_t> sizes;
    while (all.size() < total) {
        std::string piece;
        if (client.read_some(piece, 5s)) {
            break;
        }
        sizes.push_back(piece.size());
        all += piece;
    }
    return sizes;
}

}  // namespace

BOOST_AUTO_TEST_CASE(records_are_written_with_the_scripted_boundaries) {
    const std::string prelude = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n";
    const std::string big(20000, 'z');
    auto srv = scripted_server({script_step::write(prelude, 0ms, 1),
                                script_step::write("abcdefgh", 0ms, 4), script_step::write(big)});
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    BOOST_TEST_REQUIRE(!client.write(req));
    std::string all;
    const auto sizes = record_sizes(client, prelude.size() + 8 + big.size(), all);
    std::vector<std::size_t> expected(prelude.size(), 1);
    expected.insert(expected.end(), {4, 4, 16384, 20000 - 16384});
    BOOST_TEST(sizes == expected, boost::test_tools::per_element());
    BOOST_TEST(all == prelude + "abcdefgh" + big);  // raw bytes: nothing added
    BOOST_TEST(eventually([&] { return srv->script_steps_completed() == 3u; }));
    // The script did not close: the next request on the connection is served normally.
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
    BOOST_TEST(srv->connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(delays_happen_in_order_and_steps_count_once_acknowledged) {
    auto srv = scripted_server(
        {script_step::write("a"), script_step::write("b", 150ms), script_step::write("c", 100ms)});
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    BOOST_TEST_REQUIRE(!client.write(req));
    std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> reads;
    for (int i = 0; i < 3; ++i) {
        std::string piece;
        BOOST_TEST_REQUIRE(!client.read_some(piece, 5s));
        reads.emplace_back(piece, std::chrono::steady_clock::now());
        if (i == 0) {
            // "a" was acknowledged before the delay began.
            BOOST_TEST(eventually([&] { return srv->script_steps_completed() == 1u; }));
        }
    }
    BOOST_TEST(reads[0].first == "a");
    BOOST_TEST(reads[1].first == "b");
    BOOST_TEST(reads[2].first == "c");
    BOOST_TEST((reads[1].second - reads[0].second >= 140ms));
    BOOST_TEST((reads[2].second - reads[1].second >= 90ms));
    BOOST_TEST(eventually([&] { return srv->script_steps_completed() == 3u; }));
    BOOST_TEST(eventually([&] { return srv->scripts_running() == 0u; }));
}

BOOST_AUTO_TEST_CASE(normal_answer_then_a_rendered_unsolicited_one) {
    reply stale{.status = 404, .body = R"({"status_code":404})"};
    auto srv = scripted_server({script_step::normal_answer(), script_step::write(render(stale))});
    connected_client client(*srv);
    auto first = client.exchange(delete_request({}, api_target(acme_id)));
    BOOST_TEST(first.result_int() == 200u);
    BOOST_TEST(parse_object(first.body()).at("organization").at("organization_id").as_string() ==
               acme_id);
    // The normal handling ran: the store changed.
    BOOST_TEST(!srv->find_organization(acme_id)->contains("organization_external_id"));
    response_type second;
    BOOST_TEST_REQUIRE(!client.read(second, 5s));
    BOOST_TEST(second.result_int() == 404u);
    BOOST_TEST(second.body() == R"({"status_code":404})");
    BOOST_TEST(second[http::field::content_length] == "19");
    BOOST_TEST(second.keep_alive());
    BOOST_TEST(srv->requests_received() == 1u);
}

BOOST_AUTO_TEST_CASE(a_flood_stops_when_the_client_closes_and_memory_stays_bounded) {
    const std::size_t piece = 64 * 1024;
    const std::size_t gib = 1024 * 1024 * 1024;
    auto srv = scripted_server({script_step::flood(std::string(piece, 'x'), gib / piece)});
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    BOOST_TEST_REQUIRE(!client.write(req));
    const long before = status_kib("VmRSS:");
    std::size_t received = 0;
    while (received < 8 * 1024 * 1024) {
        std::string data;
        BOOST_TEST_REQUIRE(!client.read_some(data, 5s));
        received += data.size();
    }
    const long during = status_kib("VmRSS:");
    const auto closed_at = std::chrono::steady_clock::now();
    client.close();
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0u; }));
    BOOST_TEST((std::chrono::steady_clock::now() - closed_at < 2s));  // not after 1 GiB
    BOOST_TEST(srv->script_steps_completed() == 0u);                  // the flood never finished
    BOOST_TEST(during - before < 16 * 1024, "VmRSS grew by " << during - before << " KiB");
}

BOOST_AUTO_TEST_CASE(endings_are_distinguishable_by_the_client) {
    auto read_after_x = [](script_step::kind ending) {
        auto srv = scripted_server({script_step::write("x"), script_step::of(ending)});
        connected_client client(*srv);
        auto req = delete_request({}, api_target(acme_id));
        BOOST_TEST_REQUIRE(!client.write(req));
        std::string data;
        BOOST_TEST_REQUIRE(!client.read_some(data, 5s));
        BOOST_TEST(data == "x");
        const error_code ec = client.read_some(data, 5s);
        BOOST_TEST(eventually([&] { return srv->script_steps_completed() == 2u; }));
        const std::size_t open_after = srv->connections_open();
        const error_code tcp = client.read_plain_until_error(300ms);
        client.close();
        BOOST_TEST(eventually([&] { return srv->connections_open() == 0u; }));
        return std::tuple(ec, open_after, tcp);
    };
    {
        auto [ec, open, tcp] = read_after_x(script_step::kind::close_notify);
        BOOST_TEST((ec == asio::error::eof), ec.message());
        BOOST_TEST(open == 1u);  // TCP stays open until the client closes
        BOOST_TEST((tcp == beast::error::timeout), tcp.message());
    }
    {
        auto [ec, open, tcp] = read_after_x(script_step::kind::shutdown);
        BOOST_TEST((ec == asio::error::eof), ec.message());
        BOOST_TEST((tcp == asio::error::eof), tcp.message());  // then FIN
    }
    {
        auto [ec, open, tcp] = read_after_x(script_step::kind::fin);
        BOOST_TEST((ec == ssl::error::stream_truncated), ec.message());
    }
    {
        auto [ec, open, tcp] = read_after_x(script_step::kind::reset);
        BOOST_TEST((ec == asio::error::connection_reset), ec.message());
    }
}

BOOST_AUTO_TEST_CASE(stop_ends_a_script_waiting_in_a_delay) {
    auto srv = scripted_server({script_step::write("a"), script_step::write("b", 60s)});
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    BOOST_TEST_REQUIRE(!client.write(req));
    std::string data;
    BOOST_TEST_REQUIRE(!client.read_some(data, 5s));
    BOOST_TEST(srv->scripts_running() == 1u);  // in its 60 s delay
    const auto started = std::chrono::steady_clock::now();
    srv->stop();
    BOOST_TEST((std::chrono::steady_clock::now() - started < 2s));
    BOOST_TEST(srv->script_steps_completed() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
