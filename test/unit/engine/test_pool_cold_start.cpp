// The pool's cold start without sockets: while no handshake has told the protocol, one
// connection opens; what follows depends on the protocol the first handshake told.

#include <boost/test/unit_test.hpp>

#include <vector>

#include "unit/engine/pool_fakes.hpp"

using namespace stytch::detail;
using namespace stytch::test::engine;

namespace {

// A probing pool (at most `max` connections) whose first call got the right to open the one
// connection, and `queued` calls waiting behind it.
struct cold_burst {
    cold_burst(std::size_t max, std::size_t queued) : p(probing_pool(max)), burst(queued) {
        auto g = p.request(first, now);
        BOOST_TEST_REQUIRE((g && g->connection == nullptr));
        queue_all(p, burst, now);
    }

    pool p;
    const clk::time_point now = clk::now();
    fake_call first{0};
    std::vector<fake_call> burst;
};

}  // namespace

// Cold start: while no handshake has told the protocol, one connection opens; the queue then
// goes to its streams (HTTP/2) or opens connections up to the limit (HTTP/1.1).
BOOST_AUTO_TEST_SUITE(pool_cold_start)

BOOST_AUTO_TEST_CASE(a_cold_burst_opens_one_connection_until_its_handshake_tells_the_protocol) {
    cold_burst f(16, 49);
    BOOST_TEST(f.p.open() == 1u);
    BOOST_TEST(f.p.waiting() == 49u);
    auto conn = h2_connection(100);  // the handshake says h2, 100 streams
    auto granted = f.p.opened(conn);
    BOOST_TEST_REQUIRE(granted.size() == 49u);
    for (std::size_t i = 0; i < granted.size(); ++i) {
        BOOST_TEST((granted[i].call == &f.burst[i] && granted[i].connection == conn));
        BOOST_TEST((granted[i].entry == pool_entry::shared));
    }
    BOOST_TEST(f.p.open() == 1u);
    BOOST_TEST(!f.p.has_queue());
}

BOOST_AUTO_TEST_CASE(http1_learned_opens_up_to_the_limit_for_the_queue_at_once) {
    cold_burst f(4, 5);
    // The first handshake says HTTP/1.1 (its opener keeps the connection).
    auto granted = f.p.opened(std::make_shared<fake_connection>());
    BOOST_TEST_REQUIRE(granted.size() == 3u);
    for (std::size_t i = 0; i < granted.size(); ++i) {
        BOOST_TEST((granted[i].call == &f.burst[i] && granted[i].connection == nullptr));
        BOOST_TEST((granted[i].entry == pool_entry::to_open));
    }
    BOOST_TEST(f.p.open() == 4u);
    BOOST_TEST(f.p.waiting() == 2u);
    // Remembered: a later call opens without waiting for a handshake.
    auto conn = std::make_shared<fake_connection>();
    auto next = f.p.release(conn, f.now);
    BOOST_TEST_REQUIRE(next.has_value());
    BOOST_TEST((next->call == &f.burst[3] && next->connection == conn));
}

BOOST_AUTO_TEST_CASE(a_failed_first_open_passes_the_right_to_open_to_the_next_call) {
    cold_burst f(16, 3);
    auto failed = std::make_shared<fake_connection>();
    failed->usable = false;  // the open failed
    auto g = f.p.release(failed, f.now);
    BOOST_TEST(failed->closed);
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST((g->call == &f.burst[0] && g->connection == nullptr));
    BOOST_TEST(f.p.open() == 1u);  // still one at a time
    BOOST_TEST(f.p.waiting() == 2u);
}

BOOST_AUTO_TEST_CASE(h2_opens_as_many_connections_as_the_streams_allowed_require) {
    cold_burst f(16, 6);
    // 7 calls, 2 streams per connection: this one carries 2, three more connections open for
    // the other 5, and 2 calls wait for their streams on them.
    auto conn = h2_connection(2);
    auto granted = f.p.opened(conn);
    BOOST_TEST_REQUIRE(granted.size() == 4u);
    BOOST_TEST((granted[0].call == &f.burst[0] && granted[0].connection == conn));
    for (std::size_t i = 1; i < granted.size(); ++i) {
        BOOST_TEST((granted[i].call == &f.burst[i] && granted[i].connection == nullptr));
        BOOST_TEST((granted[i].entry == pool_entry::to_open));
    }
    BOOST_TEST(f.p.open() == 4u);
    BOOST_TEST(f.p.waiting() == 2u);
    // A new call while those open: they carry one more each, so it waits for the third...
    fake_call late(9), later(10);
    BOOST_TEST(!f.p.request(late, f.now).has_value());
    BOOST_TEST(f.p.waiting() == 3u);
    // ... and the one after it opens a connection.
    auto g = f.p.request(later, f.now);
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST((g->connection == nullptr));
    BOOST_TEST(f.p.open() == 5u);
    // A connection opened takes the first queued call; no more open for the others.
    auto second = h2_connection(2);
    granted = f.p.opened(second);
    BOOST_TEST_REQUIRE(granted.size() == 1u);
    BOOST_TEST((granted[0].call == &f.burst[4] && granted[0].connection == second));
    BOOST_TEST(f.p.open() == 5u);
}

BOOST_AUTO_TEST_CASE(without_probing_a_burst_opens_up_to_the_limit_at_once) {
    auto p = make_pool(3);  // http_version http1_1
    const auto now = clk::now();
    fake_call a(0), b(1), c(2);
    BOOST_TEST(p.request(a, now).has_value());
    BOOST_TEST(p.request(b, now).has_value());
    BOOST_TEST(p.request(c, now).has_value());
    BOOST_TEST(p.open() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
