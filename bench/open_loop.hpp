// Open-loop load: calls started at a fixed rate whatever the server does, their latency counted
// from when each was due (no coordinated omission, as wrk2 measures).
//
// Call i is due at start + i / rate. One timer wakes at each due time and starts every call
// that is due by then, however many are still in flight, up to a generous cap; a call held
// back by the cap starts when one finishes and counts as a late start. A call's latency is its
// completion time minus its due time, so a slow start (a busy client, the cap, the timer
// waking late) is part of the latency, not hidden by it.

#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

using clock_type = std::chrono::steady_clock;

/// What an open-loop run did.
struct open_loop_result {
    std::vector<std::uint32_t> latency_us;  ///< successful calls, due time to completion
    std::uint64_t started = 0;
    std::uint64_t completed = 0;
    std::uint64_t errors = 0;
    std::uint64_t late_starts = 0;       ///< calls held back by the in-flight cap
    std::uint64_t max_start_lag_us = 0;  ///< the most any call started after its due time
    clock_type::time_point start{};      ///< call 0's due time
    clock_type::time_point last_start{};
    clock_type::time_point end{};  ///< when the last call completed
    std::string first_error;

    /// Calls started per second, from the first start to the last.
    double sent_per_second() const;
};

/// Runs `calls` calls at `rate` per second on `executor`. `start_call(done)` starts one call
/// and must invoke `done(error)` once it completes (from any thread; `error` empty on success).
/// `on_finished` runs once every call has completed; the result is then final.
class open_loop {
  public:
    using done_fn = std::function<void(std::string_view error)>;
    using start_fn = std::function<void(done_fn done)>;

    open_loop(boost::asio::any_io_executor executor, double rate, std::uint64_t calls,
              std::size_t max_in_flight, start_fn start_call);

    void run(std::function<void()> on_finished);
    const open_loop_result& result() const { return result_; }

  private:
    clock_type::time_point due(std::uint64_t i) const;
    void on_timer();
    void launch(std::uint64_t i, bool late);
    void complete(clock_type::time_point due_at, std::string_view error);

    boost::asio::steady_timer timer_;
    double rate_;
    std::uint64_t calls_;
    std::size_t max_in_flight_;
    start_fn start_call_;
    std::function<void()> on_finished_;

    std::mutex mutex_;  // completions come from any thread running the executor
    std::uint64_t next_ = 0;
    std::size_t in_flight_ = 0;
    open_loop_result result_;
};

}  // namespace bench
