// client_stats' arithmetic without sockets: the histogram's buckets and percentiles, and how
// the engine files failed calls and closed connections.

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <stytch/error.hpp>
#include <stytch/stats.hpp>

#include "engine/stats_count.hpp"

using namespace stytch;
using namespace stytch::detail;
using std::chrono::microseconds;
using hist = latency_histogram;

BOOST_AUTO_TEST_SUITE(stats)

BOOST_AUTO_TEST_CASE(buckets_tile_the_range_without_gap_or_overlap) {
    BOOST_TEST(hist::lower_bound(0).count() == 0);
    for (std::size_t i = 0; i + 1 < hist::bucket_count; ++i) {
        BOOST_TEST_REQUIRE(hist::upper_bound(i).count() + 1 == hist::lower_bound(i + 1).count());
        BOOST_TEST_REQUIRE(hist::bucket_of(hist::lower_bound(i)) == i);
        BOOST_TEST_REQUIRE(hist::bucket_of(hist::upper_bound(i)) == i);
    }
    BOOST_TEST(hist::lower_bound(hist::bucket_count - 1).count() == hist::unbounded_from);
    BOOST_TEST((hist::upper_bound(hist::bucket_count - 1) == microseconds::max()));
    BOOST_TEST((hist::upper_bound(hist::bucket_count + 5) == microseconds::max()));
}

BOOST_AUTO_TEST_CASE(a_bucket_is_narrower_than_one_percent_of_its_values) {
    for (std::size_t i = 0; i + 1 < hist::bucket_count; ++i) {
        const auto low = hist::lower_bound(i).count();
        const auto width = hist::upper_bound(i).count() - low + 1;
        BOOST_TEST_REQUIRE((width == 1 || double(width) / double(low) <= 1.0 / 128), i);
    }
}

BOOST_AUTO_TEST_CASE(a_value_lands_in_the_bucket_that_holds_it) {
    BOOST_TEST(hist::bucket_of(microseconds(-5)) == 0u);
    BOOST_TEST(hist::bucket_of(microseconds(0)) == 0u);
    BOOST_TEST(hist::bucket_of(microseconds(255)) == 255u);  // exact below 256 µs
    BOOST_TEST(hist::bucket_of(microseconds(256)) == 256u);
    BOOST_TEST(hist::bucket_of(microseconds(257)) == 256u);  // 256 and 257 share a bucket
    BOOST_TEST(hist::bucket_of(microseconds(258)) == 257u);
    BOOST_TEST(hist::bucket_of(microseconds(512)) == 256u + 128u);
    BOOST_TEST(hist::bucket_of(microseconds(hist::unbounded_from - 1)) == hist::bucket_count - 2);
    BOOST_TEST(hist::bucket_of(microseconds(hist::unbounded_from)) == hist::bucket_count - 1);
    BOOST_TEST(hist::bucket_of(microseconds::max()) == hist::bucket_count - 1);
}

BOOST_AUTO_TEST_CASE(record_counts_each_value_once_and_sums_them) {
    hist h;
    h.record(microseconds(3));
    h.record(microseconds(3));
    h.record(microseconds(1000));
    BOOST_TEST(h.count() == 3u);
    BOOST_TEST(h.buckets[3] == 2u);
    BOOST_TEST(h.buckets[hist::bucket_of(microseconds(1000))] == 1u);
    BOOST_TEST(h.sum_us == 1006u);
}

