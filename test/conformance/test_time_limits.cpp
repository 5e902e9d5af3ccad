// Time arithmetic never overflows: a timeout, delay or Retry-After beyond what the clock can
// count saturates ("no practical limit") instead of wrapping into "expired at once". UBSan
// (scripts/sanitize) flags any signed overflow on the way.

#include <boost/json/parse.hpp>

#include <atomic>

#include "support/attempt_log.hpp"
#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/process.hpp"

using namespace stytch;
using namespace stytch::test;
using std::chrono::milliseconds;

namespace {

/// Answers 429 with `retry_after` to the first `times` requests, then normally.
void answer_429(server_fixture& f, const std::string& retry_after, std::size_t times) {
    inject(f.server,
           {.status = 429,
            .body = error_body(429, "too_many_requests"),
            .headers = {{"Retry-After", retry_after}}},
           times);
}

/// Two calls on one client succeed, the second over the pooled connection of the first.
void two_calls_on_one_connection(client_fixture& f, const client_config& cfg) {
    f.make_client(cfg);
    for (int i = 0; i < 2; ++i) {
        auto r = f.run_call();
        BOOST_REQUIRE_MESSAGE(r.has_value(), "call " << i << ": " << code_of(r).message());
        BOOST_TEST(r->organization.organization_id == first_org);
    }
    BOOST_TEST(f.server.requests_received() == 2u);
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(time_limits)

BOOST_AUTO_TEST_CASE(connect_timeout_at_its_maximum_is_no_limit) {
    client_fixture f;
    auto cfg = fast_config(f);
    cfg.connect_timeout = milliseconds::max();
    BOOST_TEST(!cfg.validate());
    two_calls_on_one_connection(f, cfg);
}

BOOST_AUTO_TEST_CASE(request_timeout_at_its_maximum_is_no_limit) {
    client_fixture f;
    auto cfg = fast_config(f);
    cfg.request_timeout = milliseconds::max();
    two_calls_on_one_connection(f, cfg);
}

BOOST_AUTO_TEST_CASE(idle_timeout_at_its_maximum_keeps_the_connection) {
    client_fixture f;
    auto cfg = fast_config(f);
    cfg.idle_timeout = milliseconds::max();
    two_calls_on_one_connection(f, cfg);
}

BOOST_AUTO_TEST_CASE(every_timeout_at_its_maximum_is_no_limit) {
    mock::server_options so;
    so.keep_alive_timeout = milliseconds::max();  // the mock's own, too
    client_fixture f(so);
    auto cfg = fast_config(f);
    cfg.connect_timeout = cfg.request_timeout = cfg.idle_timeout = milliseconds::max();
    cfg.retry.base_delay = cfg.retry.max_delay = milliseconds::max();
    two_calls_on_one_connection(f, cfg);
}

BOOST_AUTO_TEST_CASE(timeout_past_the_clocks_range_is_no_limit) {
    client_fixture f;
    auto cfg = fast_config(f);
    // 9.3e12 ms is about 295 years: past steady_clock's nanoseconds (about 292 years).
    cfg.connect_timeout = cfg.request_timeout = milliseconds(9'300'000'000'000);
    two_calls_on_one_connection(f, cfg);
}

BOOST_AUTO_TEST_CASE(retry_after_beyond_any_clock_ends_the_call_at_once) {
    // Such a server asks not to be called again for now: the call ends with its answer. Once,
    // these values were not understood, and the call was retried after a few milliseconds.
    for (const std::string value :
         {"99999999999999999999999999", "9223372036854775807", "Fri, 31 Dec 9999 23:59:59 GMT"}) {
        BOOST_TEST_CONTEXT("Retry-After: " << value) {
            client_fixture f;
            answer_429(f, value, SIZE_MAX);
            f.make_client();  // a 5 s deadline
            const auto started = steady::now();
            auto r = f.run_call();
            require_error(r, error::too_many_requests);
            BOOST_TEST(f.log.size() == 1u);
            BOOST_TEST(f.server.requests_received() == 1u);
            BOOST_TEST((steady::now() - started < milliseconds(2000)));
        }
    }
}

BOOST_AUTO_TEST_CASE(retry_after_is_honoured_without_a_deadline) {
    client_fixture f;
    answer_429(f, "1", 1);
    f.make_client([](client_config& cfg) { cfg.request_timeout = milliseconds::max(); });
    auto r = f.run_call();
    BOOST_REQUIRE(r.has_value());
    auto e = f.log.entries();
    BOOST_REQUIRE(e.size() == 2u);
    BOOST_TEST((e[1].started() - e[0].at >= milliseconds(1000)));
}

BOOST_AUTO_TEST_CASE(cli_timeout_past_the_clocks_range_is_no_limit) {
    server_fixture f;
    const auto base = "STYTCH_PROJECT_ID=" + f.config().project_id +
                      " STYTCH_SECRET=" + f.config().secret + " STYTCH_CA_FILE='" + f.ca_file +
                      "' STYTCH_BASE_URL=" + f.server.base_url() + " STYTCH_TIMEOUT_MS=";
    const auto command = std::string(" ") + STYTCH_CLI + " delete-external-id " + first_org;
    for (const std::string ms : {"9300000000000", "9223372036854775807", "99999999999999999999"}) {
        auto p = run_command(base + ms + command);
        BOOST_REQUIRE_MESSAGE(p.status == 0, ms << ": " << p.out);
        auto json = boost::json::parse(p.out);
        BOOST_TEST(json.at("organization").at("organization_id").as_string() == first_org);
    }
    for (const std::string ms : {"0", "-1", "-99999999999999999999", "1e3", "''x"}) {
        auto p = run_command(base + ms + command);
        BOOST_TEST(p.status == 2, ms << ": " << p.out);
        BOOST_TEST(p.out.find("STYTCH_TIMEOUT_MS must be a positive number of milliseconds") !=
                       std::string::npos,
                   p.out);
    }
    BOOST_TEST(f.server.requests_received() == 3u);  // nothing sent for a refused value
}

BOOST_AUTO_TEST_SUITE_END()
