// Deadlines, per-operation cancellation, and closing or destroying the client mid-call.

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "support/calls.hpp"
#include "support/h2_run.hpp"
#include "support/tokens.hpp"

namespace asio = boost::asio;
using namespace stytch;
using namespace stytch::test;
using clock_type = std::chrono::steady_clock;

namespace {

long long ms_since(clock_type::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start).count();
}

void stall_everything(mock::server& s) {
    inject(s, {.action = mock::reply::kind::stall});
}

bool all_completed_once(const std::vector<completion>& done) {
    return std::all_of(done.begin(), done.end(), [](const completion& d) { return d.count == 1; });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lifetime)

BOOST_AUTO_TEST_CASE(deadline_ends_a_stalled_call_with_timed_out,
                     *http1_only("over h2 a deadline resets the stream and keeps the connection")) {
    server_fixture f;
    stall_everything(f.server);
    auto cfg = f.config();
    cfg.request_timeout = std::chrono::milliseconds(300);
    client c(f.ioc.get_executor(), cfg);
    auto start = clock_type::now();
    auto r = f.run(c.organizations().async_delete_external_id({first_org}, {},
                                                              stytch::test::awaitable_result));
    auto elapsed_ms = ms_since(start);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == asio::error::timed_out);
    BOOST_TEST(elapsed_ms >= 300);
    BOOST_TEST(elapsed_ms < 3000);
    // The timed-out connection was closed, not pooled.
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0; }));
}

// One connection, twelve callers: the second to fourth wait in the pool, the others (beyond
// four per connection) in the client's waiting room before their coroutine starts. Deadline,
// cancellation and close reach them in both places.
BOOST_AUTO_TEST_CASE(deadline_bounds_the_wait_for_a_connection_and_in_the_waiting_room) {
    server_fixture f;
    stall_everything(f.server);
    auto cfg = f.config();
    cfg.max_connections = 1;
    cfg.max_streams_per_connection = 1;  // over HTTP/2 too: one call per connection
    cfg.request_timeout = std::chrono::milliseconds(200);
    client c(f.ioc.get_executor(), cfg);
    std::vector<completion> done(12);
    const auto start = clock_type::now();
    for (auto& d : done) {
        c.organizations().async_delete_external_id({first_org}, {}, record(d));
    }
    f.run_until([&] { return all_completed_once(done); });
    for (auto& d : done) {
        BOOST_TEST(d.ec == asio::error::timed_out);
    }
    BOOST_TEST(ms_since(start) < 1000);
    BOOST_TEST(f.server.requests().size() == 1u);  // only the first got a connection
}

BOOST_AUTO_TEST_CASE(cancelling_a_call_in_the_waiting_room_keeps_the_order_of_the_others) {
    server_fixture f;
    auto cfg = f.config();
    cfg.max_connections = 1;
    cfg.max_streams_per_connection = 1;  // over HTTP/2 too: one call per connection
    client c(f.ioc.get_executor(), cfg);
    asio::cancellation_signal signal;
    std::vector<completion> done(10);
    std::vector<int> order;
    auto orgs = c.organizations();
    for (int i = 0; i < 10; ++i) {
        auto handler = [&, i](boost::system::error_code ec, b2b::delete_external_id_response) {
            done[i].ec = ec;
            ++done[i].count;
            order.push_back(i);
        };
        const std::string id = "org-" + std::to_string(i);  // the request is a view of it
        const b2b::delete_external_id_request request{id};
        if (i == 7) {
            orgs.async_delete_external_id(request, {},
                                          asio::bind_cancellation_slot(signal.slot(), handler));
        } else {
            orgs.async_delete_external_id(request, {}, handler);
        }
    }
    asio::post(f.ioc, [&] { signal.emit(asio::cancellation_type::terminal); });
    f.run_until([&] { return order.size() == 10; });
    BOOST_TEST(done[7].ec == asio::error::operation_aborted);
    std::vector<int> served;
    for (int i : order) {
        if (i != 7) {
            // The mock knows none of these organizations: each call got its API error.
            BOOST_TEST((done[i].ec == error::organization_not_found), done[i].ec.message());
            served.push_back(i);
        }
    }
    const std::vector<int> expected{0, 1, 2, 3, 4, 5, 6, 8, 9};
    BOOST_TEST(served == expected, boost::test_tools::per_element());
    const auto requests = f.server.requests();
    BOOST_REQUIRE_EQUAL(requests.size(), 9u);
    for (std::size_t k = 0; k < requests.size(); ++k) {
        BOOST_TEST(requests[k].target ==
                   "/v1/b2b/organizations/org-" + std::to_string(expected[k]) + "/external_id");
    }
}

