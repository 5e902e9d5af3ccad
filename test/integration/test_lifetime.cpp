// Deadlines, per-operation cancellation, and closing or destroying the client mid-call.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/calls.hpp"
#include "support/client_fixture.hpp"
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

// A client loads the system trust store when it is made: about 140 certificates parsed, 10 ms
// and more under AddressSanitizer. The teardown tests make thousands of clients for the mock,
// whose CA is in `ca_file`: for their duration the system store is an empty file. (OpenSSL
// reads SSL_CERT_FILE per client and clears the error of a store it cannot load.) Made before
// the test's server and gone after it: no other thread runs meanwhile.
class without_system_trust_store {
  public:
    without_system_trust_store() {
        if (const char* was = std::getenv("SSL_CERT_FILE")) {
            was_ = was;
        }
        ::setenv("SSL_CERT_FILE", "/dev/null", 1);
    }
    ~without_system_trust_store() {
        if (was_) {
            ::setenv("SSL_CERT_FILE", was_->c_str(), 1);
        } else {
            ::unsetenv("SSL_CERT_FILE");
        }
    }
    without_system_trust_store(const without_system_trust_store&) = delete;
    without_system_trust_store& operator=(const without_system_trust_store&) = delete;

  private:
    std::optional<std::string> was_;
};

// Teardown rounds: a client and its own execution context, destroyed in either order.
enum class destroyed_first { client, context };
enum class context_kind {
    io_context,   ///< the client on the io_context's executor
    strand,       ///< on a strand of it
    thread_pool,  ///< on a thread_pool of one thread (the generic client)
};
enum class calls_at_teardown {
    none,       ///< the client never called
    idle,       ///< one call completed: a connection idles in the pool
    started,    ///< calls started, the io_context never run
    in_flight,  ///< the context ran until calls were on the wire, then stopped
};

// A caller's coroutine: its frame (holding `token`) belongs to the call's handler.
asio::awaitable<void> awaiting_caller(b2b::organizations orgs,
                                      [[maybe_unused]] std::shared_ptr<int> token,
                                      std::shared_ptr<std::atomic<int>> invoked) {
    const b2b::delete_external_id_request request{first_org};
    co_await orgs.async_delete_external_id(request, {}, asio::as_tuple(asio::use_awaitable));
    ++*invoked;
}

// One round's execution context.
struct round_context {
    explicit round_context(context_kind kind) {
        if (kind == context_kind::thread_pool) {
            pool = std::make_unique<asio::thread_pool>(1);
        } else {
            ioc = std::make_unique<asio::io_context>();
        }
    }
    asio::any_io_executor executor(context_kind kind) const {
        if (pool) {
            return pool->get_executor();
        }
        return kind == context_kind::strand ? asio::any_io_executor(asio::make_strand(*ioc))
                                            : asio::any_io_executor(ioc->get_executor());
    }
    void stop() {
        if (pool) {
            pool->stop();
            pool->join();
        } else {
            ioc->stop();
        }
    }
    void destroy() {
        pool.reset();
        ioc.reset();
    }

    std::unique_ptr<asio::io_context> ioc;
    std::unique_ptr<asio::thread_pool> pool;
};

// `rounds` times: a client on a new execution context, calls as `mode` says, then both
// destroyed in `order`. Every handler (four callbacks, two coroutines) holds a copy of a
// token: once both are gone, only the test's copy may remain — the calls, their handlers and
// the connections they hold are freed — and no handler ran (handlers of a destroyed context
// are destroyed, not invoked). Under AddressSanitizer this also shows that nothing touches
// the destroyed context, and LeakSanitizer that nothing else leaks.
void teardown_rounds(server_fixture& f, const client_config& cfg, destroyed_first order,
                     calls_at_teardown mode, std::size_t in_flight,
                     context_kind kind = context_kind::io_context, int rounds = 100) {
    for (int round = 0; round < rounds; ++round) {
        auto token = std::make_shared<int>(round);
        auto invoked = std::make_shared<std::atomic<int>>(0);
        round_context ctx(kind);
        auto c = std::make_unique<client>(ctx.executor(kind), cfg);
        const auto before = f.server.requests_received();
        if (mode == calls_at_teardown::idle) {
            c->organizations().async_delete_external_id(
                {first_org}, {}, [token, invoked](boost::system::error_code, auto) { ++*invoked; });
            if (ctx.ioc) {
                ctx.ioc->run();  // returns once the call completed: an idle pool holds nothing
            }
            BOOST_REQUIRE(eventually([&] { return invoked->load() == 1; }));
            invoked->store(0);
        } else if (mode != calls_at_teardown::none) {
            for (int i = 0; i < 4; ++i) {
                c->organizations().async_delete_external_id(
                    {first_org}, {},
                    [token, invoked](boost::system::error_code, auto) { ++*invoked; });
            }
            for (int i = 0; i < 2; ++i) {
                asio::co_spawn(ctx.executor(kind),
                               awaiting_caller(c->organizations(), token, invoked), asio::detached);
            }
        }
        if (mode == calls_at_teardown::in_flight) {
            std::thread runner;
            if (ctx.ioc) {
                runner = std::thread([&] { ctx.ioc->run(); });
            }
            const bool on_the_wire =
                eventually([&] { return f.server.requests_received() - before >= in_flight; });
            ctx.stop();
            if (runner.joinable()) {
                runner.join();
            }
            BOOST_REQUIRE(on_the_wire);
        }
        if (order == destroyed_first::client) {
            c.reset();
            ctx.destroy();
        } else {
            ctx.destroy();
            c.reset();
        }
        BOOST_REQUIRE_EQUAL(token.use_count(), 1);
        BOOST_REQUIRE_EQUAL(invoked->load(), 0);
    }
    // Every connection was closed: the server saw each one go.
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0; }));
}

