#pragma once

/// @file
/// What a client has done so far: gauges, counters and latency histograms (client::stats()).

#include <boost/system/error_code.hpp>

#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace stytch {

/// A latency histogram with fixed log-linear buckets (as HdrHistogram's), needing no
/// dependency: quantiles within 1 % of the true value from 1 µs to about 134 s.
///
/// Values below 256 µs each have a bucket of their own. Above, every power-of-two range
/// [2^k, 2^(k+1)) µs is split into 128 buckets of equal width 2^(k-7) µs, so a bucket's width
/// is less than 1/128 (0.8 %) of any value in it. The last bucket counts everything from 2^27 µs
/// (about 134 s) on. Each bucket counts the values from lower_bound(i) to upper_bound(i),
/// both inclusive (values are whole microseconds).
struct latency_histogram {
    /// Values below this many microseconds are counted exactly.
    static constexpr std::int64_t exact_below = 256;
    /// Buckets per power of two above `exact_below`.
    static constexpr std::size_t buckets_per_octave = 128;
    /// The first value of the last, unbounded bucket: 2^27 µs.
    static constexpr std::int64_t unbounded_from = std::int64_t{1} << 27;
    /// 256 exact buckets, 19 powers of two of 128 buckets each, and the unbounded one.
    static constexpr std::size_t bucket_count = 256 + 19 * buckets_per_octave + 1;

    /// Values recorded per bucket (not cumulative).
    std::array<std::uint64_t, bucket_count> buckets{};
    /// Sum of every recorded value, in microseconds (for a mean, or Prometheus' `_sum`).
    std::uint64_t sum_us = 0;

    /// The bucket that counts `v` (a negative value counts as 0).
    static constexpr std::size_t bucket_of(std::chrono::microseconds v) noexcept {
        const std::int64_t us = v.count();
        if (us < exact_below) {
            return us < 0 ? 0 : static_cast<std::size_t>(us);
        }
        if (us >= unbounded_from) {
            return bucket_count - 1;
        }
        // us in [2^k, 2^(k+1)) with 8 <= k <= 26: the top 8 bits give one of 128 buckets.
        const auto k = static_cast<unsigned>(std::bit_width(static_cast<std::uint64_t>(us))) - 1;
        const auto top = static_cast<std::size_t>(us >> (k - 7));  // in [128, 256)
        return exact_below + (k - 8) * buckets_per_octave + (top - buckets_per_octave);
    }

    /// Smallest value counted by bucket `i` (`microseconds::max()` for any `i` past the end).
    static constexpr std::chrono::microseconds lower_bound(std::size_t i) noexcept {
        if (i < static_cast<std::size_t>(exact_below)) {
            return std::chrono::microseconds(static_cast<std::int64_t>(i));
        }
        if (i >= bucket_count) {
            return std::chrono::microseconds::max();
        }
        const std::size_t above = i - static_cast<std::size_t>(exact_below);
        const std::size_t k = 8 + above / buckets_per_octave;
        const auto top = static_cast<std::int64_t>(buckets_per_octave + above % buckets_per_octave);
        return std::chrono::microseconds(top << (k - 7));
    }

    /// Largest value counted by bucket `i`, inclusive; `microseconds::max()` for the last
    /// bucket (and for any `i` past it).
    static constexpr std::chrono::microseconds upper_bound(std::size_t i) noexcept {
        if (i + 1 >= bucket_count) {
            return std::chrono::microseconds::max();
        }
        return lower_bound(i + 1) - std::chrono::microseconds(1);
    }

    /// Counts one value.
    constexpr void record(std::chrono::microseconds v) noexcept {
        ++buckets[bucket_of(v)];
        if (v.count() > 0) {
            sum_us += static_cast<std::uint64_t>(v.count());
        }
    }

    /// Values recorded in all.
    constexpr std::uint64_t count() const noexcept {
        std::uint64_t n = 0;
        for (auto b : buckets) {
            n += b;
        }
        return n;
    }

