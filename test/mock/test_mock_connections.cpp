// The mock's connections: keep-alive and its timeout, clients that never handshake, several
// clients and threads at once, the answer delay, and stopping with connections open.

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
#include <exception>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/server.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;
using boost::system::error_code;
using namespace stytch::mock;
using namespace stytch::mock::testing;
using stytch::test::eventually;

BOOST_AUTO_TEST_SUITE(connections)

BOOST_AUTO_TEST_CASE(keep_alive_reuses_one_connection) {
    auto srv = seeded_server();
    connected_client client(*srv);
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
    BOOST_TEST(client.exchange(delete_request({}, api_target("globex"))).result_int() == 200u);
    BOOST_TEST(srv->connections_accepted() == 1u);
    BOOST_TEST(srv->connections_open() == 1u);

    connected_client second(*srv);
    BOOST_TEST(second.exchange(delete_request({}, api_target("initech"))).result_int() == 200u);
    BOOST_TEST(srv->connections_accepted() == 2u);

    const auto requests = srv->requests();
    BOOST_TEST_REQUIRE(requests.size() == 3u);
    BOOST_TEST(requests[0].connection_id == 1u);
    BOOST_TEST(requests[1].connection_id == 1u);
    BOOST_TEST(requests[2].connection_id == 2u);
}

BOOST_AUTO_TEST_CASE(client_connection_close_is_honoured) {
    auto srv = seeded_server();
    connected_client client(*srv);
    auto req = delete_request({}, api_target(acme_id));
    req.keep_alive(false);
    const auto res = client.exchange(req);
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(!res.keep_alive());
    BOOST_TEST(res[http::field::connection] == "close");
    response_type next;
    const error_code ec = client.read(next, 5s);
    BOOST_TEST((ec == http::error::end_of_stream), ec.message());
    client.close();
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
}

BOOST_AUTO_TEST_CASE(idle_connections_are_closed_after_keep_alive_timeout) {
    server_options opts;
    opts.keep_alive_timeout = 200ms;
    auto srv = seeded_server(opts);
    connected_client client(*srv);
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
    BOOST_TEST(srv->connections_open() == 1u);
    BOOST_TEST(eventually([&] { return srv->connections_open() == 0; }));
    // The client sees the close.
    response_type res;
    const error_code ec = client.read(res, 5s);
    BOOST_TEST(ec.failed());
    BOOST_TEST((ec != beast::error::timeout));
    BOOST_TEST(srv->connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(connection_without_handshake_does_not_block_others) {
    auto srv = seeded_server();
    tls_client idle(*srv);
    BOOST_TEST_REQUIRE(!idle.connect_tcp_only());
    connected_client client(*srv);
    BOOST_TEST(client.exchange(delete_request({}, api_target(acme_id))).result_int() == 200u);
    BOOST_TEST(eventually([&] { return srv->connections_open() == 2; }));
    idle.close();
    BOOST_TEST(eventually([&] { return srv->connections_open() == 1; }));
}

BOOST_AUTO_TEST_CASE(concurrent_clients_on_several_threads) {
    server_options opts;
    opts.threads = 4;
    auto srv = seeded_server(opts);
    constexpr int clients = 8;
    constexpr int calls = 20;
    std::atomic<int> successes{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&] {
            tls_client client(*srv);
            if (client.connect()) {
                return;
            }
            for (int j = 0; j < calls; ++j) {
                try {
                    auto res = client.exchange(delete_request({}, api_target(acme_id)));
                    if (res.result_int() == 200u) {
                        ++successes;
                    }
                } catch (const std::exception&) {
                    return;
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    BOOST_TEST(successes.load() == clients * calls);
    BOOST_TEST(srv->connections_accepted() == std::size_t{clients});
    BOOST_TEST(srv->requests().size() == std::size_t{clients * calls});
}

BOOST_AUTO_TEST_CASE(answer_delay_applies_to_each_answer_without_blocking_others) {
    constexpr auto delay = 300ms;
    constexpr int clients = 8;
    server_options opts;
    opts.threads = 1;  // one thread: the delays overlap only if none of them blocks it
    opts.answer_delay = delay;
    auto srv = seeded_server(opts);
    srv->set_override([](const stytch::mock::recorded_request& r) -> std::optional<reply> {
        if (r.target.find("overridden") != std::string::npos) {
            return reply{.status = 503, .body = "{}"};
        }
        return std::nullopt;
    });
    std::vector<std::unique_ptr<tls_client>> connected;
    for (int i = 0; i < clients; ++i) {
        connected.push_back(std::make_unique<tls_client>(*srv));
        BOOST_TEST_REQUIRE(!connected.back()->connect());
    }
    std::latch start(clients);
    std::vector<std::chrono::steady_clock::duration> waited(clients);
    std::vector<unsigned> statuses(clients);
    std::vector<std::thread> threads;
    const auto begin = std::chrono::steady_clock::now();
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            const auto sent = std::chrono::steady_clock::now();
            try {
                statuses[i] = connected[i]
                                  ->exchange(delete_request(
                                      {}, api_target(i == 0 ? "overridden" : acme_slug)))
                                  .result_int();
            } catch (const std::exception&) {
            }
            waited[i] = std::chrono::steady_clock::now() - sent;
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    const auto total = std::chrono::steady_clock::now() - begin;
    BOOST_TEST(statuses[0] == 503u);  // an overridden answer waits too
    for (int i = 0; i < clients; ++i) {
        BOOST_TEST((waited[i] >= delay), "client " << i);
        if (i > 0) {
            BOOST_TEST(statuses[i] == 200u);
        }
    }
    // Served one after the other, they would take clients × delay = 2.4 s.
    BOOST_TEST((total < clients * delay / 2),
               std::chrono::duration_cast<std::chrono::milliseconds>(total).count() << " ms");
}

BOOST_AUTO_TEST_CASE(destruction_with_open_connections) {
    auto srv = seeded_server();
    std::atomic<bool> stalled{false};
    srv->set_override([&](const stytch::mock::recorded_request& r) -> std::optional<reply> {
        if (r.target.find("stall") != std::string::npos) {
            stalled = true;
            return reply{.action = reply::kind::stall};
        }
        return std::nullopt;
    });
    connected_client idle(*srv);
    tls_client tcp_only(*srv);
    BOOST_TEST_REQUIRE(!tcp_only.connect_tcp_only());

    // A stalled request, from another thread (the client blocks until the connection closes).
    connected_client staller(*srv);
    std::thread stall_thread([&] {
        auto req = delete_request({}, api_target("stall"));
        response_type res;
        if (!staller.write(req)) {
            (void)staller.read(res, 30s);
        }
    });
    BOOST_TEST(eventually([&] { return stalled.load(); }));
    BOOST_TEST(srv->connections_open() == 3u);

    const auto start = std::chrono::steady_clock::now();
    srv.reset();
    // Graceful: well under the server's internal 5 s fallback.
    BOOST_TEST((std::chrono::steady_clock::now() - start < 4s));
    stall_thread.join();

    response_type res;
    BOOST_TEST(idle.read(res, 5s).failed());
}

BOOST_AUTO_TEST_CASE(stop_is_idempotent_and_closes_listener) {
    server srv;
    const auto port = srv.port();
    srv.stop();
    srv.stop();
    BOOST_TEST(srv.connections_open() == 0u);
    tls_client client(srv.identity().ca_certificate_pem);
    client.set_port(port);
    BOOST_TEST(client.connect(2s).failed());
}

BOOST_AUTO_TEST_SUITE_END()
