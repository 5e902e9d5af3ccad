// The engine's sans-io parts without sockets: the call and connection machines, the pool's
// grants and FIFO, the deadline order.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <vector>

#include "driver/call.hpp"  // cancel_request_of: Asio's types as the machine sees them
#include "engine/call_machine.hpp"
#include "engine/connection_pool.hpp"
#include "engine/connection_state.hpp"
#include "engine/deadline_list.hpp"

using namespace stytch::detail;
using ct = boost::asio::cancellation_type;
using std::chrono::milliseconds;
using clk = std::chrono::steady_clock;

namespace {

struct fake_connection {
    bool reusable() const { return usable; }
    void close() { closed = true; }
    void retire() { closed = true; }
    void release_buffers() { trimmed = true; }
    bool multiplexed() const { return h2; }
    bool accepting() const { return h2 && usable; }
    std::size_t capacity() const { return h2 ? max_streams : 1; }
    bool usable = true;
    bool closed = false;
    bool trimmed = false;
    bool h2 = false;
    std::size_t max_streams = 1;
    clk::time_point idle_since{};
    std::size_t streams = 0;
};

std::shared_ptr<fake_connection> h2_connection(std::size_t max_streams) {
    auto c = std::make_shared<fake_connection>();
    c->h2 = true;
    c->max_streams = max_streams;
    return c;
}

struct fake_call {
    explicit fake_call(int i = 0) : id(i) {}
    int id;
    clk::time_point deadline{};
    list_hook<fake_call> queue_hook;
    list_hook<fake_call> deadline_hook;
};

using pool = connection_pool<fake_connection, fake_call, &fake_call::queue_hook>;

pool make_pool(std::size_t max, milliseconds idle = milliseconds(1000), std::size_t warm = 8) {
    return pool(pool_limits{max, idle, warm});
}

// A pool whose connections may turn out HTTP/2 (http_version automatic or http2).
pool probing_pool(std::size_t max) {
    return pool(pool_limits{max, milliseconds(1000), 8, true});
}

// Queues `calls` on `p` (none is granted), for a burst behind a first call.
void queue_all(pool& p, std::vector<fake_call>& calls, clk::time_point now) {
    for (auto& c : calls) {
        BOOST_TEST_REQUIRE(!p.request(c, now).has_value());
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(call_machine)

BOOST_AUTO_TEST_CASE(a_call_goes_from_the_queue_through_an_attempt_to_done) {
    auto s = next(call_state::queued, call_event::granted);
    BOOST_TEST((s.state == call_state::attempting && s.action == call_action::start_attempt));
    s = next(s.state, call_event::writing);
    BOOST_TEST((s.state == call_state::exchanging && s.action == call_action::none));
    s = next(s.state, call_event::finished);
    BOOST_TEST((s.state == call_state::done && s.action == call_action::complete));
}

BOOST_AUTO_TEST_CASE(a_retry_backs_off_then_queues_again) {
    auto s = next(call_state::exchanging, call_event::retry_later);
    BOOST_TEST((s.state == call_state::backing_off && s.action == call_action::arm_backoff));
    s = next(s.state, call_event::backoff_elapsed);
    BOOST_TEST((s.state == call_state::queued && s.action == call_action::requeue));
}

BOOST_AUTO_TEST_CASE(a_backoff_that_ends_past_the_deadline_completes_the_call) {
    auto s = next(call_state::backing_off, call_event::past_deadline);
    BOOST_TEST((s.state == call_state::done && s.action == call_action::complete));
    for (auto other : {call_state::queued, call_state::attempting, call_state::exchanging}) {
        BOOST_TEST((next(other, call_event::past_deadline).action == call_action::invalid));
    }
}

BOOST_AUTO_TEST_CASE(a_stale_connection_is_replaced_within_the_attempt) {
    for (auto from : {call_state::attempting, call_state::exchanging}) {
        auto s = next(from, call_event::replace_connection);
        BOOST_TEST((s.state == call_state::attempting && s.action == call_action::start_attempt));
    }
}

BOOST_AUTO_TEST_CASE(an_unprocessed_request_goes_back_to_the_queue_at_once) {
    for (auto from : {call_state::attempting, call_state::exchanging}) {
        auto s = next(from, call_event::not_processed);
        BOOST_TEST((s.state == call_state::queued && s.action == call_action::requeue));
    }
    BOOST_TEST(
        (next(call_state::queued, call_event::not_processed).action == call_action::invalid));
}

BOOST_AUTO_TEST_CASE(abort_reaches_a_call_in_every_state) {
    auto s = next(call_state::queued, call_event::abort);
    BOOST_TEST((s.state == call_state::done && s.action == call_action::leave_queue));
    s = next(call_state::backing_off, call_event::abort);
    BOOST_TEST((s.state == call_state::done && s.action == call_action::cancel_backoff));
    for (auto in : {call_state::attempting, call_state::exchanging}) {
        s = next(in, call_event::abort);  // the attempt finishes the call when it ends
        BOOST_TEST((s.state == in && s.action == call_action::interrupt_io));
    }
}

BOOST_AUTO_TEST_CASE(late_events_after_done_do_nothing) {
    for (auto e : {call_event::abort, call_event::backoff_elapsed, call_event::granted,
                   call_event::finished}) {
        auto s = next(call_state::done, e);
        BOOST_TEST((s.state == call_state::done && s.action == call_action::none));
    }
}

BOOST_AUTO_TEST_CASE(impossible_events_are_flagged) {
    BOOST_TEST((next(call_state::queued, call_event::writing).action == call_action::invalid));
    BOOST_TEST((next(call_state::queued, call_event::finished).action == call_action::invalid));
    BOOST_TEST((next(call_state::backing_off, call_event::granted).action == call_action::invalid));
    BOOST_TEST((next(call_state::exchanging, call_event::writing).action == call_action::invalid));
}

BOOST_AUTO_TEST_CASE(partial_and_total_cancellation_only_before_the_request_is_written) {
    BOOST_TEST(honours(cancel_request_of(ct::terminal), false));
    BOOST_TEST(honours(cancel_request_of(ct::terminal), true));
    BOOST_TEST(honours(cancel_request_of(ct::partial), false));
    BOOST_TEST(honours(cancel_request_of(ct::total), false));
    BOOST_TEST(!honours(cancel_request_of(ct::partial), true));
    BOOST_TEST(!honours(cancel_request_of(ct::total), true));
    BOOST_TEST(!honours(cancel_request_of(ct::none), false));
    BOOST_TEST(honours(cancel_request_of(ct::terminal | ct::partial | ct::total), true));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(connection_machine)

BOOST_AUTO_TEST_CASE(a_keep_alive_answer_makes_the_connection_ready_again) {
    using st = connection_state;
    using ev = connection_event;
    auto s = next(next(st::unopened, ev::open), ev::opened);
    BOOST_TEST((s == st::ready));
    s = next(s, ev::write);
    BOOST_TEST((s == st::exchanging));
    BOOST_TEST((next(s, ev::answered_keep_alive) == st::ready));
    BOOST_TEST((next(s, ev::answered_last) == st::spent));
    BOOST_TEST((next(s, ev::failed_mid_answer) == st::spent));
    BOOST_TEST((next(s, ev::failed_before_answer) == st::silent_failure));
}

BOOST_AUTO_TEST_CASE(a_connection_that_spoke_while_idle_is_never_ready_again) {
    using st = connection_state;
    using ev = connection_event;
    auto s = next(st::ready, ev::spoke_while_idle);
    BOOST_TEST((s == st::silent_failure));
    BOOST_TEST((next(s, ev::write) == st::silent_failure));
    BOOST_TEST((next(s, ev::answered_keep_alive) == st::silent_failure));
    BOOST_TEST((next(st::opening, ev::open_failed) == st::spent));
}

BOOST_AUTO_TEST_CASE(only_an_idle_connection_says_goodbye_before_it_closes) {
    using st = connection_state;
    using ev = connection_event;
    BOOST_TEST((next(st::ready, ev::retire) == st::closing));
    for (auto s : {st::opening, st::exchanging, st::silent_failure, st::spent}) {
        BOOST_TEST((next(s, ev::retire) == s));  // closed at once instead
    }
    BOOST_TEST((next(st::closing, ev::write) == st::closing));
    BOOST_TEST((next(st::closing, ev::close) == st::closed));
}

BOOST_AUTO_TEST_CASE(closed_is_final) {
    using st = connection_state;
    using ev = connection_event;
    for (auto s : {st::unopened, st::opening, st::ready, st::exchanging, st::spent}) {
        BOOST_TEST((next(s, ev::close) == st::closed));
    }
    for (auto e : {ev::open, ev::opened, ev::write, ev::answered_keep_alive}) {
        BOOST_TEST((next(st::closed, e) == st::closed));
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pool_grants)

BOOST_AUTO_TEST_CASE(calls_get_the_right_to_open_up_to_the_limit_then_wait_in_order) {
    auto p = make_pool(2);
    fake_call a{1}, b{2}, c{3}, d{4};
    const auto now = clk::now();
    auto ga = p.request(a, now);
    auto gb = p.request(b, now);
    BOOST_REQUIRE((ga && gb));
    BOOST_TEST((ga->call == &a && !ga->connection));  // open a new one
    BOOST_TEST(p.open() == 2u);
    BOOST_TEST(!p.request(c, now));
    BOOST_TEST(!p.request(d, now));
    BOOST_TEST(p.has_queue());
    BOOST_TEST(p.waiting() == 2u);

    // A connection given back goes straight to the first waiter, not to the idle list.
    auto conn = std::make_shared<fake_connection>();
    auto gc = p.release(conn, now);
    BOOST_REQUIRE(gc);
    BOOST_TEST((gc->call == &c && gc->connection == conn));
    BOOST_TEST(p.idle() == 0u);
    // A failed open gives its slot to the next waiter as a right to open.
    auto gd = p.release(nullptr, now);
    BOOST_REQUIRE(gd);
    BOOST_TEST((gd->call == &d && !gd->connection));
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
    BOOST_TEST((g->connection == newer));
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
    auto granted = p.share(conn);
    BOOST_TEST_REQUIRE(granted.size() == 2u);  // the opener holds the first stream
    BOOST_TEST((granted[0].call == &a && granted[1].call == &b));
    BOOST_TEST((granted[0].connection == conn && granted[1].connection == conn));
    BOOST_TEST(conn->streams == 3u);
    BOOST_TEST(p.waiting() == 1u);
    auto next = p.release(conn, now);  // one stream ends: the queued call takes it
    BOOST_TEST_REQUIRE(next.has_value());
    BOOST_TEST((next->call == &c && next->connection == conn));
    BOOST_TEST(conn->streams == 3u);
    BOOST_TEST(p.open() == 1u);
}

BOOST_AUTO_TEST_CASE(a_call_gets_a_stream_on_the_least_loaded_h2_connection) {
    auto p = make_pool(2);
    const auto now = clk::now();
    fake_call o1(0), o2(1), x(2);
    BOOST_TEST_REQUIRE(p.request(o1, now).has_value());
    BOOST_TEST_REQUIRE(p.request(o2, now).has_value());
    auto busy = h2_connection(10);
    auto quiet = h2_connection(10);
    BOOST_TEST(p.share(busy).empty());
    BOOST_TEST(p.share(quiet).empty());
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
    auto conn = h2_connection(2);
    BOOST_TEST(p.share(conn).empty());
    auto g = p.request(a, now);
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST((g->connection == conn));  // a stream, not a new connection
    BOOST_TEST(p.open() == 1u);
    g = p.request(b, now);
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST((g->connection == nullptr));  // full: the right to open the second
    BOOST_TEST(p.open() == 2u);
}

BOOST_AUTO_TEST_CASE(a_draining_h2_connection_takes_no_call_and_closes_with_its_last_stream) {
    auto p = make_pool(1);
    const auto now = clk::now();
    fake_call o(0), a(1), w(2);
    BOOST_TEST_REQUIRE(p.request(o, now).has_value());
    auto conn = h2_connection(10);
    BOOST_TEST(p.share(conn).empty());
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
    auto conn = h2_connection(10);
    BOOST_TEST(p.share(conn).empty());
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

// Cold start: while no handshake has told the protocol, one connection opens; the queue then
// goes to its streams (HTTP/2) or opens connections up to the limit (HTTP/1.1).
BOOST_AUTO_TEST_SUITE(pool_cold_start)

BOOST_AUTO_TEST_CASE(a_cold_burst_opens_one_connection_until_its_handshake_tells_the_protocol) {
    auto p = probing_pool(16);
    const auto now = clk::now();
    fake_call first(0);
    std::vector<fake_call> burst(49);
    auto g = p.request(first, now);
    BOOST_TEST_REQUIRE((g && g->connection == nullptr));
    queue_all(p, burst, now);
    BOOST_TEST(p.open() == 1u);
    BOOST_TEST(p.waiting() == 49u);
    auto conn = h2_connection(100);  // the handshake says h2, 100 streams
    auto granted = p.share(conn);
    BOOST_TEST_REQUIRE(granted.size() == 49u);
    for (std::size_t i = 0; i < granted.size(); ++i) {
        BOOST_TEST((granted[i].call == &burst[i] && granted[i].connection == conn));
    }
    BOOST_TEST(p.open() == 1u);
    BOOST_TEST(!p.has_queue());
}

BOOST_AUTO_TEST_CASE(http1_learned_opens_up_to_the_limit_for_the_queue_at_once) {
    auto p = probing_pool(4);
    const auto now = clk::now();
    fake_call first(0);
    std::vector<fake_call> burst(5);
    BOOST_TEST_REQUIRE(p.request(first, now).has_value());
    queue_all(p, burst, now);
    auto granted = p.learned_http1();  // the first handshake says HTTP/1.1
    BOOST_TEST_REQUIRE(granted.size() == 3u);
    for (std::size_t i = 0; i < granted.size(); ++i) {
        BOOST_TEST((granted[i].call == &burst[i] && granted[i].connection == nullptr));
    }
    BOOST_TEST(p.open() == 4u);
    BOOST_TEST(p.waiting() == 2u);
    // Remembered: a later call opens without waiting for a handshake.
    auto conn = std::make_shared<fake_connection>();
    auto next = p.release(conn, now);
    BOOST_TEST_REQUIRE(next.has_value());
    BOOST_TEST((next->call == &burst[3] && next->connection == conn));
}

BOOST_AUTO_TEST_CASE(a_failed_first_open_passes_the_right_to_open_to_the_next_call) {
    auto p = probing_pool(16);
    const auto now = clk::now();
    fake_call first(0);
    std::vector<fake_call> burst(3);
    BOOST_TEST_REQUIRE(p.request(first, now).has_value());
    queue_all(p, burst, now);
    auto failed = std::make_shared<fake_connection>();
    failed->usable = false;  // the open failed
    auto g = p.release(failed, now);
    BOOST_TEST(failed->closed);
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST((g->call == &burst[0] && g->connection == nullptr));
    BOOST_TEST(p.open() == 1u);  // still one at a time
    BOOST_TEST(p.waiting() == 2u);
}

BOOST_AUTO_TEST_CASE(h2_opens_as_many_connections_as_the_streams_allowed_require) {
    auto p = probing_pool(16);
    const auto now = clk::now();
    fake_call first(0);
    std::vector<fake_call> burst(6);
    BOOST_TEST_REQUIRE(p.request(first, now).has_value());
    queue_all(p, burst, now);
    // 7 calls, 2 streams per connection: this one carries 2, three more connections open for
    // the other 5, and 2 calls wait for their streams on them.
    auto conn = h2_connection(2);
    auto granted = p.share(conn);
    BOOST_TEST_REQUIRE(granted.size() == 4u);
    BOOST_TEST((granted[0].call == &burst[0] && granted[0].connection == conn));
    for (std::size_t i = 1; i < granted.size(); ++i) {
        BOOST_TEST((granted[i].call == &burst[i] && granted[i].connection == nullptr));
    }
    BOOST_TEST(p.open() == 4u);
    BOOST_TEST(p.waiting() == 2u);
    // A new call while those open: they carry one more each, so it waits for the third...
    fake_call late(9), later(10);
    BOOST_TEST(!p.request(late, now).has_value());
    BOOST_TEST(p.waiting() == 3u);
    // ... and the one after it opens a connection.
    auto g = p.request(later, now);
    BOOST_TEST_REQUIRE(g.has_value());
    BOOST_TEST((g->connection == nullptr));
    BOOST_TEST(p.open() == 5u);
    // A connection opened takes the first queued call; no more open for the others.
    auto second = h2_connection(2);
    granted = p.share(second);
    BOOST_TEST_REQUIRE(granted.size() == 1u);
    BOOST_TEST((granted[0].call == &burst[4] && granted[0].connection == second));
    BOOST_TEST(p.open() == 5u);
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

BOOST_AUTO_TEST_CASE(deadlines_are_kept_in_order_whatever_the_arrival) {
    deadline_list<fake_call, &fake_call::deadline_hook> list;
    const auto t0 = clk::now();
    fake_call calls[4];
    const int offsets[] = {30, 10, 40, 20};
    for (int i = 0; i < 4; ++i) {
        calls[i].id = i;
        calls[i].deadline = t0 + milliseconds(offsets[i]);
        list.insert(calls[i]);
    }
    std::vector<int> order;
    for (auto* c = list.earliest(); c != nullptr; c = list.after(*c)) {
        order.push_back(c->id);
    }
    BOOST_TEST(order == (std::vector<int>{1, 3, 0, 2}), boost::test_tools::per_element());
    list.erase(calls[1]);
    list.erase(calls[1]);  // twice is harmless
    BOOST_TEST(list.earliest() == &calls[3]);
}
