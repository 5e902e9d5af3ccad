// close() says goodbye: over HTTP/2 a GOAWAY, then TLS close_notify, then the TCP close; an
// idle HTTP/1.1 connection gets the close_notify. A server that reads nothing holds neither
// close() nor the io_context beyond the short bound.

#include <chrono>
#include <vector>

#include "support/calls.hpp"
#include "support/h2_run.hpp"

using namespace stytch;
using namespace stytch::test;
using std::chrono::milliseconds;

namespace {

mock::server_options speaking(std::vector<std::string> alpn) {
    mock::server_options so;
    so.alpn = std::move(alpn);
    return so;
}

client_config config_for(const server_fixture& f, http_version version) {
    auto cfg = fast_config(f);
    cfg.http_version = version;
    return cfg;
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
    server_fixture f(speaking({"h2"}));
    client c(f.ioc.get_executor(), config_for(f, http_version::http2));
    BOOST_TEST_REQUIRE(call(f, c).has_value());
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
    server_fixture f(so);
    client c(f.ioc.get_executor(), config_for(f, http_version::http2));
    std::vector<completion> done(5);
    for (auto& d : done) {
        c.organizations().async_delete_external_id({first_org}, {}, record(d));
    }
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (f.server.requests_received() < done.size() &&
           std::chrono::steady_clock::now() < give_up) {
        f.ioc.restart();
        f.ioc.run_for(milliseconds(10));
    }
    BOOST_TEST_REQUIRE(f.server.requests_received() == done.size());
    close_and_run(f, c);
    for (const auto& d : done) {
        BOOST_TEST(d.count == 1);
        BOOST_TEST((d.ec == error::client_closed), d.ec.message());
    }
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0; }));
    BOOST_TEST(f.server.goaways_received() == 1u);
    BOOST_TEST(f.server.close_notifies_received() == 1u);
}

BOOST_AUTO_TEST_CASE(close_sends_close_notify_on_an_idle_http1_connection,
                     *http1_only("the HTTP/2 run gives the default server h2")) {
    server_fixture f(speaking({"http/1.1"}));
    client c(f.ioc.get_executor(), config_for(f, http_version::http1_1));
    BOOST_TEST_REQUIRE(call(f, c).has_value());
    close_and_run(f, c);
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0; }));
    BOOST_TEST(f.server.goaways_received() == 0u);
    BOOST_TEST(f.server.close_notifies_received() == 1u);
}

BOOST_AUTO_TEST_CASE(a_server_that_reads_nothing_holds_close_for_one_second_at_most,
                     *http1_only("the HTTP/2 run gives the default server h2")) {
    server_fixture f(speaking({"http/1.1"}));
    // The answer, then the server reads nothing (and does not close) for 30 s.
    mock::reply r;
    r.action = mock::reply::kind::script;
    r.script = {mock::script_step::normal_answer(),
                mock::script_step::write("", std::chrono::seconds(30))};
    inject(f.server, r, 1);
    auto cfg = config_for(f, http_version::http1_1);
    cfg.connect_timeout = std::chrono::seconds(5);  // the goodbye's limit is 1 s below it
    client c(f.ioc.get_executor(), cfg);
    BOOST_TEST_REQUIRE(call(f, c).has_value());
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
    server_fixture f(speaking({"h2"}));
    {
        boost::asio::io_context ioc;
        {
            client c(ioc.get_executor(), config_for(f, http_version::http2));
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