    /// Values recorded below `bound`: exact when `bound` is the lower bound of a bucket, as
    /// every power of two up to 2^27 µs is (coarse Prometheus buckets, see docs/metrics.md);
    /// otherwise the count below the first bucket bound at or above `bound`.
    constexpr std::uint64_t count_below(std::chrono::microseconds bound) const noexcept {
        std::uint64_t n = 0;
        for (std::size_t i = 0; i < bucket_count && lower_bound(i + 1) <= bound; ++i) {
            n += buckets[i];
        }
        return n;
    }

    /// An upper estimate of the `q`-quantile (`q` in [0, 1]; 0.5 for the median, 0.99 for
    /// p99): the largest value of the bucket holding the value of rank ceil(q * count()) (at
    /// least 1), as HdrHistogram's "highest equivalent value". Exact below 256 µs; above, at
    /// most 0.8 % over the true quantile. Returns 0 when nothing was recorded and
    /// `microseconds::max()` when that value is in the last bucket (about 134 s or more).
    constexpr std::chrono::microseconds percentile(double q) const noexcept {
        const std::uint64_t n = count();
        if (n == 0) {
            return std::chrono::microseconds(0);
        }
        q = q < 0 ? 0 : q > 1 ? 1 : q;
        const double exact = q * static_cast<double>(n);
        auto rank = static_cast<std::uint64_t>(exact);
        if (static_cast<double>(rank) < exact || rank == 0) {
            ++rank;  // ceil, and at least the first value
        }
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < bucket_count; ++i) {
            seen += buckets[i];
            if (seen >= rank) {
                return upper_bound(i);
            }
        }
        return upper_bound(bucket_count - 1);
    }
};

/// Calls that completed with an error, by kind. Each failed call counts once, in the first
/// matching field, in the order below.
struct call_failures {
    /// Refused before anything was sent (`condition::invalid_request`).
    std::uint64_t invalid_request = 0;
    /// The API answered with a non-2xx status (`condition::api_error`), after any retries.
    std::uint64_t api_error = 0;
    /// A 2xx answer that could not be decoded (`condition::decode_error`).
    std::uint64_t decode_error = 0;
    /// The server broke HTTP (`condition::protocol_error`).
    std::uint64_t protocol_error = 0;
    /// The HTTPS proxy refused or broke the tunnel (`condition::proxy_error`).
    std::uint64_t proxy_error = 0;
    /// The call's deadline (`request_timeout`) or a connect timeout passed
    /// (`asio::error::timed_out`).
    std::uint64_t timed_out = 0;
    /// Cancelled by the caller (`asio::error::operation_aborted`).
    std::uint64_t cancelled = 0;
    /// The client was closed or destroyed first (`error::client_closed`).
    std::uint64_t client_closed = 0;
    /// Anything else: connect, TLS and socket errors (`transport`), allocation failure.
    std::uint64_t transport = 0;

    /// Failed calls in all.
    constexpr std::uint64_t total() const noexcept {
        return invalid_request + api_error + decode_error + protocol_error + proxy_error +
               timed_out + cancelled + client_closed + transport;
    }
};

/// Why an attempt was followed by another one.
struct retry_counts {
    /// After a retryable status: 429, 502, 503, 504 (and 500 when the policy allows it).
    std::uint64_t status = 0;
    /// After a connect failure or timeout, or a connection that closed before any byte of an
    /// answer.
    std::uint64_t transport = 0;
    /// A pooled connection the server had closed (or that spoke while idle, or answered 408)
    /// replaced at once by a new one. Not counted as an attempt by the retry policy.
    std::uint64_t stale_connection = 0;
    /// HTTP/2: a request the server did not take up (`RST_STREAM REFUSED_STREAM`, a stream
    /// above a GOAWAY's last stream id, a shared connection lost before any answer) sent again
    /// at once on any connection. Not counted as an attempt by the retry policy.
    std::uint64_t not_processed = 0;
    /// HTTP/1.1: a success answer for another organization (a stray answer had put the
    /// connection one answer out of step): the request sent again at once on a new
    /// connection, once per call. Not counted as an attempt by the retry policy.
    std::uint64_t out_of_step = 0;
};

