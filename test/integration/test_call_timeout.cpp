// The per-call timeout (delete_external_id_options::timeout) and the request id in attempt_info.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/tokens.hpp"

namespace asio = boost::asio;
using namespace stytch;
using namespace std::chrono_literals;
using stytch::test::awaitable_result;
using stytch::test::completion;
using stytch::test::first_org;
using stytch::test::server_fixture;

namespace {

// A server that sends every answer after `delay` (over either HTTP version).
mock::server_options slow_server(std::chrono::milliseconds delay) {
    mock::server_options o;
    o.answer_delay = delay;
    return o;
}

// A client with one attempt per call and `request_timeout` as its default deadline.
client one_attempt_client(server_fixture& f, std::chrono::milliseconds request_timeout) {
    auto cfg = f.config();
    cfg.request_timeout = request_timeout;
    cfg.retry.max_attempts = 1;
    return client(f.ioc.get_executor(), cfg);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(call_timeout)

BOOST_AUTO_TEST_CASE(a_short_per_call_timeout_fires_while_other_calls_use_the_client_default) {
    server_fixture f(slow_server(400ms));
    client c = one_attempt_client(f, 20s);
    auto orgs = c.organizations();
    completion short_call, default_call;
    orgs.async_delete_external_id({first_org}, {.timeout = 50ms}, test::record(short_call));
    orgs.async_delete_external_id({first_org}, {}, test::record(default_call));
    f.run_until([&] { return short_call.count == 1; });
    BOOST_TEST(short_call.ec == asio::error::timed_out);
    BOOST_TEST(default_call.count == 0);  // still waiting for its slow answer
    f.run_until([&] { return default_call.count == 1; });
    BOOST_TEST(!default_call.ec, default_call.ec.message());
}

BOOST_AUTO_TEST_CASE(a_long_per_call_timeout_outlasts_a_short_client_default) {
    server_fixture f(slow_server(300ms));
    client c = one_attempt_client(f, 100ms);
    auto orgs = c.organizations();
    auto patient =
        f.run(orgs.async_delete_external_id({first_org}, {.timeout = 20s}, awaitable_result));
    BOOST_TEST(patient.has_value());
    auto hasty = f.run(orgs.async_delete_external_id({first_org}, {}, awaitable_result));
    BOOST_REQUIRE(hasty.has_error());
    BOOST_TEST(hasty.error().code == asio::error::timed_out);
}

BOOST_AUTO_TEST_CASE(a_timeout_that_is_not_positive_is_refused_with_nothing_sent) {
    stytch::test::client_fixture f;
    auto& c = f.make_client(f.config());
    auto orgs = c.organizations();
    for (auto t : {0ms, -1ms, std::chrono::milliseconds::min()}) {
        auto r =
            f.run(orgs.async_delete_external_id({first_org}, {.timeout = t}, awaitable_result));
        BOOST_REQUIRE(r.has_error());
        BOOST_TEST(r.error().code == error::invalid_timeout);
        BOOST_TEST(r.error().code == condition::invalid_request);
    }
    auto huge = f.run(orgs.async_delete_external_id(
        {first_org}, {.timeout = std::chrono::milliseconds::max()}, awaitable_result));
    BOOST_TEST(huge.has_value());  // saturates: no overflow into "expired at once"
    BOOST_TEST(f.server.requests_received() == 1u);
}

BOOST_AUTO_TEST_CASE(attempt_info_carries_the_answers_request_id) {
    stytch::test::client_fixture f;
    std::vector<attempt_info> attempts;
    auto& c = f.make_client(f.config(), [&](client_config& cfg) {
        cfg.on_attempt = [&](const attempt_info& a) { attempts.push_back(a); };
    });
    auto orgs = c.organizations();

    auto ok = f.run(orgs.async_delete_external_id({first_org}, {}, awaitable_result));
    BOOST_REQUIRE(ok.has_value());
    BOOST_REQUIRE_EQUAL(attempts.size(), 1u);
    BOOST_TEST(!ok->request_id.empty());
    BOOST_TEST(attempts[0].request_id == ok->request_id);

    auto missing =
        f.run(orgs.async_delete_external_id({"organization-test-missing"}, {}, awaitable_result));
    BOOST_REQUIRE(missing.has_error());
    BOOST_REQUIRE_EQUAL(attempts.size(), 2u);
    BOOST_TEST(!missing.error().details.request_id.empty());
    BOOST_TEST(attempts[1].request_id == missing.error().details.request_id);
    BOOST_TEST(attempts[1].request_id != attempts[0].request_id);
    BOOST_TEST(!attempts[1].retry_after.has_value());
}

BOOST_AUTO_TEST_CASE(attempt_info_carries_the_delay_retry_after_asked_for) {
    stytch::test::client_fixture f;
    auto answered = std::make_shared<std::atomic<int>>(0);
    f.server.set_override([answered](const mock::recorded_request&) -> std::optional<mock::reply> {
        switch ((*answered)++) {
            case 0:
                return mock::reply{.status = 429,
                                   .body = test::error_body(429, "too_many_requests"),
                                   .headers = {{"Retry-After", "0"}}};
            case 1:  // an invalid value: none
                return mock::reply{.status = 503,
                                   .body = test::error_body(503, "service_unavailable"),
                                   .headers = {{"Retry-After", "soon"}}};
            default:
                return std::nullopt;
        }
    });
    std::vector<attempt_info> attempts;
    f.make_client(f.config(), [&](client_config& cfg) {
        cfg.on_attempt = [&](const attempt_info& a) { attempts.push_back(a); };
    });
    auto r = f.run_call();
    BOOST_REQUIRE(r.has_value());
    BOOST_REQUIRE_EQUAL(attempts.size(), 3u);
    BOOST_TEST(attempts[0].http_status == 429);
    BOOST_TEST((attempts[0].retry_after == std::chrono::milliseconds(0)));
    BOOST_TEST(attempts[1].http_status == 503);
    BOOST_TEST(!attempts[1].retry_after.has_value());
    BOOST_TEST(!attempts[2].retry_after.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
