#pragma once

// The back-off all workers of a bulk run share when the API answers 429: one answer pauses
// every new call, instead of each worker finding the limit for itself. Sans-io: the caller
// passes the time.

#include <chrono>
#include <cstddef>
#include <optional>

namespace stytch::cli {

class rate_gate {
  public:
    using clock = std::chrono::steady_clock;

    /// `first_pause` after a 429, doubled by each 429 of a call started after a pause, up to
    /// `max_pause`; back to `first_pause` after a success.
    explicit rate_gate(std::chrono::milliseconds first_pause,
                       std::chrono::milliseconds max_pause = std::chrono::seconds(30));

    /// An attempt was answered 429 at `now`, with `retry_after` if the answer had one: the
    /// pause lasts at least that long (up to `longest_retry_after`). Answers that come while a
    /// pause runs belong to calls started before it (the same wave): they do not double it,
    /// and extend it only as far as their own Retry-After asks.
    void rate_limited(clock::time_point now,
                      std::optional<std::chrono::milliseconds> retry_after = std::nullopt);

    /// A server's Retry-After beyond this is taken as this: a hostile or mistaken value must
    /// not stall a run for days (the user can still stop it and resume).
    static constexpr std::chrono::milliseconds longest_retry_after = std::chrono::hours(1);

    /// An attempt succeeded at `now`.
    void succeeded(clock::time_point now);

    /// New calls may start from this time on.
    clock::time_point open_at() const { return open_at_; }

    std::size_t answers_429() const { return answers_429_; }
    std::size_t pauses() const { return pauses_; }

  private:
    std::chrono::milliseconds first_;
    std::chrono::milliseconds max_;
    std::chrono::milliseconds next_;
    clock::time_point open_at_{};
    std::size_t answers_429_ = 0;
    std::size_t pauses_ = 0;
};

}  // namespace stytch::cli