/// Why connections were closed by the client.
struct connection_discards {
    /// Idle in the pool for longer than `idle_timeout`.
    std::uint64_t idle_timeout = 0;
    /// Not reusable after an answer: `Connection: close`, stray bytes after the answer, a
    /// failure in the middle of an answer.
    std::uint64_t not_reusable = 0;
    /// Spoke while idle (bytes, EOF, reset found before writing), or failed before any byte
    /// of an answer.
    std::uint64_t stale = 0;
    /// The connection could not be opened (connect, TLS handshake or proxy tunnel failed).
    std::uint64_t open_failed = 0;
    /// Closed to stop an attempt: the call's deadline passed or it was cancelled.
    std::uint64_t interrupted = 0;
    /// Closed with the client (close() or destruction).
    std::uint64_t client_closed = 0;
    /// HTTP/1.1: answered with a success for another organization than the call asked for:
    /// a stray answer had put it one answer out of step.
    std::uint64_t out_of_step = 0;

    /// Connections closed in all.
    constexpr std::uint64_t total() const noexcept {
        return idle_timeout + not_reusable + stale + open_failed + interrupted + client_closed +
               out_of_step;
    }
};

/// A consistent snapshot of a client's activity, taken at once under the client's lock
/// (see client::stats()). Gauges describe the moment; counters only grow, from the client's
/// construction on (unsigned 64-bit: they do not wrap in practice).
struct client_stats {
    // Gauges.
    /// Connections open: idle, in use, or being opened.
    std::size_t connections_open = 0;
    /// Connections idle in the pool.
    std::size_t connections_idle = 0;
    /// Connections in use by an attempt or being opened (`connections_open - connections_idle`).
    std::size_t connections_busy = 0;
    /// Calls started and not completed yet (`calls_started - calls_succeeded -
    /// calls_failed.total()`).
    std::size_t calls_in_flight = 0;
    /// Calls queued for a connection (all `max_connections` are busy).
    std::size_t calls_waiting = 0;

    // Counters.
    /// Calls started (each delete_external_id call, including those refused at once).
    std::uint64_t calls_started = 0;
    /// Calls that completed with success.
    std::uint64_t calls_succeeded = 0;
    /// Calls that completed with an error, by kind.
    call_failures calls_failed{};
    /// Attempts made (each one seen by `client_config::on_attempt`).
    std::uint64_t attempts = 0;
    /// Attempts followed by another, by reason.
    retry_counts retries{};
    /// Connections opened (TCP, proxy tunnel if any, and TLS handshake completed).
    std::uint64_t connections_opened = 0;
    /// Times an open connection was given to an attempt instead of opening a new one.
    std::uint64_t connections_reused = 0;
    /// Connections closed by the client, by reason.
    connection_discards connections_discarded{};

    /// Completed calls: from the start of the call to its completion (posting the handler).
    latency_histogram call_latency{};
    /// Completed calls: time spent waiting for a connection (or the right to open one), over
    /// all its attempts; about 0 when a connection was free.
    latency_histogram connection_wait{};
};

/// What the optional per-call hook (`client_config::on_call`) sees. Contains no credential,
/// token or request data.
struct call_info {
    boost::system::error_code result{};  ///< the call's outcome (empty on success)
    /// Attempts made (0 when the call was refused or ended before any attempt).
    std::size_t attempts = 0;
    std::chrono::microseconds latency{};          ///< from the call's start to its completion
    std::chrono::microseconds connection_wait{};  ///< of that, waiting for a connection
};

}  // namespace stytch
