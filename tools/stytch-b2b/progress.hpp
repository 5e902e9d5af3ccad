#pragma once

// The figures of a bulk run and how they read: the progress line (on a terminal) and the
// summary. Sans-io: the caller passes the elapsed time.

#include <chrono>
#include <cstddef>
#include <string>

namespace stytch::cli {

struct tally {
    std::size_t total = 0;      ///< ids to call in this run (skipped ones excluded)
    std::size_t succeeded = 0;  ///< calls that succeeded
    std::size_t failed = 0;     ///< invalid ids and calls that failed
    std::size_t skipped = 0;    ///< ids a previous run completed (--resume)

    std::size_t done() const { return succeeded + failed; }
    std::size_t not_done() const { return total - done(); }
};

/// `120/1000 (12%)  35.2/s  3 errors  ETA 0:25`, plus `  paused (HTTP 429)` while `paused`.
std::string progress_line(const tally& t, std::chrono::steady_clock::duration elapsed, bool paused);

/// `1000 ids: 997 succeeded, 3 failed in 28.4 s (35.2/s)`, with the ids not done, skipped,
/// the 429 answers and an interruption when there are any.
std::string summary_line(const tally& t, std::chrono::steady_clock::duration elapsed,
                         std::size_t answers_429, bool interrupted);

}  // namespace stytch::cli
