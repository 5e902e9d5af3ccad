#include <boost/test/unit_test.hpp>

#include <chrono>

#include "base/time_arith.hpp"

using namespace std::chrono;
using stytch::detail::clamp_cast;
using stytch::detail::saturating_add;
using stytch::detail::saturating_double;

BOOST_AUTO_TEST_SUITE(time_arith)

BOOST_AUTO_TEST_CASE(clamp_cast_to_a_finer_unit_saturates_at_both_ends) {
    BOOST_TEST(clamp_cast<nanoseconds>(milliseconds::max()).count() == nanoseconds::max().count());
    BOOST_TEST(clamp_cast<nanoseconds>(milliseconds::min()).count() == nanoseconds::min().count());
    // 9,300,000,000,000 ms (the CLI case) is past nanoseconds' ~292 years.
    BOOST_TEST(clamp_cast<nanoseconds>(milliseconds(9'300'000'000'000)) == nanoseconds::max());
    BOOST_TEST(clamp_cast<milliseconds>(seconds::max()) == milliseconds::max());
}

BOOST_AUTO_TEST_CASE(clamp_cast_is_exact_right_below_the_limit) {
    constexpr auto last = nanoseconds::max().count() / 1'000'000;  // last whole ms that fits
    BOOST_TEST(clamp_cast<nanoseconds>(milliseconds(last)).count() == last * 1'000'000);
    BOOST_TEST(clamp_cast<nanoseconds>(milliseconds(last + 1)) == nanoseconds::max());
    BOOST_TEST(clamp_cast<nanoseconds>(milliseconds(-last)).count() == -last * 1'000'000);
    BOOST_TEST(clamp_cast<nanoseconds>(milliseconds(-last - 1)) == nanoseconds::min());
    BOOST_TEST(clamp_cast<nanoseconds>(milliseconds(0)).count() == 0);
}

BOOST_AUTO_TEST_CASE(clamp_cast_to_a_coarser_unit_truncates_like_duration_cast) {
    BOOST_TEST(clamp_cast<milliseconds>(nanoseconds::max()) ==
               duration_cast<milliseconds>(nanoseconds::max()));
    BOOST_TEST(clamp_cast<milliseconds>(nanoseconds(-1'999'999)).count() == -1);
    BOOST_TEST(clamp_cast<seconds>(milliseconds(1'999)).count() == 1);
}

BOOST_AUTO_TEST_CASE(clamp_cast_to_a_narrower_count_saturates) {
    using short_seconds = duration<int, std::ratio<1>>;
    BOOST_TEST(clamp_cast<short_seconds>(milliseconds::max()) == short_seconds::max());
    BOOST_TEST(clamp_cast<short_seconds>(milliseconds::min()) == short_seconds::min());
}

BOOST_AUTO_TEST_CASE(saturating_add_clamps_to_the_time_points_range) {
    using point = steady_clock::time_point;
    const auto now = steady_clock::now();
    BOOST_TEST((saturating_add(now, milliseconds::max()) == point::max()));
    BOOST_TEST((saturating_add(now, milliseconds::min()) == point::min()));
    BOOST_TEST((saturating_add(point::max(), nanoseconds(1)) == point::max()));
    BOOST_TEST((saturating_add(point::min(), nanoseconds(-1)) == point::min()));
    BOOST_TEST((saturating_add(point::min(), milliseconds::max()) == point::max()));  // forever
    BOOST_TEST((saturating_add(point::max(), nanoseconds::min() + nanoseconds(1)) ==
                point(nanoseconds(0))));
    BOOST_TEST((saturating_add(now, milliseconds(1500)) == now + milliseconds(1500)));
    BOOST_TEST((saturating_add(now, milliseconds(-1500)) == now - milliseconds(1500)));
}

BOOST_AUTO_TEST_CASE(saturating_add_is_exact_right_below_the_limit) {
    using point = steady_clock::time_point;
    const point near_end(nanoseconds::max() - nanoseconds(10));
    BOOST_TEST((saturating_add(near_end, nanoseconds(10)) == point::max()));
    BOOST_TEST((saturating_add(near_end, nanoseconds(9)) == point::max() - nanoseconds(1)));
    BOOST_TEST((saturating_add(near_end, nanoseconds(11)) == point::max()));
    const point near_start(nanoseconds::min() + nanoseconds(10));
    BOOST_TEST((saturating_add(near_start, nanoseconds(-10)) == point::min()));
    BOOST_TEST((saturating_add(near_start, nanoseconds(-11)) == point::min()));
}

BOOST_AUTO_TEST_CASE(saturating_double_stops_at_max) {
    BOOST_TEST(saturating_double(milliseconds(100)).count() == 200);
    BOOST_TEST(saturating_double(milliseconds::max() / 2).count() ==
               (milliseconds::max() / 2).count() * 2);
    BOOST_TEST(saturating_double(milliseconds::max() / 2 + milliseconds(1)) == milliseconds::max());
    BOOST_TEST(saturating_double(milliseconds::max()) == milliseconds::max());
}

BOOST_AUTO_TEST_SUITE_END()