/// The config of the in-flight teardowns: two connections.
client_config two_connections(const server_fixture& f) {
    auto cfg = f.config();
    cfg.max_connections = 2;
    return cfg;
}

/// Calls on the wire at teardown with two connections: one per connection over HTTP/1.1
/// (four more wait for a connection), all six as streams over HTTP/2.
std::size_t in_flight_at_teardown() {
    return over_http2() ? 6 : 2;
}

/// Teardown in `order` right after the calls were started: nothing was sent.
void teardown_with_calls_started(destroyed_first order) {
    without_system_trust_store fast_clients;
    server_fixture f;
    teardown_rounds(f, f.config(), order, calls_at_teardown::started, 0);
    BOOST_TEST(f.server.requests_received() == 0u);
}

/// Teardown in `order` of a stopped context with calls in flight on a stalling server.
void teardown_with_calls_in_flight(destroyed_first order) {
    without_system_trust_store fast_clients;
    server_fixture f;
    stall_everything(f.server);
    teardown_rounds(f, two_connections(f), order, calls_at_teardown::in_flight,
                    in_flight_at_teardown());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lifetime)

BOOST_AUTO_TEST_CASE(deadline_ends_a_stalled_call_with_timed_out,
                     *http1_only("over h2 a deadline resets the stream and keeps the connection")) {
    client_fixture f;
    stall_everything(f.server);
    f.make_client(f.config(),
                  [](client_config& cfg) { cfg.request_timeout = std::chrono::milliseconds(300); });
    auto start = clock_type::now();
    auto r = f.run_call();
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
    client_fixture f;
    stall_everything(f.server);
    auto& c = f.make_client(f.config(), [](client_config& cfg) {
        one_call_at_a_time(cfg);
        cfg.request_timeout = std::chrono::milliseconds(200);
    });
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
    client_fixture f;
    auto& c = f.make_client(f.config(), one_call_at_a_time);
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
    client_fixture f;
    auto& c = f.make_client(f.config(), one_call_at_a_time);
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
    client_fixture f;
    stall_everything(f.server);
    auto& c = f.make_client(f.config(), one_call_at_a_time);
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
    start_cancellable(c, signal, done);
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
    client_fixture f;
    auto& c = f.make_client(f.config(), one_call_at_a_time);
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
    start_cancellable(c, signal, done);
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

// Issue 18, item 4: every order of destruction frees everything and never touches freed
// memory (run under AddressSanitizer and LeakSanitizer by scripts/sanitize).
BOOST_AUTO_TEST_CASE(teardown_client_then_never_run_io_context_with_calls_started) {
    teardown_with_calls_started(destroyed_first::client);
}

BOOST_AUTO_TEST_CASE(teardown_never_run_io_context_then_client_with_calls_started) {
    teardown_with_calls_started(destroyed_first::context);
}

BOOST_AUTO_TEST_CASE(teardown_client_then_stopped_io_context_with_calls_in_flight) {
    teardown_with_calls_in_flight(destroyed_first::client);
}

BOOST_AUTO_TEST_CASE(teardown_stopped_io_context_then_client_with_calls_in_flight) {
    teardown_with_calls_in_flight(destroyed_first::context);
}

// HTTP/2 in every run: a connection's reader and writer coroutines, and the streams waiting
// on it, hold the connection.
BOOST_AUTO_TEST_CASE(teardown_over_http2_with_calls_in_flight_in_either_order) {
    mock::server_options so;
    so.alpn = {"h2"};
    without_system_trust_store fast_clients;
    server_fixture f(so);
    stall_everything(f.server);
    auto cfg = f.config();
    cfg.http_version = http_version::http2;
    cfg.max_connections = 2;
    for (auto order : {destroyed_first::client, destroyed_first::context}) {
        teardown_rounds(f, cfg, order, calls_at_teardown::in_flight, 6);
    }
}

BOOST_AUTO_TEST_CASE(teardown_without_calls_or_with_an_idle_connection_in_either_order) {
    without_system_trust_store fast_clients;
    server_fixture f;
    for (auto mode : {calls_at_teardown::none, calls_at_teardown::idle}) {
        for (auto order : {destroyed_first::client, destroyed_first::context}) {
            teardown_rounds(f, f.config(), order, mode, 0);
        }
    }
}

// A strand touches its context when destroyed: the client lets go of its copies of the
// executor with the context. A thread_pool is another execution context (the
// generic client, whose connections are strands of the type-erased executor).
BOOST_AUTO_TEST_CASE(teardown_on_a_strand_or_a_thread_pool_in_either_order) {
    without_system_trust_store fast_clients;
    server_fixture f;
    stall_everything(f.server);
    for (auto kind : {context_kind::strand, context_kind::thread_pool}) {
        for (auto order : {destroyed_first::client, destroyed_first::context}) {
            teardown_rounds(f, two_connections(f), order, calls_at_teardown::in_flight,
                            in_flight_at_teardown(), kind);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
