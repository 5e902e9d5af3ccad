// close() says goodbye: over HTTP/2 a GOAWAY, then TLS close_notify, then the TCP close; an
// idle HTTP/1.1 connection gets the close_notify. A server that reads nothing holds neither
// close() nor the io_context beyond the short bound.

#include <chrono>
#include <vector>

#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/h2_run.hpp"

using namespace stytch;
using namespace stytch::test;
using std::chrono::milliseconds;

namespace {

client_fixture::tweak speaking_version(http_version version) {
    return [version](client_config& cfg) { cfg.http_version = version; };
}

// Closes `c` and runs the io_context until nothing is left (the goodbyes included).
void close_and_run(server_fixture& f, client& c) {
    c.close();
    f.ioc.restart();
    f.ioc.run();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(goodbye)

BOOST_AUTO_TEST_CASE(close_sends_goaway_then_close_notify_over_h2) {
    client_fixture f(speaking({"h2"}));
    auto& c = f.make_client(speaking_version(http_version::http2));
    BOOST_TEST_REQUIRE(f.run_call().has_value());
    const auto start = std::chrono::steady_clock::now();
    close_and_run(f, c);
    BOOST_TEST_MESSAGE("goodbye over h2 took "
                       << std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count()
                       << " us");
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0; }));
    BOOST_TEST(f.server.goaways_received() == 1u);
    BOOST_TEST(f.server.close_notifies_received() == 1u);
}

BOOST_AUTO_TEST_CASE(close_with_streams_in_flight_still_says_goodbye_over_h2) {
    auto so = speaking({"h2"});
    so.answer_delay = std::chrono::minutes(1);
    client_fixture f(so);
    auto& c = f.make_client(speaking_version(http_version::http2));
    call_batch calls;
    calls.start(c, 5);
    f.run_until_server([&] { return f.server.requests_received() >= calls.done.size(); });
    BOOST_TEST_REQUIRE(f.server.requests_received() == calls.done.size());
    close_and_run(f, c);
    for (const auto& d : calls.done) {
        BOOST_TEST(d.count == 1);
        BOOST_TEST((d.ec == error::client_closed), d.ec.message());
    }
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0; }));
    BOOST_TEST(f.server.goaways_received() == 1u);
    BOOST_TEST(f.server.close_notifies_received() == 1u);
}

BOOST_AUTO_TEST_CASE(close_sends_close_notify_on_an_idle_http1_connection,
                     *http1_only("the HTTP/2 run gives the default server h2")) {
    client_fixture f(speaking({"http/1.1"}));
    auto& c = f.make_client(speaking_version(http_version::http1_1));
    BOOST_TEST_REQUIRE(f.run_call().has_value());
    close_and_run(f, c);
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0; }));
    BOOST_TEST(f.server.goaways_received() == 0u);
    BOOST_TEST(f.server.close_notifies_received() == 1u);
}

BOOST_AUTO_TEST_CASE(a_server_that_reads_nothing_holds_close_for_one_second_at_most,
                     *http1_only("the HTTP/2 run gives the default server h2")) {
    client_fixture f(speaking({"http/1.1"}));
    // The answer, then the server reads nothing (and does not close) for 30 s.
    mock::reply r;
    r.action = mock::reply::kind::script;
    r.script = {mock::script_step::normal_answer(),
                mock::script_step::write("", std::chrono::seconds(30))};
    inject(f.server, r, 1);
    auto& c = f.make_client([](client_config& cfg) {
        speaking_version(http_version::http1_1)(cfg);
        cfg.connect_timeout = std::chrono::seconds(5);  // the goodbye's limit is 1 s below it
    });
    BOOST_TEST_REQUIRE(f.run_call().has_value());
    const auto start = std::chrono::steady_clock::now();
    close_and_run(f, c);
    const auto took = std::chrono::steady_clock::now() - start;
    BOOST_TEST_MESSAGE("close() with a server that reads nothing: ioc.run() returned after "
                       << std::chrono::duration_cast<milliseconds>(took).count() << " ms");
    // The bound is 1 s; 3 s leaves room for a loaded machine, far from the server's 30 s.
    BOOST_TEST(took < std::chrono::seconds(3));
    BOOST_TEST(f.server.scripts_running() == 1u);  // the server was still not reading
}

BOOST_AUTO_TEST_CASE(a_client_destroyed_with_goodbyes_pending_leaves_nothing_behind) {
    client_fixture f(speaking({"h2"}));
    {
        boost::asio::io_context ioc;
        {
            client c(ioc.get_executor(),
                     fast_config(f, f.log, speaking_version(http_version::http2)));
            bool ok = false;
            c.organizations().async_delete_external_id(
                {first_org}, {},
                [&](boost::system::error_code ec, b2b::delete_external_id_response) { ok = !ec; });
            while (!ok && ioc.run_one() != 0) {
            }
            BOOST_TEST_REQUIRE(ok);
        }               // the destructor closes: the goodbye is queued, not yet run
        ioc.run_one();  // the goodbye starts, then the io_context goes with it pending
    }
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0; }));
}

BOOST_AUTO_TEST_SUITE_END()
