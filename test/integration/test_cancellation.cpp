// Which cancellation types a call honours when: terminal always (see test_lifetime.cpp),
// partial and total only until the request starts going on the wire.

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/tokens.hpp"

namespace asio = boost::asio;
using namespace stytch;
using namespace stytch::test;

namespace {

// Holds the server's answers (normal handling) until release(); releases on destruction so
// the server's threads can be joined.
struct answer_gate {
    explicit answer_gate(mock::server& s) {
        s.set_override([this](const mock::recorded_request&) -> std::optional<mock::reply> {
            std::unique_lock lock(m);
            ++held;
            cv.notify_all();
            cv.wait_for(lock, std::chrono::seconds(20), [&] { return open; });
            return std::nullopt;
        });
    }
    ~answer_gate() { release(); }
    void release() {
        std::lock_guard lock(m);
        open = true;
        cv.notify_all();
    }
    bool wait_held(int n) {
        std::unique_lock lock(m);
        return cv.wait_for(lock, std::chrono::seconds(10), [&] { return held >= n; });
    }

    std::mutex m;
    std::condition_variable cv;
    int held = 0;
    bool open = false;
};

constexpr asio::cancellation_type partial_and_total[] = {asio::cancellation_type::partial,
                                                         asio::cancellation_type::total};

}  // namespace

BOOST_AUTO_TEST_SUITE(cancellation_types)

BOOST_AUTO_TEST_CASE(partial_and_total_are_ignored_once_the_request_is_on_the_wire) {
    for (auto type : partial_and_total) {
        server_fixture f;
        answer_gate gate(f.server);
        client c(f.ioc.get_executor(), f.config());
        asio::cancellation_signal signal;
        completion done;
        start_cancellable(c, signal, done);
        std::thread runner([&] { f.ioc.run_for(std::chrono::seconds(20)); });
        BOOST_REQUIRE(gate.wait_held(1));  // the request has arrived: it was written
        // The emit runs on the io_context before the answer can be read: the answer leaves
        // the server only on release().
        asio::post(f.ioc, [&] {
            signal.emit(type);
            gate.release();
        });
        runner.join();
        BOOST_TEST(done.count == 1);
        BOOST_TEST(!done.ec, "type " << static_cast<int>(type) << ": " << done.ec.message());
        BOOST_TEST(f.run(c.organizations().async_delete_external_id({first_org}, {},
                                                                    stytch::test::awaitable_result))
                       .has_value());
        BOOST_TEST(f.server.connections_accepted() == 1u);  // the connection stayed pooled
    }
}

BOOST_AUTO_TEST_CASE(partial_and_total_abort_a_call_waiting_for_a_connection) {
    for (auto type : partial_and_total) {
        server_fixture f;
        answer_gate gate(f.server);
        auto cfg = f.config();
        one_call_at_a_time(cfg);
        client c(f.ioc.get_executor(), cfg);
        asio::cancellation_signal signal;
        completion first, waiting;
        auto orgs = c.organizations();
        orgs.async_delete_external_id({first_org}, {}, record(first));
        orgs.async_delete_external_id({first_org}, {},
                                      asio::bind_cancellation_slot(signal.slot(), record(waiting)));
        std::thread runner([&] { f.ioc.run_for(std::chrono::seconds(20)); });
        BOOST_REQUIRE(gate.wait_held(1));  // the first call holds the only connection
        asio::post(f.ioc, [&] { signal.emit(type); });
        BOOST_TEST(eventually([&] {
            std::promise<int> n;
            asio::post(f.ioc, [&] { n.set_value(waiting.count); });
            return n.get_future().get() == 1;
        }));
        gate.release();
        runner.join();
        BOOST_TEST(waiting.count == 1);
        BOOST_TEST(waiting.ec == asio::error::operation_aborted);
        BOOST_TEST(first.count == 1);
        BOOST_TEST(!first.ec);
        BOOST_TEST(f.server.requests_received() == 1u);  // the cancelled call sent nothing
    }
}

BOOST_AUTO_TEST_SUITE_END()
