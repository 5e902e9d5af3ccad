// The pool's grants without sockets: connections of capacity 1 (HTTP/1.1) or N streams
// (HTTP/2), the one FIFO, idle expiry, warm buffers, close and abandon.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <vector>

#include "unit/engine/pool_fakes.hpp"

using namespace stytch::detail;
using namespace stytch::test::engine;

namespace {

// An HTTP/2 connection of `max_streams` streams handed to `p`, which had no call waiting.
std::shared_ptr<fake_connection> shared_h2(pool& p, std::size_t max_streams) {
    auto conn = h2_connection(max_streams);
    BOOST_TEST(p.opened(conn).empty());
    return conn;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pool_grants)

BOOST_AUTO_TEST_CASE(calls_get_the_right_to_open_up_to_the_limit_then_wait_in_order) {
    auto p = make_pool(2);
    fake_call a{1}, b{2}, c{3}, d{4};
    const auto now = clk::now();
    auto ga = p.request(a, now);
    auto gb = p.request(b, now);
    BOOST_REQUIRE((ga && gb));
    BOOST_TEST((ga->call == &a && ga->entry == pool_entry::to_open && !ga->connection));
    BOOST_TEST(p.open() == 2u);
    BOOST_TEST(!p.request(c, now));
    BOOST_TEST(!p.request(d, now));
    BOOST_TEST(p.has_queue());
    BOOST_TEST(p.waiting() == 2u);

    // A connection given back goes straight to the first waiter, not to the idle list.
    auto conn = std::make_shared<fake_connection>();
    auto gc = p.release(conn, now);
    BOOST_REQUIRE(gc);
    BOOST_TEST((gc->call == &c && gc->entry == pool_entry::unique && gc->connection == conn));
    BOOST_TEST(p.idle() == 0u);
    // A failed open gives its slot to the next waiter as a right to open.
    auto gd = p.release(nullptr, now);
    BOOST_REQUIRE(gd);
    BOOST_TEST((gd->call == &d && gd->entry == pool_entry::to_open && !gd->connection));
    BOOST_TEST(p.open() == 2u);
    BOOST_TEST(!p.has_queue());
    BOOST_TEST(p.waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(a_withdrawn_call_is_never_granted) {
    auto p = make_pool(1);
    fake_call a{1}, b{2}, c{3};
    const auto now = clk::now();
    BOOST_REQUIRE(p.request(a, now));
    BOOST_TEST(!p.request(b, now));
    BOOST_TEST(!p.request(c, now));
    p.withdraw(b);
    p.withdraw(b);  // twice is harmless
    BOOST_TEST(p.waiting() == 1u);
    auto g = p.release(std::make_shared<fake_connection>(), now);
    BOOST_REQUIRE(g);
    BOOST_TEST(g->call == &c);
}

BOOST_AUTO_TEST_CASE(idle_connections_are_reused_newest_first) {
    auto p = make_pool(4);
    fake_call a{1};
    const auto now = clk::now();
    auto older = std::make_shared<fake_connection>();
    auto newer = std::make_shared<fake_connection>();
    for (int i = 0; i < 2; ++i) {
        BOOST_REQUIRE(p.request(a, now));
    }
    BOOST_TEST(!p.release(older, now));
    BOOST_TEST(!p.release(newer, now));
    BOOST_TEST(p.idle() == 2u);
    auto g = p.request(a, now);
    BOOST_REQUIRE(g);
    BOOST_TEST((g->entry == pool_entry::unique && g->connection == newer));
}

BOOST_AUTO_TEST_CASE(a_connection_that_cannot_be_reused_is_closed_and_its_slot_freed) {
    auto p = make_pool(1);
    fake_call a{1}, b{2};
    const auto now = clk::now();
    BOOST_REQUIRE(p.request(a, now));
    auto spent = std::make_shared<fake_connection>();
    spent->usable = false;
    BOOST_TEST(!p.release(spent, now));
    BOOST_TEST(spent->closed);
    BOOST_TEST(p.open() == 0u);
    BOOST_TEST(p.idle() == 0u);
    auto g = p.request(b, now);
    BOOST_REQUIRE(g);
    BOOST_TEST(!g->connection);
}

BOOST_AUTO_TEST_CASE(idle_connections_expire_lazily_when_a_call_asks) {
    auto p = make_pool(2, milliseconds(100));
    fake_call a{1};
    const auto t0 = clk::now();
    BOOST_REQUIRE(p.request(a, t0));
    auto conn = std::make_shared<fake_connection>();
    BOOST_TEST(!p.release(conn, t0));
    auto g = p.request(a, t0 + milliseconds(100));
    BOOST_REQUIRE(g);
    BOOST_TEST(conn->closed);
    BOOST_TEST(!g->connection);  // a new one instead
    BOOST_TEST(p.open() == 1u);
    BOOST_TEST(p.expired_total() == 1u);
}

BOOST_AUTO_TEST_CASE(only_the_newest_idle_connections_keep_their_buffers) {
    auto p = make_pool(3, milliseconds(1000), 1);
    fake_call a{1};
    const auto now = clk::now();
    std::vector<std::shared_ptr<fake_connection>> conns;
    for (int i = 0; i < 3; ++i) {
        BOOST_REQUIRE(p.request(a, now));
        conns.push_back(std::make_shared<fake_connection>());
    }
    for (auto& c : conns) {
        p.release(c, now);
    }
    BOOST_TEST(conns[0]->trimmed);
    BOOST_TEST(conns[1]->trimmed);
    BOOST_TEST(!conns[2]->trimmed);
}

BOOST_AUTO_TEST_CASE(a_closed_pool_closes_what_comes_back_and_grants_nothing) {
    auto p = make_pool(1);
    fake_call a{1}, b{2};
    const auto now = clk::now();
    BOOST_REQUIRE(p.request(a, now));
    BOOST_TEST(!p.request(b, now));
    p.close();
    p.withdraw(b);
    auto conn = std::make_shared<fake_connection>();
    BOOST_TEST(!p.release(conn, now));
    BOOST_TEST(conn->closed);
    BOOST_TEST(p.open() == 0u);
    BOOST_TEST(!p.request(b, now));
    BOOST_TEST(!p.has_queue());
}

BOOST_AUTO_TEST_CASE(closing_the_pool_counts_the_idle_connections_it_closes) {
    auto p = make_pool(3);
    fake_call a;
    const auto now = clk::now();
    BOOST_REQUIRE(p.request(a, now));
    BOOST_REQUIRE(p.request(a, now));
    BOOST_TEST(!p.release(std::make_shared<fake_connection>(), now));
    BOOST_TEST(!p.release(std::make_shared<fake_connection>(), now));
    BOOST_REQUIRE(p.request(a, now));  // takes one of the two idle connections
    p.close();
    BOOST_TEST(p.closed_idle_total() == 1u);
    BOOST_TEST(p.expired_total() == 0u);
}

BOOST_AUTO_TEST_CASE(an_h2_connection_takes_queued_calls_up_to_its_capacity) {
    auto p = make_pool(1);
    const auto now = clk::now();
    fake_call opener(0), a(1), b(2), c(3);
    auto g = p.request(opener, now);
    BOOST_TEST_REQUIRE((g && g->connection == nullptr));  // the right to open the only one
    BOOST_TEST(!p.request(a, now));
    BOOST_TEST(!p.request(b, now));
    BOOST_TEST(!p.request(c, now));
    auto conn = h2_connection(3);  // the server selected h2 and allows 3 streams
    auto granted = p.opened(conn);
    BOOST_TEST_REQUIRE(granted.size() == 2u);  // the opener holds the first stream
    BOOST_TEST((granted[0].call == &a && granted[1].call == &b));
    BOOST_TEST((granted[0].connection == conn && granted[1].connection == conn));
    BOOST_TEST((granted[0].entry == pool_entry::shared && granted[1].entry == pool_entry::shared));
    BOOST_TEST(conn->streams == 3u);
    BOOST_TEST(p.waiting() == 1u);
    auto next = p.release(conn, now);  // one stream ends: the queued call takes it
    BOOST_TEST_REQUIRE(next.has_value());
    BOOST_TEST((next->call == &c && next->entry == pool_entry::shared && next->connection == conn));
    BOOST_TEST(conn->streams == 3u);
    BOOST_TEST(p.open() == 1u);
}

BOOST_AUTO_TEST_CASE(a_call_gets_a_stream_on_the_least_loaded_h2_connection) {
    auto p = make_pool(2);
    const auto now = clk::now();
    fake_call o1(0), o2(1), x(2);
    BOOST_TEST_REQUIRE(p.request(o1, now).has_value());
    BOOST_TEST_REQUIRE(p.request(o2, now).has_value());
    auto busy = shared_h2(p, 10);
    auto quiet = shared_h2(p, 10);
    busy->streams = 5;
    auto g = p.request(x, now);
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST((g->connection == quiet));
    BOOST_TEST(quiet->streams == 2u);
}

BOOST_AUTO_TEST_CASE(a_new_connection_opens_only_when_every_h2_connection_is_full) {
    auto p = make_pool(2);
    const auto now = clk::now();
    fake_call o(0), a(1), b(2);
    BOOST_TEST_REQUIRE(p.request(o, now).has_value());
    auto conn = shared_h2(p, 2);
    auto g = p.request(a, now);
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST((g->entry == pool_entry::shared && g->connection == conn));  // not a new one
    BOOST_TEST(p.open() == 1u);
    g = p.request(b, now);
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST((g->entry == pool_entry::to_open && g->connection == nullptr));  // full
    BOOST_TEST(p.open() == 2u);
}

BOOST_AUTO_TEST_CASE(a_draining_h2_connection_takes_no_call_and_closes_with_its_last_stream) {
    auto p = make_pool(1);
    const auto now = clk::now();
    fake_call o(0), a(1), w(2);
    BOOST_TEST_REQUIRE(p.request(o, now).has_value());
    auto conn = shared_h2(p, 10);
    BOOST_TEST_REQUIRE(p.request(a, now).has_value());
    conn->usable = false;               // GOAWAY: accepts no new stream
    BOOST_TEST(!p.request(w, now));     // the only slot is taken by the draining connection
    BOOST_TEST(!p.release(conn, now));  // one stream left on it
    BOOST_TEST(!conn->closed);
    auto g = p.release(conn, now);  // its last stream: closed, the slot goes to `w`
    BOOST_TEST(conn->closed);
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST((g->call == &w && g->connection == nullptr));
    BOOST_TEST(p.open() == 1u);
}

BOOST_AUTO_TEST_CASE(an_idle_h2_connection_expires_and_counts_as_idle) {
    auto p = make_pool(2, milliseconds(100));
    const auto now = clk::now();
    fake_call o(0), later(1);
    BOOST_TEST_REQUIRE(p.request(o, now).has_value());
    auto conn = shared_h2(p, 10);
    BOOST_TEST(!p.release(conn, now));
    BOOST_TEST(p.idle() == 1u);
    auto g = p.request(later, now + milliseconds(150));
    BOOST_TEST(conn->closed);
    BOOST_TEST(p.expired_total() == 1u);
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST((g->connection == nullptr));
    BOOST_TEST(p.open() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
