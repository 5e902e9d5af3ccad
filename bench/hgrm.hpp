// Latency percentiles in HdrHistogram's text format (.hgrm), from every latency kept exactly.
//
// The bench keeps each call's latency (microseconds) rather than bucketing it, so percentiles
// are exact; the writer prints them in the layout of HdrHistogram's (Java)
// outputPercentileDistribution, so tools that parse that output can read the file.

#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace bench {

/// The value at percentile `p` (0 to 100) of `sorted_us` (ascending): the smallest value such
/// that at least p % of the values are at most it (HdrHistogram's reading); 0 when empty.
std::uint32_t percentile_us(std::span<const std::uint32_t> sorted_us, double p);

/// The percentile distribution of `sorted_us` (ascending, microseconds) in the .hgrm format,
/// values in milliseconds with 3 decimals: a header, one row per percentile tick (5 ticks per
/// halving of the distance to 100 %, from 0 % until the largest value is reached, then 100 %),
/// and the Mean/StdDeviation, Max/Total count and Buckets/SubBuckets footer. The last line
/// gives the size an HdrHistogram of 3 significant digits from 1 us would need for the same
/// range; the values themselves are exact, not bucketed.
std::string hgrm(std::span<const std::uint32_t> sorted_us);

}  // namespace bench
