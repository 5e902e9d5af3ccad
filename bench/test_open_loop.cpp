// The open-loop scheduler alone, with calls that are timers: the rate it starts them at, the
// calls an in-flight cap holds back, latency from the due time, errors.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <memory>

#include "open_loop.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// A call that completes `took` after it starts, with `error` (empty: success).
auto timer_call(asio::io_context& ioc, std::chrono::milliseconds took, int* started,
                int fail_every = 0) {
    return [&ioc, took, started, fail_every](bench::open_loop::done_fn done) {
        const int n = ++*started;
        auto timer = std::make_shared<asio::steady_timer>(ioc, took);
        timer->async_wait([timer, done = std::move(done), n, fail_every](auto) {
            done(fail_every != 0 && n % fail_every == 0 ? "failed" : "");
        });
    };
}

// Runs `loop` on `ioc` until nothing is left to do; true when the loop called its completion.
bool run_to_end(bench::open_loop& loop, asio::io_context& ioc) {
    bool finished = false;
    loop.run([&] { finished = true; });
    ioc.run();
    return finished;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(open_loop)

BOOST_AUTO_TEST_CASE(calls_start_at_the_rate_and_latency_runs_from_the_due_time) {
    asio::io_context ioc;
    int started = 0;
    bench::open_loop loop(ioc.get_executor(), 1000, 200, 1000, timer_call(ioc, 2ms, &started));
    BOOST_TEST(run_to_end(loop, ioc));
    const auto& r = loop.result();
    BOOST_TEST(started == 200);
    BOOST_TEST(r.started == 200u);
    BOOST_TEST(r.completed == 200u);
    BOOST_TEST(r.errors == 0u);
    BOOST_TEST(r.late_starts == 0u);
    BOOST_TEST(r.latency_us.size() == 200u);
    // 199 intervals of 1 ms; a timer that wakes late shifts a start, not the schedule.
    BOOST_TEST(r.sent_per_second() >= 900.0);
    BOOST_TEST(r.sent_per_second() <= 1100.0);
    // Each call takes at least its 2 ms timer, counted from when it was due.
    BOOST_TEST(*std::min_element(r.latency_us.begin(), r.latency_us.end()) >= 2000u);
}

BOOST_AUTO_TEST_CASE(calls_the_cap_holds_back_start_late_and_wait_in_their_latency) {
    // Due every 1 ms, 10 ms each, one at a time: every call after the first is held back, and
    // call i completes no earlier than 10 (i + 1) ms, i ms after it was due.
    asio::io_context ioc;
    int started = 0;
    bench::open_loop loop(ioc.get_executor(), 1000, 20, 1, timer_call(ioc, 10ms, &started));
    run_to_end(loop, ioc);
    const auto& r = loop.result();
    BOOST_TEST(r.completed == 20u);
    BOOST_TEST(r.late_starts == 19u);
    const auto max = *std::max_element(r.latency_us.begin(), r.latency_us.end());
    BOOST_TEST(max >= 181000u);  // 20 x 10 ms - 19 ms
    BOOST_TEST(max < 2000000u);
    BOOST_TEST(r.max_start_lag_us >= 171000u);  // the last one started after 19 calls of 10 ms
}

BOOST_AUTO_TEST_CASE(failed_calls_are_counted_and_left_out_of_the_latencies) {
    asio::io_context ioc;
    int started = 0;
    bench::open_loop loop(ioc.get_executor(), 2000, 30, 100, timer_call(ioc, 1ms, &started, 3));
    run_to_end(loop, ioc);
    const auto& r = loop.result();
    BOOST_TEST(r.completed == 30u);
    BOOST_TEST(r.errors == 10u);
    BOOST_TEST(r.first_error == "failed");
    BOOST_TEST(r.latency_us.size() == 20u);
}

BOOST_AUTO_TEST_CASE(no_calls_finish_at_once) {
    asio::io_context ioc;
    int started = 0;
    bench::open_loop loop(ioc.get_executor(), 100, 0, 10, timer_call(ioc, 1ms, &started));
    BOOST_TEST(run_to_end(loop, ioc));
    BOOST_TEST(started == 0);
}

BOOST_AUTO_TEST_SUITE_END()