BOOST_AUTO_TEST_CASE(a_new_call_does_not_overtake_the_waiting_room) {
    server_fixture f;
    auto cfg = f.config();
    cfg.max_connections = 1;
    cfg.max_streams_per_connection = 1;  // over HTTP/2 too: one call per connection
    client c(f.ioc.get_executor(), cfg);
    auto orgs = c.organizations();
    int done = 0;
    auto count = [&](boost::system::error_code, b2b::delete_external_id_response) { ++done; };
    for (int i = 0; i < 10; ++i) {
        const std::string id = "org-" + std::to_string(i);  // the request is a view of it
        const b2b::delete_external_id_request request{id};
        if (i == 0) {
            // The first completion frees a running slot; the call it starts must queue behind
            // the six already in the room.
            orgs.async_delete_external_id(
                request, {}, [&](boost::system::error_code, b2b::delete_external_id_response) {
                    ++done;
                    const b2b::delete_external_id_request late{"org-late"};
                    orgs.async_delete_external_id(late, {}, count);
                });
        } else {
            orgs.async_delete_external_id(request, {}, count);
        }
    }
    f.run_until([&] { return done == 11; });
    const auto requests = f.server.requests();
    BOOST_REQUIRE_EQUAL(requests.size(), 11u);
    for (int i = 0; i < 10; ++i) {
        BOOST_TEST(requests[i].target ==
                   "/v1/b2b/organizations/org-" + std::to_string(i) + "/external_id");
    }
    BOOST_TEST(requests[10].target == "/v1/b2b/organizations/org-late/external_id");
}

BOOST_AUTO_TEST_CASE(closing_completes_calls_in_the_waiting_room) {
    server_fixture f;
    stall_everything(f.server);
    auto cfg = f.config();
    cfg.max_connections = 1;
    cfg.max_streams_per_connection = 1;  // over HTTP/2 too: one call per connection
    client c(f.ioc.get_executor(), cfg);
    std::vector<completion> done(12);
    for (auto& d : done) {
        c.organizations().async_delete_external_id({first_org}, {}, record(d));
    }
    c.close();  // queued behind the twelve admissions: four calls run, eight wait in the room
    f.run_until([&] { return all_completed_once(done); });
    for (auto& d : done) {
        BOOST_TEST(d.ec == error::client_closed);
    }
}

BOOST_AUTO_TEST_CASE(
    cancellation_during_the_exchange_aborts_and_discards_the_connection,
    *http1_only("over h2 a cancellation resets the stream and keeps the connection")) {
    server_fixture f;
    std::atomic<bool> stall{true};
    f.server.set_override([&](const mock::recorded_request&) -> std::optional<mock::reply> {
        if (!stall) {
            return std::nullopt;
        }
        mock::reply r;
        r.action = mock::reply::kind::stall;
        return r;
    });
    client c(f.ioc.get_executor(), f.config());
    asio::cancellation_signal signal;
    completion done;
    c.organizations().async_delete_external_id(
        {first_org}, {}, asio::bind_cancellation_slot(signal.slot(), record(done)));
    std::thread runner([&] { f.ioc.run_for(std::chrono::seconds(10)); });
    BOOST_REQUIRE(eventually([&] { return f.server.requests().size() == 1; }));
    auto start = clock_type::now();
    asio::post(f.ioc, [&] { signal.emit(asio::cancellation_type::terminal); });
    runner.join();
    BOOST_TEST(done.count == 1);
    BOOST_TEST(done.ec == asio::error::operation_aborted);
    BOOST_TEST(ms_since(start) < 5000);

    stall = false;
    auto r = f.run(c.organizations().async_delete_external_id({first_org}, {},
                                                              stytch::test::awaitable_result));
    BOOST_TEST(r.has_value());
    BOOST_TEST(f.server.connections_accepted() == 2u);  // the aborted connection was not reused
}

