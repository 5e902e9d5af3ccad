// The retry rules as pure functions: the backoff bound exactly, and what is retried.

#include <boost/asio/error.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <limits>

#include "engine/retry_rules.hpp"

using std::chrono::milliseconds;
using stytch::retry_policy;
using stytch::detail::backoff_bound;

namespace {
retry_policy policy(long long base, long long max) {
    retry_policy p;
    p.base_delay = milliseconds(base);
    p.max_delay = milliseconds(max);
    return p;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(retry_rules)

BOOST_AUTO_TEST_CASE(backoff_bound_doubles_per_attempt_up_to_the_cap) {
    const auto p = policy(10, 40);
    BOOST_TEST(backoff_bound(p, 1).count() == 10);
    BOOST_TEST(backoff_bound(p, 2).count() == 20);
    BOOST_TEST(backoff_bound(p, 3).count() == 40);
    BOOST_TEST(backoff_bound(p, 4).count() == 40);
    BOOST_TEST(backoff_bound(p, 5).count() == 40);
}

BOOST_AUTO_TEST_CASE(backoff_bound_of_the_defaults) {
    const retry_policy p;  // 100 ms, capped at 5 s
    const long long expected[] = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
    for (std::size_t attempt = 1; attempt <= 8; ++attempt) {
        BOOST_TEST(backoff_bound(p, attempt).count() == expected[attempt - 1],
                   "attempt " << attempt);
    }
}

BOOST_AUTO_TEST_CASE(backoff_bound_stops_at_a_cap_that_is_not_a_power_of_two_multiple) {
    const auto p = policy(30, 100);
    BOOST_TEST(backoff_bound(p, 2).count() == 60);
    BOOST_TEST(backoff_bound(p, 3).count() == 100);
    BOOST_TEST(backoff_bound(p, 4).count() == 100);
}

BOOST_AUTO_TEST_CASE(backoff_bound_never_overflows) {
    const auto huge = std::numeric_limits<milliseconds::rep>::max();
    const auto p = policy(3, huge);
    BOOST_TEST(backoff_bound(p, 62).count() == 3LL << 61);
    BOOST_TEST(backoff_bound(p, 63).count() == huge);
    BOOST_TEST(backoff_bound(p, 1000).count() == huge);
    BOOST_TEST(backoff_bound(p, std::numeric_limits<std::size_t>::max()).count() == huge);
}

BOOST_AUTO_TEST_CASE(backoff_bound_of_zero_stays_zero) {
    const auto p = policy(0, 1000);
    BOOST_TEST(backoff_bound(p, 1).count() == 0);
    BOOST_TEST(backoff_bound(p, std::numeric_limits<std::size_t>::max()).count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
