// Cold start: a burst of calls on a client without a connection opens one connection until a
// TLS handshake tells the protocol. Over HTTP/2 that one carries the whole burst; over
// HTTP/1.1 the pool then opens up to max_connections at once, as it always did.

#include <vector>

#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/h2_run.hpp"

using namespace stytch;
using namespace stytch::test;

namespace {

constexpr std::size_t burst = 50;

// Starts `burst` calls at once on a new client with `version` and 16 connections at most, runs
// them to completion and returns how many succeeded.
std::size_t cold_burst(client_fixture& f, http_version version) {
    auto& c = f.make_client([&](client_config& cfg) {
        cfg.http_version = version;
        cfg.max_connections = 16;
    });
    return f.run_calls(c, burst);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cold_start)

BOOST_AUTO_TEST_CASE(a_cold_burst_over_h2_opens_one_connection) {
    for (auto version : {http_version::automatic, http_version::http2}) {
        client_fixture f(speaking({"h2"}));
        BOOST_TEST(cold_burst(f, version) == burst);
        BOOST_TEST(f.server.connections_accepted() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(a_cold_burst_over_http1_still_opens_up_to_max_connections,
                     *http1_only("the HTTP/2 run gives the default server h2")) {
    for (auto version : {http_version::automatic, http_version::http1_1}) {
        client_fixture f(speaking({"http/1.1"}));
        BOOST_TEST(cold_burst(f, version) == burst);
        BOOST_TEST(f.server.connections_accepted() == 16u);
    }
}

BOOST_AUTO_TEST_SUITE_END()
