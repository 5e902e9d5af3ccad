// client_stats' arithmetic without sockets: the histogram's buckets and percentiles, and how
// the engine files failed calls and closed connections.

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/test/unit_test.hpp>

#include <stytch/error.hpp>
#include <stytch/stats.hpp>

#include "engine/stats_count.hpp"

using namespace stytch;
using namespace stytch::detail;
using std::chrono::microseconds;
using hist = latency_histogram;

BOOST_AUTO_TEST_SUITE(stats)

BOOST_AUTO_TEST_CASE(bucket_bounds_are_powers_of_two_microseconds_up_to_about_two_minutes) {
    BOOST_TEST(hist::upper_bound(0).count() == 1);
    BOOST_TEST(hist::upper_bound(10).count() == 1024);
    BOOST_TEST(hist::upper_bound(hist::bucket_count - 2).count() == std::int64_t{1} << 27);
    BOOST_TEST((hist::upper_bound(hist::bucket_count - 1) == microseconds::max()));
    BOOST_TEST((hist::upper_bound(1000) == microseconds::max()));
}

BOOST_AUTO_TEST_CASE(a_value_lands_in_the_first_bucket_whose_inclusive_bound_holds_it) {
    BOOST_TEST(hist::bucket_of(microseconds(-5)) == 0u);
    BOOST_TEST(hist::bucket_of(microseconds(0)) == 0u);
    BOOST_TEST(hist::bucket_of(microseconds(1)) == 0u);
    BOOST_TEST(hist::bucket_of(microseconds(2)) == 1u);
    BOOST_TEST(hist::bucket_of(microseconds(3)) == 2u);
    BOOST_TEST(hist::bucket_of(microseconds(4)) == 2u);
    BOOST_TEST(hist::bucket_of(microseconds(5)) == 3u);
    BOOST_TEST(hist::bucket_of(microseconds(1024)) == 10u);
    BOOST_TEST(hist::bucket_of(microseconds(1025)) == 11u);
    BOOST_TEST(hist::bucket_of(microseconds(std::int64_t{1} << 27)) == hist::bucket_count - 2);
    BOOST_TEST(hist::bucket_of(microseconds((std::int64_t{1} << 27) + 1)) ==
               hist::bucket_count - 1);
    BOOST_TEST(hist::bucket_of(microseconds::max()) == hist::bucket_count - 1);
}

BOOST_AUTO_TEST_CASE(record_counts_each_value_once_and_sums_them) {
    hist h;
    h.record(microseconds(3));
    h.record(microseconds(4));
    h.record(microseconds(1000));
    BOOST_TEST(h.count() == 3u);
    BOOST_TEST(h.buckets[2] == 2u);
    BOOST_TEST(h.buckets[10] == 1u);
    BOOST_TEST(h.sum_us == 1007u);
}

BOOST_AUTO_TEST_CASE(percentiles_are_the_bound_of_the_bucket_holding_the_rank) {
    hist h;
    BOOST_TEST(h.percentile(0.5).count() == 0);  // nothing recorded
    // 98 fast values (<= 1 ms) and 2 slow ones (about 100 ms).
    for (int i = 0; i < 98; ++i) {
        h.record(microseconds(900));
    }
    h.record(microseconds(100'000));
    h.record(microseconds(100'000));
    BOOST_TEST(h.percentile(0.5).count() == 1024);
    BOOST_TEST(h.percentile(0.98).count() == 1024);  // rank 98: still fast
    BOOST_TEST(h.percentile(0.99).count() == 131072);
    BOOST_TEST(h.percentile(1.0).count() == 131072);
    BOOST_TEST(h.percentile(0.0).count() == 1024);  // the first value
    BOOST_TEST(h.percentile(-1).count() == 1024);   // clamped
    BOOST_TEST(h.percentile(7).count() == 131072);
}

BOOST_AUTO_TEST_CASE(a_rank_in_the_last_bucket_has_no_finite_bound) {
    hist h;
    h.record(std::chrono::minutes(10));
    BOOST_TEST((h.percentile(0.5) == microseconds::max()));
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
