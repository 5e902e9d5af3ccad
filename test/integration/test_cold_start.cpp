// Cold start: a burst of calls on a client without a connection opens one connection until a
// TLS handshake tells the protocol. Over HTTP/2 that one carries the whole burst; over
// HTTP/1.1 the pool then opens up to max_connections at once, as it always did.

#include <vector>

#include "support/calls.hpp"
#include "support/h2_run.hpp"

using namespace stytch;
using namespace stytch::test;

namespace {

constexpr std::size_t burst = 50;

mock::server_options speaking(std::vector<std::string> alpn) {
    mock::server_options so;
    so.alpn = std::move(alpn);
    return so;
}

// Starts `burst` calls at once on a new client with `version` and 16 connections at most, runs
// them to completion and returns how many succeeded.
std::size_t cold_burst(server_fixture& f, http_version version) {
    auto cfg = fast_config(f);
    cfg.http_version = version;
    cfg.max_connections = 16;
    client c(f.ioc.get_executor(), cfg);
    std::vector<completion> done(burst);
    for (auto& d : done) {
        c.organizations().async_delete_external_id({first_org}, {}, record(d));
    }
    std::size_t completed = 0;
    f.run_until([&] {
        completed = 0;
        for (const auto& d : done) {
            completed += d.count;
        }
        return completed == burst;
    });
    std::size_t ok = 0;
    for (const auto& d : done) {
        ok += d.count == 1 && !d.ec ? 1 : 0;
    }
    return ok;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cold_start)

BOOST_AUTO_TEST_CASE(a_cold_burst_over_h2_opens_one_connection) {
    for (auto version : {http_version::automatic, http_version::http2}) {
        server_fixture f(speaking({"h2"}));
        BOOST_TEST(cold_burst(f, version) == burst);
        BOOST_TEST(f.server.connections_accepted() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(a_cold_burst_over_http1_still_opens_up_to_max_connections,
                     *http1_only("the HTTP/2 run gives the default server h2")) {
    for (auto version : {http_version::automatic, http_version::http1_1}) {
        server_fixture f(speaking({"http/1.1"}));
        BOOST_TEST(cold_burst(f, version) == burst);
        BOOST_TEST(f.server.connections_accepted() == 16u);
    }
}

BOOST_AUTO_TEST_SUITE_END()
