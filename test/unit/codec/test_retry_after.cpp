#include <boost/test/unit_test.hpp>

#include <chrono>

#include "codec/retry_after.hpp"

using namespace std::chrono;
using stytch::detail::parse_retry_after;

namespace {

// Tue, 14 Nov 2023 22:13:20 GMT
const system_clock::time_point now{seconds(1'700'000'000)};

}  // namespace

BOOST_AUTO_TEST_SUITE(retry_after)

BOOST_AUTO_TEST_CASE(delay_seconds) {
    BOOST_TEST(parse_retry_after("120", now)->count() == 120'000);
    BOOST_TEST(parse_retry_after(" 0 ", now)->count() == 0);
    BOOST_TEST(!parse_retry_after("1.5", now));
    BOOST_TEST(!parse_retry_after("-1", now));
    BOOST_TEST(!parse_retry_after("12abc", now));
    BOOST_TEST(!parse_retry_after("", now));
}

BOOST_AUTO_TEST_CASE(huge_delay_seconds_saturate_instead_of_overflowing_or_being_ignored) {
    // Past 32 bits: once refused (and the backoff used instead, retrying at once).
    BOOST_TEST(parse_retry_after("4294967296", now)->count() == 4'294'967'296'000);
    // Seconds that fit 64 bits but not as milliseconds.
    BOOST_TEST(
        (*parse_retry_after("9223372036854775", now) == milliseconds(9'223'372'036'854'775'000)));
    BOOST_TEST((*parse_retry_after("9223372036854776", now) == milliseconds::max()));
    BOOST_TEST((*parse_retry_after("9223372036854775807", now) == milliseconds::max()));
    // More digits than any integer holds.
    BOOST_TEST(
        (*parse_retry_after("99999999999999999999999999999999", now) == milliseconds::max()));
}

BOOST_AUTO_TEST_CASE(http_dates) {
    BOOST_TEST(parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", now)->count() == 30'000);
    BOOST_TEST(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now)->count() == 0);
    BOOST_TEST(!parse_retry_after("Tue, 14 Nov 2023 22:13:50 UTC", now));
    BOOST_TEST(!parse_retry_after("Tue, 31 Feb 2023 22:13:50 GMT", now));
}

BOOST_AUTO_TEST_CASE(dates_far_from_now_are_exact_and_never_overflow) {
    // Past system_clock's nanoseconds (2262): once refused, so the answer was retried at once.
    const auto far = parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now);
    BOOST_REQUIRE(far);
    BOOST_TEST(far->count() == (253'402'300'799LL - 1'700'000'000LL) * 1000);
    BOOST_TEST(parse_retry_after("Mon, 01 Jan 0001 00:00:00 GMT", now)->count() == 0);
    // A clock near its own limits.
    BOOST_TEST(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", system_clock::time_point::min())
                   ->count() > 0);
    BOOST_TEST(parse_retry_after("Mon, 01 Jan 0001 00:00:00 GMT", system_clock::time_point::max())
                   ->count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
