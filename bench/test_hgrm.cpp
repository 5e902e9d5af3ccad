// The .hgrm writer on known values: every row, the ticks and the footer, as HdrHistogram prints
// them; and the percentile reading the bench's summary shares with it.

#define BOOST_TEST_MODULE bench_units
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "hgrm.hpp"

BOOST_AUTO_TEST_CASE(four_values_give_the_ticks_each_reaches_then_one_row_at_the_max_and_100) {
    const std::vector<std::uint32_t> us{1000, 2000, 3000, 4000};
    const std::string expected =
        "       Value     Percentile TotalCount 1/(1-Percentile)\n"
        "\n"
        "       1.000 0.000000000000          1           1.00\n"
        "       1.000 0.100000000000          1           1.11\n"
        "       1.000 0.200000000000          1           1.25\n"
        "       2.000 0.300000000000          2           1.43\n"
        "       2.000 0.400000000000          2           1.67\n"
        "       2.000 0.500000000000          2           2.00\n"
        "       3.000 0.550000000000          3           2.22\n"
        "       3.000 0.600000000000          3           2.50\n"
        "       3.000 0.650000000000          3           2.86\n"
        "       3.000 0.700000000000          3           3.33\n"
        "       3.000 0.750000000000          3           4.00\n"
        "       4.000 0.775000000000          4           4.44\n"
        "       4.000 1.000000000000          4\n"
        "#[Mean    =        2.500, StdDeviation   =        1.118]\n"
        "#[Max     =        4.000, Total count    =            4]\n"
        "#[Buckets =            2, SubBuckets     =         2048]\n";
    BOOST_TEST(bench::hgrm(us) == expected);
}

BOOST_AUTO_TEST_CASE(ticks_halve_their_step_each_half_distance_down_to_99_99_percent) {
    // 100,000 values 1..100000 us: a tick's row holds the value of rank ceil(tick x 100,000).
    // Steps: 10 % to 50 %, 5 % to 75 %, ... 0.15625 % from 98.4375 % (99.0625 %), 0.01953125 %
    // from 99.8046875 % (99.90234375 %); the last value's row is the first tick it reaches.
    std::vector<std::uint32_t> us(100000);
    std::iota(us.begin(), us.end(), 1u);
    const std::string text = bench::hgrm(us);
    for (const char* row : {
             "       0.001 0.000000000000          1           1.00\n",
             "      50.000 0.500000000000      50000           2.00\n",
             "      77.500 0.775000000000      77500           4.44\n",
             "      90.000 0.900000000000      90000          10.00\n",
             "      99.063 0.990625000000      99063         106.67\n",
             "      99.903 0.999023437500      99903        1024.00\n",
             "      99.991 0.999902343750      99991       10240.00\n",
             "      99.999 0.999984741211      99999       65536.00\n",
             "     100.000 0.999990844727     100000      109226.67\n",
             "     100.000 1.000000000000     100000\n",
             "#[Mean    =       50.001, StdDeviation   =       28.868]\n",
             "#[Max     =      100.000, Total count    =       100000]\n",
             "#[Buckets =            7, SubBuckets     =         2048]\n",
         }) {
        BOOST_TEST(text.find(row) != std::string::npos, "missing row: " << row);
    }
}

BOOST_AUTO_TEST_CASE(no_values_give_the_header_and_a_zero_footer) {
    BOOST_TEST(bench::hgrm({}) ==
               "       Value     Percentile TotalCount 1/(1-Percentile)\n\n"
               "#[Mean    =        0.000, StdDeviation   =        0.000]\n"
               "#[Max     =        0.000, Total count    =            0]\n"
               "#[Buckets =            1, SubBuckets     =         2048]\n");
}

BOOST_AUTO_TEST_CASE(a_percentile_is_the_smallest_value_with_that_share_at_or_below_it) {
    const std::vector<std::uint32_t> us{10, 20, 30, 40};
    BOOST_TEST(bench::percentile_us(us, 0) == 10u);
    BOOST_TEST(bench::percentile_us(us, 25) == 10u);
    BOOST_TEST(bench::percentile_us(us, 26) == 20u);
    BOOST_TEST(bench::percentile_us(us, 50) == 20u);
    BOOST_TEST(bench::percentile_us(us, 99.99) == 40u);
    BOOST_TEST(bench::percentile_us(us, 100) == 40u);
    BOOST_TEST(bench::percentile_us({}, 50) == 0u);
}
