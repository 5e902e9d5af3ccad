// The retry policy: what is retried, how often, how long it waits, and never past the deadline.

#include <ctime>

#include "support/attempt_log.hpp"
#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/process.hpp"

namespace asio = boost::asio;
using namespace stytch;
using namespace stytch::test;
using std::chrono::milliseconds;

namespace {

std::string http_date(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char text[64];
    std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return text;
}

/// Time between the end of attempt i and the start of attempt i+1.
milliseconds gap(const std::vector<attempt_log::entry>& e, std::size_t i) {
    return std::chrono::duration_cast<milliseconds>(e[i + 1].started() - e[i].at);
}

/// A call to a server answering `status` to every request: it fails with `expected` (the
/// status in its details) after `attempts` attempts, one request each. Returns the attempts.
std::vector<attempt_log::entry> fails_with_status(int status, error expected,
                                                  std::size_t attempts) {
    client_fixture f;
    answer_status(f, status);
    f.make_client();
    auto r = f.run_call();
    require_error(r, expected);
    BOOST_TEST(r.error().details.status_code == status);
    BOOST_TEST(f.log.size() == attempts);
    BOOST_TEST(f.server.requests_received() == attempts);
    return f.log.entries();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(retry)

BOOST_AUTO_TEST_CASE(retry_after_in_seconds_is_honoured) {
    client_fixture f;
    answer_status(f, 429, 1, {{"Retry-After", "1"}}, "too_many_requests");
    f.make_client();
    auto r = f.run_call();
    BOOST_TEST(r.has_value());
    auto e = f.log.entries();
    BOOST_REQUIRE(e.size() == 2u);
    BOOST_TEST(e[0].info.http_status == 429);
    BOOST_TEST(e[0].info.result == error::too_many_requests);
    BOOST_TEST((gap(e, 0) >= milliseconds(1000)));
    BOOST_TEST((gap(e, 0) < milliseconds(1500)));
}

BOOST_AUTO_TEST_CASE(retry_after_as_http_date_is_honoured) {
    client_fixture f;
    auto when = http_date(std::chrono::system_clock::now() + std::chrono::seconds(3));
    answer_status(f, 503, 1, {{"Retry-After", when}});
    f.make_client();
    auto r = f.run_call();
    BOOST_TEST(r.has_value());
    auto e = f.log.entries();
    BOOST_REQUIRE(e.size() == 2u);
    // One-second resolution: the date is 2 to 3 s ahead when it is sent, and at least 1 s
    // ahead when the answer is read even on a slow (sanitized) run.
    BOOST_TEST((gap(e, 0) >= milliseconds(1000)));
    BOOST_TEST((gap(e, 0) < milliseconds(3500)));
}

BOOST_AUTO_TEST_CASE(retry_after_beyond_the_deadline_ends_the_call_at_once) {
    client_fixture f;
    answer_status(f, 429, SIZE_MAX, {{"Retry-After", "30"}}, "too_many_requests");
    f.make_client([](client_config& cfg) { cfg.request_timeout = milliseconds(2000); });
    auto started = steady::now();
    auto r = f.run_call();
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().code == error::too_many_requests);
    BOOST_TEST(r.error().details.status_code == 429);
    BOOST_TEST(f.log.size() == 1u);
    BOOST_TEST((steady::now() - started < milliseconds(1000)));  // no pointless wait either
}

BOOST_AUTO_TEST_CASE(cancellation_while_backing_off_ends_the_call_at_once) {
    client_fixture f;
    answer_status(f, 429, SIZE_MAX, {{"Retry-After", "5"}}, "too_many_requests");
    auto& c =
        f.make_client([](client_config& cfg) { cfg.request_timeout = std::chrono::seconds(30); });
    asio::cancellation_signal signal;
    completion done;
    start_cancellable(c, signal, done);
    f.run_until([&] { return f.log.size() == 1; });  // reported after its backoff was armed
    const auto cancelled = steady::now();
    asio::post(f.ioc, [&] { signal.emit(asio::cancellation_type::terminal); });
    f.run_until([&] { return done.count == 1; });
    BOOST_TEST(done.ec == asio::error::operation_aborted);
    BOOST_TEST((steady::now() - cancelled < milliseconds(2000)));  // not the 5 s asked for
    BOOST_TEST(f.log.size() == 1u);
    BOOST_TEST(f.server.requests_received() == 1u);
}

BOOST_AUTO_TEST_CASE(gateway_errors_are_retried_up_to_max_attempts) {
    for (int status : {502, 503, 504}) {
        BOOST_TEST_CONTEXT("status " << status) {
            auto e = fails_with_status(status, error::server_error, 3);
            for (std::size_t i = 0; i < e.size(); ++i) {
                BOOST_TEST(e[i].info.attempt == i + 1);
                BOOST_TEST(e[i].info.http_status == status);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(max_attempts_is_configurable) {
    client_fixture f;
    answer_status(f, 503);
    f.make_client([](client_config& cfg) { cfg.retry.max_attempts = 5; });
    BOOST_TEST(!f.run_call().has_value());
    BOOST_TEST(f.log.size() == 5u);
    f.log.clear();
    f.make_client([](client_config& cfg) { cfg.retry.max_attempts = 1; });
    BOOST_TEST(!f.run_call().has_value());
    BOOST_TEST(f.log.size() == 1u);
}

BOOST_AUTO_TEST_CASE(internal_server_error_is_retried_only_when_asked) {
    client_fixture f;
    answer_status(f, 500, SIZE_MAX, {}, "internal_server_error");
    f.make_client();
    BOOST_TEST(code_of(f.run_call()) == error::internal_server_error);
    BOOST_TEST(f.log.size() == 1u);

    f.log.clear();
    f.make_client([](client_config& cfg) { cfg.retry.retry_internal_server_error = true; });
    BOOST_TEST(code_of(f.run_call()) == error::internal_server_error);
    BOOST_TEST(f.log.size() == 3u);
}

BOOST_AUTO_TEST_CASE(other_client_errors_are_not_retried) {
    for (int status : {400, 401, 403, 404, 409, 422}) {
        BOOST_TEST_CONTEXT("status " << status) {
            fails_with_status(status, error::client_error, 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(decode_errors_are_not_retried) {
    for (std::string body : {"not json", "[]", "{\"request_id\":\"r\",\"status_code\":200}",
                             "{\"request_id\":7,\"status_code\":200,\"organization\":{}}"}) {
        BOOST_TEST_CONTEXT("body " << body) {
            client_fixture f;
            f.server.set_override([body](const mock::recorded_request&) {
                mock::reply r;
                r.body = body;
                return std::optional<mock::reply>(r);
            });
            f.make_client();
            auto r = f.run_call();
            require_error(r, condition::decode_error);
            BOOST_TEST(f.log.size() == 1u);
        }
    }
}

BOOST_AUTO_TEST_CASE(connect_refused_is_retried) {
    client_fixture f;
    f.make_client([](client_config& cfg) {
        cfg.base_url = "https://127.0.0.1:" + std::to_string(closed_port());
    });
    auto r = f.run_call();
    require_error(r, asio::error::connection_refused);
    BOOST_TEST(f.log.size() == 3u);
    for (const auto& e : f.log.entries()) {
        BOOST_TEST(e.info.result == asio::error::connection_refused);
        BOOST_TEST(!e.info.reused_connection);
        BOOST_TEST((e.info.phase == attempt_phase::connecting));
    }
}

BOOST_AUTO_TEST_CASE(nothing_is_attempted_after_the_deadline) {
    client_fixture f;
    answer_status(f, 503);
    auto& c = f.make_client([](client_config& cfg) {
        cfg.retry.max_attempts = 1000;
        cfg.retry.base_delay = milliseconds(20);
        cfg.retry.max_delay = milliseconds(40);
        cfg.request_timeout = milliseconds(400);
    });
    auto started = steady::now();
    auto r = f.run_call();
    auto ended = steady::now();
    // The last failure, or timed_out when the deadline ends an attempt begun just before it.
    BOOST_TEST((code_of(r) == error::server_error || code_of(r) == asio::error::timed_out),
               code_of(r).message());
    BOOST_TEST(f.log.size() > 1u);
    BOOST_TEST(f.log.size() < 1000u);
    // started() is the hook's time less the latency measured a little before it, under the
    // engine's mutex: on a loaded machine (sanitizers) it lags the grant by up to a few ms.
    const milliseconds report_lag(5);
    for (const auto& e : f.log.entries()) {
        BOOST_TEST((e.started() < started + c.config().request_timeout + report_lag));
    }
    BOOST_TEST((ended - started < c.config().request_timeout + milliseconds(100)));
}

BOOST_AUTO_TEST_CASE(backoff_is_exponential_with_full_jitter) {
    client_fixture f;
    answer_status(f, 503);
    f.make_client([](client_config& cfg) {
        cfg.retry.max_attempts = 5;
        cfg.retry.base_delay = milliseconds(10);
        cfg.retry.max_delay = milliseconds(40);
    });
    constexpr int calls = 30;
    // Caps before attempts 2..5: min(max_delay, base_delay * 2^(n-1)).
    const milliseconds caps[] = {milliseconds(10), milliseconds(20), milliseconds(40),
                                 milliseconds(40)};
    const milliseconds slack(40);  // timer and scheduling latency on a busy machine
    milliseconds longest_late{0}, shortest_late{1000};
    for (int i = 0; i < calls; ++i) {
        f.log.clear();
        BOOST_TEST(!f.run_call().has_value());
        auto e = f.log.entries();
        BOOST_REQUIRE(e.size() == 5u);
        for (std::size_t n = 0; n + 1 < e.size(); ++n) {
            auto g = gap(e, n);
            BOOST_TEST((g >= milliseconds(0)));
            BOOST_TEST((g <= caps[n] + slack),
                       "gap " << g.count() << " ms after attempt " << n + 1);
            if (n >= 2) {
                longest_late = std::max(longest_late, g);
                shortest_late = std::min(shortest_late, g);
            }
        }
    }
    // Full jitter: over 60 draws in [0, 40] ms, both halves are hit (each miss has p = 2^-60).
    BOOST_TEST((longest_late > milliseconds(20)));
    BOOST_TEST((shortest_late < milliseconds(20)));
}

BOOST_AUTO_TEST_SUITE_END()