BOOST_AUTO_TEST_CASE(percentiles_are_the_highest_value_of_the_bucket_holding_the_rank) {
    hist h;
    BOOST_TEST(h.percentile(0.5).count() == 0);  // nothing recorded
    // 98 fast values and 2 slow ones (100 ms, in a bucket [99840, 100351]).
    for (int i = 0; i < 98; ++i) {
        h.record(microseconds(200));
    }
    h.record(microseconds(100'000));
    h.record(microseconds(100'000));
    BOOST_TEST(h.percentile(0.5).count() == 200);   // exact below 256 µs
    BOOST_TEST(h.percentile(0.98).count() == 200);  // rank 98: still fast
    BOOST_TEST(h.percentile(0.99).count() == 100'351);
    BOOST_TEST(h.percentile(1.0).count() == 100'351);
    BOOST_TEST(h.percentile(0.0).count() == 200);  // the first value
    BOOST_TEST(h.percentile(-1).count() == 200);   // clamped
    BOOST_TEST(h.percentile(7).count() == 100'351);
}

BOOST_AUTO_TEST_CASE(percentiles_are_within_one_percent_of_the_exact_quantiles) {
    // A long-tailed sample (log-uniform from 50 µs to 20 s), compared with the exact quantile
    // of the sorted values: the value of rank ceil(q * n).
    std::mt19937_64 random(2026);
    std::uniform_real_distribution<double> exponent(std::log(50.0), std::log(20e6));
    std::vector<std::int64_t> values(200'000);
    hist h;
    for (auto& v : values) {
        v = static_cast<std::int64_t>(std::exp(exponent(random)));
        h.record(microseconds(v));
    }
    std::sort(values.begin(), values.end());
    for (const double q : {0.0, 0.1, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999, 1.0}) {
        const auto rank = std::max<std::size_t>(
            1, static_cast<std::size_t>(std::ceil(q * double(values.size()))));
        const auto exact = double(values[rank - 1]);
        const auto estimate = double(h.percentile(q).count());
        BOOST_TEST(estimate >= exact, "q=" << q);
        BOOST_TEST((estimate - exact) / exact <= 0.01,
                   "q=" << q << " exact " << exact << " estimate " << estimate);
    }
}

BOOST_AUTO_TEST_CASE(a_rank_in_the_last_bucket_has_no_finite_bound) {
    hist h;
    h.record(std::chrono::minutes(10));
    BOOST_TEST((h.percentile(0.5) == microseconds::max()));
}

BOOST_AUTO_TEST_CASE(counts_below_a_power_of_two_are_exact) {
    // What the Prometheus example exports as its coarse `le` buckets.
    hist h;
    std::mt19937_64 random(7);
    std::uniform_int_distribution<std::int64_t> value(0, std::int64_t{1} << 28);
    std::vector<std::int64_t> values(20'000);
    for (auto& v : values) {
        v = value(random) >> (value(random) % 28);
        h.record(microseconds(v));
    }
    for (int j = 0; j <= 27; ++j) {
        const std::int64_t bound = std::int64_t{1} << j;
        const auto below =
            std::count_if(values.begin(), values.end(), [&](std::int64_t v) { return v < bound; });
        BOOST_TEST_REQUIRE(h.count_below(microseconds(bound)) == std::uint64_t(below), j);
    }
}

BOOST_AUTO_TEST_CASE(each_failure_is_counted_once_in_its_kind) {
    call_failures f;
    count_failure(f, error::empty_organization_id);
    count_failure(f, error::organization_not_found);
    count_failure(f, error::server_error);
    count_failure(f, error::missing_field);
    count_failure(f, error::unsolicited_answer);
    count_failure(f, error::proxy_refused);
    count_failure(f, boost::asio::error::timed_out);
    count_failure(f, boost::asio::error::operation_aborted);
    count_failure(f, error::client_closed);
    count_failure(f, boost::asio::error::connection_refused);
    count_failure(f, boost::beast::http::error::end_of_stream);
    BOOST_TEST(f.invalid_request == 1u);
    BOOST_TEST(f.api_error == 2u);
    BOOST_TEST(f.decode_error == 1u);
    BOOST_TEST(f.protocol_error == 1u);
    BOOST_TEST(f.proxy_error == 1u);
    BOOST_TEST(f.timed_out == 1u);
    BOOST_TEST(f.cancelled == 1u);
    BOOST_TEST(f.client_closed == 1u);
    BOOST_TEST(f.transport == 2u);
    BOOST_TEST(f.total() == 11u);
}

BOOST_AUTO_TEST_CASE(a_connection_given_back_is_counted_only_when_it_is_closed) {
    using cs = connection_state;
    connection_discards d;
    BOOST_TEST(!count_discard(d, cs::ready, false, false));  // kept
    BOOST_TEST(d.total() == 0u);
    BOOST_TEST(count_discard(d, cs::ready, false, true));
    BOOST_TEST(d.client_closed == 1u);
    BOOST_TEST(count_discard(d, cs::spent, true, false));
    BOOST_TEST(d.open_failed == 1u);
    BOOST_TEST(count_discard(d, cs::closed, true, false));  // an open given up at its timeout
    BOOST_TEST(d.open_failed == 2u);
    BOOST_TEST(count_discard(d, cs::silent_failure, false, false));
    BOOST_TEST(d.stale == 1u);
    BOOST_TEST(count_discard(d, cs::spent, false, false));
    BOOST_TEST(d.not_reusable == 1u);
    BOOST_TEST(count_discard(d, cs::closed, false, false));
    BOOST_TEST(d.interrupted == 1u);
    BOOST_TEST(d.total() == 6u);
    ++d.out_of_step;  // counted by the engine itself, beside these
    BOOST_TEST(d.total() == 7u);
}

BOOST_AUTO_TEST_SUITE_END()
