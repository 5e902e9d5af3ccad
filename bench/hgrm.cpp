// The .hgrm text format: HdrHistogram's percentile distribution, written from sorted values.

#include "hgrm.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bench {

namespace {

// The step from `level` (percent) to the next tick: 5 ticks for each halving of the distance
// to 100 % (10 % steps up to 50 %, 5 % up to 75 %, 2.5 % up to 87.5 %, ...). The number of
// halvings is counted by doubling, not with a logarithm: every tick is an exact binary fraction
// of 100, so the count is exact where log(x)/log(2) could round 3 down to 2.999...
double tick_step(double level) {
    const double distance = 100.0 - level;
    int halvings = 0;
    double covered = distance * 2;
    while (covered <= 100.0 && halvings < 60) {
        ++halvings;
        covered *= 2;
    }
    return 100.0 / (5.0 * std::ldexp(2.0, halvings));
}

void append(std::string& out, const char* format, auto... args) {
    char line[160];
    const int n = std::snprintf(line, sizeof line, format, args...);
    if (n > 0) {
        out.append(line, static_cast<std::size_t>(n) < sizeof line ? n : sizeof line - 1);
    }
}

}  // namespace

std::uint32_t percentile_us(std::span<const std::uint32_t> sorted_us, double p) {
    if (sorted_us.empty()) {
        return 0;
    }
    // The smallest rank r (1-based) with 100 * r / n >= p.
    const auto n = static_cast<double>(sorted_us.size());
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n));
    rank = std::max<std::size_t>(rank, 1);
    rank = std::min(rank, sorted_us.size());
    return sorted_us[rank - 1];
}

std::string hgrm(std::span<const std::uint32_t> sorted_us) {
    std::string out;
    append(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
    const std::size_t n = sorted_us.size();
    // Walk the distinct values; at each, report every tick its cumulative share reaches. As in
    // HdrHistogram, the largest value gets one tick row, then the closing 100 % row.
    double level = 0.0;
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i;
        while (j < n && sorted_us[j] == sorted_us[i]) {
            ++j;
        }
        const double value_ms = sorted_us[i] / 1000.0;
        const double share = 100.0 * static_cast<double>(j) / static_cast<double>(n);
        while (share >= level) {
            append(out, "%12.3f %2.12f %10zu %14.2f\n", value_ms, level / 100.0, j,
                   1.0 / (1.0 - level / 100.0));
            level += tick_step(level);
            if (j == n) {
                break;
            }
        }
        i = j;
    }
    double mean = 0;
    double deviation = 0;
    std::uint32_t max = 0;
    if (n != 0) {
        max = sorted_us.back();
        append(out, "%12.3f %2.12f %10zu\n", max / 1000.0, 1.0, n);
        for (const auto v : sorted_us) {
            mean += v;
        }
        mean /= static_cast<double>(n);
        for (const auto v : sorted_us) {
            deviation += (v - mean) * (v - mean);
        }
        deviation = std::sqrt(deviation / static_cast<double>(n));
    }
    // The buckets of an HdrHistogram with 3 significant digits (2048 sub-buckets, unit 1 us)
    // that reaches `max`: the first bucket covers 0..2047, each further one doubles the range.
    int buckets = 1;
    for (std::uint64_t reach = 2048; reach <= max; reach <<= 1) {
        ++buckets;
    }
    append(out, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean / 1000.0,
           deviation / 1000.0);
    append(out, "#[Max     = %12.3f, Total count    = %12zu]\n", max / 1000.0, n);
    append(out, "#[Buckets = %12d, SubBuckets     = %12d]\n", buckets, 2048);
    return out;
}

}  // namespace bench