BOOST_AUTO_TEST_CASE(cancellation_while_waiting_for_a_connection_passes_the_turn_on) {
    server_fixture f;
    auto cfg = f.config();
    cfg.max_connections = 1;
    cfg.max_streams_per_connection = 1;  // over HTTP/2 too: one call per connection
    client c(f.ioc.get_executor(), cfg);
    asio::cancellation_signal signal;
    completion first, cancelled, third;
    auto orgs = c.organizations();
    orgs.async_delete_external_id({first_org}, {}, record(first));
    orgs.async_delete_external_id({first_org}, {},
                                  asio::bind_cancellation_slot(signal.slot(), record(cancelled)));
    orgs.async_delete_external_id({first_org}, {}, record(third));
    // Cancel the second caller before anything ran: it is queued behind the first.
    asio::post(f.ioc, [&] { signal.emit(asio::cancellation_type::terminal); });
    f.run_until([&] { return first.count + cancelled.count + third.count == 3; });
    BOOST_TEST(!first.ec);
    BOOST_TEST(cancelled.ec == asio::error::operation_aborted);
    BOOST_TEST(!third.ec);
    BOOST_TEST(f.server.requests().size() == 2u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(cancellation_right_after_initiation_sends_nothing) {
    server_fixture f;
    client c(f.ioc.get_executor(), f.config());
    asio::cancellation_signal signal;
    completion done;
    c.organizations().async_delete_external_id(
        {first_org}, {}, asio::bind_cancellation_slot(signal.slot(), record(done)));
    signal.emit(asio::cancellation_type::terminal);
    f.run_until([&] { return done.count == 1; });
    BOOST_TEST(done.ec == asio::error::operation_aborted);
    BOOST_TEST(f.server.requests().empty());
}

BOOST_AUTO_TEST_CASE(destroying_the_client_completes_every_call) {
    server_fixture f;
    stall_everything(f.server);
    auto cfg = f.config();
    cfg.max_connections = 2;
    std::vector<completion> done(6);
    auto c = std::make_unique<client>(f.ioc.get_executor(), cfg);
    for (auto& d : done) {
        c->organizations().async_delete_external_id({first_org}, {}, record(d));
    }
    auto work = asio::make_work_guard(f.ioc);
    std::thread runner([&] { f.ioc.run(); });
    // In flight: one call per connection over HTTP/1.1, all six on one connection over h2.
    const std::size_t in_flight = over_http2() ? 6 : 2;
    BOOST_REQUIRE(eventually([&] { return f.server.requests().size() == in_flight; }));
    asio::post(f.ioc, [&] { c.reset(); });
    BOOST_REQUIRE(eventually([&] {
        // The completions run on the io_context thread; read them there.
        std::promise<bool> all;
        asio::post(f.ioc, [&] { all.set_value(all_completed_once(done)); });
        return all.get_future().get();
    }));
    work.reset();
    runner.join();
    for (auto& d : done) {
        BOOST_TEST(d.ec == error::client_closed);
    }
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0; }));
}

BOOST_AUTO_TEST_CASE(handle_outliving_the_client_fails_cleanly) {
    server_fixture f;
    std::optional<b2b::organizations> orgs;
    {
        client c(f.ioc.get_executor(), f.config());
        orgs = c.organizations();
    }
    auto r = f.run(orgs->async_delete_external_id({first_org}, {}, stytch::test::awaitable_result));
    BOOST_TEST(r.error().code == error::client_closed);
    BOOST_TEST(f.server.connections_accepted() == 0u);
}

BOOST_AUTO_TEST_CASE(a_moved_from_client_is_closed_and_safe) {
    server_fixture f;
    client c(f.ioc.get_executor(), f.config());
    client moved(std::move(c));
    c.close();  // NOLINT(bugprone-use-after-move): what this test is about
    c.close();
    BOOST_TEST(!c.get_executor());
    BOOST_TEST(c.config().project_id.empty());
    auto r = f.run(c.organizations().async_delete_external_id({first_org}, {},
                                                              stytch::test::awaitable_result));
    BOOST_TEST(r.error().code == error::client_closed);
    completion done;
    c.organizations().async_delete_external_id({first_org}, {},
                                               asio::bind_executor(f.ioc, record(done)));
    f.run_until([&] { return done.count == 1; });
    BOOST_TEST(done.ec == error::client_closed);
    // The client it was moved into works.
    BOOST_TEST(f.run(moved.organizations().async_delete_external_id({first_org}, {},
                                                                    stytch::test::awaitable_result))
                   .has_value());
    BOOST_TEST(f.server.requests_received() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
